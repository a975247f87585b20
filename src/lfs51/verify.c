/*
 * LFS image verifier. The reader settles whether the image decodes at all
 * (a structural failure is reported as one error); everything after that
 * is a list of independent checks over the decoded image and its raw
 * words, each adding problems and carrying on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/image.h"
#include "lfsc/opcodes.h"
#include "lua51/codecheck.h"
#include "builder.h"
#include "layout.h"
#include "strtab.h"
#include "base/sink.h"
#include "verify.h"

typedef struct vctx {
  lfsc_ctx *ctx;
  verify_report *rep;
  const verify_opts *opts;
  reader_image *img;
  int nomem;
} vctx;

static void add(vctx *v, verify_severity sev, verify_where where, uint32_t off,
                const char *fmt, ...)
  LFSC_PRINTF(5, 6);

static void add(vctx *v, verify_severity sev, verify_where where, uint32_t off,
                const char *fmt, ...)
{
  verify_report *rep = v->rep;
  if (sev == VERIFY_ERROR)
    rep->errors++;
  else
    rep->warnings++;
  if (rep->nproblems >= VERIFY_MAX_KEPT)
    return;
  verify_problem *p = &rep->problems[rep->nproblems++];
  p->severity = sev;
  p->where = where;
  p->offset = off;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->msg, sizeof p->msg, fmt, ap);
  va_end(ap);
}

#define ERR(off, ...) add(v, VERIFY_ERROR, VERIFY_AT_IMAGE, (off), __VA_ARGS__)
#define WARN(off, ...) add(v, VERIFY_WARNING, VERIFY_AT_IMAGE, (off), __VA_ARGS__)

static uint32_t word(const reader_image *img, uint32_t off)
{
  return rd_u32le(img->data + off);
}

/* ==== deflate scan: what the stock loader's inflater would refuse ====== */

/* The firmware inflates with a 16 KiB window and (an off-by-one) refuses
 * a back-reference to output byte 0 (spec §11). zlib accepts both, so we
 * walk the deflate stream ourselves, decoding symbols but producing no
 * output: only positions and distances matter. */

typedef struct bits {
  const unsigned char *p;
  size_t len, pos;              /* byte position */
  uint32_t buf;
  int cnt;
  int over;                     /* ran past the end */
} bits;

static uint32_t getbits(bits *b, int n)
{
  while (b->cnt < n) {
    uint32_t c = 0;
    if (b->pos < b->len)
      c = b->p[b->pos++];
    else
      b->over = 1;
    b->buf |= c << b->cnt;
    b->cnt += 8;
  }
  uint32_t v = b->buf & ((1u << n) - 1);
  b->buf >>= n;
  b->cnt -= n;
  return v;
}

/* Canonical Huffman code: count of codes per length, symbols by code. */
typedef struct huff {
  uint16_t count[16];
  uint16_t sym[320];
} huff;

static int huff_build(huff *h, const uint8_t *lens, int n)
{
  uint16_t offs[16];
  memset(h->count, 0, sizeof h->count);
  for (int i = 0; i < n; i++)
    h->count[lens[i]]++;
  h->count[0] = 0;
  int left = 1;
  for (int l = 1; l < 16; l++) {
    left = left * 2 - h->count[l];
    if (left < 0)
      return -1;                /* over-subscribed */
  }
  offs[1] = 0;
  for (int l = 1; l < 15; l++)
    offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
  for (int i = 0; i < n; i++)
    if (lens[i])
      h->sym[offs[lens[i]]++] = (uint16_t)i;
  return 0;
}

static int huff_decode(bits *b, const huff *h)
{
  int code = 0, first = 0, index = 0;
  for (int l = 1; l < 16; l++) {
    code |= (int)getbits(b, 1);
    int count = h->count[l];
    if (code - first < count)
      return h->sym[index + code - first];
    index += count;
    first = (first + count) << 1;
    code <<= 1;
    if (b->over)
      return -1;
  }
  return -1;
}

