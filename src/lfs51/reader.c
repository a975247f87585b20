/*
 * LFS image reader: container (gzip or raw), header, ROstrt, Proto tree.
 *
 * Decoding is one pass over an ownership map with one entry per image word:
 * every object we accept claims its words, and a claim on a word that is
 * already taken is an error. That single rule rejects overlapping vectors,
 * Protos reached twice (shared or cyclic p[] entries) and strings posing
 * as Protos, so the walk needs no other cycle detection; the recursion
 * depth is bounded separately.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lfsc/image.h"
#include "lfsc/opcodes.h"
#include "nodemcu/lineinfo.h"
#include "base/file.h"
#include "layout.h"
#include "reader.h"
#include "base/sink.h"

/* Decoder state; temporaries are malloc'd and released by rd_done. */
typedef struct rd {
  lfsc_ctx *ctx;
  reader_image *img;
  int32_t *idx;                 /* per word: string or func index at an object start */
  reader_func *funcs;           /* growable; copied to the arena at the end */
  int nfuncs, capfuncs;
} rd;

static const char *const kind_names[RD__COUNT] = {
  "unused space", "header", "bucket vector", "string", "Proto", "p vector",
  "constant vector", "code vector", "local-variable vector", "upvalue-name vector"
};

const char *lfsc_reader_kind_name(reader_kind k)
{
  return (unsigned)k < RD__COUNT ? kind_names[k] : "?";
}

static int fail(rd *r, uint32_t off, const char *fmt, ...)
  LFSC_PRINTF(3, 4);

static int fail(rd *r, uint32_t off, const char *fmt, ...)
{
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return lfsc_seterr(r->ctx, LFSC_EFORMAT, "offset 0x%05x: %s", (unsigned)off, msg);
}

static uint32_t word(const rd *r, uint32_t off)
{
  return rd_u32le(r->img->data + off);
}

/* ---- container ------------------------------------------------------ */

/* Inflate one gzip member, refusing more than READER_MAX_DATA bytes of
 * output and anything after the member (the stock loader reads the
 * length from the file's last four bytes). */
static int gunzip(lfsc_ctx *ctx, const unsigned char *in, size_t len,
                  unsigned char **out, size_t *outlen)
{
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + 15) != Z_OK)
    return lfsc_seterr(ctx, LFSC_EMEM, "cannot initialise zlib");
  size_t cap = 64 * 1024, n = 0;
  /* ISIZE is only a hint: never trusted beyond the cap. */
  if (len >= 18) {
    uint32_t isize = rd_u32le(in + len - 4);
    if (isize > cap && isize <= READER_MAX_DATA)
      cap = isize;
  }
  unsigned char *buf = malloc(cap);
  if (!buf) {
    inflateEnd(&zs);
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  }
  zs.next_in = (unsigned char *)in;
  int rc = Z_OK;
  size_t left = len;
  for (;;) {
    if (n == cap) {
      if (cap >= READER_MAX_DATA + 1) {
        rc = Z_MEM_ERROR;
        break;
      }
      size_t ncap = cap * 2 > READER_MAX_DATA + 1 ? READER_MAX_DATA + 1 : cap * 2;
      unsigned char *nb = realloc(buf, ncap);
      if (!nb) {
        free(buf);
        inflateEnd(&zs);
        return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
      }
      buf = nb;
      cap = ncap;
    }
    uInt chunk_in = left > 65536 ? 65536 : (uInt)left;
    zs.avail_in = chunk_in;
    zs.next_out = buf + n;
    zs.avail_out = (uInt)(cap - n);
    rc = inflate(&zs, Z_NO_FLUSH);
    left -= chunk_in - zs.avail_in;
    n = cap - zs.avail_out;
    if (rc == Z_STREAM_END)
      break;
    if (rc == Z_BUF_ERROR && left == 0 && zs.avail_out > 0) {
      rc = Z_BUF_ERROR;
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      break;
  }
  int err = LFSC_OK;
  if (rc == Z_MEM_ERROR && n > READER_MAX_DATA)
    err = lfsc_seterr(ctx, LFSC_ELIMIT, "gzip data inflates to more than %u bytes",
                      READER_MAX_DATA);
  else if (rc == Z_BUF_ERROR)
    err = lfsc_seterr(ctx, LFSC_EFORMAT, "truncated gzip data (%zu bytes inflated)", n);
  else if (rc == Z_DATA_ERROR)
    err = lfsc_seterr(ctx, LFSC_EFORMAT, "corrupt gzip data: %s",
                      zs.msg ? zs.msg : "invalid deflate stream");
  else if (rc != Z_STREAM_END)
    err = lfsc_seterr(ctx, LFSC_EFORMAT, "gzip data cannot be inflated (zlib error %d)", rc);
  else if (left != 0)
    err = lfsc_seterr(ctx, LFSC_EFORMAT, "%zu bytes of trailing data after the gzip member",
                      left);
  inflateEnd(&zs);
  if (err) {
    free(buf);
    return err;
  }
  *out = buf;
  *outlen = n;
  return LFSC_OK;
}

