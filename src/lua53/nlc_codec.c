/* The NodeMCU 5.3 dump encoding's primitive fields, both directions: one
 * definition of each, used by the .lc and the image code. */
#include <string.h>

#include "nlc.h"

/* {================= variants =================} */

int lfsc_nlc_sizes(lfsc_ctx *ctx, lfsc_variant v, nlc_sizes *out)
{
  if (v.lua != LFSC_LUA53 || v.format != LFSC_FORMAT_NODEMCU)
    return lfsc_seterr(ctx, LFSC_EARG, "not a NodeMCU Lua 5.3 target");
  switch (v.numbers) {
  case LFSC_NUM_I32_F32: *out = (nlc_sizes){4, 4}; break;
  case LFSC_NUM_I64_F64: *out = (nlc_sizes){8, 8}; break;
  case LFSC_NUM_I32_F64: *out = (nlc_sizes){4, 8}; break;
  case LFSC_NUM_I64_F32: *out = (nlc_sizes){8, 4}; break;
  default:
    return lfsc_seterr(ctx, LFSC_EARG, "not a NodeMCU Lua 5.3 number model");
  }
  return LFSC_OK;
}

lfsc_target lfsc_nlc_target(nlc_sizes s)
{
  if (s.int_bytes == 4)
    return s.num_bytes == 4 ? LFSC_TARGET_53_INT32_SINGLEFP : LFSC_TARGET_53_INT32_DOUBLEFP;
  return s.num_bytes == 8 ? LFSC_TARGET_53_INT64_DOUBLEFP : LFSC_TARGET_53_INT64_SINGLEFP;
}

size_t lfsc_nlc_header_size(nlc_sizes s)
{
  return 17 + (size_t)s.num_bytes;
}

/* Bytes 6..11 of the header: stock 5.3's LUAC_DATA. */
static const unsigned char luac_data[6] = {0x19, 0x93, '\r', '\n', 0x1A, '\n'};
/* The check number (LUAC_NUM) and its type byte. */
#define CHECK_NUM 370.5
#define CHECK_NUM_TT 0x20

int lfsc_nlc_sniff(const unsigned char *buf, size_t len, int *format, lfsc_variant *v)
{
  if (len < 17 || memcmp(buf, "\x1bLua\x53", 5) != 0 ||
      (buf[5] != NLC_FORMAT_LC && buf[5] != NLC_FORMAT_IMG) ||
      memcmp(buf + 6, luac_data, sizeof luac_data) != 0 || buf[12] != 4 || buf[13] != 4 ||
      (buf[14] != 4 && buf[14] != 8) || (buf[15] != 4 && buf[15] != 8) || buf[16] != CHECK_NUM_TT)
    return 0;
  *format = buf[5];
  *v = lfsc_target_variant(lfsc_nlc_target((nlc_sizes){buf[14], buf[15]}));
  return 1;
}

/* {================= writing =================} */

static void put_raw_number(lfsc_sink *out, double n, unsigned bytes)
{
  if (bytes == 8) {
    lfsc_sink_f64le(out, n);
  } else {
    float f = (float)n;
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    lfsc_sink_u32le(out, bits);
  }
}

void lfsc_nlc_put_header(lfsc_sink *out, int format, nlc_sizes s)
{
  const unsigned char head[] = {0x1B, 'L', 'u', 'a', 0x53, (unsigned char)format};
  lfsc_sink_write(out, head, sizeof head);
  lfsc_sink_write(out, luac_data, sizeof luac_data);
  /* sizeof(int), sizeof(Instruction), lua_Integer, lua_Number */
  const unsigned char sizes[4] = {4, 4, s.int_bytes, s.num_bytes};
  lfsc_sink_write(out, sizes, sizeof sizes);
  lfsc_sink_u8(out, CHECK_NUM_TT);
  put_raw_number(out, CHECK_NUM, s.num_bytes);
}

void lfsc_nlc_put_count(lfsc_sink *out, uint64_t v)
{
  unsigned char b[10];
  int n = 0;
  do {
    b[n++] = (unsigned char)(v & 0x7F);
    v >>= 7;
  } while (v);
  /* most significant group first; bit 7 on all but the last byte */
  while (n > 1)
    lfsc_sink_u8(out, b[--n] | 0x80u);
  lfsc_sink_u8(out, b[0]);
}

void lfsc_nlc_put_typed(lfsc_sink *out, unsigned tt, uint64_t v)
{
  unsigned char b[10];
  int n = 0;
  unsigned type = (tt & 7u) << 4;
  if (v < 16) {
    lfsc_sink_u8(out, type | (unsigned)v);
    return;
  }
  do {
    b[n++] = (unsigned char)(v & 0x7F);
    v >>= 7;
  } while (v);
  /* The top group rides in the type byte when it fits in 4 bits, else a
   * type byte with no data bits comes first. */
  if (b[n - 1] < 16)
    lfsc_sink_u8(out, 0x80u | type | b[--n]);
  else
    lfsc_sink_u8(out, 0x80u | type);
  while (n > 1)
    lfsc_sink_u8(out, b[--n] | 0x80u);
  lfsc_sink_u8(out, b[0]);
}

void lfsc_nlc_put_integer(lfsc_sink *out, int64_t v)
{
  if (v >= 0)
    lfsc_nlc_put_typed(out, NLC_TINT, (uint64_t)v);
  else
    lfsc_nlc_put_typed(out, NLC_TNINT, ~(uint64_t)v);   /* -v-1 */
}

void lfsc_nlc_put_string(lfsc_sink *out, const lfsc_str *s)
{
  if (!s) {
    lfsc_nlc_put_typed(out, NLC_TSSTR, 0);
    return;
  }
  lfsc_nlc_put_typed(out, s->len <= NLC_MAXSHORTLEN ? NLC_TSSTR : NLC_TLSTR, (uint64_t)s->len + 1);
  lfsc_sink_write(out, s->data, s->len);
}

