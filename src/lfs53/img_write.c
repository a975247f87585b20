/* The NodeMCU Lua 5.3 LFS image file (format 11, spec lfs53-formats §4),
 * as luac.cross -f writes it: header, seed, the string section (the
 * image's strings in pre-order, the fixed strings only referenced), the
 * top-level functions with string fields as 1-based references, then the
 * module names and the timestamp. */
#include <string.h>

#include "lua53/nlc.h"
#include "lfs53.h"

/* Pointer-keyed table of the image's strings: interned strings are equal
 * exactly when their pointers are. */
typedef struct strtab {
  const lfsc_str **keys;
  int32_t *vals;                /* > 0: index among written strings; < 0: -fixed number */
  size_t cap;                   /* power of two */
  const lfsc_str **order;       /* written strings in order */
  int n, cap_order;
  uint64_t maxlen, nshort, nlong;
} strtab;

typedef struct imgw {
  lfsc_ctx *ctx;
  strtab t;
  int status;
} imgw;

static int nomem(imgw *w)
{
  if (!w->status)
    w->status = lfsc_seterr(w->ctx, LFSC_EMEM, "not enough memory");
  return w->status;
}

static size_t slot(const strtab *t, const lfsc_str *s)
{
  size_t h = (size_t)((uintptr_t)s >> 3) * 0x9E3779B1u;
  size_t i = h & (t->cap - 1);
  while (t->keys[i] && t->keys[i] != s)
    i = (i + 1) & (t->cap - 1);
  return i;
}

static int grow(imgw *w)
{
  strtab *t = &w->t;
  size_t ncap = t->cap ? t->cap * 2 : 256;
  const lfsc_str **ok = t->keys;
  int32_t *ov = t->vals;
  size_t ocap = t->cap;
  t->keys = lfsc_alloc(w->ctx, ncap * sizeof *t->keys);
  t->vals = lfsc_alloc(w->ctx, ncap * sizeof *t->vals);
  if (!t->keys || !t->vals)
    return nomem(w);
  t->cap = ncap;
  for (size_t i = 0; i < ocap; i++)
    if (ok[i]) {
      size_t j = slot(t, ok[i]);
      t->keys[j] = ok[i];
      t->vals[j] = ov[i];
    }
  return 0;
}

static void add(imgw *w, const lfsc_str *s, int32_t fixed)
{
  strtab *t = &w->t;
  if (!s || w->status)
    return;
  if ((size_t)(t->n + LFSC_LFS53_NFIXED + 1) * 2 > t->cap && grow(w))
    return;
  size_t i = slot(t, s);
  if (t->keys[i])
    return;                     /* first occurrence only */
  if (!fixed && t->n == t->cap_order) {
    int nc = t->cap_order ? t->cap_order * 2 : 256;
    const lfsc_str **no = lfsc_alloc(w->ctx, (size_t)nc * sizeof *no);
    if (!no) {
      nomem(w);
      return;
    }
    if (t->n)
      memcpy(no, t->order, (size_t)t->n * sizeof *no);
    t->order = no;
    t->cap_order = nc;
  }
  t->keys[i] = s;
  if (fixed) {
    t->vals[i] = -fixed;
    return;
  }
  t->order[t->n++] = s;
  t->vals[i] = t->n;
  if (s->len > t->maxlen)
    t->maxlen = s->len;
  if (s->len <= NLC_MAXSHORTLEN)
    t->nshort++;
  else
    t->nlong++;
}

/* pre-order: the function's source, string constants, upvalue names
 * (written only unstripped), then its functions */
static void scan(imgw *w, const lfsc_proto *f, int strip)
{
  add(w, f->source, 0);
  for (int i = 0; i < f->sizek; i++)
    if (f->k[i].type == LFSC_K_STR)
      add(w, f->k[i].u.s, 0);
  if (!strip)
    for (int i = 0; i < f->sizeupvalues && i < f->nups; i++)
      add(w, f->upvalues[i], 0);
  for (int i = 0; i < f->sizep; i++)
    scan(w, f->p[i], strip);
}