/* ---- addresses and ownership ----------------------------------------- */

/* Decode an address field: 0 for NULL, 1 with *off set for a well-formed
 * address inside the image, -1 for anything else. */
static int addr(const rd *r, uint32_t v, uint32_t *off)
{
  const reader_image *img = r->img;
  if (v == 0)
    return 0;
  if (!img->absolute) {
    if (v >= img->flash_size / 4)
      return -1;
    *off = v * 4;
    return 1;
  }
  uint32_t d = v - img->base;
  if (d % 4 != 0 || d >= img->flash_size)
    return -1;
  *off = d;
  return 1;
}

/* Read the address field at byte offset at (the field's own position) and
 * require it to be NULL (when allowed) or to point at the start of an
 * object of kind want. Returns 0 for NULL, 1 for a target, or the error. */
static int target(rd *r, uint32_t at, reader_kind want, int nullok, const char *what,
                  uint32_t *off)
{
  reader_image *img = r->img;
  uint32_t v = word(r, at);
  int a = addr(r, v, off);
  if (a == 0) {
    if (!nullok)
      return fail(r, at, "%s is NULL", what);
    return 0;
  }
  if (a < 0)
    return fail(r, at, "%s 0x%08x points outside the image", what, (unsigned)v);
  uint32_t w = *off / 4;
  if (img->kind[w] == RD_FREE)
    return fail(r, at, "%s 0x%08x points to 0x%05x, which is not the start of a %s", what,
                (unsigned)v, (unsigned)*off, lfsc_reader_kind_name(want));
  if (img->kind[w] != want || !img->start[w]) {
    uint32_t s = w;             /* the start of the object it lands in */
    while (s > 0 && !img->start[s])
      s--;
    if (s == w)
      return fail(r, at, "%s 0x%08x points to the %s at 0x%05x, not to a %s", what, (unsigned)v,
                  lfsc_reader_kind_name((reader_kind)img->kind[w]), (unsigned)*off,
                  lfsc_reader_kind_name(want));
    return fail(r, at, "%s 0x%08x points %u bytes into the %s at 0x%05x, not to a %s", what,
                (unsigned)v, (unsigned)(*off - 4 * s), lfsc_reader_kind_name((reader_kind)img->kind[w]),
                (unsigned)(4 * s), lfsc_reader_kind_name(want));
  }
  img->isaddr[at / 4] = 1;
  return 1;
}

/* Claim [off, off + n) for an object of kind k. */
static int claim(rd *r, uint32_t off, uint64_t n, reader_kind k)
{
  reader_image *img = r->img;
  if (n == 0)
    return LFSC_OK;
  if (off % 4 != 0 || off > img->flash_size || n > img->flash_size - off)
    return fail(r, off, "%s of %llu bytes does not fit in the %u-byte image",
                lfsc_reader_kind_name(k), (unsigned long long)n, (unsigned)img->flash_size);
  uint32_t w0 = off / 4, w1 = (uint32_t)((off + n + 3) / 4);
  for (uint32_t w = w0; w < w1; w++)
    if (img->kind[w] != RD_FREE)
      return fail(r, off, "%s overlaps the %s at 0x%05x", lfsc_reader_kind_name(k),
                  lfsc_reader_kind_name((reader_kind)img->kind[w]), (unsigned)(w * 4));
  for (uint32_t w = w0; w < w1; w++)
    img->kind[w] = (uint8_t)k;
  img->start[w0] = 1;
  return LFSC_OK;
}

/* ---- header and strings ---------------------------------------------- */

/* Whether a target preset is a firmware variant with an image layout. */
static int has_image(lfsc_target t)
{
  lfsc_variant v = lfsc_target_variant(t);
  return v.format == LFSC_FORMAT_NODEMCU && v.tvalue_size != 0 && v.lua == LFSC_LUA51;
}

static void set_variant(reader_image *img, lfsc_target t)
{
  img->variant = t;
  img->tvsize = lfsc_target_variant(t).tvalue_size;
}

/* The variant whose signature the variant bits of sig are: 0 if none. */
static int variant_of(uint32_t sig, reader_image *img)
{
  const uint32_t bits = LFSIMG_SIG_PACKED | LFSIMG_SIG_INTEGER;
  for (int i = 0; i < LFSC_TARGET_COUNT; i++)
    if (has_image((lfsc_target)i) && (lfsc_layout_signature((lfsc_target)i) & bits) == (sig & bits)) {
      set_variant(img, (lfsc_target)i);
      return 1;
    }
  return 0;
}