static const uint16_t len_base[29] = {
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
  131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
  2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

typedef struct scan {
  uint64_t out;                 /* bytes produced so far */
  int far_found, zero_found;
  uint64_t far_at, zero_at;     /* output position of the first offender */
  uint32_t far_dist;
} scan;

static int scan_codes(bits *b, const huff *lit, const huff *dist, scan *s, uint64_t limit)
{
  for (;;) {
    int sym = huff_decode(b, lit);
    if (sym < 0)
      return -1;
    if (sym < 256) {
      s->out++;
    } else if (sym == 256) {
      return 0;
    } else {
      sym -= 257;
      if (sym >= 29)
        return -1;
      uint32_t len = len_base[sym] + getbits(b, len_extra[sym]);
      int ds = huff_decode(b, dist);
      if (ds < 0 || ds >= 30)
        return -1;
      uint32_t d = dist_base[ds] + getbits(b, dist_extra[ds]);
      if (d > s->out)
        return -1;
      if (d > LFSIMG_GZ_WINDOW && !s->far_found) {
        s->far_found = 1;
        s->far_at = s->out;
        s->far_dist = d;
      }
      if (d == s->out && !s->zero_found) {
        s->zero_found = 1;
        s->zero_at = s->out;
      }
      s->out += len;
    }
    if (b->over || s->out > limit)
      return -1;
  }
}

static int scan_fixed(bits *b, scan *s, uint64_t limit)
{
  static huff lit, dist;
  static int ready;
  if (!ready) {
    uint8_t l[288];
    for (int i = 0; i < 288; i++)
      l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    huff_build(&lit, l, 288);
    for (int i = 0; i < 30; i++)
      l[i] = 5;
    huff_build(&dist, l, 30);
    ready = 1;
  }
  return scan_codes(b, &lit, &dist, s, limit);
}

static int scan_dynamic(bits *b, scan *s, uint64_t limit)
{
  static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  int nlen = (int)getbits(b, 5) + 257, ndist = (int)getbits(b, 5) + 1, ncode = (int)getbits(b, 4) + 4;
  if (nlen > 286 || ndist > 30)
    return -1;
  uint8_t lens[320];
  memset(lens, 0, sizeof lens);
  for (int i = 0; i < ncode; i++)
    lens[order[i]] = (uint8_t)getbits(b, 3);
  huff lc, lit, dist;
  if (huff_build(&lc, lens, 19))
    return -1;
  int i = 0;
  while (i < nlen + ndist) {
    int sym = huff_decode(b, &lc);
    if (sym < 0)
      return -1;
    if (sym < 16) {
      lens[i++] = (uint8_t)sym;
      continue;
    }
    uint8_t val = 0;
    int rep;
    if (sym == 16) {
      if (i == 0)
        return -1;
      val = lens[i - 1];
      rep = 3 + (int)getbits(b, 2);
    } else if (sym == 17) {
      rep = 3 + (int)getbits(b, 3);
    } else {
      rep = 11 + (int)getbits(b, 7);
    }
    if (i + rep > nlen + ndist)
      return -1;
    while (rep--)
      lens[i++] = val;
  }
  if (b->over || lens[256] == 0)
    return -1;
  if (huff_build(&lit, lens, nlen) || huff_build(&dist, lens + nlen, ndist))
    return -1;
  return scan_codes(b, &lit, &dist, s, limit);
}

/* Check the gzip header as the loader parses it and scan the deflate
 * blocks. Problems the loader would hit are warnings (or errors with
 * strict_loader); zlib has already judged the data itself. */
static void check_gzip(vctx *v, const unsigned char *f, size_t len)
{
  verify_severity sev = v->opts && v->opts->strict_loader ? VERIFY_ERROR : VERIFY_WARNING;
  if (len <= 200)
    add(v, sev, VERIFY_AT_NONE, 0,
        "file is %zu bytes; the stock loader refuses PI files of 200 bytes or less", len);
  if (len < 18)
    return;
  if (f[2] != 8 || (f[3] & 0xE0)) {
    add(v, sev, VERIFY_AT_FILE, 2,
        "gzip header method %u / flags 0x%02x: the stock loader accepts only deflate with no reserved flags",
        f[2], f[3]);
    return;
  }
  size_t pos = 10;
  uint8_t flg = f[3];
  if (flg & 4) {
    if (pos + 2 > len)
      return;
    pos += 2 + (size_t)(f[pos] | f[pos + 1] << 8);
  }
  for (int z = 0; z < 2; z++)
    if (flg & (z ? 16 : 8)) {
      while (pos < len && f[pos])
        pos++;
      pos++;
    }
  if (flg & 2)
    pos += 2;
  if (pos >= len)
    return;
  bits b = {f, len, pos, 0, 0, 0};
  scan s;
  memset(&s, 0, sizeof s);
  uint64_t limit = v->img ? v->img->data_size : READER_MAX_DATA;
  for (;;) {
    int last = (int)getbits(&b, 1);
    int type = (int)getbits(&b, 2), rc;
    if (type == 0) {
      b.buf = 0;
      b.cnt = 0;
      if (b.pos + 4 > b.len)
        return;
      uint32_t n = (uint32_t)(f[b.pos] | f[b.pos + 1] << 8);
      b.pos += 4;
      if (n > b.len - b.pos)
        return;
      b.pos += n;
      s.out += n;
      rc = 0;
    } else if (type == 1) {
      rc = scan_fixed(&b, &s, limit);
    } else if (type == 2) {
      rc = scan_dynamic(&b, &s, limit);
    } else {
      rc = -1;
    }
    if (rc || last || b.over)
      break;
  }
  if (s.far_found)
    add(v, sev, VERIFY_AT_IMAGE, (uint32_t)s.far_at,
        "deflate back-reference of distance %u exceeds the stock loader's 16384-byte window",
        (unsigned)s.far_dist);
  if (s.zero_found)
    add(v, sev, VERIFY_AT_IMAGE, (uint32_t)s.zero_at,
        "deflate back-reference to byte 0 of the image: node.flashreload() would fail with "
        "'invalid dictionary offset on inflate' (legal gzip; a known luac.cross quirk)");
}

/* ==== header and options =============================================== */

static void check_header(vctx *v)
{
  reader_image *img = v->img;
  const verify_opts *o = v->opts;
  if (img->sig & LFSIMG_SIG_INPROGRESS)
    ERR(0, "signature 0x%08x has the IN_PROGRESS bit set: the firmware rejects it at boot",
        (unsigned)img->sig);
  if (img->absolute && !img->sig_absolute)
    WARN(0, "absolute addresses but signature bit 0 clear: a relocated flash dump, not a luac.cross -a image");
  if (img->fill1 || img->fill2)
    WARN(24, "header fill words are 0x%08x 0x%08x, not 0", (unsigned)img->fill1,
         (unsigned)img->fill2);
  if (img->flash_size > 0x40000)
    WARN(4, "flash_size %u exceeds the reference's 262144-byte image limit",
         (unsigned)img->flash_size);
  if (img->nrouse) {
    /* any power of two works (hash & (size - 1)); luac.cross writes one of
     * two: 2 << log2(n), or the sparser 2 << log2((int)(n * 1.3)) */
    uint32_t dense = lfsc_strtab_nbuckets(img->nrouse);
    uint32_t sparse = lfsc_strtab_nbuckets_sparse(img->nrouse);
    const lfsc_platform *opf = o ? o->platform : NULL;
    if (img->nrosize != dense && img->nrosize != sparse &&
        !(opf && opf->ro_buckets && img->nrosize == opf->ro_buckets(img->nrouse))) {
      if (dense == sparse)
        WARN(20, "nROsize %u for %u strings; luac.cross uses %u", (unsigned)img->nrosize,
             (unsigned)img->nrouse, (unsigned)dense);
      else
        WARN(20, "nROsize %u for %u strings; luac.cross uses %u (or %u, the sparser rule)",
             (unsigned)img->nrosize, (unsigned)img->nrouse, (unsigned)dense,
             (unsigned)sparse);
    }
  }
  if (img->mainproto_off != img->flash_size - LFSIMG_PROTO_BYTES)
    WARN(8, "mainProto is at 0x%05x, not the last 72 bytes of the image",
         (unsigned)img->mainproto_off);
  /* the same limits luac.cross applies to -a and -m (the platform's) */
  unsigned lim = o ? o->limits : 0;
  const lfsc_platform *pf = o ? o->platform : NULL;
  if (pf && img->absolute && pf->check_addr(v->ctx, img->base, lim))
    ERR(12, "image is linked at 0x%08x: %s", (unsigned)img->base, lfsc_errmsg(v->ctx));
  else if (pf && pf->check_image(v->ctx, img->absolute, img->base, img->flash_size, lim))
    ERR(4, "%s", lfsc_errmsg(v->ctx));
  if (!o)
    return;
  if (o->have_variant && o->variant != img->variant)
    ERR(0, "image is for the %s firmware (signature 0x%08x), not %s: the loader would say "
        "'incorrect LFS header signature'", lfsc_target_name(img->variant), (unsigned)img->sig,
        lfsc_target_name(o->variant));
  if (o->region_size && img->flash_size > o->region_size)
    ERR(4, "image of %u bytes does not fit the %u-byte LFS region",
        (unsigned)img->flash_size, (unsigned)o->region_size);
  if (o->have_base) {
    if (img->absolute && img->base != o->base)
      ERR(12, "image is linked at 0x%08x, not at 0x%08x", (unsigned)img->base,
          (unsigned)o->base);
    if (o->base % 4)
      ERR(12, "base address 0x%08x is not word aligned", (unsigned)o->base);
    if (pf && !img->absolute && pf->check_addr(v->ctx, o->base, lim))
      ERR(12, "--base: %s", lfsc_errmsg(v->ctx));
    /* a fixed window tells the partition's flash offset from --base */
    if (pf && pf->window_size && o->region_size && o->base >= pf->window_base &&
        pf->check_partition(v->ctx, o->base - pf->window_base, o->region_size, lim))
      ERR(12, "%s", lfsc_errmsg(v->ctx));
  }
}

/* ==== relocation bitmap ================================================ */

static void check_bitmap(vctx *v)
{
  reader_image *img = v->img;
  if (!img->bitmap)
    return;
  uint32_t nw = img->flash_size / 4;
  int shown_set = 0, shown_clear = 0;
  uint32_t nset = 0, nclear = 0;
  for (uint32_t w = 0; w < nw; w++) {
    int bit = (img->bitmap[(w >> 5) * 4 + ((w & 31) >> 3)] >> (w & 7)) & 1;
    if (bit && !img->isaddr[w]) {
      nset++;
      if (shown_set++ < 5)
        ERR(w * 4, "relocation bit set for a word of the %s that is not an address (0x%08x)",
            lfsc_reader_kind_name((reader_kind)img->kind[w]), (unsigned)word(img, w * 4));
    } else if (!bit && img->isaddr[w]) {
      nclear++;
      if (shown_clear++ < 5)
        ERR(w * 4, "address word in the %s is not flagged in the relocation bitmap",
            lfsc_reader_kind_name((reader_kind)img->kind[w]));
    }
  }
  if (nset > 5)
    ERR(0, "%u words in all are wrongly flagged for relocation", (unsigned)nset);
  if (nclear > 5)
    ERR(0, "%u address words in all are missing from the relocation bitmap", (unsigned)nclear);
  for (uint32_t w = nw; w < img->bitmap_bytes * 8; w++)
    if ((img->bitmap[(w >> 5) * 4 + ((w & 31) >> 3)] >> (w & 7)) & 1) {
      ERR(img->flash_size + (w >> 5) * 4, "relocation bitmap flags word %u, past the image end",
          (unsigned)w);
      break;
    }
}

/* ==== strings ========================================================== */

static int cmp_ptr(const void *a, const void *b)
{
  const lfsc_str *x = *(const lfsc_str *const *)a, *y = *(const lfsc_str *const *)b;
  return x < y ? -1 : x > y;
}

static void check_strings(vctx *v)
{
  reader_image *img = v->img;
  int n = img->nstrings;
  uint32_t mask = img->nrosize - 1;
  for (int i = 0; i < n; i++) {
    const reader_string *s = &img->strings[i];
    uint32_t len = s->s->len;
    if (s->tt != LFSIMG_TT_STRING)
      ERR(s->off + 4, "string at 0x%05x has type tag %u, not 4", (unsigned)s->off, s->tt);
    if (s->marked != 0x40)
      WARN(s->off + 5, "string at 0x%05x has marked 0x%02x, not the LFS bit 0x40",
           (unsigned)s->off, s->marked);
    if (s->pad)
      WARN(s->off + 6, "string at 0x%05x has non-zero padding after marked", (unsigned)s->off);
    uint32_t h = lfsc_strtab_hash(s->s->data, len);
    if (s->hash != h)
      ERR(s->off + 8, "string at 0x%05x stores hash 0x%08x, its bytes hash to 0x%08x: "
          "firmware lookups will miss it", (unsigned)s->off, (unsigned)s->hash, (unsigned)h);
    const unsigned char *end = img->data + s->off + 16 + len;
    uint32_t pad = LFSIMG_TS_BYTES(len) - 16 - len;
    if (end[0] != 0)
      ERR(s->off + 16 + len, "string at 0x%05x is not NUL-terminated", (unsigned)s->off);
    for (uint32_t j = 1; j < pad; j++)
      if (end[j]) {
        WARN(s->off + 16 + len + j, "string at 0x%05x has non-zero padding", (unsigned)s->off);
        break;
      }
  }
  /* Hash chains: each string reachable exactly once, from its own bucket. */
  uint8_t *seen = calloc((size_t)(n > 0 ? n : 1), 1);
  int *at = malloc(sizeof(int) * (size_t)(img->flash_size / 4));
  if (!seen || !at) {
    free(seen);
    free(at);
    v->nomem = 1;
    return;
  }
  for (int i = 0; i < n; i++)
    at[img->strings[i].off / 4] = i;
  for (uint32_t b = 0; b <= mask; b++) {
    uint32_t bw = LFSIMG_HEADER_BYTES + 4 * b, t = img->bucket[b];
    int steps = 0;
    while (t) {
      int i = at[t / 4];
      const reader_string *s = &img->strings[i];
      if (seen[i]) {
        ERR(bw, "hash chain of bucket %u reaches the string at 0x%05x a second time",
            (unsigned)b, (unsigned)s->off);
        break;
      }
      seen[i] = 1;
      if ((s->hash & mask) != b)
        ERR(s->off, "string at 0x%05x (hash 0x%08x) is chained in bucket %u, not %u",
            (unsigned)s->off, (unsigned)s->hash, (unsigned)b, (unsigned)(s->hash & mask));
      if (s->next && s->next >= s->off)
        WARN(s->off, "string at 0x%05x links forwards to 0x%05x", (unsigned)s->off,
             (unsigned)s->next);
      t = s->next;
      if (++steps > n)
        break;
    }
  }
  for (int i = 0; i < n; i++)
    if (!seen[i])
      ERR(img->strings[i].off, "string at 0x%05x is in no hash chain: the firmware cannot find it",
          (unsigned)img->strings[i].off);
  free(seen);
  free(at);

  /* Interning maps equal bytes to one pointer, so duplicates sort together. */
  const lfsc_str **ss = malloc(sizeof *ss * (size_t)(n > 0 ? n : 1));
  if (!ss) {
    v->nomem = 1;
    return;
  }
  for (int i = 0; i < n; i++)
    ss[i] = img->strings[i].s;
  qsort(ss, (size_t)n, sizeof *ss, cmp_ptr);
  for (int i = 1; i < n; i++)
    if (ss[i] == ss[i - 1]) {
      WARN(0, "the string table holds \"%.40s\" (%u bytes) more than once",
           ss[i]->data, (unsigned)ss[i]->len);
      break;
    }
  free(ss);

  /* Every string should be used by some Proto. */
  uint8_t *used = calloc(img->flash_size / 4, 1);
  if (!used) {
    v->nomem = 1;
    return;
  }
  for (uint32_t w = 0; w < img->flash_size / 4; w++) {
    uint8_t k = img->kind[w];
    if (!img->isaddr[w] || k == RD_HEADER || k == RD_BUCKETS || k == RD_STRING || k == RD_PVEC)
      continue;
    uint32_t vv = word(img, w * 4);
    uint32_t t = img->absolute ? vv - img->base : vv * 4;
    if (t < img->flash_size) {
      if (img->kind[t / 4] == RD_STRING && img->start[t / 4])
        used[t / 4] = 1;
      else if (t >= 16 && img->kind[(t - 16) / 4] == RD_STRING && img->start[(t - 16) / 4])
        used[(t - 16) / 4] = 1;
    }
  }
  for (int i = 0; i < n; i++)
    if (!used[img->strings[i].off / 4])
      WARN(img->strings[i].off, "string at 0x%05x (\"%.40s\") is not used by any Proto",
           (unsigned)img->strings[i].off, img->strings[i].s->data);
  free(used);
}

/* ==== Protos =========================================================== */

static void check_constants(vctx *v, const reader_func *f)
{
  reader_image *img = v->img;
  const lfsc_proto *p = f->proto;
  int tv = img->tvsize, tagpos = lfsc_layout_tag_offset(lfsc_target_variant(img->variant));
  for (int i = 0; i < p->sizek; i++) {
    uint32_t at = f->koff + (uint32_t)(i * tv);
    int bad = 0;
    switch (p->k[i].type) {
    case LFSC_K_NIL:
      bad = word(img, at) || (tagpos == 8 && word(img, at + 4));
      break;
    case LFSC_K_BOOL:
      bad = word(img, at) > 1 || (tagpos == 8 && word(img, at + 4));
      break;
    case LFSC_K_STR:
      bad = tagpos == 8 && word(img, at + 4);
      break;
    default:
      break;
    }
    if (tv == 16 && word(img, at + 12))
      bad = 1;
    if (bad)
      WARN(at, "constant %d: unexpected bytes in the value or padding", i);
  }
}

static void check_func(vctx *v, int fi)
{
  reader_image *img = v->img;
  const reader_func *f = &img->funcs[fi];
  const lfsc_proto *p = f->proto;
  if (f->next || f->ttmarked || f->gclist)
    WARN(f->off, "Proto at 0x%05x: next/tt/gclist words are 0x%x/0x%x/0x%x, not 0",
         (unsigned)f->off, (unsigned)f->next, (unsigned)f->ttmarked, (unsigned)f->gclist);
  if (p->is_vararg > 7)
    ERR(f->off + 70, "Proto at 0x%05x: is_vararg 0x%02x has unknown flags", (unsigned)f->off,
        p->is_vararg);
  if (p->sizeupvalues && p->sizeupvalues != p->nups)
    ERR(f->off + 36, "Proto at 0x%05x: %d upvalue names for %d upvalues", (unsigned)f->off,
        p->sizeupvalues, p->nups);
  if (f->lioff && !f->lineinfo_ok)
    ERR(f->off + 20, "Proto at 0x%05x: packed line info does not describe its %d instructions",
        (unsigned)f->off, p->sizecode);
  /* Every Lua 5.1 loader refuses a negative line ("bad integer in
   * precompiled chunk"), so such an image cannot be extracted as a chunk;
   * the order of the two only matters to debug output. */
  if (p->linedefined < 0 || p->lastlinedefined < 0)
    ERR(f->off + (p->linedefined < 0 ? 56 : 60), "Proto at 0x%05x: negative linedefined %d / lastlinedefined %d",
        (unsigned)f->off, p->linedefined, p->lastlinedefined);
  else if (p->lastlinedefined < p->linedefined)
    WARN(f->off + 56, "Proto at 0x%05x: linedefined %d / lastlinedefined %d are inconsistent",
         (unsigned)f->off, p->linedefined, p->lastlinedefined);
  for (int i = 0; i < p->sizelocvars; i++) {
    const lfsc_locvar *lv = &p->locvars[i];
    if (lv->startpc < 0 || lv->endpc < lv->startpc || lv->endpc > p->sizecode) {
      ERR(f->locoff + 12u * (uint32_t)i, "Proto at 0x%05x: local %d has pc range %d..%d outside 0..%d",
          (unsigned)f->off, i, lv->startpc, lv->endpc, p->sizecode);
      break;
    }
  }
  check_constants(v, f);
  const char *why = NULL;
  int pc = -1;
  if (!lfsc_codecheck_proto_at(p, &why, &pc)) {
    if (pc >= 0)
      ERR(f->codeoff + 4u * (uint32_t)pc, "Proto at 0x%05x: bad code at instruction %d (0x%08x): %s",
          (unsigned)f->off, pc + 1, (unsigned)p->code[pc], why);
    else
      ERR(f->off, "Proto at 0x%05x: %s", (unsigned)f->off, why);
  } else if (!lfsc_flowcheck_proto_at(p, &why, &pc)) {
    verify_report *rep = v->rep;
    uint32_t off = pc >= 0 ? f->codeoff + 4u * (uint32_t)pc : f->off;
    if (rep->run_unsafe++ == 0) {
      rep->unsafe_off = off;
      if (pc >= 0)
        snprintf(rep->unsafe_msg, sizeof rep->unsafe_msg,
                 "Proto at 0x%05x: instruction %d (0x%08x): %s", (unsigned)f->off, pc + 1,
                 (unsigned)p->code[pc], why);
      else
        snprintf(rep->unsafe_msg, sizeof rep->unsafe_msg, "Proto at 0x%05x: %s",
                 (unsigned)f->off, why);
    }
    if (v->opts && v->opts->run_safe)
      ERR(off, "not safe to run on the host VM: %s", rep->run_unsafe == 1 ? rep->unsafe_msg : why);
  }
}

/* ==== index function =================================================== */

static void check_index(vctx *v)
{
  reader_image *img = v->img;
  const reader_func *f = &img->funcs[0];
  const lfsc_proto *m = img->main;
  int n = m->sizep;
  uint32_t o = f->off;
  if (!m->source || m->source->len != 7 || memcmp(m->source->data, "=(luac)", 7) != 0)
    WARN(o + 32, "index function's source is not \"=(luac)\"");
  if (n == 0)
    WARN(o + 48, "image holds no modules");
  /* The index function is generated, so it must be exactly what our builder
   * (and, up to 50 modules, the reference) emits for n modules. */
  int maxstack = lfsc_image_index_maxstack((size_t)n);
  int codesize = (int)lfsc_image_index_codesize((size_t)n);
  if (m->numparams != 1 || m->is_vararg != 0 || m->nups != 0 || m->maxstacksize != maxstack)
    ERR(o + 68, "index function has numparams %d, is_vararg %d, nups %d, maxstacksize %d; "
        "expected 1, 0, 0, %d", m->numparams, m->is_vararg, m->nups, m->maxstacksize, maxstack);
  if (m->sizek != n + 1) {
    ERR(o + 40, "index function has %d constants for %d modules (expected %d)", m->sizek, n, n + 1);
  } else {
    for (int i = 0; i < n; i++)
      if (m->k[i].type != LFSC_K_STR)
        ERR(f->koff + (uint32_t)(i * img->tvsize), "index function constant %d (module name) is not a string", i);
      else if (m->k[i].u.s->len == 0)
        WARN(f->koff + (uint32_t)(i * img->tvsize), "module %d has an empty name", i);
    if (m->k[n].type != LFSC_K_NUM)
      ERR(f->koff + (uint32_t)(n * img->tvsize), "index function's last constant (timestamp) is not a number");
  }
  uint32_t *want = NULL;
  if (m->sizecode != codesize) {
    ERR(o + 44, "index function has %d instructions; %d modules need %d", m->sizecode, n, codesize);
  } else if ((want = malloc(sizeof *want * (size_t)codesize)) != NULL) {
    lfsc_image_index_code((size_t)n, want);
    for (int i = 0; i < m->sizecode; i++)
      if (m->code[i] != want[i]) {
        ERR(f->codeoff + 4u * (uint32_t)i, "index function instruction %d is 0x%08x, expected 0x%08x",
            i + 1, (unsigned)m->code[i], (unsigned)want[i]);
        break;
      }
    free(want);
  }
  if (m->sizepackedli || m->sizelocvars || m->sizeupvalues)
    WARN(o, "index function carries debug information");
  for (int i = 0; i < img->nmodules; i++)
    for (int j = 0; j < i; j++)
      if (img->modules[i].name && img->modules[i].name == img->modules[j].name) {
        WARN(f->koff + (uint32_t)(i * img->tvsize),
             "module \"%s\" appears twice; only the first is reachable", img->modules[i].name->data);
        j = i;
      }
}

/* ==== layout =========================================================== */

/* The reference allocates children first, then p, k, code, locvars,
 * upvalue names and the Proto struct (spec §7.1). */
static int layout_walk(vctx *v, int fi, uint32_t *pos, int depth)
{
  reader_image *img = v->img;
  const reader_func *f = &img->funcs[fi];
  const lfsc_proto *p = f->proto;
  if (depth > READER_MAX_DEPTH)
    return -1;
  /* funcs are in pre-order: the first child follows its parent, each
   * later child follows its elder sibling's subtree. */
  for (int i = 0, ci = fi + 1; i < p->sizep; i++) {
    if (ci >= img->nfuncs || layout_walk(v, ci, pos, depth + 1))
      return -1;
    ci += img->funcs[ci].nsub;
  }
  struct { uint32_t off, bytes; const char *what; } parts[] = {
    {f->poff, 4u * (uint32_t)p->sizep, "p vector"},
    {f->koff, (uint32_t)img->tvsize * (uint32_t)p->sizek, "constant vector"},
    {f->codeoff, 4u * (uint32_t)p->sizecode, "code vector"},
    {f->locoff, 12u * (uint32_t)p->sizelocvars, "local-variable vector"},
    {f->upoff, 4u * (uint32_t)p->sizeupvalues, "upvalue-name vector"},
    {f->off, LFSIMG_PROTO_BYTES, "Proto struct"},
  };
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    if (!parts[i].bytes)
      continue;
    if (parts[i].off != *pos) {
      WARN(*pos, "layout differs from luac.cross: expected the %s of the Proto at 0x%05x here, "
           "found it at 0x%05x", parts[i].what, (unsigned)f->off, (unsigned)parts[i].off);
      return -1;
    }
    *pos += parts[i].bytes;
  }
  return 0;
}

