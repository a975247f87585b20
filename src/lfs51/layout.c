/*
 * Image layout (image spec §3-§8): header, ROstrt buckets and strings,
 * then the Proto tree in post-order, allocated in whole words one after
 * another so that every pointer points backwards.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/image.h"
#include "base/assert.h"
#include "layout.h"
#include "nodemcu/lineinfo.h"
#include "strtab.h"

/* Largest image: byte offsets and flash_size are 32-bit fields. */
#define MAX_WORDS ((size_t)0x3FFFFFFF)

/* Everything is allocated in whole words; a FlashTS has room for its
 * characters and their NUL. */
_Static_assert(LFSIMG_HEADER_BYTES % 4 == 0 && LFSIMG_PROTO_BYTES % 4 == 0 &&
               LFSIMG_TV_FLOAT % 4 == 0 && LFSIMG_TV_FLOAT16 % 4 == 0 && LFSIMG_TV_INT % 4 == 0,
               "image objects are whole words");
_Static_assert(LFSIMG_TS_BYTES(0) == 4 * LFSIMG_TS_WORDS + 4 && LFSIMG_TS_BYTES(3) == LFSIMG_TS_BYTES(0) &&
               LFSIMG_TS_BYTES(4) == LFSIMG_TS_BYTES(0) + 4, "FlashTS: header, characters, NUL, padding");

typedef struct builder {
  lfsc_ctx *ctx;
  const layout_opts *opts;
  layout *l;
  strtab tab;
  uint32_t *tsoff;              /* FlashTS word offset, by strtab node index */
  lfsc_variant v;               /* of opts->target */
  int tvwords;                  /* TValue size in words */
  const lfsc_str *nosource;     /* "=?": every source name when stripping */
  const lfsc_proto *index;      /* the index function: keeps "=(luac)" */
  int err;                      /* first error (message already set) */
} builder;

/* The source name a Proto carries in the image. Stripped, a module's is
 * "=?" (what luac5.1 and the firmware's undump give a stripped chunk),
 * never the build's file name, and never 0, which the firmware's debug
 * library would dereference; unless the platform's builder keeps source
 * names (strip_keeps_source). The index function keeps its "=(luac)". */
static const lfsc_str *source_of(const builder *b, const lfsc_proto *f)
{
  return b->nosource && f != b->index ? b->nosource : f->source;
}

static int oom(builder *b)
{
  if (!b->err)
    b->err = lfsc_seterr(b->ctx, LFSC_EMEM, "out of memory");
  return b->err;
}

/* oom() for functions returning a word offset: 0 is never a valid one. */
static size_t oom_offset(builder *b)
{
  oom(b);
  return 0;
}

/* Allocate nbytes (rounded up to words), zero-filled; returns the word
 * offset. On failure b->err is set and the offset is 0. */
static size_t alloc(builder *b, size_t nbytes)
{
  layout *l = b->l;
  size_t nw = nbytes / 4 + (nbytes % 4 != 0);
  if (b->err)
    return 0;
  if (nw > MAX_WORDS - l->nwords) {
    b->err = lfsc_seterr(b->ctx, LFSC_ELIMIT,
                         "image larger than the 4 GiB the format can address");
    return 0;
  }
  if (l->nwords + nw > l->cap) {
    size_t cap = l->cap ? l->cap : 1024;
    while (cap < l->nwords + nw)
      cap *= 2;
    uint32_t *w = realloc(l->w, cap * sizeof *w);
    if (!w)
      return oom_offset(b);
    l->w = w;
    uint32_t *r = realloc(l->reloc, cap / 32 * sizeof *r);
    if (!r)
      return oom_offset(b);
    l->reloc = r;
    memset(l->w + l->cap, 0, (cap - l->cap) * sizeof *w);
    memset(l->reloc + l->cap / 32, 0, (cap - l->cap) / 32 * sizeof *r);
    l->cap = cap;
  }
  /* the relocation bitmap has a bit for every word of the capacity */
  LFSC_ASSERT(l->cap % 32 == 0 && l->nwords + nw <= l->cap);
  size_t off = l->nwords;
  l->nwords += nw;
  return off;
}

