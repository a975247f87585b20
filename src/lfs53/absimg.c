/*
 * The absolute LFS image of a 5.3 firmware (luac.cross -a, spec
 * lfs53-formats §6): the flash contents the device's loader builds from a
 * format-11 image, laid out at a given address for a 32-bit target. Every
 * pointer of the result points backwards (strings first, children before
 * parents, the module ROTable last), so one pass lays it out; the header
 * is filled in at the end, as on the device.
 *
 * Where the reference's loader makes modules unfindable (spec §10) we
 * differ unless opts->compat asks for its layout: metamethod-like names
 * ("__x") go to the front of the ROTable, where the firmware's lookup
 * looks for them; over 255 modules (the entry count is one byte) or a
 * module name over 40 bytes (the lookup takes short strings only) are an
 * error; the string constants "thread" and "proto" refer to themselves.
 */
#include <stdlib.h>
#include <string.h>

#include "lfs53.h"

#define SIG_DEFAULT   0xFAFAA250u
#define HEADER_WORDS  12
#define TSTRING_SIZE  16
#define PROTO_SIZE    76
#define UPVALDESC_SIZE 8
#define LOCVAR_SIZE   12
#define MAX_ROTABLE   255
#define MAX_SHORT     40

/* type tags of TValues and objects (Lua 5.3) */
enum {
  TAG_NIL = 0x00, TAG_BOOL = 0x01, TAG_LUDATA = 0x02, TAG_FLT = 0x03, TAG_INT = 0x13,
  TAG_SHRSTR = 0x04, TAG_LNGSTR = 0x14, TAG_COLLECTABLE = 0x40,
  TAG_PROTO = 0x09, TAG_ROTABLE = 0x15
};
#define MARK_FIXED 0x60         /* TStrings: fixed and black */
#define MARK_PROTO 0x21         /* Protos: as the loader leaves them */

typedef struct absw {
  lfsc_ctx *ctx;
  const lfsc_lfs53_abs_opts *o;
  unsigned char *buf;
  size_t len, cap;
  uint32_t base;
  int num8;                     /* 8-byte lua_Number (and TValue value) */
  int int8;
  int status;
  /* string -> address */
  const lfsc_str **keys;
  uint32_t *addr;
  size_t tcap;
  const lfsc_str *thread_s, *proto_s, *userdata_s;
  uint32_t userdata2;           /* the loader's second "userdata" TString */
  int remap_types;              /* compat: the loader's type-name shift */
  uint32_t last_proto;          /* address of the previous Proto, base at first */
} absw;

static int err(absw *w, int code, const char *msg)
{
  if (!w->status)
    w->status = lfsc_seterr(w->ctx, code, "%s", msg);
  return w->status;
}

static int reserve(absw *w, size_t n)
{
  if (w->status)
    return w->status;
  uint64_t need = (uint64_t)w->len + n;
  if (w->o->max_size && need > w->o->max_size) {
    if (!w->status)
      w->status = lfsc_seterr(w->ctx, LFSC_ELIMIT,
                              "absolute LFS image is over the maximum size (%lu bytes)",
                              (unsigned long)w->o->max_size);
    return w->status;
  }
  if (need > 0xFFFFFFFFu - w->base) {
    if (!w->status)
      w->status = lfsc_seterr(w->ctx, LFSC_ELIMIT,
                              "absolute LFS image at 0x%08lX would end past the 32-bit address space",
                              (unsigned long)w->base);
    return w->status;
  }
  if (need > w->cap) {
    size_t cap = w->cap ? w->cap : 65536;
    while (cap < need)
      cap *= 2;
    /* on the heap, not in the arena: outgrown copies are freed at once */
    unsigned char *b = realloc(w->buf, cap);
    if (!b)
      return err(w, LFSC_EMEM, "not enough memory");
    w->buf = b;
    w->cap = cap;
  }
  return 0;
}

static uint32_t here(const absw *w)
{
  return w->base + (uint32_t)w->len;
}

static void put32(absw *w, uint32_t v)
{
  if (reserve(w, 4))
    return;
  wr_u32le(w->buf + w->len, v);
  w->len += 4;
}