static int read_header(rd *r)
{
  reader_image *img = r->img;
  const unsigned char *d = img->data;
  img->sig = rd_u32le(d);
  img->flash_size = rd_u32le(d + 4);
  img->mainproto = rd_u32le(d + 8);
  img->prohash = rd_u32le(d + 12);
  img->nrouse = rd_u32le(d + 16);
  img->nrosize = rd_u32le(d + 20);
  img->fill1 = rd_u32le(d + 24);
  img->fill2 = rd_u32le(d + 28);
  uint32_t sig = img->sig;
  if ((sig & LFSIMG_SIG_MASK) != LFSIMG_SIG_FIXED)
    return lfsc_seterr(r->ctx, LFSC_EFORMAT,
                       "not an LFS image (signature 0x%08x, expected 0xfafaa15x)", (unsigned)sig);
  if ((sig & LFSIMG_SIG_VERSION_MASK) != LFSIMG_SIG_VERSION)
    return lfsc_seterr(r->ctx, LFSC_EFORMAT,
                       "unsupported LFS format version %u (signature 0x%08x; only version 1 is known)",
                       (unsigned)((sig >> 8) & 15), (unsigned)sig);
  if ((sig & LFSIMG_SIG_PACKED) && (sig & LFSIMG_SIG_INTEGER))
    return lfsc_seterr(r->ctx, LFSC_EFORMAT,
                       "signature 0x%08x sets both the packed and the integer bit: no such firmware variant",
                       (unsigned)sig);
  if (!variant_of(sig, img))
    return lfsc_seterr(r->ctx, LFSC_EFORMAT, "signature 0x%08x names no firmware variant",
                       (unsigned)sig);
  img->sig_absolute = (sig & LFSIMG_SIG_ABSOLUTE) != 0;
  return LFSC_OK;
}

/* Split the bytes into image and bitmap and settle the image kind. */
static int read_kind(rd *r)
{
  reader_image *img = r->img;
  uint32_t fs = img->flash_size;
  if (fs % 4 != 0)
    return fail(r, 4, "flash_size %u is not a multiple of 4", (unsigned)fs);
  if (fs < LFSIMG_HEADER_BYTES + LFSIMG_PROTO_BYTES)
    return fail(r, 4, "flash_size %u is too small for a header and an index function",
                (unsigned)fs);
  if (fs > img->data_size)
    return fail(r, 4, "flash_size %u but only %zu bytes of image data (truncated image?)",
                (unsigned)fs, img->data_size);
  uint32_t bm = LFSIMG_BITMAP_BYTES(fs);
  if (img->compressed) {
    if (img->sig_absolute)
      return fail(r, 0, "gzip-compressed image has the ABSOLUTE signature bit set");
    img->absolute = 0;
  } else if (img->data_size == fs) {
    img->absolute = 1;          /* ABS image, or a relocated flash dump if bit 0 is clear */
  } else {
    if (img->sig_absolute)
      return fail(r, 4, "absolute image of flash_size %u has %zu bytes (expected exactly %u)",
                  (unsigned)fs, img->data_size, (unsigned)fs);
    img->absolute = 0;          /* uncompressed PI: image + bitmap */
  }
  if (!img->absolute) {
    if (img->data_size - fs != bm)
      return fail(r, fs,
                  "relocation bitmap is %zu bytes; flash_size %u needs exactly %u (LFS length mismatch)",
                  img->data_size - fs, (unsigned)fs, (unsigned)bm);
    img->bitmap = img->data + fs;
    img->bitmap_bytes = bm;
    img->base = 0;
  } else {
    img->base = img->prohash - LFSIMG_HEADER_BYTES;
  }
  return LFSC_OK;
}

/* A hash-chain link: NULL or a string start; anything else is a soft
 * problem. Returns 0, or LFSC_EMEM. */
static int chain_link(rd *r, uint32_t at, const char *what, uint32_t *t)
{
  reader_image *img = r->img;
  int rc = target(r, at, RD_STRING, 1, what, t);
  if (rc >= 0) {
    if (rc == 0)
      *t = 0;
    return 0;
  }
  if (rc != LFSC_EFORMAT)
    return rc;
  *t = 0;
  img->isaddr[at / 4] = 1;
  if (img->nsoft < (int)(sizeof img->soft / sizeof img->soft[0])) {
    img->soft[img->nsoft].offset = at;
    const char *m = lfsc_errmsg(r->ctx), *colon = strstr(m, ": ");
    if (strncmp(m, "offset ", 7) == 0 && colon)
      m = colon + 2;            /* the offset is kept separately */
    snprintf(img->soft[img->nsoft].msg, sizeof img->soft[0].msg, "%s", m);
    img->nsoft++;
  } else {
    img->soft_dropped++;
  }
  lfsc_seterr(r->ctx, LFSC_OK, "%s", "");
  return 0;
}