/* {================= reading =================} */

int lfsc_nlc_fail(nlc_reader *r, const char *why)
{
  if (!r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EFORMAT, "%s: %s precompiled chunk", r->name, why);
  return r->status;
}

int lfsc_nlc_get_byte(nlc_reader *r)
{
  if (r->status)
    return -1;
  if (r->pos >= r->len) {
    lfsc_nlc_fail(r, "truncated");
    return -1;
  }
  return r->buf[r->pos++];
}

/* Continuation bytes after a first group x: at most 64 bits in all. */
static uint64_t get_groups(nlc_reader *r, uint64_t x)
{
  for (;;) {
    int b = lfsc_nlc_get_byte(r);
    if (b < 0)
      return 0;
    if (x >> 57) {
      lfsc_nlc_fail(r, "integer overflow in");
      return 0;
    }
    x = x << 7 | (uint64_t)(b & 0x7F);
    if (!(b & 0x80))
      return x;
  }
}

uint64_t lfsc_nlc_get_count(nlc_reader *r)
{
  return get_groups(r, 0);
}

uint64_t lfsc_nlc_get_typed(nlc_reader *r, unsigned *tt)
{
  int b = lfsc_nlc_get_byte(r);
  if (b < 0) {
    *tt = 0;
    return 0;
  }
  *tt = ((unsigned)b >> 4) & 7u;
  uint64_t x = (uint64_t)(b & 0x0F);
  return (b & 0x80) ? get_groups(r, x) : x;
}

int64_t lfsc_nlc_integer(nlc_reader *r, unsigned tt, uint64_t v)
{
  if (tt == NLC_TNINT)
    v = ~v;
  if (r->sizes.int_bytes == 4)
    return (int32_t)(uint32_t)v;   /* the reference's lua_Integer wraps */
  return (int64_t)v;
}

int lfsc_nlc_get_header(nlc_reader *r, int format, const nlc_sizes *want)
{
  static const char sig[4] = {0x1B, 'L', 'u', 'a'};
  if (r->len < 4 || memcmp(r->buf, sig, 4) != 0)
    return lfsc_nlc_fail(r, r->len < 4 ? "truncated" : "not a");
  r->pos = 4;
  int v = lfsc_nlc_get_byte(r);
  if (v >= 0 && v != 0x53)
    return lfsc_nlc_fail(r, "version mismatch in");
  int f = lfsc_nlc_get_byte(r);
  if (f >= 0 && f != format)
    return lfsc_nlc_fail(r, "format mismatch in");
  for (size_t i = 0; i < sizeof luac_data && !r->status; i++)
    if (lfsc_nlc_get_byte(r) != luac_data[i])
      return lfsc_nlc_fail(r, "corrupted");
  static const char *const what[4] = {
    "int size mismatch in", "Instruction size mismatch in",
    "lua_Integer size mismatch in", "lua_Number size mismatch in"
  };
  int sz[4];
  for (int i = 0; i < 4; i++)
    sz[i] = lfsc_nlc_get_byte(r);
  if (r->status)
    return r->status;
  for (int i = 0; i < 2; i++)
    if (sz[i] != 4)
      return lfsc_nlc_fail(r, what[i]);
  for (int i = 2; i < 4; i++) {
    int w = want ? (i == 2 ? want->int_bytes : want->num_bytes) : sz[i];
    if (sz[i] != w || (w != 4 && w != 8))
      return lfsc_nlc_fail(r, what[i]);
  }
  r->sizes = (nlc_sizes){(uint8_t)sz[2], (uint8_t)sz[3]};
  if (lfsc_nlc_get_byte(r) != CHECK_NUM_TT)
    return lfsc_nlc_fail(r, "float format mismatch in");
  if (r->len - r->pos < r->sizes.num_bytes)
    return lfsc_nlc_fail(r, "truncated");
  double n;
  const unsigned char *p = r->buf + r->pos;
  if (r->sizes.num_bytes == 8) {
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
      bits = bits << 8 | p[i];
    memcpy(&n, &bits, sizeof n);
  } else {
    uint32_t bits = rd_u32le(p);
    float fl;
    memcpy(&fl, &bits, sizeof fl);
    n = fl;
  }
  r->pos += r->sizes.num_bytes;
  if (n != CHECK_NUM)
    return lfsc_nlc_fail(r, "float format mismatch in");
  return LFSC_OK;
}

const lfsc_str *lfsc_nlc_get_string(nlc_reader *r)
{
  unsigned tt;
  uint64_t v = lfsc_nlc_get_typed(r, &tt);
  if (r->status)
    return NULL;
  if (tt != NLC_TSSTR && tt != NLC_TLSTR) {
    lfsc_nlc_fail(r, "bad string in");
    return NULL;
  }
  if (r->get_str) {
    const lfsc_str *s = NULL;
    r->get_str(r->get_str_ud, r, tt, v, &s);
    return s;
  }
  if (v == 0)
    return NULL;
  uint64_t n = v - 1;
  if (n > r->len - r->pos) {
    lfsc_nlc_fail(r, "truncated");
    return NULL;
  }
  /* a short string's type says <= 40 bytes and a long one's > 40: the
   * reference's loader relies on it */
  if ((tt == NLC_TSSTR) != (n <= NLC_MAXSHORTLEN)) {
    lfsc_nlc_fail(r, "bad string in");
    return NULL;
  }
  const lfsc_str *s = lfsc_intern(r->ctx, (const char *)r->buf + r->pos, (size_t)n);
  if (!s && !r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  r->pos += (size_t)n;
  return s;
}