static void check_layout(vctx *v)
{
  reader_image *img = v->img;
  uint32_t nw = img->flash_size / 4, gap = 0, first = 0;
  for (uint32_t w = 0; w < nw; w++)
    if (img->kind[w] == RD_FREE) {
      if (!gap++)
        first = w * 4;
    }
  if (gap)
    WARN(first, "%u bytes of the image belong to no object (first at 0x%05x)",
         (unsigned)gap * 4, (unsigned)first);
  uint32_t pos = img->strings_end;
  if (layout_walk(v, 0, &pos, 0) == 0 && pos != img->flash_size)
    WARN(pos, "layout differs from luac.cross: %u bytes follow the index Proto",
         (unsigned)(img->flash_size - pos));
}

/* ==== entry point ====================================================== */

int lfsc_verify_image(lfsc_ctx *ctx, const void *file, size_t len, const verify_opts *opts,
                 verify_report *rep)
{
  vctx v0, *v = &v0;
  memset(v, 0, sizeof *v);
  memset(rep, 0, sizeof *rep);
  v->ctx = ctx;
  v->rep = rep;
  v->opts = opts;
  rep->problems = lfsc_alloc(ctx, sizeof *rep->problems * VERIFY_MAX_KEPT);
  if (!rep->problems)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  reader_image *img = NULL;
  int rc = lfsc_reader_load(ctx, file, len, &img);
  if (rc == LFSC_EMEM)
    return rc;
  const unsigned char *f = file;
  int gz = len >= 2 && f[0] == 0x1f && f[1] == 0x8b;
  if (rc) {
    add(v, VERIFY_ERROR, VERIFY_AT_NONE, 0, "%s", lfsc_errmsg(ctx));
    return LFSC_OK;
  }
  v->img = img;
  rep->img = img;
  for (int i = 0; i < img->nsoft; i++)
    ERR(img->soft[i].offset, "%s", img->soft[i].msg);
  if (img->soft_dropped)
    ERR(0, "%d more bad hash-chain links", img->soft_dropped);
  if (gz)
    check_gzip(v, f, len);
  check_header(v);
  check_bitmap(v);
  check_strings(v);
  for (int i = 0; i < img->nfuncs; i++)
    check_func(v, i);
  check_index(v);
  check_layout(v);
  if (v->nomem)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  return LFSC_OK;
}