static int read_strings(rd *r)
{
  reader_image *img = r->img;
  uint32_t fs = img->flash_size, nsize = img->nrosize, nuse = img->nrouse;
  uint32_t off;
  int rc;
  if ((rc = claim(r, 0, LFSIMG_HEADER_BYTES, RD_HEADER)))
    return rc;
  int a = addr(r, img->prohash, &off);
  if (a <= 0 || off != LFSIMG_HEADER_BYTES)
    return fail(r, 12, "pROhash 0x%08x does not point just after the header", (unsigned)img->prohash);
  img->isaddr[3] = 1;
  if (nsize == 0 || (nsize & (nsize - 1)) != 0)
    return fail(r, 20, "bucket count nROsize %u is not a power of two", (unsigned)nsize);
  if (nsize > (fs - LFSIMG_HEADER_BYTES) / 4)
    return fail(r, 20, "bucket count nROsize %u does not fit in the image", (unsigned)nsize);
  if ((rc = claim(r, LFSIMG_HEADER_BYTES, 4ull * nsize, RD_BUCKETS)))
    return rc;
  img->strings_off = LFSIMG_HEADER_BYTES + 4 * nsize;
  /* Every string takes at least 20 bytes: bound the count before allocating. */
  if (nuse > (fs - img->strings_off) / 20)
    return fail(r, 16, "string count nROuse %u cannot fit in the image", (unsigned)nuse);
  img->strings = lfsc_alloc(r->ctx, sizeof *img->strings * (nuse ? nuse : 1));
  if (!img->strings)
    return lfsc_seterr(r->ctx, LFSC_EMEM, "out of memory");
  off = img->strings_off;
  for (uint32_t i = 0; i < nuse; i++) {
    if (fs - off < 16)
      return fail(r, off, "string %u of %u: header runs past the end of the image",
                  (unsigned)i + 1, (unsigned)nuse);
    uint32_t len = word(r, off + 12);
    uint64_t bytes = 16ull + (((uint64_t)len + 4) & ~3ull);
    if (bytes > fs - off)
      return fail(r, off, "string %u of %u: length %u runs past the end of the image",
                  (unsigned)i + 1, (unsigned)nuse, (unsigned)len);
    if ((rc = claim(r, off, bytes, RD_STRING)))
      return rc;
    reader_string *s = &img->strings[i];
    s->off = off;
    uint32_t ttm = word(r, off + 4);
    s->tt = (uint8_t)ttm;
    s->marked = (uint8_t)(ttm >> 8);
    s->pad = (uint16_t)(ttm >> 16);
    s->hash = word(r, off + 8);
    s->s = lfsc_intern(r->ctx, (const char *)img->data + off + 16, len);
    if (!s->s)
      return lfsc_seterr(r->ctx, LFSC_EMEM, "out of memory");
    r->idx[off / 4] = (int32_t)i;
    off += (uint32_t)bytes;
  }
  img->nstrings = (int)nuse;
  img->strings_end = off;
  /* Links are checked once every string start is known. A bad link is
   * recorded and read as NULL; it is still an address word for the
   * bitmap check. */
  img->bucket = lfsc_alloc(r->ctx, sizeof *img->bucket * nsize);
  if (!img->bucket)
    return lfsc_seterr(r->ctx, LFSC_EMEM, "out of memory");
  for (uint32_t b = 0; b < nsize; b++) {
    uint32_t t = 0, at = LFSIMG_HEADER_BYTES + 4 * b;
    if ((rc = chain_link(r, at, "bucket", &t)) < 0)
      return rc;
    img->bucket[b] = t;
  }
  for (uint32_t i = 0; i < nuse; i++) {
    uint32_t t = 0;
    reader_string *s = &img->strings[i];
    if ((rc = chain_link(r, s->off, "string next link", &t)) < 0)
      return rc;
    s->next = t;
  }
  return LFSC_OK;
}

/* The interned string whose FlashTS an address field at `at` names
 * (NULL field allowed when nullok). */
static int string_at(rd *r, uint32_t at, int nullok, const char *what, const lfsc_str **out)
{
  uint32_t t = 0;
  int rc = target(r, at, RD_STRING, nullok, what, &t);
  if (rc < 0)
    return rc;
  *out = rc ? r->img->strings[r->idx[t / 4]].s : NULL;
  return LFSC_OK;
}

/* ---- Protos ---------------------------------------------------------- */

