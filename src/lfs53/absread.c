/*
 * Reader of 5.3 absolute flash images (what -a writes and the device
 * builds, spec lfs53-formats §6) back into an lfsc_lfs53_image, for lfsimg
 * (info, list, verify, extract) on flash images. It trusts no field: every
 * pointer must land inside the image, aligned, with room for what it
 * points at; every count is bounded by the image's size; the Proto graph
 * is walked with a depth limit and a total budget, so a cycle or a shared
 * child cannot make it loop or blow up.
 */
#include <stdlib.h>
#include <string.h>

#include "lua53/nlc.h"
#include "nodemcu/lineinfo.h"
#include "lfs53.h"

#define HDR 48
#define PROTO_SIZE 76

typedef struct absr {
  lfsc_ctx *ctx;
  const unsigned char *b;
  uint32_t size, base;
  size_t tv;                    /* TValue size: 8 or 12 */
  int int8, num8;
  long budget;                  /* Protos left to read */
  const char *name;
  int status;
} absr;

static int fail(absr *r, const char *why)
{
  if (!r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EFORMAT, "%s: %s in absolute image", r->name, why);
  return r->status;
}

static uint32_t rd(const absr *r, uint32_t off)
{
  return rd_u32le(r->b + off);
}

/* The offset of address a, which must hold n bytes inside the image after
 * the header; 0 on failure (never a valid offset). */
static uint32_t at(absr *r, uint32_t a, uint64_t n, const char *what)
{
  uint64_t off = (uint64_t)a - r->base;
  if (a < r->base || (a & 3) || off < HDR || off + n > r->size) {
    fail(r, what);
    return 0;
  }
  return (uint32_t)off;
}