/* Store an address field: word offset target, or NULL (0, not marked). */
static void setaddr(builder *b, size_t word, size_t target)
{
  if (b->err || target == 0)
    return;
  LFSC_ASSERT(word < b->l->nwords && target < b->l->nwords && word != target);
  LFSC_ASSERT((word >> 5) < b->l->cap / 32);
  b->l->w[word] = (uint32_t)target;
  b->l->reloc[word >> 5] |= (uint32_t)1 << (word & 31);
}

/* Packed line info (§8.2) from absolute per-instruction lines, for protos
 * that carry only the stock form. */
static const lfsc_str *pack_lines(builder *b, const lfsc_proto *f)
{
  unsigned char *buf = malloc(lfsc_lineinfo_pack_bound(f->sizelineinfo));
  if (!buf) {
    oom(b);
    return NULL;
  }
  size_t n = lfsc_lineinfo_pack(f->lineinfo, f->sizelineinfo, buf);
  const lfsc_str *s = lfsc_intern(b->ctx, (const char *)buf, n);
  free(buf);
  if (!s)
    oom(b);
  return s;
}

/* The line-info string of f, or NULL when it has none (or is stripped). */
static const lfsc_str *lineinfo_of(builder *b, const lfsc_proto *f)
{
  if (b->opts->strip)
    return NULL;
  if (f->sizepackedli > 0) {
    const lfsc_str *s = lfsc_intern(b->ctx, (const char *)f->packedli, f->sizepackedli);
    if (!s)
      oom(b);
    return s;
  }
  if (f->sizelineinfo > 0 && f->lineinfo)
    return pack_lines(b, f);
  return NULL;
}

static void add_string(builder *b, const lfsc_str *s)
{
  if (s && !b->err && lfsc_strtab_insert(&b->tab, s) != LFSC_OK)
    oom(b);
}

/* The reference's insertion walk: pre-order, and per proto its source,
 * line info, string constants, upvalue names, local names (§6.4 a). */
static void collect(builder *b, const lfsc_proto *f)
{
  add_string(b, source_of(b, f));
  add_string(b, lineinfo_of(b, f));
  for (int i = 0; i < f->sizek; i++)
    if (f->k[i].type == LFSC_K_STR) {
      if (!f->k[i].u.s) {
        b->err = lfsc_seterr(b->ctx, LFSC_EFORMAT, "string constant without a value");
        return;
      }
      add_string(b, f->k[i].u.s);
    }
  if (!b->opts->strip) {
    for (int i = 0; i < f->sizeupvalues; i++)
      add_string(b, f->upvalues[i]);
    for (int i = 0; i < f->sizelocvars; i++)
      add_string(b, f->locvars[i].name);
  }
  for (int i = 0; i < f->sizep && !b->err; i++)
    collect(b, f->p[i]);
}

/* Word offset of the FlashTS of s (which collect() inserted). */
static size_t ts_of(builder *b, const lfsc_str *s)
{
  if (!s || b->err)
    return 0;
  int32_t i = lfsc_strtab_find(&b->tab, s);
  return i < 0 ? 0 : b->tsoff[i];
}

/* Bucket vector, then every string in ROstrt order, each pushed onto the
 * front of its bucket's chain (§6.3, §6.4). */