/* a string field: NULL, or the 1-based reference typed as the string */
static void put_ref(void *ud, lfsc_sink *out, const lfsc_str *s)
{
  imgw *w = ud;
  if (!s) {
    lfsc_nlc_put_typed(out, NLC_TSSTR, 0);
    return;
  }
  strtab *t = &w->t;
  int32_t v = t->keys ? (t->keys[slot(t, s)] == s ? t->vals[slot(t, s)] : 0) : 0;
  if (v == 0) {                 /* cannot happen: every string was scanned */
    if (!w->status)
      w->status = lfsc_seterr(w->ctx, LFSC_EARG, "string missing from the image's string list");
    return;
  }
  uint64_t idx = v > 0 ? (uint64_t)v : (uint64_t)t->n + (uint64_t)-v;
  lfsc_nlc_put_typed(out, s->len <= NLC_MAXSHORTLEN ? NLC_TSSTR : NLC_TLSTR, idx);
}

size_t lfsc_lfs53_module_name(const char *filename, char *buf, size_t cap)
{
  const char *b = filename;
  for (const char *p = filename; *p; p++)
    if (*p == '/' || *p == '\\')
      b = p + 1;
  while (*b == '.')
    b++;
  size_t n = 0;
  while (b[n] && b[n] != '.')
    n++;
  if (cap) {
    size_t c = n < cap - 1 ? n : cap - 1;
    memcpy(buf, b, c);
    buf[c] = 0;
  }
  return n;
}

static const char *base_name(const char *filename)
{
  const char *b = filename;
  for (const char *p = filename; *p; p++)
    if (*p == '/' || *p == '\\')
      b = p + 1;
  return b;
}

int lfsc_lfs53_write(lfsc_ctx *ctx, const lfsc_lfs53_module *mods, int n, lfsc_variant v,
                     int strip, int64_t seed, int64_t timestamp, lfsc_sink *out)
{
  nlc_sizes sz;
  int rc = lfsc_nlc_sizes(ctx, v, &sz);
  if (rc)
    return rc;
  if (sz.int_bytes == 4 && (seed < INT32_MIN || seed > INT32_MAX ||
                            timestamp < INT32_MIN || timestamp > INT32_MAX))
    return lfsc_seterr(ctx, LFSC_EARG, "seed and timestamp must fit the target's 32-bit lua_Integer");
  if (n < 0)
    return lfsc_seterr(ctx, LFSC_EARG, "bad module count");
  imgw w = {ctx, {0}, 0};
  const lfsc_str **names = n ? lfsc_alloc(ctx, (size_t)n * sizeof *names) : NULL;
  const lfsc_str *main_source = lfsc_intern(ctx, "=(luac.cross)", 13);
  if ((n && !names) || !main_source || grow(&w))
    return nomem(&w);
  for (int i = 0; i < n; i++) {
    if (!mods[i].proto || mods[i].proto->lua != LFSC_LUA53)
      return lfsc_seterr(ctx, LFSC_EARG, "%s: not a Lua 5.3 function", mods[i].filename);
    size_t len = lfsc_lfs53_module_name(mods[i].filename, NULL, 0);
    const char *b = base_name(mods[i].filename);
    while (*b == '.')
      b++;
    if (len == 0)
      return lfsc_seterr(ctx, LFSC_EARG, "%s: no module name in this file name", mods[i].filename);
    if (!(names[i] = lfsc_intern(ctx, b, len)))
      return nomem(&w);
    for (int j = 0; j < i; j++)
      if (names[j] == names[i])
        return lfsc_seterr(ctx, LFSC_EARG, "Cannot have duplicate files ('%s') in LFS",
                           base_name(mods[i].filename));
  }
  /* the fixed strings first, so that equal strings of the image refer to them */
  for (int i = 0; i < LFSC_LFS53_NFIXED; i++) {
    const lfsc_str *s = lfsc_intern(ctx, lfsc_lfs53_fixed[i], strlen(lfsc_lfs53_fixed[i]));
    if (!s)
      return nomem(&w);
    add(&w, s, i + 1);
  }
  /* the combined main: its source, then the module names (its constants) */
  add(&w, main_source, 0);
  for (int i = 0; i < n; i++)
    add(&w, names[i], 0);
  for (int i = 0; i < n; i++)
    scan(&w, mods[i].proto, strip);
  if (w.status)
    return w.status;

  strtab *t = &w.t;
  lfsc_nlc_put_header(out, NLC_FORMAT_IMG, sz);
  lfsc_nlc_put_integer(out, seed);
  lfsc_sink_write(out, "\x19ss", 3);
  /* the device sizes its buffers from these: "not enough memory" (17
   * bytes) is the longest fixed string */
  lfsc_nlc_put_count(out, t->maxlen > 17 ? t->maxlen : 17);
  lfsc_nlc_put_count(out, t->nshort + LFSC_LFS53_NFIXED);
  lfsc_nlc_put_count(out, t->nlong);
  lfsc_nlc_put_count(out, (uint64_t)t->n);
  for (int i = 0; i < t->n; i++)
    lfsc_nlc_put_string(out, t->order[i]);
  lfsc_sink_write(out, "\x19pr", 3);
  lfsc_nlc_put_count(out, (uint64_t)n);
  nlc_writer fw = {ctx, out, sz, strip, put_ref, &w, 0};
  for (int i = 0; i < n && !fw.status && !w.status; i++) {
    const lfsc_proto *top = lfsc_nlc_toplevel(ctx, mods[i].proto);
    if (!top)
      return nomem(&w);
    lfsc_nlc_put_function(&fw, top, main_source);
  }
  /* the main's constants: the names, then the timestamp */
  lfsc_nlc_put_count(out, (uint64_t)n + 1);
  for (int i = 0; i < n; i++)
    put_ref(&w, out, names[i]);
  lfsc_nlc_put_integer(out, timestamp);
  if (fw.status)
    return fw.status;
  if (w.status)
    return w.status;
  if (out->status)
    return lfsc_seterr(ctx, out->status, "cannot write output");
  return LFSC_OK;
}