static int new_func(rd *r)
{
  if (r->nfuncs == r->capfuncs) {
    int ncap = r->capfuncs ? r->capfuncs * 2 : 32;
    reader_func *nf = realloc(r->funcs, sizeof *nf * (size_t)ncap);
    if (!nf)
      return lfsc_seterr(r->ctx, LFSC_EMEM, "out of memory");
    r->funcs = nf;
    r->capfuncs = ncap;
  }
  memset(&r->funcs[r->nfuncs], 0, sizeof r->funcs[0]);
  return r->nfuncs++;
}

static int read_constants(rd *r, lfsc_proto *p, uint32_t koff)
{
  reader_image *img = r->img;
  lfsc_variant v = lfsc_target_variant(img->variant);
  int tv = img->tvsize, tagpos = lfsc_layout_tag_offset(v);
  for (int i = 0; i < p->sizek; i++) {
    uint32_t at = koff + (uint32_t)(i * tv);
    uint32_t tag = word(r, at + (uint32_t)tagpos);
    lfsc_const *k = &p->k[i];
    switch (tag) {
    case LFSIMG_TT_NIL:
      k->type = LFSC_K_NIL;
      break;
    case LFSIMG_TT_BOOLEAN:
      k->type = LFSC_K_BOOL;
      k->u.b = word(r, at) != 0;
      break;
    case LFSIMG_TT_NUMBER:
      k->type = LFSC_K_NUM;
      if (v.numbers == LFSC_NUM_INT32) {
        k->u.n = (double)(int32_t)word(r, at);
      } else {
        uint64_t bits = (uint64_t)word(r, at) | (uint64_t)word(r, at + 4) << 32;
        double d;
        memcpy(&d, &bits, sizeof d);
        k->u.n = d;
      }
      break;
    case LFSIMG_TT_STRING: {
      int rc;
      k->type = LFSC_K_STR;
      if ((rc = string_at(r, at, 0, "string constant", &k->u.s)))
        return rc;
      break;
    }
    default:
      return fail(r, at + (uint32_t)tagpos, "constant %d has type tag %u (only nil 0, boolean 1, number 3, string 4 occur)",
                  i, (unsigned)tag);
    }
  }
  return LFSC_OK;
}

/* A vector pointer and its size must agree: both absent or both present. */
static int vector(rd *r, uint32_t poff, int field, uint32_t size, const char *name,
                  uint32_t elem, reader_kind k, uint32_t *voff)
{
  uint32_t v = word(r, poff + 4u * (uint32_t)field);
  *voff = 0;
  if (size > r->img->flash_size / elem)
    return fail(r, poff, "Proto size%s %u is larger than the image", name, (unsigned)size);
  if (size == 0) {
    if (v != 0)
      return fail(r, poff + 4u * (uint32_t)field, "Proto has size%s 0 but %s is 0x%08x, not NULL",
                  name, name, (unsigned)v);
    return LFSC_OK;
  }
  int a = addr(r, v, voff);
  if (a == 0)
    return fail(r, poff + 4u * (uint32_t)field, "Proto has size%s %u but %s is NULL", name,
                (unsigned)size, name);
  if (a < 0)
    return fail(r, poff + 4u * (uint32_t)field, "Proto %s 0x%08x points outside the image", name,
                (unsigned)v);
  r->img->isaddr[(poff + 4u * (uint32_t)field) / 4] = 1;
  return claim(r, *voff, (uint64_t)size * elem, k);
}

static int read_proto(rd *r, uint32_t off, int parent, int depth, int *out);

static int read_children(rd *r, int fi, uint32_t poff, int depth)
{
  lfsc_proto *p = r->funcs[fi].proto;
  for (int i = 0; i < p->sizep; i++) {
    uint32_t at = poff + 4u * (uint32_t)i, t;
    uint32_t v = word(r, at);
    int a = addr(r, v, &t), rc, ci;
    if (a == 0)
      return fail(r, at, "p[%d] is NULL", i);
    if (a < 0)
      return fail(r, at, "p[%d] 0x%08x points outside the image", i, (unsigned)v);
    r->img->isaddr[at / 4] = 1;
    if ((rc = read_proto(r, t, fi, depth + 1, &ci)))
      return rc;
    p->p[i] = r->funcs[ci].proto;
    r->funcs[fi].subtree_bytes += r->funcs[ci].subtree_bytes;
    r->funcs[fi].nsub += r->funcs[ci].nsub;
  }
  return LFSC_OK;
}

