/* The stock Lua 5.3 binary chunk (ldump.c's format) of this host, as
 * Debian's luac5.3 writes it on x86-64: little-endian, int 4, size_t 8,
 * Instruction 4, lua_Integer 8, lua_Number 8. Serialised field by field. */
#include <string.h>

#include "compile.h"

#define MAXSHORTLEN 40          /* LUAI_MAXSHORTLEN: longer strings are "long" */
#define TYPE_LNGSTR (4 | (1 << 4))

typedef struct dump53 {
  lfsc_ctx *ctx;
  lfsc_sink *out;
  int strip;
  int status;
} dump53;

static void put_int(dump53 *d, int v)
{
  lfsc_sink_u32le(d->out, (uint32_t)v);
}

/* A string: NULL is a 0 byte; else its size + 1 in a byte, or 0xFF and a
 * size_t when that does not fit, then the bytes without the NUL. */
static void put_string(dump53 *d, const lfsc_str *s)
{
  if (!s) {
    lfsc_sink_u8(d->out, 0);
    return;
  }
  uint64_t size = (uint64_t)s->len + 1;
  if (size < 0xFF) {
    lfsc_sink_u8(d->out, (unsigned)size);
  } else {
    lfsc_sink_u8(d->out, 0xFF);
    lfsc_sink_u64le(d->out, size);
  }
  lfsc_sink_write(d->out, s->data, s->len);
}

static void put_function(dump53 *d, const lfsc_proto *f, const lfsc_str *psource)
{
  put_string(d, (d->strip || f->source == psource) ? NULL : f->source);
  put_int(d, f->linedefined);
  put_int(d, f->lastlinedefined);
  lfsc_sink_u8(d->out, f->numparams);
  lfsc_sink_u8(d->out, f->is_vararg);
  lfsc_sink_u8(d->out, f->maxstacksize);
  put_int(d, f->sizecode);
  for (int i = 0; i < f->sizecode; i++)
    lfsc_sink_u32le(d->out, f->code[i]);
  put_int(d, f->sizek);
  for (int i = 0; i < f->sizek; i++) {
    const lfsc_const *k = &f->k[i];
    switch (k->type) {
    case LFSC_K_NIL:
      lfsc_sink_u8(d->out, LFSC_K_NIL);
      break;
    case LFSC_K_BOOL:
      lfsc_sink_u8(d->out, LFSC_K_BOOL);
      lfsc_sink_u8(d->out, k->u.b ? 1 : 0);
      break;
    case LFSC_K_NUM:
      lfsc_sink_u8(d->out, LFSC_K_NUM);
      lfsc_sink_f64le(d->out, k->u.n);
      break;
    case LFSC_K_INT:
      lfsc_sink_u8(d->out, LFSC_K_INT);
      lfsc_sink_u64le(d->out, (uint64_t)k->u.i);
      break;
    case LFSC_K_STR:
      lfsc_sink_u8(d->out, k->u.s->len <= MAXSHORTLEN ? LFSC_K_STR : TYPE_LNGSTR);
      put_string(d, k->u.s);
      break;
    }
  }
  put_int(d, f->nups);
  for (int i = 0; i < f->nups; i++) {
    lfsc_sink_u8(d->out, f->upvaldesc ? f->upvaldesc[i].instack : 0);
    lfsc_sink_u8(d->out, f->upvaldesc ? f->upvaldesc[i].idx : 0);
  }
  put_int(d, f->sizep);
  for (int i = 0; i < f->sizep; i++)
    put_function(d, f->p[i], f->source);
  int n = d->strip ? 0 : f->sizelineinfo;
  put_int(d, n);
  for (int i = 0; i < n; i++)
    put_int(d, f->lineinfo[i]);
  n = d->strip ? 0 : f->sizelocvars;
  put_int(d, n);
  for (int i = 0; i < n; i++) {
    put_string(d, f->locvars[i].name);
    put_int(d, f->locvars[i].startpc);
    put_int(d, f->locvars[i].endpc);
  }
  /* names of all upvalues, NULL where the tree has none */
  n = d->strip ? 0 : f->nups;
  put_int(d, n);
  for (int i = 0; i < n; i++)
    put_string(d, i < f->sizeupvalues && f->upvalues ? f->upvalues[i] : NULL);
}

int lfsc_lua53_write_host(lfsc_ctx *ctx, const lfsc_proto *main, int strip, lfsc_sink *out)
{
  if (main->lua != LFSC_LUA53)
    return lfsc_seterr(ctx, LFSC_EARG, "a Lua 5.1 tree cannot be written as 5.3");
  dump53 d = {ctx, out, strip, 0};
  static const unsigned char header[] = {
    0x1B, 'L', 'u', 'a', 0x53, 0,           /* signature, version, format */
    0x19, 0x93, '\r', '\n', 0x1A, '\n',     /* LUAC_DATA */
    4, 8, 4, 8, 8                           /* int, size_t, Instruction, Integer, Number */
  };
  lfsc_sink_write(out, header, sizeof header);
  lfsc_sink_u64le(out, 0x5678);            /* LUAC_INT */
  lfsc_sink_f64le(out, 370.5);             /* LUAC_NUM */
  lfsc_sink_u8(out, main->nups);           /* the main closure's upvalues */
  put_function(&d, main, NULL);
  if (d.status)
    return d.status;
  if (out->status)
    return lfsc_seterr(ctx, out->status, "cannot write output");
  return LFSC_OK;
}