int64_t lfsc_lfs53_content_seed(const unsigned char *img, size_t len)
{
  /* FNV-1a: any stable mix of every byte will do */
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ img[i]) * 16777619u;
  return (int64_t)(h & 0x7FFFFFFFu);
}

int lfsc_lfs53_image_from_modules(lfsc_ctx *ctx, const lfsc_lfs53_module *mods, int n,
                                  lfsc_variant v, int strip, int64_t seed, int64_t timestamp,
                                  lfsc_lfs53_image *out)
{
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  int rc = lfsc_lfs53_write(ctx, mods, n, v, strip, seed, timestamp, &s);
  if (rc == LFSC_OK) {
    /* the reader keeps pointers into ctx only, never into the buffer */
    rc = lfsc_lfs53_read(ctx, s.buf, s.len, "(image)", &v, out);
  }
  lfsc_sink_mem_free(&s);
  return rc;
}

static int meta_name(const char *filename)
{
  char b[3];
  return lfsc_lfs53_module_name(filename, b, sizeof b) >= 2 && b[0] == '_' && b[1] == '_';
}

void lfsc_lfs53_order_modules(lfsc_lfs53_module *mods, int n)
{
  /* stable partition by insertion: n is small and the order matters */
  for (int i = 1; i < n; i++) {
    if (!meta_name(mods[i].filename))
      continue;
    lfsc_lfs53_module m = mods[i];
    int j = i;
    while (j > 0 && !meta_name(mods[j - 1].filename)) {
      mods[j] = mods[j - 1];
      j--;
    }
    mods[j] = m;
  }
}

int lfsc_lfs53_check_modules(lfsc_ctx *ctx, const lfsc_lfs53_module *mods, int n)
{
  if (n > 255)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "%d modules: the firmware finds at most 255 in one LFS image", n);
  for (int i = 0; i < n; i++) {
    size_t len = lfsc_lfs53_module_name(mods[i].filename, NULL, 0);
    if (len > NLC_MAXSHORTLEN)
      return lfsc_seterr(ctx, LFSC_ELIMIT,
                         "%s: module name over %d bytes: the firmware cannot find it",
                         mods[i].filename, NLC_MAXSHORTLEN);
  }
  return LFSC_OK;
}