static int read_proto(rd *r, uint32_t off, int parent, int depth, int *out)
{
  reader_image *img = r->img;
  lfsc_ctx *ctx = r->ctx;
  int rc;
  if (depth > READER_MAX_DEPTH)
    return fail(r, off, "Protos nested more than %d deep", READER_MAX_DEPTH);
  if ((rc = claim(r, off, LFSIMG_PROTO_BYTES, RD_PROTO)))
    return rc;
  int fi = new_func(r);
  if (fi < 0)
    return fi;
  r->idx[off / 4] = fi;
  lfsc_proto *p = lfsc_alloc(ctx, sizeof *p);
  if (!p)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  uint32_t sizeup = word(r, off + 4 * LFSIMG_P_SIZEUPVALUES);
  uint32_t sizek = word(r, off + 4 * LFSIMG_P_SIZEK);
  uint32_t sizecode = word(r, off + 4 * LFSIMG_P_SIZECODE);
  uint32_t sizep = word(r, off + 4 * LFSIMG_P_SIZEP);
  uint32_t sizeloc = word(r, off + 4 * LFSIMG_P_SIZELOCVARS);
  uint32_t b4 = word(r, off + 4 * LFSIMG_P_BYTES4);
  uint32_t poff, koff, codeoff, locoff, upoff;
  if ((rc = vector(r, off, LFSIMG_P_P, sizep, "p", 4, RD_PVEC, &poff)) ||
      (rc = vector(r, off, LFSIMG_P_K, sizek, "k", (uint32_t)img->tvsize, RD_KVEC, &koff)) ||
      (rc = vector(r, off, LFSIMG_P_CODE, sizecode, "code", 4, RD_CODE, &codeoff)) ||
      (rc = vector(r, off, LFSIMG_P_LOCVARS, sizeloc, "locvars", 12, RD_LOCVARS, &locoff)) ||
      (rc = vector(r, off, LFSIMG_P_UPVALUES, sizeup, "upvalues", 4, RD_UPVALS, &upoff)))
    return rc;
  p->nups = (uint8_t)b4;
  p->numparams = (uint8_t)(b4 >> 8);
  p->is_vararg = (uint8_t)(b4 >> 16);
  p->maxstacksize = (uint8_t)(b4 >> 24);
  p->linedefined = (int)word(r, off + 4 * LFSIMG_P_LINEDEFINED);
  p->lastlinedefined = (int)word(r, off + 4 * LFSIMG_P_LASTLINEDEFINED);
  p->sizecode = (int)sizecode;
  p->sizek = (int)sizek;
  p->sizep = (int)sizep;
  p->sizelocvars = (int)sizeloc;
  p->sizeupvalues = (int)sizeup;
  if ((sizecode && !(p->code = lfsc_alloc(ctx, 4 * (size_t)sizecode))) ||
      (sizek && !(p->k = lfsc_alloc(ctx, sizeof *p->k * sizek))) ||
      (sizep && !(p->p = lfsc_alloc(ctx, sizeof *p->p * sizep))) ||
      (sizeloc && !(p->locvars = lfsc_alloc(ctx, sizeof *p->locvars * sizeloc))) ||
      (sizeup && !(p->upvalues = lfsc_alloc(ctx, sizeof *p->upvalues * sizeup))))
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  for (uint32_t i = 0; i < sizecode; i++)
    p->code[i] = word(r, codeoff + 4 * i);
  if ((rc = string_at(r, off + 4 * LFSIMG_P_SOURCE, 1, "Proto source", &p->source)))
    return rc;
  if ((rc = read_constants(r, p, koff)))
    return rc;
  for (uint32_t i = 0; i < sizeloc; i++) {
    uint32_t at = locoff + 12 * i;
    if ((rc = string_at(r, at, 0, "local-variable name", &p->locvars[i].name)))
      return rc;
    p->locvars[i].startpc = (int)word(r, at + 4);
    p->locvars[i].endpc = (int)word(r, at + 8);
  }
  for (uint32_t i = 0; i < sizeup; i++)
    if ((rc = string_at(r, upoff + 4 * i, 0, "upvalue name", &p->upvalues[i])))
      return rc;

  /* Line info points at the characters of a FlashTS, 16 bytes in. */
  uint32_t liv = word(r, off + 4 * LFSIMG_P_LINEINFO), lioff = 0;
  int lineinfo_ok = 0;
  if (liv) {
    int a = addr(r, liv, &lioff);
    uint32_t ts = lioff - 16;
    if (a < 0 || lioff < 16 || img->kind[ts / 4] != RD_STRING || !img->start[ts / 4])
      return fail(r, off + 4 * LFSIMG_P_LINEINFO,
                  "packedlineinfo 0x%08x does not point at the characters of a string",
                  (unsigned)liv);
    img->isaddr[(off + 4 * LFSIMG_P_LINEINFO) / 4] = 1;
    const lfsc_str *s = img->strings[r->idx[ts / 4]].s;
    if (s->len) {
      p->packedli = lfsc_alloc(ctx, s->len);
      if (!p->packedli)
        return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
      memcpy(p->packedli, s->data, s->len);
      p->sizepackedli = s->len;
    }
    if (sizecode) {
      p->lineinfo = lfsc_alloc(ctx, sizeof(int) * sizecode);
      if (!p->lineinfo)
        return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
      /* Bad line info is a finding of the verifier, not a load error. */
      if (lfsc_lineinfo_decode(p->packedli, p->sizepackedli, p->lineinfo, (int)sizecode, NULL) == LFSC_OK) {
        p->sizelineinfo = (int)sizecode;
        lineinfo_ok = 1;
      } else {
        p->lineinfo = NULL;
      }
    }
  }

  reader_func *f = &r->funcs[fi];
  f->off = off;
  f->koff = koff;
  f->codeoff = codeoff;
  f->poff = poff;
  f->lioff = lioff;
  f->locoff = locoff;
  f->upoff = upoff;
  uint32_t srcv = word(r, off + 4 * LFSIMG_P_SOURCE), srcoff = 0;
  if (srcv)
    addr(r, srcv, &srcoff);
  f->srcoff = srcoff;
  f->next = word(r, off + 4 * LFSIMG_P_NEXT);
  f->ttmarked = word(r, off + 4 * LFSIMG_P_TTMARKED);
  f->gclist = word(r, off + 4 * LFSIMG_P_GCLIST);
  f->parent = parent;
  f->depth = depth;
  f->lineinfo_ok = lineinfo_ok;
  f->proto = p;
  f->bytes = (uint32_t)(LFSIMG_PROTO_BYTES + 4 * (uint64_t)sizep + (uint64_t)img->tvsize * sizek +
                        4 * (uint64_t)sizecode + 12 * (uint64_t)sizeloc + 4 * (uint64_t)sizeup);
  f->subtree_bytes = f->bytes;
  f->nsub = 1;
  *out = fi;
  return read_children(r, fi, poff, depth);
}

