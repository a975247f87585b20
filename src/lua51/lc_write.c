/* Writers for Lua 5.1 binary chunks: the stock host format and NodeMCU's
 * .lc, serialised field by field so that the host's own layout never
 * reaches the output. */
#include <string.h>

#include "lc_write.h"

typedef struct writer {
  lfsc_ctx *ctx;
  lc_format fmt;
  int strip;
  lfsc_sink *out;
  int status;                   /* first non-sink error (LFSC_ELIMIT) */
} writer;

lc_format lfsc_lc_format_for(lfsc_target t)
{
  lfsc_variant v = lfsc_target_variant(t);
  lc_format f = {4, 8, 0, 0, 1};
  if (v.numbers == LFSC_NUM_INT32) {
    f.number_bytes = 4;
    f.integral = 1;
  }
  if (v.format == LFSC_FORMAT_HOST) {
    const uint16_t probe = 1;
    f.size_t_bytes = (uint8_t)sizeof(size_t);
    f.big_endian = *(const uint8_t *)&probe == 0;
    f.nodemcu = 0;
  }
  return f;
}

static void put_u32(writer *w, uint32_t v)
{
  if (w->fmt.big_endian)
    v = (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
  lfsc_sink_u32le(w->out, v);
}

static void put_u64(writer *w, uint64_t v)
{
  if (w->fmt.big_endian) {
    put_u32(w, (uint32_t)(v >> 32));
    put_u32(w, (uint32_t)v);
  } else {
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
  }
}

static void put_int(writer *w, int v)
{
  put_u32(w, (uint32_t)v);
}

static void put_size(writer *w, uint64_t n)
{
  if (w->fmt.size_t_bytes == 8)
    put_u64(w, n);
  else
    put_u32(w, (uint32_t)n);
}

/* NodeMCU pads to a 4-byte boundary counted from the chunk's first byte. */
static void align4(writer *w)
{
  if (w->fmt.nodemcu)
    lfsc_sink_zeros(w->out, (size_t)(-w->out->count & 3));
}

/* A string field: absent (NULL) is a zero length; otherwise the length
 * counts the terminating NUL that follows the bytes. */
static void put_string(writer *w, const lfsc_str *s)
{
  if (!s) {
    put_size(w, 0);
    return;
  }
  put_size(w, (uint64_t)s->len + 1);
  lfsc_sink_write(w->out, s->data, (size_t)s->len + 1);
}

static void put_number(writer *w, lfsc_number n)
{
  if (w->fmt.number_bytes == 8) {
    uint64_t bits;
    memcpy(&bits, &n, sizeof bits);
    put_u64(w, bits);
    return;
  }
  /* The reference int writer refuses the two extreme int32 values (spec
   * nodemcu-lc-format §5); we keep its rule rather than write a file the
   * int firmware's undump might treat differently. A NaN (a float image's
   * constant, extracted for the int firmware) is refused with them. */
  if (!(n < 2147483647.0 && n > -2147483648.0)) {
    if (!w->status)
      w->status = lfsc_seterr(w->ctx, LFSC_ELIMIT,
                              "value too big or small for target integer type (%.14g)", n);
    return;
  }
  put_u32(w, (uint32_t)(int32_t)n);
}

static void put_constants(writer *w, const lfsc_proto *f)
{
  put_int(w, f->sizek);
  for (int i = 0; i < f->sizek; i++) {
    const lfsc_const *k = &f->k[i];
    lfsc_sink_u8(w->out, (unsigned)k->type);
    switch (k->type) {
    case LFSC_K_NIL:
      break;
    case LFSC_K_BOOL:
      lfsc_sink_u8(w->out, k->u.b ? 1 : 0);
      break;
    case LFSC_K_NUM:
      put_number(w, k->u.n);
      break;
    case LFSC_K_STR:
      put_string(w, k->u.s);
      break;
    case LFSC_K_INT:            /* a 5.3 tree: 5.1 has no integer subtype */
      if (w->status == LFSC_OK)
        w->status = lfsc_seterr(w->ctx, LFSC_EARG, "a Lua 5.3 tree cannot be written as 5.1");
      break;
    }
  }
}

static void put_lineinfo(writer *w, const lfsc_proto *f)
{
  if (w->fmt.nodemcu) {
    uint32_t n = (w->strip || f->sizepackedli == 0) ? 0 : f->sizepackedli + 1;
    put_u32(w, n);
    align4(w);
    if (n) {
      lfsc_sink_write(w->out, f->packedli, f->sizepackedli);
      lfsc_sink_u8(w->out, 0);
    }
    return;
  }
  int n = w->strip ? 0 : f->sizelineinfo;
  put_int(w, n);
  for (int i = 0; i < n; i++)
    put_int(w, f->lineinfo[i]);
}

static void put_function(writer *w, const lfsc_proto *f, const lfsc_str *parent_source)
{
  /* A nested function from the same chunk shares its parent's source and
   * does not repeat it. */
  put_string(w, (w->strip || f->source == parent_source) ? NULL : f->source);
  put_int(w, f->linedefined);
  put_int(w, f->lastlinedefined);
  lfsc_sink_u8(w->out, f->nups);
  lfsc_sink_u8(w->out, f->numparams);
  lfsc_sink_u8(w->out, f->is_vararg);
  lfsc_sink_u8(w->out, f->maxstacksize);
  put_int(w, f->sizecode);
  align4(w);
  for (int i = 0; i < f->sizecode; i++)
    put_u32(w, f->code[i]);
  put_constants(w, f);
  put_int(w, f->sizep);
  for (int i = 0; i < f->sizep; i++)
    put_function(w, f->p[i], f->source);
  put_lineinfo(w, f);
  int nloc = w->strip ? 0 : f->sizelocvars;
  put_int(w, nloc);
  for (int i = 0; i < nloc; i++) {
    put_string(w, f->locvars[i].name);
    put_int(w, f->locvars[i].startpc);
    put_int(w, f->locvars[i].endpc);
  }
  int nup = w->strip ? 0 : f->sizeupvalues;
  put_int(w, nup);
  for (int i = 0; i < nup; i++)
    put_string(w, f->upvalues[i]);
}

int lfsc_lc_write(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_target target,
             int strip, lfsc_sink *out)
{
  writer w = {ctx, lfsc_lc_format_for(target), strip, out, 0};
  const unsigned char header[12] = {
    0x1B, 'L', 'u', 'a', 0x51, 0,
    w.fmt.big_endian ? 0 : 1,
    4,                          /* sizeof(int) */
    w.fmt.size_t_bytes,
    4,                          /* sizeof(Instruction) */
    w.fmt.number_bytes,
    w.fmt.integral
  };
  lfsc_sink_write(out, header, sizeof header);
  put_function(&w, main, NULL);
  if (w.status)
    return w.status;
  if (out->status)
    return lfsc_seterr(ctx, out->status, "cannot write output");
  return LFSC_OK;
}