static size_t emit_strings(builder *b)
{
  layout *l = b->l;
  uint32_t n = b->tab.count;
  const lfsc_str **order = malloc((n ? n : 1) * sizeof *order);
  uint32_t *index = malloc((n ? n : 1) * sizeof *index);
  b->tsoff = calloc(b->tab.size ? b->tab.size : 1, sizeof *b->tsoff);
  if (!order || !index || !b->tsoff) {
    free(order);
    free(index);
    return oom_offset(b);
  }
  lfsc_strtab_order(&b->tab, order, index);
  l->nstrings = n;
  l->nbuckets = b->opts->ro_buckets ? b->opts->ro_buckets(n) : lfsc_strtab_nbuckets(n);
  /* hash & mask: a power of two, and a bounded one (the vector is allocated) */
  if (l->nbuckets == 0 || (l->nbuckets & (l->nbuckets - 1)) != 0 || l->nbuckets > MAX_WORDS / 2) {
    free(order);
    free(index);
    b->err = lfsc_seterr(b->ctx, LFSC_EARG, "bucket count %lu for %lu strings is not a "
                         "power of two", (unsigned long)l->nbuckets, (unsigned long)n);
    return 0;
  }
  size_t buckets = alloc(b, (size_t)l->nbuckets * 4);
  for (uint32_t i = 0; i < n && !b->err; i++) {
    const lfsc_str *s = order[i];
    size_t ts = alloc(b, LFSIMG_TS_BYTES(s->len));
    if (b->err)
      break;
    uint32_t hash = b->tab.node[index[i]].hash;
    size_t bucket = buckets + (hash & (l->nbuckets - 1));
    LFSC_ASSERT(bucket < buckets + l->nbuckets && l->w[bucket] < ts);   /* chains point back */
    LFSC_ASSERT(ts + LFSIMG_TS_BYTES(s->len) / 4 == l->nwords);
    setaddr(b, ts + LFSIMG_TS_NEXT, l->w[bucket]);
    setaddr(b, bucket, ts);
    l->w[ts + LFSIMG_TS_TTMARKED] = LFSIMG_TS_TTMARKED_VALUE;
    l->w[ts + LFSIMG_TS_HASH] = hash;
    l->w[ts + LFSIMG_TS_LEN] = s->len;
    /* characters, NUL and padding, packed little-endian into words */
    uint32_t *c = l->w + ts + LFSIMG_TS_WORDS;
    for (uint32_t j = 0; j < s->len; j++)
      c[j >> 2] |= (uint32_t)(unsigned char)s->data[j] << (8 * (j & 3));
    b->tsoff[index[i]] = (uint32_t)ts;
  }
  LFSC_ASSERT(b->err || !n || l->nwords - buckets >= l->nbuckets + n * LFSIMG_TS_BYTES(0) / 4);
  free(order);
  free(index);
  return buckets;
}

/* A number constant as the integer target stores it. */
static int int_value(builder *b, lfsc_number n, uint32_t *out)
{
  if (!(n >= -2147483648.0 && n <= 2147483647.0) || n != floor(n)) {
    b->err = lfsc_seterr(b->ctx, LFSC_ELIMIT,
                         "number constant %.17g cannot be represented by the int target", n);
    return b->err;
  }
  *out = (uint32_t)(int32_t)n;
  return LFSC_OK;
}

static void emit_constant(builder *b, size_t o, const lfsc_const *k)
{
  uint32_t *w = b->l->w;
  int integral = b->v.numbers == LFSC_NUM_INT32;
  size_t tag = o + (size_t)lfsc_layout_tag_offset(b->v) / 4;
  LFSC_ASSERT(tag < o + (size_t)b->tvwords && o + (size_t)b->tvwords <= b->l->nwords);
  switch (k->type) {
  case LFSC_K_NIL:
    w[tag] = LFSIMG_TT_NIL;
    break;
  case LFSC_K_BOOL:
    w[o] = k->u.b ? 1 : 0;
    w[tag] = LFSIMG_TT_BOOLEAN;
    break;
  case LFSC_K_NUM:
    if (integral) {
      if (int_value(b, k->u.n, &w[o]) != LFSC_OK)
        return;
    } else {
      uint64_t bits;
      double d = k->u.n;
      memcpy(&bits, &d, sizeof bits);   /* IEEE-754 bit pattern */
      w[o] = (uint32_t)bits;
      w[o + 1] = (uint32_t)(bits >> 32);
    }
    w[tag] = LFSIMG_TT_NUMBER;
    break;
  case LFSC_K_STR:
    setaddr(b, o, ts_of(b, k->u.s));
    w[tag] = LFSIMG_TT_STRING;
    break;
  default:
    b->err = lfsc_seterr(b->ctx, LFSC_EFORMAT, "bad constant type %d", (int)k->type);
  }
}

/* EMIT(P) of §7.1: children, then p vector, constants, code, locals,
 * upvalue names and the Proto struct. Returns the Proto's word offset. */
