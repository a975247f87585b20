/*
 * The stock Lua 5.3 binary chunk of this host (what dump53.c and luac5.3
 * write: little-endian, int 4, size_t 8, Instruction 4, lua_Integer 8,
 * lua_Number 8) read back into a proto tree, for luac.cross -e: the
 * function a script returns comes from the 5.3 VM as such a chunk. The
 * reader trusts no field: every count is bounded by the bytes left, the
 * nesting by NLC_MAX_DEPTH. Functions get NodeMCU's packed line info too
 * (lfsc_lineinfo_pack), so that the tree can be written as a .lc or image.
 */
#include <string.h>

#include "compile.h"
#include "nlc.h"
#include "base/ctx.h"
#include "nodemcu/lineinfo.h"

#define TYPE_NUMINT (3 | (1 << 4))
#define TYPE_LNGSTR (4 | (1 << 4))

typedef struct stock_reader {
  lfsc_ctx *ctx;
  const unsigned char *p;
  size_t len, pos;
  const char *name;
  int status;
} stock_reader;

static int fail(stock_reader *r, const char *why)
{
  if (!r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EFORMAT, "%s: %s precompiled chunk", r->name, why);
  return r->status;
}

static const unsigned char *take(stock_reader *r, size_t n)
{
  if (r->status || n > r->len - r->pos) {
    fail(r, "truncated");
    return NULL;
  }
  r->pos += n;
  return r->p + r->pos - n;
}

static uint64_t get_le(stock_reader *r, size_t n)
{
  const unsigned char *b = take(r, n);
  uint64_t v = 0;
  for (size_t i = 0; b && i < n; i++)
    v |= (uint64_t)b[i] << (8 * i);
  return v;
}

/* A count of items of at least each bytes, bounded by what is left. */
static int get_count(stock_reader *r, size_t each)
{
  uint32_t n = (uint32_t)get_le(r, 4);
  if (!r->status && (n > INT32_MAX || (uint64_t)n * each > r->len - r->pos))
    fail(r, "bad count in");
  return r->status ? 0 : (int)n;
}