static const lfsc_str *tstring(absr *r, uint32_t a)
{
  uint32_t o = at(r, a, 16, "bad string pointer");
  if (!o)
    return NULL;
  unsigned tt = r->b[o + 4];
  uint32_t len;
  if (tt == 0x04)
    len = r->b[o + 7];
  else if (tt == 0x14)
    len = rd(r, o + 12);
  else {
    fail(r, "bad string");
    return NULL;
  }
  if ((uint64_t)o + 16 + len + 1 > r->size || r->b[o + 16 + len] != 0 ||
      (tt == 0x04) != (len <= 40)) {
    fail(r, "bad string");
    return NULL;
  }
  const lfsc_str *s = lfsc_intern(r->ctx, (const char *)r->b + o + 16, len);
  if (!s && !r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  return s;
}

static lfsc_proto *proto(absr *r, uint32_t a, int depth);

static void *vec(absr *r, uint32_t n, size_t each)
{
  if (!n || r->status)
    return NULL;
  void *p = lfsc_alloc(r->ctx, (size_t)n * each);
  if (!p && !r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  return p;
}

static void constants(absr *r, lfsc_proto *f, uint32_t a, uint32_t n)
{
  uint32_t o = n ? at(r, a, (uint64_t)n * r->tv, "bad constants pointer") : 0;
  f->k = vec(r, n, sizeof *f->k);
  for (uint32_t i = 0; i < n && !r->status; i++) {
    uint32_t v = o + (uint32_t)(i * r->tv);
    uint32_t tag = rd(r, v + (uint32_t)r->tv - 4);
    uint64_t val = rd(r, v);
    if (r->tv == 12)
      val |= (uint64_t)rd(r, v + 4) << 32;
    lfsc_const *k = &f->k[i];
    switch (tag) {
    case 0x00:
      k->type = LFSC_K_NIL;
      break;
    case 0x01:
      k->type = LFSC_K_BOOL;
      k->u.b = (uint32_t)val != 0;
      break;
    case 0x13:
      k->type = LFSC_K_INT;
      k->u.i = r->int8 ? (int64_t)val : (int64_t)(int32_t)(uint32_t)val;
      break;
    case 0x03:
      k->type = LFSC_K_NUM;
      if (r->num8) {
        memcpy(&k->u.n, &val, sizeof k->u.n);
      } else {
        uint32_t bits = (uint32_t)val;
        float fl;
        memcpy(&fl, &bits, sizeof fl);
        k->u.n = fl;
      }
      break;
    case 0x44:
    case 0x54:
      k->type = LFSC_K_STR;
      k->u.s = tstring(r, (uint32_t)val);
      break;
    default:
      fail(r, "bad constant");
    }
  }
  f->sizek = (int)n;
}

static lfsc_proto *proto(absr *r, uint32_t a, int depth)
{
  if (depth > NLC_MAX_DEPTH || --r->budget < 0) {
    fail(r, depth > NLC_MAX_DEPTH ? "functions nested too deep" : "function graph too large");
    return NULL;
  }
  uint32_t o = at(r, a, PROTO_SIZE, "bad function pointer");
  if (!o)
    return NULL;
  if (r->b[o + 4] != 0x09) {
    fail(r, "bad function");
    return NULL;
  }
  lfsc_proto *f = lfsc_alloc(r->ctx, sizeof *f);
  if (!f) {
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
    return NULL;
  }
  f->lua = LFSC_LUA53;
  f->numparams = r->b[o + 6];
  f->is_vararg = r->b[o + 7];
  f->maxstacksize = r->b[o + 8];
  uint32_t nup = rd(r, o + 12), nk = rd(r, o + 16), ncode = rd(r, o + 20), nli = rd(r, o + 24),
           np = rd(r, o + 28), nlv = rd(r, o + 32);
  f->linedefined = (int)rd(r, o + 36);
  f->lastlinedefined = (int)rd(r, o + 40);
  uint32_t pk = rd(r, o + 44), pcode = rd(r, o + 48), pp = rd(r, o + 52), pli = rd(r, o + 56),
           plv = rd(r, o + 60), pup = rd(r, o + 64), psrc = rd(r, o + 68);
  if (nup > 255 || f->linedefined < 0 || f->lastlinedefined < 0 || nk > r->size ||
      ncode > r->size || nli > r->size || np > r->size || nlv > r->size) {
    fail(r, "bad function");
    return NULL;
  }
  /* children first (they were written first) */
  uint32_t op = np ? at(r, pp, (uint64_t)np * 4, "bad function vector") : 0;
  f->p = vec(r, np, sizeof *f->p);
  for (uint32_t i = 0; i < np && !r->status; i++)
    f->p[i] = proto(r, rd(r, op + 4 * i), depth + 1);
  f->sizep = (int)np;
  uint32_t oc = ncode ? at(r, pcode, (uint64_t)ncode * 4, "bad code pointer") : 0;
  f->code = vec(r, ncode, sizeof *f->code);
  for (uint32_t i = 0; i < ncode && !r->status; i++)
    f->code[i] = rd(r, oc + 4 * i);
  f->sizecode = (int)ncode;
  constants(r, f, pk, nk);
  uint32_t ou = nup ? at(r, pup, (uint64_t)nup * 8, "bad upvalues pointer") : 0;
  f->nups = (uint8_t)nup;
  f->upvaldesc = vec(r, nup, sizeof *f->upvaldesc);
  const lfsc_str **names = vec(r, nup, sizeof *names);
  int named = 0;
  for (uint32_t i = 0; i < nup && !r->status; i++) {
    uint32_t np_ = rd(r, ou + 8 * i);
    names[i] = np_ ? tstring(r, np_) : NULL;
    named |= names[i] != NULL;
    f->upvaldesc[i].instack = r->b[ou + 8 * i + 4];
    f->upvaldesc[i].idx = r->b[ou + 8 * i + 5];
  }
  if (named) {
    f->upvalues = names;
    f->sizeupvalues = (int)nup;
  }
  if (nli) {
    uint32_t ol = at(r, pli, nli, "bad line info pointer");
    if (!r->status && r->b[ol + nli - 1] != 0) {
      fail(r, "bad line info");
    } else if (!r->status) {
      f->packedli = vec(r, nli, 1);
      if (f->packedli)
        memcpy(f->packedli, r->b + ol, nli - 1);
      f->sizepackedli = nli - 1;
      if (ncode && !r->status) {
        f->lineinfo = vec(r, ncode, sizeof *f->lineinfo);
        if (f->lineinfo &&
            lfsc_lineinfo_decode53(f->packedli, nli - 1, f->lineinfo, (int)ncode, NULL) != LFSC_OK)
          fail(r, "bad line info");
        f->sizelineinfo = (int)ncode;
      }
    }
  }
  uint32_t ov = nlv ? at(r, plv, (uint64_t)nlv * 12, "bad local variables pointer") : 0;
  f->locvars = vec(r, nlv, sizeof *f->locvars);
  for (uint32_t i = 0; i < nlv && !r->status; i++) {
    uint32_t np_ = rd(r, ov + 12 * i);
    f->locvars[i].name = np_ ? tstring(r, np_) : NULL;
    f->locvars[i].startpc = (int)rd(r, ov + 12 * i + 4);
    f->locvars[i].endpc = (int)rd(r, ov + 12 * i + 8);
  }
  f->sizelocvars = (int)nlv;
  f->source = psrc ? tstring(r, psrc) : NULL;
  return r->status ? NULL : f;
}

static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* The TStrings of both chains in address order; the trailing firmware
 * strings (the fixed list, "userdata" twice) are not the image's own. */
static void strings(absr *r, lfsc_lfs53_image *img, uint32_t short_head, uint32_t long_head)
{
  uint32_t cap = r->size / 20 + 1, n = 0;
  uint32_t *addrs = malloc((size_t)cap * sizeof *addrs);
  if (!addrs) {
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
    return;
  }
  uint32_t heads[2] = {short_head, long_head};
  for (int k = 0; k < 2 && !r->status; k++) {
    uint32_t prev = UINT32_MAX;
    /* each chain runs strictly backwards to the base: that bounds it */
    for (uint32_t a = heads[k]; a && a != r->base && !r->status;) {
      uint32_t o = at(r, a, 16, "bad string chain");
      if (!o)
        break;
      if (n == cap || a >= prev) {
        fail(r, "bad string chain");
        break;
      }
      addrs[n++] = prev = a;
      a = rd(r, o);
    }
  }
  qsort(addrs, n, sizeof *addrs, cmp_u32);
  uint32_t nfix = LFSC_LFS53_NFIXED + 1;   /* with the loader's second "userdata" */
  uint32_t nown = n >= nfix ? n - nfix : 0;
  img->strings = vec(r, nown, sizeof *img->strings);
  img->maxlen = 17;
  img->nshort = LFSC_LFS53_NFIXED;
  for (uint32_t i = 0; i < nown && !r->status; i++) {
    const lfsc_str *s = tstring(r, addrs[i]);
    if (!s)
      break;
    img->strings[i] = s;
    if (s->len > img->maxlen)
      img->maxlen = s->len;
    if (s->len <= 40)
      img->nshort++;
    else
      img->nlong++;
  }
  img->nstrings = (int)nown;
  free(addrs);
}

int lfsc_lfs53_abs_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                        const lfsc_variant *want, lfsc_lfs53_image *img, uint32_t *address)
{
  absr r;
  memset(&r, 0, sizeof r);
  memset(img, 0, sizeof *img);
  r.ctx = ctx;
  r.b = buf;
  r.name = name;
  if (len < HDR + 16)
    return fail(&r, "truncated");
  uint32_t sig = rd_u32le(buf);
  if ((sig & ~3u) != 0xFAFAA250u)
    return fail(&r, "bad signature");
  r.size = rd_u32le(buf + 4);
  if (r.size > len || r.size < HDR + 16 || (r.size & 3))
    return fail(&r, r.size > len ? "truncated" : "bad size");
  /* the first string's 'next' is the image's own address */
  r.base = rd_u32le(buf + HDR);
  if ((r.base & 3) || (uint64_t)r.base + r.size > 0xFFFFFFFFu)
    return fail(&r, "bad address");
  uint32_t rot = rd_u32le(buf + 28) * 4;
  if ((uint64_t)rot + 16 > r.size || rot < HDR || buf[rot + 4] != 0x15)
    return fail(&r, "bad module table");
  uint32_t entries = rd(&r, rot + 12);
  uint32_t eo = at(&r, entries, 4, "bad module table");
  if (!eo)
    return r.status;
  /* TValue size: the variant's, else from the first entry's tag word */
  if (want) {
    r.tv = want->tvalue_size;
    img->variant = *want;
  } else {
    r.tv = (uint64_t)eo + 16 <= r.size && rd(&r, eo + 8) != 2 && rd(&r, eo + 12) == 2 ? 12 : 8;
    lfsc_target t = r.tv == 8 ? LFSC_TARGET_53_INT32_SINGLEFP : LFSC_TARGET_53_INT64_DOUBLEFP;
    if (sig & 3)                /* the ESP32's variant bits */
      t = (sig & 1) ? ((sig & 2) ? LFSC_TARGET_53_INT64_DOUBLEFP : LFSC_TARGET_53_INT64_SINGLEFP)
                    : LFSC_TARGET_53_INT32_DOUBLEFP;
    img->variant = lfsc_target_variant(t);
    r.tv = img->variant.tvalue_size;
  }
  if (r.tv != 8 && r.tv != 12)
    return fail(&r, "not a NodeMCU Lua 5.3 variant");
  r.num8 = r.tv > 8;
  r.int8 = img->variant.numbers == LFSC_NUM_I64_F64 || img->variant.numbers == LFSC_NUM_I64_F32;
  r.budget = r.size / PROTO_SIZE;
  img->seed = (int64_t)(int32_t)rd_u32le(buf + 8);
  if (r.int8)
    img->seed = rd_u32le(buf + 8);
  img->timestamp = rd_u32le(buf + 12);
  strings(&r, img, rd_u32le(buf + 36) * 4 + r.base, rd_u32le(buf + 40) ? rd_u32le(buf + 40) * 4 + r.base : 0);
  /* the entries up to the zero key (at most one per entry's bytes) */
  size_t esz = 4 + r.tv;
  uint32_t n = 0;
  while (!r.status && (uint64_t)eo + esz * (n + 1) <= r.size && rd(&r, eo + (uint32_t)(esz * n)) != 0)
    n++;
  if (!r.status && (uint64_t)eo + esz * (n + 1) > r.size)
    return fail(&r, "bad module table");
  if (!r.status && (n & 0xFF) != buf[rot + 7])
    return fail(&r, "bad module count");
  img->names = vec(&r, n, sizeof *img->names);
  img->protos = vec(&r, n, sizeof *img->protos);
  for (uint32_t i = 0; i < n && !r.status; i++) {
    uint32_t e = eo + (uint32_t)(esz * i);
    uint32_t key = rd(&r, e);
    /* the key is a TString's chars */
    img->names[i] = key >= 16 ? tstring(&r, key - 16) : NULL;
    if (!r.status && !img->names[i])
      fail(&r, "bad module name");
    if (!r.status && rd(&r, e + (uint32_t)esz - 4) != 2)
      fail(&r, "bad module entry");
    img->protos[i] = proto(&r, rd(&r, e + 4), 0);
  }
  if (r.status)
    return r.status;
  img->nmodules = (int)n;
  img->size = r.size;
  if (address)
    *address = r.base;
  return LFSC_OK;
}