static void put8(absw *w, unsigned a, unsigned b, unsigned c, unsigned d)
{
  put32(w, (uint32_t)(a & 0xFF) | (uint32_t)(b & 0xFF) << 8 | (uint32_t)(c & 0xFF) << 16 |
           (uint32_t)(d & 0xFF) << 24);
}

static void put_bytes_padded(absw *w, const void *p, size_t n)
{
  size_t padded = (n + 3) & ~(size_t)3;
  if (reserve(w, padded))
    return;
  memcpy(w->buf + w->len, p, n);
  memset(w->buf + w->len + n, 0, padded - n);
  w->len += padded;
}

uint32_t lfsc_lfs53_hash(const char *s, size_t len, uint32_t seed)
{
  uint32_t h = seed ^ (uint32_t)len;
  size_t step = (len >> 5) + 1;
  for (size_t l = len; l >= step; l -= step)
    h ^= (h << 5) + (h >> 2) + (unsigned char)s[l - 1];
  return h;
}

/* {================= the string table =================} */

static size_t slot(const absw *w, const lfsc_str *s)
{
  size_t i = ((size_t)((uintptr_t)s >> 3) * 0x9E3779B1u) & (w->tcap - 1);
  while (w->keys[i] && w->keys[i] != s)
    i = (i + 1) & (w->tcap - 1);
  return i;
}

static uint32_t str_addr(absw *w, const lfsc_str *s)
{
  if (!s)
    return 0;
  if (w->remap_types) {
    /* the reference loader's list holds "userdata" twice, so the fixed
     * indexes of "thread" and "proto" land one string early */
    if (s == w->thread_s)
      return w->userdata2;
    if (s == w->proto_s)
      s = w->thread_s;
  }
  size_t i = slot(w, s);
  if (!w->keys[i]) {
    err(w, LFSC_EFORMAT, "a string of the image is missing from its string list");
    return 0;
  }
  return w->addr[i];
}

/* {================= layout =================} */

typedef struct strchain {
  uint32_t short_head, long_head;   /* last TString of each kind (0: none) */
  uint32_t *buckets;                /* bucket heads (addresses) */
  uint32_t nbuckets;                /* power of two */
  uint32_t nshort;
  uint32_t seed;
} strchain;

/* One TString (16 bytes, then the chars and a NUL, padded to 4). */
static uint32_t put_tstring(absw *w, strchain *c, const lfsc_str *s, int extra, int dup)
{
  size_t i = slot(w, s);
  if ((w->keys[i] && !dup) || w->status)
    return 0;                   /* created already: the loader interns */
  uint32_t at = here(w);
  uint32_t h = lfsc_lfs53_hash(s->data, s->len, c->seed);
  if (s->len <= MAX_SHORT) {
    uint32_t b = h & (c->nbuckets - 1);
    put32(w, c->short_head ? c->short_head : w->base);
    put8(w, TAG_SHRSTR, MARK_FIXED, (unsigned)extra, s->len);
    put32(w, h);
    put32(w, c->buckets[b]);    /* chain: the bucket's previous head */
    c->buckets[b] = at;
    c->short_head = at;
    c->nshort += !dup;
  } else {
    put32(w, c->long_head ? c->long_head : w->base);
    put8(w, TAG_LNGSTR, MARK_FIXED, 1, 0);   /* extra 1: hash computed */
    put32(w, h);
    put32(w, s->len);
    c->long_head = at;
  }
  put_bytes_padded(w, s->data, (size_t)s->len + 1);
  if (!w->status && !dup) {
    w->keys[i] = s;
    w->addr[i] = at;
  }
  return at;
}

/* A TValue: value (4 or 8 bytes), then the tag word. */
static void put_tvalue(absw *w, uint64_t value, unsigned tag)
{
  put32(w, (uint32_t)value);
  if (w->num8 || w->int8)
    put32(w, (uint32_t)(value >> 32));
  put32(w, tag);
}

