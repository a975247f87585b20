/* Reader of NodeMCU Lua 5.3 LFS image files (format 11, spec
 * lfs53-formats §4). It trusts no field: counts are bounded by the bytes
 * left, string references by the string list, and the string section's
 * counts must be what its strings give, since the device sizes its
 * buffers from them. */
#include <string.h>

#include "lua53/nlc.h"
#include "lfs53.h"

typedef struct imgr {
  const lfsc_str **strings;     /* the image's, then the fixed ones */
  uint64_t nstrings, nall;
} imgr;

static int get_ref(void *ud, nlc_reader *r, unsigned tt, uint64_t v, const lfsc_str **out)
{
  imgr *m = ud;
  *out = NULL;
  if (v == 0)
    return 0;
  if (v > m->nall)
    return lfsc_nlc_fail(r, "bad string reference in");
  const lfsc_str *s = m->strings[v - 1];
  if ((tt == NLC_TSSTR) != (s->len <= NLC_MAXSHORTLEN))
    return lfsc_nlc_fail(r, "bad string reference in");
  *out = s;
  return 0;
}

int lfsc_lfs53_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                    const lfsc_variant *want, lfsc_lfs53_image *img)
{
  nlc_reader r = {0};
  r.ctx = ctx;
  r.buf = buf;
  r.len = len;
  r.name = name;
  memset(img, 0, sizeof *img);
  nlc_sizes wsz;
  if (want) {
    int rc = lfsc_nlc_sizes(ctx, *want, &wsz);
    if (rc)
      return rc;
  }
  if (lfsc_nlc_get_header(&r, NLC_FORMAT_IMG, want ? &wsz : NULL))
    return r.status;
  img->variant = lfsc_target_variant(lfsc_nlc_target(r.sizes));
  unsigned tt;
  uint64_t v = lfsc_nlc_get_typed(&r, &tt);
  if (!r.status && tt != NLC_TINT && tt != NLC_TNINT)
    return lfsc_nlc_fail(&r, "bad seed in");
  img->seed = lfsc_nlc_integer(&r, tt, v);
  if (r.status)
    return r.status;
  if (r.len - r.pos < 3 || memcmp(r.buf + r.pos, "\x19ss", 3) != 0)
    return lfsc_nlc_fail(&r, r.len - r.pos < 3 ? "truncated" : "no string vector in");
  r.pos += 3;
  img->maxlen = lfsc_nlc_get_count(&r);
  img->nshort = lfsc_nlc_get_count(&r);
  img->nlong = lfsc_nlc_get_count(&r);
  uint64_t ns = lfsc_nlc_get_count(&r);
  if (r.status)
    return r.status;
  if (ns > r.len - r.pos)       /* a string takes a byte at least */
    return lfsc_nlc_fail(&r, "truncated");
  imgr m;
  m.nstrings = ns;
  m.nall = ns + LFSC_LFS53_NFIXED;
  m.strings = lfsc_alloc(ctx, (size_t)m.nall * sizeof *m.strings);
  if (!m.strings)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  uint64_t maxlen = 17, nshort = LFSC_LFS53_NFIXED, nlong = 0;
  for (uint64_t i = 0; i < ns && !r.status; i++) {
    const lfsc_str *s = lfsc_nlc_get_string(&r);
    if (!s && !r.status)
      return lfsc_nlc_fail(&r, "bad string vector in");
    if (r.status)
      break;
    m.strings[i] = s;
    if (s->len > maxlen)
      maxlen = s->len;
    if (s->len <= NLC_MAXSHORTLEN)
      nshort++;
    else
      nlong++;
  }
  if (r.status)
    return r.status;
  if (maxlen != img->maxlen || nshort != img->nshort || nlong != img->nlong)
    return lfsc_nlc_fail(&r, "bad string counts in");
  for (int i = 0; i < LFSC_LFS53_NFIXED; i++) {
    m.strings[ns + (uint64_t)i] = lfsc_intern(ctx, lfsc_lfs53_fixed[i], strlen(lfsc_lfs53_fixed[i]));
    if (!m.strings[ns + (uint64_t)i])
      return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  img->nstrings = (int)ns;
  img->strings = m.strings;
  if (r.len - r.pos < 3 || memcmp(r.buf + r.pos, "\x19pr", 3) != 0)
    return lfsc_nlc_fail(&r, r.len - r.pos < 3 ? "truncated" : "no Proto vector in");
  r.pos += 3;
  r.get_str = get_ref;
  r.get_str_ud = &m;
  uint64_t n = lfsc_nlc_get_count(&r);
  if (r.status)
    return r.status;
  if (n > (r.len - r.pos) / 14 || n > INT32_MAX)
    return lfsc_nlc_fail(&r, "truncated");
  const lfsc_str *main_source = lfsc_intern(ctx, "=(luac.cross)", 13);
  img->protos = n ? lfsc_alloc(ctx, (size_t)n * sizeof *img->protos) : NULL;
  img->names = n ? lfsc_alloc(ctx, (size_t)n * sizeof *img->names) : NULL;
  if (!main_source || (n && (!img->protos || !img->names)))
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (uint64_t i = 0; i < n && !r.status; i++)
    img->protos[i] = lfsc_nlc_get_function(&r, main_source);
  /* -s: no function has upvalue names (nostrip 0 throughout) */
  img->strip = !r.nostrip_seen;
  if (r.status)
    return r.status;
  uint64_t nk = lfsc_nlc_get_count(&r);
  if (!r.status && nk != n + 1)
    return lfsc_nlc_fail(&r, "bad module list in");
  for (uint64_t i = 0; i < n && !r.status; i++) {
    img->names[i] = lfsc_nlc_get_string(&r);
    if (!r.status && (!img->names[i] || img->names[i]->len == 0))
      return lfsc_nlc_fail(&r, "bad module name in");
    for (uint64_t j = 0; j < i && !r.status; j++)
      if (img->names[j] == img->names[i])
        return lfsc_nlc_fail(&r, "duplicate module name in");
  }
  v = lfsc_nlc_get_typed(&r, &tt);
  if (!r.status && tt != NLC_TINT && tt != NLC_TNINT)
    return lfsc_nlc_fail(&r, "bad timestamp in");
  img->timestamp = lfsc_nlc_integer(&r, tt, v);
  if (r.status)
    return r.status;
  img->nmodules = (int)n;
  img->size = r.pos;
  return LFSC_OK;
}