static size_t emit_proto(builder *b, const lfsc_proto *f)
{
  if (f->sizep < 0 || f->sizek < 0 || f->sizecode < 0 || f->sizelocvars < 0 ||
      f->sizeupvalues < 0) {
    b->err = lfsc_seterr(b->ctx, LFSC_EFORMAT, "function with a negative vector size");
    return 0;
  }
  size_t *kids = NULL;
  if (f->sizep > 0) {
    kids = malloc((size_t)f->sizep * sizeof *kids);
    if (!kids)
      return oom_offset(b);
    for (int i = 0; i < f->sizep && !b->err; i++)
      kids[i] = emit_proto(b, f->p[i]);
  }
  int strip = b->opts->strip;
  int nloc = strip ? 0 : f->sizelocvars;
  int nupn = strip ? 0 : f->sizeupvalues;

  size_t pv = 0, kv = 0, cv = 0, lv = 0, uv = 0;
  if (f->sizep > 0) {
    pv = alloc(b, (size_t)f->sizep * 4);
    for (int i = 0; i < f->sizep && !b->err; i++)
      setaddr(b, pv + i, kids[i]);
  }
  free(kids);
  if (f->sizek > 0) {
    kv = alloc(b, (size_t)f->sizek * (size_t)b->tvwords * 4);
    for (int i = 0; i < f->sizek && !b->err; i++)
      emit_constant(b, kv + (size_t)i * b->tvwords, &f->k[i]);
  }
  if (f->sizecode > 0) {
    cv = alloc(b, (size_t)f->sizecode * 4);
    if (!b->err)
      memcpy(b->l->w + cv, f->code, (size_t)f->sizecode * 4);   /* host integers */
  }
  if (nloc > 0) {
    lv = alloc(b, (size_t)nloc * LFSIMG_LOCVAR_WORDS * 4);
    for (int i = 0; i < nloc && !b->err; i++) {
      size_t o = lv + (size_t)i * LFSIMG_LOCVAR_WORDS;
      setaddr(b, o, ts_of(b, f->locvars[i].name));
      b->l->w[o + 1] = (uint32_t)f->locvars[i].startpc;
      b->l->w[o + 2] = (uint32_t)f->locvars[i].endpc;
    }
  }
  if (nupn > 0) {
    uv = alloc(b, (size_t)nupn * 4);
    for (int i = 0; i < nupn && !b->err; i++)
      setaddr(b, uv + i, ts_of(b, f->upvalues[i]));
  }
  const lfsc_str *li = lineinfo_of(b, f);
  size_t po = alloc(b, LFSIMG_PROTO_BYTES);
  if (b->err)
    return 0;
  /* post-order: the Proto comes last, after its vectors, which lie one
   * after another in the order of §7.1 */
  LFSC_ASSERT(po + LFSIMG_PROTO_BYTES / 4 == b->l->nwords);
  LFSC_ASSERT(pv < po && kv < po && cv < po && lv < po && uv < po);
  LFSC_ASSERT(!pv || !kv || kv == pv + (size_t)f->sizep);
  LFSC_ASSERT(!cv || !lv || lv == cv + (size_t)f->sizecode);
  LFSC_ASSERT(!uv || uv + (size_t)nupn == po);
  uint32_t *w = b->l->w + po;
  setaddr(b, po + LFSIMG_P_K, kv);
  setaddr(b, po + LFSIMG_P_CODE, cv);
  setaddr(b, po + LFSIMG_P_P, pv);
  if (li)   /* the Proto points at the characters, not the FlashTS */
    setaddr(b, po + LFSIMG_P_LINEINFO, ts_of(b, li) + LFSIMG_TS_WORDS);
  setaddr(b, po + LFSIMG_P_LOCVARS, lv);
  setaddr(b, po + LFSIMG_P_UPVALUES, uv);
  setaddr(b, po + LFSIMG_P_SOURCE, ts_of(b, source_of(b, f)));
  w[LFSIMG_P_SIZEUPVALUES] = (uint32_t)nupn;
  w[LFSIMG_P_SIZEK] = (uint32_t)f->sizek;
  w[LFSIMG_P_SIZECODE] = (uint32_t)f->sizecode;
  w[LFSIMG_P_SIZEP] = (uint32_t)f->sizep;
  w[LFSIMG_P_SIZELOCVARS] = (uint32_t)nloc;
  w[LFSIMG_P_LINEDEFINED] = (uint32_t)f->linedefined;
  w[LFSIMG_P_LASTLINEDEFINED] = (uint32_t)f->lastlinedefined;
  w[LFSIMG_P_BYTES4] = (uint32_t)f->nups | (uint32_t)f->numparams << 8 |
                       (uint32_t)f->is_vararg << 16 | (uint32_t)f->maxstacksize << 24;
  return po;
}