static void put_constant(absw *w, const lfsc_const *k)
{
  switch (k->type) {
  case LFSC_K_NIL:
    put_tvalue(w, 0, TAG_NIL);
    break;
  case LFSC_K_BOOL:
    put_tvalue(w, k->u.b ? 1 : 0, TAG_BOOL);
    break;
  case LFSC_K_INT: {
    uint64_t v = (uint64_t)k->u.i;
    if (!w->int8)
      v &= 0xFFFFFFFFu;
    put_tvalue(w, v, TAG_INT);
    break;
  }
  case LFSC_K_NUM: {
    uint64_t v;
    if (w->num8) {
      memcpy(&v, &k->u.n, sizeof v);
    } else {
      float f = (float)k->u.n;
      uint32_t b;
      memcpy(&b, &f, sizeof b);
      v = b;
    }
    put_tvalue(w, v, TAG_FLT);
    break;
  }
  case LFSC_K_STR:
    put_tvalue(w, str_addr(w, k->u.s),
               (k->u.s->len <= MAX_SHORT ? TAG_SHRSTR : TAG_LNGSTR) | TAG_COLLECTABLE);
    break;
  default:
    err(w, LFSC_EFORMAT, "bad constant type");
    break;
  }
}

/* A function and its children, post-order; returns its Proto's address. */
static uint32_t put_proto(absw *w, const lfsc_proto *f, int depth)
{
  if (depth > 200) {
    err(w, LFSC_ELIMIT, "functions nested too deep");
    return 0;
  }
  uint32_t *kids = NULL;
  if (f->sizep > 0) {
    kids = lfsc_alloc(w->ctx, (size_t)f->sizep * sizeof *kids);
    if (!kids) {
      err(w, LFSC_EMEM, "not enough memory");
      return 0;
    }
  }
  for (int i = 0; i < f->sizep && !w->status; i++)
    kids[i] = put_proto(w, f->p[i], depth + 1);
  uint32_t p_at = here(w);
  for (int i = 0; i < f->sizep; i++)
    put32(w, kids[i]);
  uint32_t code_at = here(w);
  for (int i = 0; i < f->sizecode; i++)
    put32(w, f->code[i]);
  uint32_t k_at = here(w);
  for (int i = 0; i < f->sizek; i++)
    put_constant(w, &f->k[i]);
  uint32_t up_at = f->nups ? here(w) : 0;
  for (int i = 0; i < f->nups; i++) {
    const lfsc_str *name = i < f->sizeupvalues ? f->upvalues[i] : NULL;
    put32(w, str_addr(w, name));
    /* the reference leaves host memory in the 2 padding bytes; we write 0 */
    put8(w, f->upvaldesc ? f->upvaldesc[i].instack : 0, f->upvaldesc ? f->upvaldesc[i].idx : 0, 0, 0);
  }
  uint32_t nli = f->sizepackedli ? f->sizepackedli + 1 : 0;
  uint32_t li_at = nli ? here(w) : 0;
  if (nli) {
    if (!reserve(w, ((size_t)nli + 3) & ~(size_t)3)) {
      memcpy(w->buf + w->len, f->packedli, f->sizepackedli);
      memset(w->buf + w->len + f->sizepackedli, 0, (((size_t)nli + 3) & ~(size_t)3) - f->sizepackedli);
      w->len += ((size_t)nli + 3) & ~(size_t)3;
    }
  }
  uint32_t lv_at = here(w);
  for (int i = 0; i < f->sizelocvars; i++) {
    put32(w, str_addr(w, f->locvars[i].name));
    put32(w, (uint32_t)f->locvars[i].startpc);
    put32(w, (uint32_t)f->locvars[i].endpc);
  }
  uint32_t at = here(w);
  put32(w, w->last_proto ? w->last_proto : w->base);
  put8(w, TAG_PROTO, MARK_PROTO, f->numparams, f->is_vararg);
  put8(w, f->maxstacksize, 0, 0, 0);
  put32(w, f->nups);
  put32(w, (uint32_t)f->sizek);
  put32(w, (uint32_t)f->sizecode);
  put32(w, nli);
  put32(w, (uint32_t)f->sizep);
  put32(w, (uint32_t)f->sizelocvars);
  put32(w, (uint32_t)f->linedefined);
  put32(w, (uint32_t)f->lastlinedefined);
  put32(w, k_at);
  put32(w, code_at);
  put32(w, p_at);
  put32(w, li_at);
  put32(w, lv_at);
  put32(w, up_at);
  put32(w, str_addr(w, f->source));
  put32(w, 0);                  /* gclist */
  w->last_proto = at;
  return at;
}