/* ---- the index function ---------------------------------------------- */

static int read_index(rd *r)
{
  reader_image *img = r->img;
  uint32_t off;
  int a = addr(r, img->mainproto, &off), rc, fi;
  if (a <= 0)
    return fail(r, 8, "mainProto 0x%08x does not point inside the image", (unsigned)img->mainproto);
  if (off < img->strings_end)
    return fail(r, 8, "mainProto 0x%08x points into the string table", (unsigned)img->mainproto);
  img->isaddr[2] = 1;
  img->mainproto_off = off;
  if ((rc = read_proto(r, off, -1, 0, &fi)))
    return rc;
  lfsc_proto *m = r->funcs[fi].proto;
  img->main = m;
  img->nmodules = m->sizep;
  img->modules = lfsc_alloc(r->ctx, sizeof *img->modules * (size_t)(m->sizep ? m->sizep : 1));
  if (!img->modules)
    return lfsc_seterr(r->ctx, LFSC_EMEM, "out of memory");
  for (int i = 0; i < m->sizep; i++) {
    reader_module *md = &img->modules[i];
    md->proto = m->p[i];
    md->name = i < m->sizek && m->k[i].type == LFSC_K_STR ? m->k[i].u.s : NULL;
    uint32_t t = 0;   /* set: the index was verified */
    addr(r, word(r, r->funcs[fi].poff + 4u * (uint32_t)i), &t);
    md->func = r->idx[t / 4];
    md->bytes = r->funcs[md->func].subtree_bytes;
  }
  if (m->sizek == m->sizep + 1 && m->k[m->sizep].type == LFSC_K_NUM) {
    img->has_timestamp = 1;
    img->timestamp = m->k[m->sizep].u.n;
  }
  return LFSC_OK;
}

/* ---- entry points ---------------------------------------------------- */

/* Everything after the header: ownership map, strings, Protos. */
static int decode_body(lfsc_ctx *ctx, reader_image *img)
{
  rd r;
  memset(&r, 0, sizeof r);
  r.ctx = ctx;
  r.img = img;
  size_t nw = img->flash_size / 4;
  img->kind = lfsc_alloc(ctx, nw);
  img->start = lfsc_alloc(ctx, nw);
  img->isaddr = lfsc_alloc(ctx, nw);
  r.idx = malloc(sizeof *r.idx * nw);
  if (!img->kind || !img->start || !img->isaddr || !r.idx) {
    free(r.idx);
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  }
  int rc = read_strings(&r);
  if (!rc)
    rc = read_index(&r);
  if (!rc) {
    img->nfuncs = r.nfuncs;
    img->funcs = lfsc_alloc(ctx, sizeof *img->funcs * (size_t)r.nfuncs);
    if (!img->funcs)
      rc = lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
    else
      memcpy(img->funcs, r.funcs, sizeof *img->funcs * (size_t)r.nfuncs);
  }
  free(r.idx);
  free(r.funcs);
  return rc;
}