uint32_t lfsc_layout_signature(lfsc_target t)
{
  lfsc_variant v = lfsc_target_variant(t);
  uint32_t sig = LFSIMG_SIG_BASE;
  if (v.tvalue_size == LFSIMG_TV_FLOAT)
    sig |= LFSIMG_SIG_PACKED;
  if (v.numbers == LFSC_NUM_INT32)
    sig |= LFSIMG_SIG_INTEGER;
  return sig;
}

int lfsc_layout_build(lfsc_ctx *ctx, const lfsc_proto *main, const layout_opts *opts,
                 layout *l)
{
  builder b = {.ctx = ctx, .opts = opts, .l = l, .index = main};
  memset(l, 0, sizeof *l);
  b.v = lfsc_target_variant(opts->target);
  if (b.v.format != LFSC_FORMAT_NODEMCU || b.v.tvalue_size == 0)
    return lfsc_seterr(ctx, LFSC_EARG, "target '%s' has no LFS image format",
                       lfsc_target_name(opts->target));
  b.tvwords = b.v.tvalue_size / 4;
  if (opts->strip && !opts->strip_keeps_source && !(b.nosource = lfsc_intern(ctx, "=?", 2)))
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  lfsc_strtab_init(&b.tab);
  size_t hdr = alloc(&b, LFSIMG_HEADER_BYTES);
  collect(&b, main);
  size_t buckets = b.err ? 0 : emit_strings(&b);
  size_t mainproto = b.err ? 0 : emit_proto(&b, main);
  if (!b.err) {
    /* the header first, the main (index) Proto last */
    LFSC_ASSERT(hdr == 0 && mainproto + LFSIMG_PROTO_BYTES / 4 == l->nwords);
    LFSC_ASSERT(l->nwords <= MAX_WORDS && buckets == LFSIMG_HEADER_BYTES / 4);
    uint32_t *h = l->w + hdr;
    h[LFSIMG_H_SIG] = lfsc_layout_signature(opts->target);
    h[LFSIMG_H_SIZE] = (uint32_t)(l->nwords * 4);
    setaddr(&b, hdr + LFSIMG_H_MAINPROTO, mainproto);
    setaddr(&b, hdr + LFSIMG_H_PROHASH, buckets);
    h[LFSIMG_H_NROUSE] = l->nstrings;
    h[LFSIMG_H_NROSIZE] = l->nbuckets;
  }
  lfsc_strtab_free(&b.tab);
  free(b.tsoff);
  if (b.err)
    lfsc_layout_free(l);
  return b.err;
}

void lfsc_layout_free(layout *l)
{
  free(l->w);
  free(l->reloc);
  memset(l, 0, sizeof *l);
}

uint32_t lfsc_layout_size(const layout *l)
{
  return (uint32_t)(l->nwords * 4);
}

int lfsc_layout_is_addr(const layout *l, size_t i)
{
  return i < l->nwords && (l->reloc[i >> 5] >> (i & 31) & 1);
}

void lfsc_layout_write_pi(const layout *l, lfsc_sink *out)
{
  unsigned char buf[4096];
  size_t n = 0;
  size_t nbits = (l->nwords + 31) / 32;
  LFSC_ASSERT(l->nwords == 0 || nbits <= l->cap / 32);   /* within the bitmap */
  for (size_t i = 0; i < l->nwords + nbits; i++) {
    uint32_t v = i < l->nwords ? l->w[i] : l->reloc[i - l->nwords];
    wr_u32le(buf + n, v);
    n += 4;
    if (n == sizeof buf) {
      lfsc_sink_write(out, buf, n);
      n = 0;
    }
  }
  lfsc_sink_write(out, buf, n);
}

void lfsc_layout_write_abs(const layout *l, uint32_t addr, lfsc_sink *out)
{
  unsigned char buf[4096];
  size_t n = 0;
  for (size_t i = 0; i < l->nwords; i++) {
    uint32_t v = l->w[i];
    if (i == LFSIMG_H_SIG)
      v |= LFSIMG_SIG_ABSOLUTE;
    else if (lfsc_layout_is_addr(l, i))
      v = addr + 4u * v;        /* mod 2^32, as the reference computes it */
    wr_u32le(buf + n, v);
    n += 4;
    if (n == sizeof buf) {
      lfsc_sink_write(out, buf, n);
      n = 0;
    }
  }
  lfsc_sink_write(out, buf, n);
}