uint32_t lfsc_lfs53_signature(lfsc_variant v, int esp32)
{
  uint32_t sig = SIG_DEFAULT;
  if (esp32) {
    if (v.numbers == LFSC_NUM_I64_F64 || v.numbers == LFSC_NUM_I64_F32)
      sig |= 1;
    if (v.numbers == LFSC_NUM_I64_F64 || v.numbers == LFSC_NUM_I32_F64)
      sig |= 2;
  }
  return sig;
}

static int is_meta(const lfsc_str *s)
{
  return s->len >= 2 && s->data[0] == '_' && s->data[1] == '_';
}

static uint32_t ceil_pow2(uint32_t n)
{
  uint32_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

int lfsc_lfs53_abs(lfsc_ctx *ctx, const lfsc_lfs53_image *img, const lfsc_lfs53_abs_opts *o,
                   lfsc_sink *out)
{
  absw w;
  memset(&w, 0, sizeof w);
  w.ctx = ctx;
  w.o = o;
  w.base = o->address;
  w.num8 = img->variant.tvalue_size > 8;
  w.int8 = img->variant.numbers == LFSC_NUM_I64_F64 || img->variant.numbers == LFSC_NUM_I64_F32;
  if (img->variant.lua != LFSC_LUA53 || img->variant.format != LFSC_FORMAT_NODEMCU)
    return lfsc_seterr(ctx, LFSC_EARG, "not a NodeMCU Lua 5.3 image");
  if (o->address & 3)
    return lfsc_seterr(ctx, LFSC_EARG, "absolute address 0x%08lX is not a multiple of 4",
                       (unsigned long)o->address);
  int n = img->nmodules;
  if (!o->compat) {
    if (n > MAX_ROTABLE)
      return lfsc_seterr(ctx, LFSC_ELIMIT,
                         "%d modules: the firmware finds at most %d in one LFS image "
                         "(its module table counts entries in a byte)", n, MAX_ROTABLE);
    for (int i = 0; i < n; i++)
      if (img->names[i]->len > MAX_SHORT)
        return lfsc_seterr(ctx, LFSC_ELIMIT,
                           "module name '%s' is over %d bytes: the firmware cannot find it",
                           img->names[i]->data, MAX_SHORT);
  }

  /* the strings: the image's, then the firmware's fixed ones */
  size_t nall = (size_t)img->nstrings + LFSC_LFS53_NFIXED;
  const lfsc_str **all = lfsc_alloc(ctx, nall * sizeof *all);
  w.tcap = 16;
  while (w.tcap < nall * 2)
    w.tcap <<= 1;
  w.keys = lfsc_alloc(ctx, w.tcap * sizeof *w.keys);
  w.addr = lfsc_alloc(ctx, w.tcap * sizeof *w.addr);
  if (!all || !w.keys || !w.addr)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (int i = 0; i < img->nstrings; i++)
    all[i] = img->strings[i];
  for (int i = 0; i < LFSC_LFS53_NFIXED; i++) {
    const char *fs = lfsc_lfs53_fixed[i];
    if (!(all[(size_t)img->nstrings + (size_t)i] = lfsc_intern(ctx, fs, strlen(fs))))
      return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  w.userdata_s = lfsc_intern(ctx, "userdata", 8);
  w.thread_s = lfsc_intern(ctx, "thread", 6);
  w.proto_s = lfsc_intern(ctx, "proto", 5);
  /* count the distinct short strings: the bucket vector's size */
  uint32_t nshort = 0;
  for (size_t i = 0; i < nall; i++) {
    size_t j = slot(&w, all[i]);
    if (!w.keys[j]) {
      w.keys[j] = all[i];
      nshort += all[i]->len <= MAX_SHORT;
    }
  }
  memset(w.keys, 0, w.tcap * sizeof *w.keys);

  strchain c;
  memset(&c, 0, sizeof c);
  c.seed = (uint32_t)img->seed;
  c.nbuckets = ceil_pow2(nshort ? nshort : 1);
  c.buckets = lfsc_alloc(ctx, (size_t)c.nbuckets * sizeof *c.buckets);
  if (!c.buckets)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");

  reserve(&w, HEADER_WORDS * 4);
  if (!w.status) {
    memset(w.buf, 0, HEADER_WORDS * 4);
    w.len = HEADER_WORDS * 4;
  }
  for (size_t i = 0; i < nall && !w.status; i++) {
    size_t fi = i - (size_t)img->nstrings;
    int extra = i >= (size_t)img->nstrings && fi < LFSC_LFS53_NRESERVED ? (int)fi + 1 : 0;
    /* the loader's type names hold "userdata" twice (the second for full
     * userdata, before "thread"): it creates a second TString there, not
     * in nROuse. We keep it so that the layout is the device's. */
    if (all[i] == w.thread_s && i >= (size_t)img->nstrings)
      w.userdata2 = put_tstring(&w, &c, w.userdata_s, 0, 1);
    put_tstring(&w, &c, all[i], extra, 0);
  }
  /* compat: the loader's shifted type names, unless the image has its own */
  {
    size_t j = slot(&w, w.thread_s);
    int own = 0;
    for (int i = 0; i < img->nstrings; i++)
      own |= img->strings[i] == w.thread_s || img->strings[i] == w.proto_s;
    w.remap_types = o->compat && !own && w.keys[j] == w.thread_s;
  }
  uint32_t hash_at = here(&w);
  for (uint32_t i = 0; i < c.nbuckets; i++)
    put32(&w, c.buckets[i]);

  /* the functions, module by module */
  uint32_t *protos = n ? lfsc_alloc(ctx, (size_t)n * sizeof *protos) : NULL;
  if (n && !protos)
    err(&w, LFSC_EMEM, "not enough memory");
  for (int i = 0; i < n && !w.status; i++)
    protos[i] = put_proto(&w, img->protos[i], 0);

  /* the module ROTable: entries {key chars, Proto as light userdata}, a
   * zero entry, then the table header */
  uint32_t entries_at = here(&w);
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n && !w.status; i++) {
      /* the lookup scans "__" keys only while the entries start with
       * "__": those go first (compat: file order, as the reference) */
      int first = o->compat ? 1 : is_meta(img->names[i]);
      if (first != (pass == 0))
        continue;
      put32(&w, str_addr(&w, img->names[i]) + TSTRING_SIZE);
      put_tvalue(&w, protos[i], TAG_LUDATA);
    }
  put32(&w, 0);
  put_tvalue(&w, 0, TAG_NIL);
  uint32_t rot_at = here(&w);
  put32(&w, 1);
  put8(&w, TAG_ROTABLE, 0, 0xFF, (unsigned)n & 0xFF);
  put32(&w, 0);                 /* metatable */
  put32(&w, entries_at);
  if (w.status) {
    free(w.buf);
    return w.status;
  }

  uint32_t hdr[HEADER_WORDS] = {
    o->signature ? o->signature : SIG_DEFAULT,
    (uint32_t)w.len,
    (uint32_t)img->seed,
    (uint32_t)img->timestamp,
    c.nshort,
    c.nbuckets,
    (hash_at - w.base) / 4,
    (rot_at - w.base) / 4,
    w.last_proto ? (w.last_proto - w.base) / 4 : 0,
    c.short_head ? (c.short_head - w.base) / 4 : 0,
    c.long_head ? (c.long_head - w.base) / 4 : 0,
    0
  };
  for (int i = 0; i < HEADER_WORDS; i++)
    wr_u32le(w.buf + 4 * i, hdr[i]);
  lfsc_sink_write(out, w.buf, w.len);
  free(w.buf);
  if (out->status)
    return lfsc_seterr(ctx, out->status, "cannot write output");
  return LFSC_OK;
}