static void *alloc_n(stock_reader *r, size_t n, size_t size)
{
  void *p = lfsc_alloc(r->ctx, (n ? n : 1) * size);
  if (!p && !r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  return p;
}

static const lfsc_str *get_string(stock_reader *r)
{
  uint64_t size = get_le(r, 1);
  if (size == 0xFF)
    size = get_le(r, 8);
  if (r->status || size == 0)
    return NULL;
  if (size - 1 > r->len - r->pos) {
    fail(r, "truncated");
    return NULL;
  }
  const unsigned char *b = take(r, (size_t)(size - 1));
  if (!b)
    return NULL;
  const lfsc_str *s = lfsc_intern(r->ctx, (const char *)b, (size_t)(size - 1));
  if (!s && !r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  return s;
}

static lfsc_proto *get_function(stock_reader *r, const lfsc_str *psource, int depth)
{
  if (depth > NLC_MAX_DEPTH) {
    fail(r, "functions nested too deeply in");
    return NULL;
  }
  lfsc_proto *f = alloc_n(r, 1, sizeof *f);
  if (!f)
    return NULL;
  memset(f, 0, sizeof *f);
  f->lua = LFSC_LUA53;
  f->source = get_string(r);
  if (!f->source)
    f->source = psource;
  f->linedefined = (int)(int32_t)get_le(r, 4);
  f->lastlinedefined = (int)(int32_t)get_le(r, 4);
  f->numparams = (uint8_t)get_le(r, 1);
  f->is_vararg = (uint8_t)get_le(r, 1);
  f->maxstacksize = (uint8_t)get_le(r, 1);
  f->sizecode = get_count(r, 4);
  if (!(f->code = alloc_n(r, (size_t)f->sizecode, sizeof *f->code)))
    return NULL;
  for (int i = 0; i < f->sizecode; i++)
    f->code[i] = (uint32_t)get_le(r, 4);
  f->sizek = get_count(r, 1);
  if (!(f->k = alloc_n(r, (size_t)f->sizek, sizeof *f->k)))
    return NULL;
  for (int i = 0; i < f->sizek && !r->status; i++) {
    lfsc_const *k = &f->k[i];
    unsigned t = (unsigned)get_le(r, 1);
    switch (t) {
    case LFSC_K_NIL: k->type = LFSC_K_NIL; break;
    case LFSC_K_BOOL: k->type = LFSC_K_BOOL; k->u.b = get_le(r, 1) != 0; break;
    case LFSC_K_NUM: {
      uint64_t bits = get_le(r, 8);
      k->type = LFSC_K_NUM;
      memcpy(&k->u.n, &bits, sizeof k->u.n);
      break;
    }
    case TYPE_NUMINT: k->type = LFSC_K_INT; k->u.i = (int64_t)get_le(r, 8); break;
    case LFSC_K_STR:
    case TYPE_LNGSTR:
      k->type = LFSC_K_STR;
      if (!(k->u.s = get_string(r)))
        fail(r, "bad string constant in");
      break;
    default: fail(r, "bad constant type in"); break;
    }
  }
  int nups = get_count(r, 2);
  if (nups > 255)
    fail(r, "too many upvalues in");
  f->nups = (uint8_t)nups;
  if (!r->status && !(f->upvaldesc = alloc_n(r, (size_t)nups, sizeof *f->upvaldesc)))
    return NULL;
  for (int i = 0; i < nups && !r->status; i++) {
    f->upvaldesc[i].instack = (uint8_t)get_le(r, 1);
    f->upvaldesc[i].idx = (uint8_t)get_le(r, 1);
  }
  f->sizep = get_count(r, 1);
  if (!(f->p = alloc_n(r, (size_t)f->sizep, sizeof *f->p)))
    return NULL;
  for (int i = 0; i < f->sizep && !r->status; i++)
    f->p[i] = get_function(r, f->source, depth + 1);
  int nline = get_count(r, 4);
  if (nline && nline != f->sizecode)
    fail(r, "bad line info in");
  if (nline && !r->status) {
    if (!(f->lineinfo = alloc_n(r, (size_t)nline, sizeof *f->lineinfo)))
      return NULL;
    for (int i = 0; i < nline; i++)
      f->lineinfo[i] = (int)(int32_t)get_le(r, 4);
    f->sizelineinfo = nline;
    uint8_t *packed = alloc_n(r, lfsc_lineinfo_pack_bound(nline), 1);
    if (!packed)
      return NULL;
    f->sizepackedli = (uint32_t)lfsc_lineinfo_pack(f->lineinfo, nline, packed);
    f->packedli = packed;
  }
  f->sizelocvars = get_count(r, 9);
  if (!(f->locvars = alloc_n(r, (size_t)f->sizelocvars, sizeof *f->locvars)))
    return NULL;
  for (int i = 0; i < f->sizelocvars && !r->status; i++) {
    f->locvars[i].name = get_string(r);
    f->locvars[i].startpc = (int)(int32_t)get_le(r, 4);
    f->locvars[i].endpc = (int)(int32_t)get_le(r, 4);
  }
  int nnames = get_count(r, 1);
  if (nnames && nnames != nups)
    fail(r, "bad upvalue names in");
  if (!(f->upvalues = alloc_n(r, (size_t)nnames, sizeof *f->upvalues)))
    return NULL;
  for (int i = 0; i < nnames && !r->status; i++)
    f->upvalues[i] = get_string(r);
  f->sizeupvalues = nnames;
  return r->status ? NULL : f;
}

int lfsc_lua53_read_host(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                         lfsc_proto **out)
{
  static const unsigned char header[] = {
    0x1B, 'L', 'u', 'a', 0x53, 0, 0x19, 0x93, '\r', '\n', 0x1A, '\n', 4, 8, 4, 8, 8
  };
  stock_reader r = {ctx, buf, len, 0, name, 0};
  *out = NULL;
  const unsigned char *h = take(&r, sizeof header);
  if (!h)
    return r.status;
  if (memcmp(h, header, sizeof header) != 0)
    return fail(&r, "not a stock Lua 5.3 (x86-64)");
  uint64_t num = get_le(&r, 8), bits = get_le(&r, 8);
  double n;
  memcpy(&n, &bits, sizeof n);
  if (!r.status && (num != 0x5678 || n != 370.5))
    return fail(&r, "format mismatch in");
  get_le(&r, 1);                /* the main closure's upvalue count */
  lfsc_proto *f = get_function(&r, NULL, 0);
  if (r.status)
    return r.status;
  *out = f;
  return LFSC_OK;
}