int lfsc_reader_load(lfsc_ctx *ctx, const void *file, size_t len, reader_image **out)
{
  const unsigned char *in = file;
  rd r;
  memset(&r, 0, sizeof r);
  r.ctx = ctx;
  reader_image *img = lfsc_alloc(ctx, sizeof *img);
  if (!img)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  r.img = img;
  img->file_size = len;
  if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
    unsigned char *raw = NULL;
    size_t n = 0;
    int rc = gunzip(ctx, in, len, &raw, &n);
    if (rc)
      return rc;
    unsigned char *d = lfsc_alloc(ctx, n ? n : 1);
    if (!d) {
      free(raw);
      return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
    }
    memcpy(d, raw, n);
    free(raw);
    img->data = d;
    img->data_size = n;
    img->compressed = 1;
  } else {
    if (len > READER_MAX_DATA)
      return lfsc_seterr(ctx, LFSC_ELIMIT, "file of %zu bytes is larger than any LFS image (%u)",
                         len, READER_MAX_DATA);
    img->data = in;
    img->data_size = len;
  }
  if (img->data_size < LFSIMG_HEADER_BYTES)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "too short for an LFS image (%zu bytes%s, the header alone is 32)",
                       img->data_size, img->compressed ? " inflated" : "");
  int rc;
  if ((rc = read_header(&r)) || (rc = read_kind(&r)))
    return rc;
  rc = decode_body(ctx, img);
  if (rc == LFSC_EFORMAT) {
    /* A signature naming the wrong variant misreads every constant
     * vector: if another TValue width decodes, say so. */
    char msg[256];
    snprintf(msg, sizeof msg, "%s", lfsc_errmsg(ctx));
    reader_image saved = *img;
    lfsc_target fits = saved.variant;
    for (int i = 0; i < LFSC_TARGET_COUNT && fits == saved.variant; i++) {
      lfsc_target alt = (lfsc_target)i;
      if (alt == saved.variant || !has_image(alt))
        continue;
      set_variant(img, alt);
      if (decode_body(ctx, img) == LFSC_OK)
        fits = alt;
      *img = saved;
    }
    if (fits != saved.variant)
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s (the signature says %s, but the image decodes as %s: wrong variant bits?)",
                         msg, lfsc_target_name(saved.variant), lfsc_target_name(fits));
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s", msg);
  }
  if (rc)
    return rc;
  *out = img;
  return LFSC_OK;
}

int lfsc_reader_relocate(lfsc_ctx *ctx, const reader_image *img, uint32_t base,
                    unsigned char **out)
{
  uint32_t nw = img->flash_size / 4;
  if (img->bitmap)
    for (uint32_t w = 0; w < nw; w++) {
      int bit = (img->bitmap[(w >> 5) * 4 + ((w & 31) >> 3)] >> (w & 7)) & 1;
      if (bit != img->isaddr[w])
        return lfsc_seterr(ctx, LFSC_EFORMAT,
                           "offset 0x%05x: relocation bitmap disagrees with the image (%s)",
                           (unsigned)(4 * w), bit ? "flagged word is not an address"
                                                  : "address word not flagged");
    }
  unsigned char *b = lfsc_alloc(ctx, img->flash_size);
  if (!b)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  memcpy(b, img->data, img->flash_size);
  for (uint32_t w = 0; w < nw; w++)
    if (img->isaddr[w]) {
      uint32_t v = rd_u32le(b + 4 * w);
      uint32_t off = img->absolute ? v - img->base : 4 * v;
      wr_u32le(b + 4 * w, off + base);
    }
  wr_u32le(b, img->sig | LFSIMG_SIG_ABSOLUTE);
  *out = b;
  return LFSC_OK;
}

int lfsc_reader_func_at(const reader_image *img, uint32_t off)
{
  for (int i = 0; i < img->nfuncs; i++)
    if (img->funcs[i].off == off)
      return i;
  return -1;
}

int lfsc_reader_read_image(lfsc_ctx *ctx, const char *path, unsigned char **buf, size_t *len)
{
  if (strcmp(path, "-") != 0)
    return lfsc_file_read_arena(ctx, path, FILE_INPUT_MAX, buf, len);
  /* stdin has no size to check first: at most the largest image file */
  int rc = lfsc_file_read_arena(ctx, path, READER_FILE_MAX, buf, len);
  if (rc == LFSC_ELIMIT)
    rc = lfsc_seterr(ctx, LFSC_ELIMIT,
                     "stdin: more than %lu bytes, larger than any LFS image file",
                     (unsigned long)READER_FILE_MAX);
  return rc;
}