int lfsc_verify_or_refuse(lfsc_ctx *ctx, const void *file, size_t len, const verify_opts *opts,
                     int force, reader_image **img, int *overridden)
{
  verify_opts none;
  verify_report rep;
  *img = NULL;
  if (overridden)
    *overridden = 0;
  if (!opts) {
    memset(&none, 0, sizeof none);
    opts = &none;
  }
  int rc = lfsc_verify_image(ctx, file, len, opts, &rep);
  if (rc)
    return rc;
  if (rep.errors == 0) {
    *img = rep.img;
    return LFSC_OK;
  }
  const verify_problem *p = NULL;
  for (int i = 0; i < rep.nproblems && !p; i++)
    if (rep.problems[i].severity == VERIFY_ERROR)
      p = &rep.problems[i];
  char where[32] = "";
  if (p && p->where == VERIFY_AT_IMAGE)
    snprintf(where, sizeof where, "0x%05x: ", (unsigned)p->offset);
  else if (p && p->where == VERIFY_AT_FILE)
    snprintf(where, sizeof where, "file offset 0x%x: ", (unsigned)p->offset);
  char more[48] = "";
  if (rep.errors > 1)
    snprintf(more, sizeof more, " (and %d more error%s)", rep.errors - 1,
             rep.errors == 2 ? "" : "s");
  lfsc_seterr(ctx, LFSC_EFORMAT, "%s%s%s", where, p ? p->msg : "invalid image", more);
  /* Forcing needs something to work from: an image that does not even
   * decode stays refused. */
  if (!force || !rep.img)
    return LFSC_EFORMAT;
  *img = rep.img;
  if (overridden)
    *overridden = 1;
  return LFSC_OK;
}
