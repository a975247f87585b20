/* NodeMCU Lua 5.3 formats against the reference vectors of conformance53/
 * (spec lfs53-formats.md): every .lc read and written back byte for byte
 * (as stored and stripped), the multi-file main, error texts. Prints
 * "N of M" per group and fails when a group checked nothing. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"
#include "lfsc/opcodes53.h"
#include "lua53/nlc.h"
#include "lfs53/lfs53.h"

static const char *dir;
static int failures;

static unsigned char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *b = malloc(cap);
  size_t k;
  while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) {
      unsigned char *nb = realloc(b, cap *= 2);
      if (!nb) {
        free(b);
        b = NULL;
      }
      b = nb;
    }
  }
  fclose(f);
  *len = n;
  return b;
}

static unsigned char *slurpf(size_t *len, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static unsigned char *slurpf(size_t *len, const char *fmt, ...)
{
  char path[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(path, sizeof path, fmt, ap);
  va_end(ap);
  return slurp(path, len);
}

static lfsc_variant variant_of(int bits)
{
  return lfsc_target_variant(bits == 32 ? LFSC_TARGET_53_INT32_SINGLEFP
                                        : LFSC_TARGET_53_INT64_DOUBLEFP);
}

/* first difference, or -1 */
static long diff_at(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
  size_t n = alen < blen ? alen : blen;
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i])
      return (long)i;
  return alen == blen ? -1 : (long)n;
}

/* {================= .lc round trips =================} */

static int lc_bits, lc_strip_out, lc_n, lc_ok;
static const char *lc_sub;

/* read FILE, write it with strip s; compare with EXPECT (a path) */
static int lc_roundtrip(const char *path, const char *expect_path, int strip)
{
  size_t len, elen;
  unsigned char *buf = slurp(path, &len);
  unsigned char *exp = slurp(expect_path, &elen);
  int ok = 0;
  if (!buf || !exp) {
    printf("FAIL cannot read %s or %s\n", path, expect_path);
    goto out;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *f;
  lfsc_variant v = variant_of(lc_bits);
  const char *why = NULL;
  if (lfsc_nlc_read(ctx, buf, len, path, &v, &f, NULL)) {
    printf("FAIL read %s: %s\n", path, lfsc_errmsg(ctx));
  } else if (!lfsc_nlc_check_tree(f, &why, NULL)) {
    printf("FAIL code check %s: %s\n", path, why);
  } else {
    lfsc_sink s;
    lfsc_sink_mem_init(&s);
    if (lfsc_nlc_write(ctx, f, v, strip, &s))
      printf("FAIL write %s: %s\n", path, lfsc_errmsg(ctx));
    else if (diff_at(s.buf, s.len, exp, elen) >= 0)
      printf("FAIL %s -> %s differs at %ld (%zu vs %zu bytes)\n", path, expect_path,
             diff_at(s.buf, s.len, exp, elen), s.len, elen);
    else
      ok = 1;
    lfsc_sink_mem_free(&s);
  }
  lfsc_free(ctx);
out:
  free(buf);
  free(exp);
  return ok;
}

static int lc_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  (void)st;
  (void)ftw;
  size_t n = strlen(path);
  if (type != FTW_F || n < 3 || strcmp(path + n - 3, ".lc") != 0)
    return 0;
  lc_n++;
  lc_ok += lc_roundtrip(path, path, lc_strip_out);
  if (!lc_strip_out) {
    /* the stripped vector from the unstripped one */
    char spath[4096];
    const char *rel = strstr(path, "/lc/");
    snprintf(spath, sizeof spath, "%.*s/lc-s/%s", (int)(rel - path), path, rel + 4);
    FILE *t = fopen(spath, "rb");
    if (t) {
      fclose(t);
      lc_n++;
      lc_ok += lc_roundtrip(path, spath, 1);
    }
  }
  return 0;
}

static void check_as(const char *what, int ok, int n, const char *verb)
{
  printf("%s: %d of %d %s\n", what, ok, n, verb);
  if (n == 0 || ok != n)
    failures++;
}

static void check(const char *what, int ok, int n)
{
  check_as(what, ok, n, "identical");
}


static void test_lc(void)
{
  int tot = 0, totok = 0;
  for (int bits = 32; bits <= 64; bits += 32)
    for (int s = 0; s <= 1; s++) {
      char p[4096];
      snprintf(p, sizeof p, "%s/out/%d/%s", dir, bits, s ? "lc-s" : "lc");
      lc_bits = bits;
      lc_strip_out = s;
      lc_sub = p;
      lc_n = lc_ok = 0;
      nftw(p, lc_visit, 16, FTW_PHYS);
      char what[128];
      snprintf(what, sizeof what, ".lc read->write out/%d/%s%s", bits, s ? "lc-s" : "lc",
               s ? "" : " (+ stripped = lc-s)");
      check(what, lc_ok, lc_n);
      tot += lc_n;
      totok += lc_ok;
    }
  printf(".lc total: %d of %d identical\n", totok, tot);
}

/* two .lc files combined as luac.cross does for several inputs */
static void test_multi(void)
{
  int n = 0, ok = 0;
  for (int bits = 32; bits <= 64; bits += 32) {
    lfsc_ctx *ctx = lfsc_new();
    lfsc_variant v = variant_of(bits);
    lfsc_proto *c[2];
    const char *names[2] = {"arith", "bitwise"};
    int good = 1;
    for (int i = 0; i < 2; i++) {
      size_t len;
      unsigned char *b = slurpf(&len, "%s/out/%d/lc/%s.lc", dir, bits, names[i]);
      good &= b && lfsc_nlc_read(ctx, b, len, names[i], &v, &c[i], NULL) == 0;
      free(b);
    }
    size_t elen;
    unsigned char *exp = slurpf(&elen, "%s/out/%d/lc/multi_arith_bitwise.lc", dir, bits);
    lfsc_proto *m = good ? lfsc_nlc_combine(ctx, c, 2) : NULL;
    lfsc_sink s;
    lfsc_sink_mem_init(&s);
    n++;
    if (m && exp && lfsc_nlc_write(ctx, m, v, 0, &s) == 0 && diff_at(s.buf, s.len, exp, elen) < 0)
      ok++;
    else
      printf("FAIL multi %d: %s\n", bits, lfsc_errmsg(ctx));
    lfsc_sink_mem_free(&s);
    free(exp);
    lfsc_free(ctx);
  }
  check("multi-file .lc (multi_arith_bitwise)", ok, n);
}

/* the reference's error texts for wrong inputs */
static void test_errors(void)
{
  struct {
    const char *file;
    int bits;
    const char *msg;
  } cases[] = {
    {"src/bad/stock53.luac", 32, "x: format mismatch in precompiled chunk"},
    {"out/64/lc/arith.lc", 32, "x: lua_Integer size mismatch in precompiled chunk"},
    {"out/32/lc/arith.lc", 64, "x: lua_Integer size mismatch in precompiled chunk"},
    {"out/32/img/single.img", 32, "x: format mismatch in precompiled chunk"},
  };
  int n = 0, ok = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len;
    unsigned char *b = slurpf(&len, "%s/%s", dir, cases[i].file);
    lfsc_ctx *ctx = lfsc_new();
    lfsc_proto *f;
    lfsc_variant v = variant_of(cases[i].bits);
    n++;
    if (b && lfsc_nlc_read(ctx, b, len, "x", &v, &f, NULL) == LFSC_EFORMAT &&
        strcmp(lfsc_errmsg(ctx), cases[i].msg) == 0)
      ok++;
    else
      printf("FAIL error for %s: got '%s'\n", cases[i].file, lfsc_errmsg(ctx));
    /* every truncation of the file is a clean error */
    if (b && i == 1) {
      int clean = 1;
      lfsc_variant v64 = variant_of(64);
      for (size_t k = 0; k < len; k++) {
        lfsc_ctx *c2 = lfsc_new();
        if (lfsc_nlc_read(c2, b, k, "t", &v64, &f, NULL) != LFSC_EFORMAT)
          clean = 0;
        lfsc_free(c2);
      }
      n++;
      ok += clean;
      if (!clean)
        printf("FAIL a truncated .lc was accepted\n");
    }
    free(b);
    lfsc_free(ctx);
  }
  check("reader error texts + truncations", ok, n);
}

/* {================= images =================} */

/* One image row of MANIFEST.md: output, inputs, seed, timestamp. */
typedef struct imgrow {
  char out[512];
  int bits, strip;
  char *inputs[400];
  int ninputs;
  long long seed, timestamp;
} imgrow;

static char *dupn(const char *s, size_t n)
{
  char *d = malloc(n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* parse "| `out/NN/img[-s]/X.img` | ... | `luac.cross ARGS` | ... | seed S @.., timestamp T @.. |" */
static int parse_row(const char *line, imgrow *r)
{
  memset(r, 0, sizeof *r);
  if (strncmp(line, "| `out/", 7) != 0)
    return 0;
  const char *e = strchr(line + 3, '`');
  if (!e || (size_t)(e - (line + 3)) >= sizeof r->out)
    return 0;
  memcpy(r->out, line + 3, (size_t)(e - (line + 3)));
  if (!strstr(r->out, "/img/") && !strstr(r->out, "/img-s/"))
    return 0;
  r->bits = atoi(r->out + 4);
  r->strip = strstr(r->out, "/img-s/") != NULL;
  const char *c = strstr(e, "`luac.cross ");
  if (!c)
    return 0;
  c += 12;
  const char *ce = strchr(c, '`');
  int skipnext = 0;
  while (c < ce) {
    while (c < ce && *c == ' ')
      c++;
    const char *t = c;
    while (c < ce && *c != ' ')
      c++;
    if (c == t)
      break;
    size_t n = (size_t)(c - t);
    if (skipnext) {
      skipnext = 0;
    } else if (n == 2 && t[0] == '-') {
      skipnext = t[1] == 'o';
    } else if (r->ninputs < 400) {
      r->inputs[r->ninputs++] = dupn(t, n);
    }
  }
  const char *sd = strstr(ce, "seed ");
  const char *ts = strstr(ce, "timestamp ");
  if (!sd || !ts)
    return 0;
  r->seed = strtoll(sd + 5, NULL, 10);
  r->timestamp = strtoll(ts + 10, NULL, 10);
  return 1;
}

static void free_row(imgrow *r)
{
  for (int i = 0; i < r->ninputs; i++)
    free(r->inputs[i]);
}

/* the .lc vector holding input X of a row (its unstripped form) */
static unsigned char *input_lc(const imgrow *r, const char *in, size_t *len, int strip)
{
  size_t n = strlen(in);
  if (n > 3 && strcmp(in + n - 3, ".lc") == 0)
    return slurpf(len, "%s/src/%s", dir, in);
  if (n > 4 && strcmp(in + n - 4, ".lua") == 0)
    n -= 4;
  return slurpf(len, "%s/out/%d/%s/%.*s.lc", dir, r->bits, strip ? "lc-s" : "lc", (int)n, in);
}

static int img_n, img_ok, img_skip, rt_n, rt_ok, ex_n, ex_ok;

static void test_image_row(imgrow *r)
{
  size_t elen;
  unsigned char *exp = slurpf(&elen, "%s/%s", dir, r->out);
  if (!exp) {
    img_skip++;
    return;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_variant v = variant_of(r->bits);
  lfsc_lfs53_module mods[400];
  int good = 1;
  for (int i = 0; i < r->ninputs && good; i++) {
    size_t len;
    unsigned char *b = input_lc(r, r->inputs[i], &len, 0);
    lfsc_proto *f = NULL;
    if (!b || lfsc_nlc_read(ctx, b, len, r->inputs[i], &v, &f, NULL)) {
      printf("SKIP %s: no .lc for %s (%s)\n", r->out, r->inputs[i], b ? lfsc_errmsg(ctx) : "not stored");
      good = 0;
    }
    free(b);
    mods[i].filename = r->inputs[i];
    mods[i].proto = f;
  }
  if (!good) {
    img_skip++;
    goto out;
  }
  /* (a) from the inputs' protos */
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  img_n++;
  if (lfsc_lfs53_write(ctx, mods, r->ninputs, v, r->strip, r->seed, r->timestamp, &s))
    printf("FAIL write %s: %s\n", r->out, lfsc_errmsg(ctx));
  else if (diff_at(s.buf, s.len, exp, elen) >= 0)
    printf("FAIL %s differs at %ld (%zu vs %zu bytes)\n", r->out, diff_at(s.buf, s.len, exp, elen),
           s.len, elen);
  else
    img_ok++;
  lfsc_sink_mem_free(&s);
  /* (b) read the vector, write it back */
  lfsc_lfs53_image img;
  rt_n++;
  if (lfsc_lfs53_read(ctx, exp, elen, r->out, &v, &img)) {
    printf("FAIL read %s: %s\n", r->out, lfsc_errmsg(ctx));
    goto out;
  }
  for (int i = 0; i < img.nmodules; i++) {
    const char *why = NULL;
    mods[i].filename = img.names[i]->data;
    mods[i].proto = img.protos[i];
    if (!lfsc_nlc_check_tree(img.protos[i], &why, NULL))
      printf("FAIL code check %s module %d: %s\n", r->out, i, why);
  }
  lfsc_sink_mem_init(&s);
  if (img.size != elen || img.strip != r->strip || img.seed != r->seed || img.timestamp != r->timestamp)
    printf("FAIL read %s: size %zu strip %d seed %lld ts %lld\n", r->out, img.size, img.strip,
           (long long)img.seed, (long long)img.timestamp);
  else if (lfsc_lfs53_write(ctx, mods, img.nmodules, v, img.strip, img.seed, img.timestamp, &s))
    printf("FAIL rewrite %s: %s\n", r->out, lfsc_errmsg(ctx));
  else if (diff_at(s.buf, s.len, exp, elen) >= 0)
    printf("FAIL rewrite %s differs at %ld\n", r->out, diff_at(s.buf, s.len, exp, elen));
  else
    rt_ok++;
  lfsc_sink_mem_free(&s);
  /* (c) each module extracted as a .lc is its input .lc (inputs that
   * were .lua files: the .lc luac.cross writes for them, -s as the image) */
  for (int i = 0; i < img.nmodules; i++) {
    size_t len;
    unsigned char *b = input_lc(r, r->inputs[i], &len, r->strip);
    lfsc_proto *m = lfsc_nlc_standalone(ctx, img.protos[i]);
    lfsc_sink_mem_init(&s);
    ex_n++;
    if (b && m && lfsc_nlc_write(ctx, m, v, r->strip, &s) == 0 && diff_at(s.buf, s.len, b, len) < 0)
      ex_ok++;
    else
      printf("FAIL extract %s module %d\n", r->out, i);
    lfsc_sink_mem_free(&s);
    free(b);
  }
out:
  free(exp);
  lfsc_free(ctx);
}

static void test_images(void)
{
  size_t len;
  char *man = (char *)slurpf(&len, "%s/MANIFEST.md", dir);
  if (!man) {
    printf("FAIL no MANIFEST.md\n");
    failures++;
    return;
  }
  char *line = man;
  while (line < man + len) {
    char *nl = memchr(line, '\n', (size_t)(man + len - line));
    if (nl)
      *nl = 0;
    imgrow r;
    if (parse_row(line, &r))
      test_image_row(&r);
    free_row(&r);
    line = nl ? nl + 1 : man + len;
  }
  free(man);
  check("image from the inputs' .lc protos (a)", img_ok, img_n);
  check("image read -> write (b)", rt_ok, rt_n);
  check("image module extracted as .lc == its input .lc (c)", ex_ok, ex_n);
  printf("image rows skipped (vector or input .lc not stored): %d\n", img_skip);
}

/* {================= absolute images =================} */

/* Positions of the padding bytes of an absolute image (the reference
 * leaves host memory there: Upvaldesc's 2, a Proto's 3 after maxstacksize,
 * a nil constant's value,
 * the upper half of a boolean's 8-byte value): walk the Protos from protoHead. */
static void pad_mask(const unsigned char *b, size_t len, uint32_t base, unsigned char *mask,
                     size_t tv)
{
  uint32_t at = rd_u32le(b + 32) * 4, guard = 0;
  while (at && at + 76 <= len && guard++ < 1000000) {
    uint32_t nup = rd_u32le(b + at + 12), up = rd_u32le(b + at + 64);
    /* the 3 bytes after maxstacksize are padding too */
    mask[at + 9] = mask[at + 10] = mask[at + 11] = 1;
    /* and the value of a nil constant (the loader sets only its tag) */
    uint32_t nk = rd_u32le(b + at + 16), k = rd_u32le(b + at + 44);
    for (uint32_t i = 0; i < nk && k; i++) {
      size_t o = (size_t)(k - base) + tv * i;
      if (o + tv <= len && rd_u32le(b + o + tv - 4) == 0)
        memset(mask + o, 1, tv - 4);
      /* a boolean sets an int: in a 12-byte TValue 4 value bytes stay */
      if (o + tv <= len && tv == 12 && rd_u32le(b + o + tv - 4) == 1)
        memset(mask + o + 4, 1, 4);
    }
    for (uint32_t i = 0; i < nup && up; i++) {
      size_t o = (size_t)(up - base) + 8 * i + 6;
      if (o + 2 <= len)
        mask[o] = mask[o + 1] = 1;
    }
    uint32_t next = rd_u32le(b + at);
    at = next > base ? next - base : 0;
  }
}

static int abs_n, abs_ok;

static void test_abs_one(const char *name, int bits)
{
  size_t ilen, elen;
  unsigned char *in = slurpf(&ilen, "%s/out/%d/img/%s.img", dir, bits, name);
  unsigned char *exp = slurpf(&elen, "%s/out/%d/abs/%s.abs", dir, bits, name);
  if (!in || !exp) {
    free(in);
    free(exp);
    return;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_variant v = variant_of(bits);
  lfsc_lfs53_image img;
  lfsc_lfs53_abs_opts o = {0x40280000u, 0, 0, 1};
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  abs_n++;
  if (lfsc_lfs53_read(ctx, in, ilen, name, &v, &img) || lfsc_lfs53_abs(ctx, &img, &o, &s)) {
    printf("FAIL abs %d/%s: %s\n", bits, name, lfsc_errmsg(ctx));
  } else {
    unsigned char *mask = calloc(s.len + 1, 1);
    pad_mask(s.buf, s.len, 0x40280000u, mask, bits == 32 ? 8 : 12);
    long bad = -1;
    for (size_t i = 0; i < s.len && i < elen; i++) {
      if (s.buf[i] != exp[i] && !mask[i] && bad < 0)
        bad = (long)i;
    }
    if (s.len != elen || bad >= 0)
      printf("FAIL abs %d/%s differs at %ld (%zu vs %zu bytes)\n", bits, name, bad, s.len, elen);
    else
      abs_ok++;
    free(mask);
  }
  lfsc_sink_mem_free(&s);
  lfsc_free(ctx);
  free(in);
  free(exp);
}

static void test_abs(void)
{
  static const char *const sets[] = {
    "single", "empty", "basic", "strings", "lineinfo", "all", "setlist", "unders", "names",
    "gen255", "gen256", "gen300", "lcinput", "k70000", "loadkx"
  };
  for (int bits = 32; bits <= 64; bits += 32)
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
      test_abs_one(sets[i], bits);
  check("-a 0x40280000 (compat) == abs vector but padding bytes", abs_ok, abs_n);
}

/* {================= -a without the reference's bugs =================} */

/* post-order list of an image's functions (the order the Protos are made) */
static int post_order(const lfsc_proto *f, const lfsc_proto **out, int n, int cap)
{
  for (int i = 0; i < f->sizep; i++)
    n = post_order(f->p[i], out, n, cap);
  if (n < cap)
    out[n] = f;
  return n + 1;
}

/* Every string constant and source of every Proto points at a TString
 * with its own chars; returns the number of wrong ones (-1: bad walk). */
static int check_strings(const unsigned char *b, size_t len, uint32_t base,
                         const lfsc_lfs53_image *img, size_t tv)
{
  enum { CAP = 20000 };
  static const lfsc_proto *want[CAP];
  static uint32_t have[CAP];
  int n = 0, m = 0, bad = 0;
  for (int i = 0; i < img->nmodules; i++)
    n = post_order(img->protos[i], want, n, CAP);
  uint32_t at = rd_u32le(b + 32) * 4;
  while (at && at + 76 <= len && m < CAP) {
    have[m++] = at;
    uint32_t next = rd_u32le(b + at);
    at = next > base ? next - base : 0;
  }
  if (n != m || n > CAP)
    return -1;
  for (int i = 0; i < n; i++) {
    uint32_t pa = have[n - 1 - i];
    const lfsc_proto *f = want[i];
    uint32_t k = rd_u32le(b + pa + 44) - base;
    if ((int)rd_u32le(b + pa + 16) != f->sizek || (int)rd_u32le(b + pa + 20) != f->sizecode)
      return -1;
    for (int j = 0; j < f->sizek; j++) {
      if (f->k[j].type != LFSC_K_STR)
        continue;
      uint32_t ts = rd_u32le(b + k + tv * (size_t)j) - base;
      const lfsc_str *s = f->k[j].u.s;
      uint32_t slen = b[ts + 4] == 0x04 ? b[ts + 7] : rd_u32le(b + ts + 12);
      if (ts + 16 + s->len > len || slen != s->len || memcmp(b + ts + 16, s->data, s->len) != 0)
        bad++;
    }
  }
  return bad;
}

/* The firmware's module lookup (ltable.c rotable_findentry, modelled):
 * a "__" key is looked for only among the leading "__" entries, a long
 * key not at all, at most lsizenode entries. Returns how many of the
 * image's modules it finds. */
static int findable(const unsigned char *b, size_t len, uint32_t base, const lfsc_lfs53_image *img,
                    size_t tv)
{
  uint32_t rot = rd_u32le(b + 28) * 4;
  int tl = b[rot + 7];
  uint32_t e = rd_u32le(b + rot + 12) - base;
  size_t esz = 4 + tv;
  int found = 0;
  for (int i = 0; i < img->nmodules; i++) {
    const lfsc_str *key = img->names[i];
    if (key->len > 40)
      continue;
    int meta = key->len >= 2 && key->data[0] == '_' && key->data[1] == '_';
    for (int j = 0; j < tl && e + esz * (size_t)(j + 1) <= len; j++) {
      const char *k = (const char *)b + rd_u32le(b + e + esz * (size_t)j) - base;
      if (meta && !(k[0] == '_' && k[1] == '_'))
        break;
      if (strcmp(k, key->data) == 0) {
        found++;
        break;
      }
    }
  }
  return found;
}

static int fix_n, fix_ok;

static void test_fixes_one(const char *name, int bits)
{
  size_t ilen;
  unsigned char *in = slurpf(&ilen, "%s/out/%d/img/%s.img", dir, bits, name);
  if (!in)
    return;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_variant v = variant_of(bits);
  lfsc_lfs53_image img;
  size_t tv = bits == 32 ? 8 : 12;
  lfsc_lfs53_abs_opts ref = {0x40280000u, 0, 0, 1}, fix = {0x40280000u, 0, 0, 0};
  lfsc_sink a, b;
  lfsc_sink_mem_init(&a);
  lfsc_sink_mem_init(&b);
  fix_n++;
  if (lfsc_lfs53_read(ctx, in, ilen, name, &v, &img) || lfsc_lfs53_abs(ctx, &img, &ref, &a)) {
    printf("FAIL fixes %d/%s: %s\n", bits, name, lfsc_errmsg(ctx));
    goto out;
  }
  int rc = lfsc_lfs53_abs(ctx, &img, &fix, &b);
  int ref_found = findable(a.buf, a.len, 0x40280000u, &img, tv);
  int ref_badk = check_strings(a.buf, a.len, 0x40280000u, &img, tv);
  int many = img.nmodules > 255, longname = 0;
  for (int i = 0; i < img.nmodules; i++)
    longname |= img.names[i]->len > 40;
  if (many || longname) {
    /* the firmware cannot find them: a clear error instead */
    if (rc == LFSC_ELIMIT) {
      fix_ok++;
      printf("  %d/%s: reference finds %d of %d modules; ours: error \"%s\"\n", bits, name,
             ref_found, img.nmodules, lfsc_errmsg(ctx));
    } else {
      printf("FAIL fixes %d/%s: no error for unfindable modules\n", bits, name);
    }
    goto out;
  }
  if (rc) {
    printf("FAIL fixes %d/%s: %s\n", bits, name, lfsc_errmsg(ctx));
    goto out;
  }
  int found = findable(b.buf, b.len, 0x40280000u, &img, tv);
  int badk = check_strings(b.buf, b.len, 0x40280000u, &img, tv);
  size_t ndiff = 0;
  long first = -1, last = -1;
  for (size_t i = 0; i < a.len && i < b.len; i++)
    if (a.buf[i] != b.buf[i]) {
      ndiff++;
      if (first < 0)
        first = (long)i;
      last = (long)i;
    }
  if (found == img.nmodules && badk == 0 && a.len == b.len) {
    fix_ok++;
    if (ndiff || ref_found != img.nmodules || ref_badk)
      printf("  %d/%s: reference finds %d of %d modules, %d string constants wrong; ours all, "
             "%zu bytes differ in 0x%lx..0x%lx\n", bits, name, ref_found, img.nmodules, ref_badk,
             ndiff, (unsigned long)first, (unsigned long)last);
  } else {
    printf("FAIL fixes %d/%s: finds %d of %d, %d bad string constants\n", bits, name, found,
           img.nmodules, badk);
  }
out:
  lfsc_sink_mem_free(&a);
  lfsc_sink_mem_free(&b);
  lfsc_free(ctx);
  free(in);
}

static void test_fixes(void)
{
  static const char *const sets[] = {
    "single", "empty", "basic", "strings", "lineinfo", "all", "setlist", "unders", "names",
    "gen255", "gen256", "gen300", "lcinput"
  };
  for (int bits = 32; bits <= 64; bits += 32)
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
      test_fixes_one(sets[i], bits);
  /* an -f image with its "__" modules first: the reference's own loader
   * (compat -a models it) finds them all */
  for (int bits = 32; bits <= 64; bits += 32) {
    size_t ilen;
    unsigned char *in = slurpf(&ilen, "%s/out/%d/img/unders.img", dir, bits);
    lfsc_ctx *ctx = lfsc_new();
    lfsc_variant v = variant_of(bits);
    lfsc_lfs53_image img, img2;
    lfsc_lfs53_module mods[6];
    lfsc_lfs53_abs_opts ref = {0x40280000u, 0, 0, 1};
    lfsc_sink a;
    lfsc_sink_mem_init(&a);
    fix_n++;
    if (in && lfsc_lfs53_read(ctx, in, ilen, "u", &v, &img) == 0 && img.nmodules == 6) {
      for (int i = 0; i < 6; i++) {
        mods[i].filename = img.names[i]->data;
        mods[i].proto = img.protos[i];
      }
      lfsc_lfs53_order_modules(mods, 6);
      if (lfsc_lfs53_image_from_modules(ctx, mods, 6, v, 0, img.seed, img.timestamp, &img2) == 0 &&
          lfsc_lfs53_abs(ctx, &img2, &ref, &a) == 0 &&
          findable(a.buf, a.len, 0x40280000u, &img2, bits == 32 ? 8 : 12) == 6) {
        fix_ok++;
        printf("  %d/unders -f with '__' modules first: the reference loader finds 6 of 6\n", bits);
      } else {
        printf("FAIL reordered unders %d\n", bits);
      }
    }
    lfsc_sink_mem_free(&a);
    lfsc_free(ctx);
    free(in);
  }
  check_as("-a (default): every module findable, string constants themselves, or an error",
           fix_ok, fix_n, "passed");
}

/* -m, odd addresses, hostile images: clear errors, never a crash */
static void test_limits(void)
{
  size_t ilen;
  int n = 0, ok = 0;
  unsigned char *in = slurpf(&ilen, "%s/out/32/img/basic.img", dir);
  if (!in) {
    check_as("limits", 0, 0, "passed");
    return;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_variant v = variant_of(32);
  lfsc_lfs53_image img;
  if (lfsc_lfs53_read(ctx, in, ilen, "basic", &v, &img) == 0) {
    struct {
      uint32_t addr, max;
      int rc;
    } cases[] = {
      {0x40280000u, 8408, 0}, {0x40280000u, 8404, LFSC_ELIMIT}, {0, 0, 0}, {0x40200000u, 0, 0},
      {0xFFFFF000u, 0, LFSC_ELIMIT}, {0x40280002u, 0, LFSC_EARG}, {0xFFFFDF00u, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      lfsc_lfs53_abs_opts o = {cases[i].addr, cases[i].max, 0, 0};
      lfsc_sink s;
      lfsc_sink_mem_init(&s);
      int rc = lfsc_lfs53_abs(ctx, &img, &o, &s);
      n++;
      if (rc == cases[i].rc && (rc != 0 || s.len == 8408))
        ok++;
      else
        printf("FAIL -a 0x%08x -m %u: rc %d (%s)\n", (unsigned)cases[i].addr,
               (unsigned)cases[i].max, rc, lfsc_errmsg(ctx));
      lfsc_sink_mem_free(&s);
    }
  }
  /* every truncation, and every single-byte change of the string and
   * function sections, is an error or a well-formed image */
  int clean = 1;
  for (size_t k = 0; k < ilen; k++) {
    lfsc_ctx *c2 = lfsc_new();
    if (lfsc_lfs53_read(c2, in, k, "t", &v, &img) != LFSC_EFORMAT)
      clean = 0;
    lfsc_free(c2);
  }
  n++;
  ok += clean;
  int flips = 0;
  for (size_t k = 21; k < ilen; k++)
    for (int bit = 0; bit < 8; bit++) {
      lfsc_ctx *c2 = lfsc_new();
      in[k] ^= (unsigned char)(1u << bit);
      if (lfsc_lfs53_read(c2, in, ilen, "f", &v, &img) == 0) {
        lfsc_lfs53_abs_opts o = {0x40280000u, 0, 0, 0};
        lfsc_sink s;
        lfsc_sink_mem_init(&s);
        lfsc_lfs53_abs(c2, &img, &o, &s);
        lfsc_sink_mem_free(&s);
        flips++;
      }
      in[k] ^= (unsigned char)(1u << bit);
      lfsc_free(c2);
    }
  printf("  bit flips of basic.img read as images (then built with -a): %d of %zu\n", flips,
         (ilen - 21) * 8);
  lfsc_free(ctx);
  free(in);
  check_as("-a limits and hostile images", ok, n, "passed");
}

/* {================= ESP32 5.3 variants =================} */

/* conformance-esp32/out/53-*: .lc files of the four number variants read
 * and written back; each image rebuilt from its .lc with the image's own
 * seed and timestamp, and read -> written. */
static void test_esp32(const char *edir)
{
  static const char *const vars[] = {"53-32", "53-64", "53-i32f64", "53-i64f32"};
  static const char *const files[] = {"c01_basic", "c03_closures", "c07_methods", "c11_nested",
                                      "c14_misc"};
  int n = 0, ok = 0, ni = 0, oki = 0;
  for (size_t a = 0; a < 4; a++)
    for (size_t b = 0; b < 5; b++) {
      size_t llen, ilen;
      unsigned char *lc = slurpf(&llen, "%s/out/%s/%s.lc", edir, vars[a], files[b]);
      unsigned char *im = slurpf(&ilen, "%s/out/%s/%s.img", edir, vars[a], files[b]);
      lfsc_ctx *ctx = lfsc_new();
      lfsc_proto *f = NULL;
      lfsc_variant v;
      if (lc) {
        lfsc_sink s;
        lfsc_sink_mem_init(&s);
        n++;
        if (lfsc_nlc_read(ctx, lc, llen, files[b], NULL, &f, &v) == 0 &&
            lfsc_nlc_write(ctx, f, v, 0, &s) == 0 && diff_at(s.buf, s.len, lc, llen) < 0)
          ok++;
        else
          printf("FAIL esp32 %s/%s.lc: %s\n", vars[a], files[b], lfsc_errmsg(ctx));
        lfsc_sink_mem_free(&s);
      }
      if (im && f) {
        lfsc_lfs53_image img;
        char fname[64];
        snprintf(fname, sizeof fname, "%s.lua", files[b]);
        lfsc_lfs53_module m = {fname, f};
        lfsc_sink s;
        lfsc_sink_mem_init(&s);
        ni++;
        if (lfsc_lfs53_read(ctx, im, ilen, files[b], &v, &img) == 0 &&
            lfsc_lfs53_write(ctx, &m, 1, v, 0, img.seed, img.timestamp, &s) == 0 &&
            diff_at(s.buf, s.len, im, ilen) < 0)
          oki++;
        else
          printf("FAIL esp32 %s/%s.img: %s\n", vars[a], files[b], lfsc_errmsg(ctx));
        lfsc_sink_mem_free(&s);
      }
      lfsc_free(ctx);
      free(lc);
      free(im);
    }
  /* the ESP32's flash signature carries the number variant */
  static const lfsc_target t[4] = {LFSC_TARGET_53_INT32_SINGLEFP, LFSC_TARGET_53_INT64_DOUBLEFP,
                                   LFSC_TARGET_53_INT32_DOUBLEFP, LFSC_TARGET_53_INT64_SINGLEFP};
  static const uint32_t sig[4] = {0xFAFAA250u, 0xFAFAA253u, 0xFAFAA252u, 0xFAFAA251u};
  for (int i = 0; i < 4; i++) {
    n++;
    if (lfsc_lfs53_signature(lfsc_target_variant(t[i]), 1) == sig[i] &&
        lfsc_lfs53_signature(lfsc_target_variant(t[i]), 0) == 0xFAFAA250u)
      ok++;
    else
      printf("FAIL signature of %s\n", lfsc_target_name(t[i]));
  }
  check("ESP32 5.3 .lc (4 variants) read->write, signatures", ok, n);
  check("ESP32 5.3 images from their .lc (seed/timestamp from the image)", oki, ni);
}

/* {================= the code checker on broken code =================} */

static void test_check(void)
{
  size_t len;
  unsigned char *b = slurpf(&len, "%s/out/64/lc/closures_loops.lc", dir);
  int n = 0, ok = 0;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *f;
  lfsc_variant v = variant_of(64);
  if (b && lfsc_nlc_read(ctx, b, len, "c", &v, &f, NULL) == 0) {
    /* each: an instruction word for pc 0 of the main, and the rule */
    const lfsc_proto *p = f;
    uint32_t keep = p->code[0];
    struct {
      uint32_t word;
      const char *why;
    } cases[] = {
      {(uint32_t)OP53_LOADK | (uint32_t)p->sizek << 14, "constant out of range"},
      {(uint32_t)OP53_MOVE | (uint32_t)p->maxstacksize << 6, "register out of range"},
      {(uint32_t)OP53_GETUPVAL | (uint32_t)p->nups << 23, "upvalue out of range"},
      {(uint32_t)OP53_JMP | (uint32_t)(LFSC_MAXARG_sBx - 5) << 14, "jump out of range"},
      {(uint32_t)OP53_JMP | (uint32_t)(LFSC_MAXARG_sBx + 100000) << 14, "jump out of range"},
      {(uint32_t)OP53_CLOSURE | (uint32_t)p->sizep << 14, "function out of range"},
      {(uint32_t)OP53_ADD | (uint32_t)(0x100 | p->sizek) << 23, "constant out of range"},
      {(uint32_t)OP53_LOADKX, "LOADKX without EXTRAARG"},
      {(uint32_t)OP53_EXTRAARG, "stray EXTRAARG"},
      {(uint32_t)OP53_EQ, "test without a jump"},
      {63, "bad opcode"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const char *why = NULL;
      int pc = -2;
      f->code[0] = cases[i].word;
      n++;
      if (!lfsc_nlc_check_proto(f, NULL, &why, &pc) && pc == 0 && strcmp(why, cases[i].why) == 0)
        ok++;
      else
        printf("FAIL checker case %zu: %s at %d\n", i, why ? why : "accepted", pc);
    }
    f->code[0] = keep;
    const char *why = NULL;
    n++;
    ok += lfsc_nlc_check_tree(f, &why, NULL);
    /* an upvalue descriptor outside its parent */
    if (f->sizep > 0 && f->p[0]->nups > 0) {
      lfsc_upvaldesc d = f->p[0]->upvaldesc[0];
      f->p[0]->upvaldesc[0].instack = 1;
      f->p[0]->upvaldesc[0].idx = f->maxstacksize;
      n++;
      if (!lfsc_nlc_check_tree(f, &why, NULL) && strcmp(why, "upvalue descriptor out of range") == 0)
        ok++;
      f->p[0]->upvaldesc[0] = d;
    }
  }
  free(b);
  lfsc_free(ctx);
  check_as("code checker on broken code", ok, n, "passed");
}

/* {================= the huge vectors (tests/lfs53/huge.sh) =================} */

/* DIR holds NAME.BITS.lc and NAME.BITS.s.lc (made by stock2nlc.py and
 * checked against the manifest's sha256 by huge.sh): read -> write both
 * ways, then write NAME.BITS.img with the manifest's seed and timestamp
 * (huge.sh checks its sha256) and build it with -a. */
static int huge(const char *hdir)
{
  static const struct {
    const char *lc, *img, *mod;
    long long seed32, seed64;
  } sets[] = {
    {"k70000", "k70000", "k70000.lua", 1896459671LL, 1345599515LL},
    {"k_loadkx", "loadkx", "k_loadkx.lua", 1896459671LL, 1345599515LL},
  };
  int n = 0, ok = 0;
  for (size_t i = 0; i < 2; i++)
    for (int bits = 32; bits <= 64; bits += 32) {
      char p[4096], ps[4096];
      snprintf(p, sizeof p, "%s/%s.%d.lc", hdir, sets[i].lc, bits);
      snprintf(ps, sizeof ps, "%s/%s.%d.s.lc", hdir, sets[i].lc, bits);
      lc_bits = bits;
      n += 2;
      ok += lc_roundtrip(p, p, 0);
      ok += lc_roundtrip(p, ps, 1);
      size_t len;
      unsigned char *b = slurp(p, &len);
      lfsc_ctx *ctx = lfsc_new();
      lfsc_variant v = variant_of(bits);
      lfsc_proto *f;
      n++;
      if (b && lfsc_nlc_read(ctx, b, len, p, &v, &f, NULL) == 0) {
        lfsc_lfs53_module m = {sets[i].mod, f};
        lfsc_sink s;
        lfsc_sink_mem_init(&s);
        snprintf(p, sizeof p, "%s/%s.%d.img", hdir, sets[i].img, bits);
        FILE *o = fopen(p, "wb");
        lfsc_lfs53_image img;
        lfsc_lfs53_abs_opts ao = {0x40280000u, 0, 0, 0};
        lfsc_sink a;
        lfsc_sink_mem_init(&a);
        if (o && lfsc_lfs53_write(ctx, &m, 1, v, 0, bits == 32 ? sets[i].seed32 : sets[i].seed64,
                                  1704067200, &s) == 0 &&
            fwrite(s.buf, 1, s.len, o) == s.len &&
            lfsc_lfs53_read(ctx, s.buf, s.len, p, &v, &img) == 0 &&
            lfsc_lfs53_abs(ctx, &img, &ao, &a) == 0) {
          ok++;
          printf("  %s: image %zu bytes, -a %zu bytes\n", p, s.len, a.len);
        } else {
          printf("FAIL %s: %s\n", p, lfsc_errmsg(ctx));
        }
        if (o)
          fclose(o);
        lfsc_sink_mem_free(&s);
        lfsc_sink_mem_free(&a);
      } else {
        printf("FAIL read %s: %s\n", p, lfsc_errmsg(ctx));
      }
      lfsc_free(ctx);
      free(b);
    }
  check_as("huge vectors: .lc round trips, images written, -a built", ok, n, "passed");
  return failures ? 1 : 0;
}

/* {================= helpers for the CLI =================} */

static void test_helpers(void)
{
  int n = 0, ok = 0;
  struct {
    const char *file;
    int format;
    lfsc_nummodel nm;
  } cases[] = {
    {"out/32/lc/arith.lc", 10, LFSC_NUM_I32_F32}, {"out/64/lc/arith.lc", 10, LFSC_NUM_I64_F64},
    {"out/32/img/basic.img", 11, LFSC_NUM_I32_F32}, {"out/64/img-s/all.img", 11, LFSC_NUM_I64_F64},
    {"src/bad/stock53.luac", 0, 0}, {"src/arith.lua", 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len;
    unsigned char *b = slurpf(&len, "%s/%s", dir, cases[i].file);
    int format = 0;
    lfsc_variant v = {0};
    int is = b ? lfsc_nlc_sniff(b, len, &format, &v) : -1;
    n++;
    if (b && (cases[i].format ? is == 1 && format == cases[i].format && v.numbers == cases[i].nm
                              : is == 0))
      ok++;
    else
      printf("FAIL sniff %s\n", cases[i].file);
    free(b);
  }
  /* -a from modules == -a from the image file; content seeds are stable */
  size_t len;
  unsigned char *b = slurpf(&len, "%s/out/32/img/basic.img", dir);
  lfsc_ctx *ctx = lfsc_new();
  lfsc_variant v = variant_of(32);
  lfsc_lfs53_image img, img2;
  lfsc_lfs53_abs_opts o = {0x40280000u, 0, 0, 0};
  lfsc_sink s1, s2, w1, w2;
  lfsc_sink_mem_init(&s1);
  lfsc_sink_mem_init(&s2);
  lfsc_sink_mem_init(&w1);
  lfsc_sink_mem_init(&w2);
  n += 2;
  if (b && lfsc_lfs53_read(ctx, b, len, "basic", &v, &img) == 0) {
    lfsc_lfs53_module mods[8];
    static char names[8][64];
    for (int i = 0; i < img.nmodules && i < 8; i++) {
      snprintf(names[i], sizeof names[i], "dir/%s.lua", img.names[i]->data);
      mods[i].filename = names[i];
      mods[i].proto = img.protos[i];
    }
    if (lfsc_lfs53_image_from_modules(ctx, mods, img.nmodules, v, 0, img.seed, img.timestamp,
                                      &img2) == 0 &&
        lfsc_lfs53_abs(ctx, &img, &o, &s1) == 0 && lfsc_lfs53_abs(ctx, &img2, &o, &s2) == 0 &&
        s1.len == s2.len && memcmp(s1.buf, s2.buf, s1.len) == 0)
      ok++;
    else
      printf("FAIL -a from modules: %s\n", lfsc_errmsg(ctx));
    int64_t seeds[2];
    for (int k = 0; k < 2; k++) {
      lfsc_sink *w = k ? &w2 : &w1;
      lfsc_lfs53_write(ctx, mods, img.nmodules, v, 0, 0, 1704067200, w);
      seeds[k] = lfsc_lfs53_content_seed(w->buf, w->len);
    }
    if (seeds[0] == seeds[1] && seeds[0] > 0 && seeds[0] <= INT32_MAX)
      ok++;
    else
      printf("FAIL content seed\n");
  }
  lfsc_sink_mem_free(&s1);
  lfsc_sink_mem_free(&s2);
  lfsc_sink_mem_free(&w1);
  lfsc_sink_mem_free(&w2);
  lfsc_free(ctx);
  free(b);
  /* -f for the device: "__" modules first, unfindable names refused */
  {
    lfsc_ctx *c3 = lfsc_new();
    lfsc_lfs53_module m[6] = {{"u/a_first.lua", NULL}, {"u/__index.lua", NULL}, {"b_mid.lua", NULL},
                              {"x/__call.lua", NULL}, {"_one.lua", NULL}, {"z__last.lua", NULL}};
    static const char *const want[6] = {"u/__index.lua", "x/__call.lua", "u/a_first.lua",
                                        "b_mid.lua", "_one.lua", "z__last.lua"};
    lfsc_lfs53_order_modules(m, 6);
    int good = 1;
    for (int i = 0; i < 6; i++)
      good &= strcmp(m[i].filename, want[i]) == 0;
    n++;
    ok += good;
    lfsc_lfs53_module l = {"names/a_module_name_longer_than_forty_characters_x.lua", NULL};
    n += 2;
    ok += lfsc_lfs53_check_modules(c3, m, 6) == 0;
    ok += lfsc_lfs53_check_modules(c3, &l, 1) == LFSC_ELIMIT;
    lfsc_free(c3);
  }
  check_as("sniff, -a from modules, content seed, module order", ok, n, "passed");
}

/* {================= reading absolute images =================} */

static void test_abs_read(void)
{
  static const char *const sets[] = {
    "single", "empty", "basic", "strings", "lineinfo", "all", "setlist", "unders", "names",
    "gen255", "gen256", "gen300", "lcinput"
  };
  int n = 0, ok = 0, ni = 0, oki = 0;
  for (int bits = 32; bits <= 64; bits += 32)
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
      size_t alen, ilen;
      unsigned char *ab = slurpf(&alen, "%s/out/%d/abs/%s.abs", dir, bits, sets[i]);
      unsigned char *im = slurpf(&ilen, "%s/out/%d/img/%s.img", dir, bits, sets[i]);
      if (!ab || !im) {
        free(ab);
        free(im);
        continue;
      }
      lfsc_ctx *ctx = lfsc_new();
      lfsc_variant v = variant_of(bits);
      lfsc_lfs53_image img, guess;
      uint32_t addr = 0;
      lfsc_lfs53_abs_opts o = {0x40280000u, 0, 0, 1};
      lfsc_sink s;
      lfsc_sink_mem_init(&s);
      n++;
      if (lfsc_lfs53_abs_read(ctx, ab, alen, sets[i], &v, &img, &addr) != 0 ||
          lfsc_lfs53_abs_read(ctx, ab, alen, sets[i], NULL, &guess, NULL) != 0) {
        printf("FAIL abs read %d/%s: %s\n", bits, sets[i], lfsc_errmsg(ctx));
        goto next;
      }
      /* built again (compat): the same flash, padding aside */
      if (addr == 0x40280000u && guess.variant.numbers == v.numbers &&
          lfsc_lfs53_abs(ctx, &img, &o, &s) == 0 && s.len == alen) {
        unsigned char *mask = calloc(s.len + 1, 1);
        pad_mask(s.buf, s.len, 0x40280000u, mask, bits == 32 ? 8 : 12);
        size_t nd = 0;
        for (size_t k = 0; k < s.len; k++)
          nd += s.buf[k] != ab[k] && !mask[k];
        free(mask);
        /* the reference's "thread"/"proto" constants read as the device
         * sees them ("userdata"/"thread"), so they point elsewhere when
         * built again: 4 bytes each */
        int tp = !strcmp(sets[i], "strings") || !strcmp(sets[i], "all");
        if (nd == 0 || (tp && nd <= 8))
          ok++;
        else
          printf("FAIL abs read %d/%s: rebuilt differs in %zu bytes\n", bits, sets[i], nd);
      } else {
        printf("FAIL abs read %d/%s: rebuild (%s)\n", bits, sets[i], lfsc_errmsg(ctx));
      }
      /* and its modules write the image they came from */
      lfsc_sink_mem_free(&s);
      lfsc_sink_mem_init(&s);
      {
        lfsc_lfs53_module *mods = calloc((size_t)img.nmodules + 1, sizeof *mods);
        for (int k = 0; k < img.nmodules; k++) {
          mods[k].filename = img.names[k]->data;
          mods[k].proto = img.protos[k];
        }
        int tp = !strcmp(sets[i], "strings") || !strcmp(sets[i], "all");
        if (!tp) {
          ni++;
          if (lfsc_lfs53_write(ctx, mods, img.nmodules, v, 0, img.seed, img.timestamp, &s) == 0 &&
              diff_at(s.buf, s.len, im, ilen) < 0)
            oki++;
          else
            printf("FAIL abs -> img %d/%s: %s\n", bits, sets[i], lfsc_errmsg(ctx));
        }
        free(mods);
      }
    next:
      lfsc_sink_mem_free(&s);
      lfsc_free(ctx);
      free(ab);
      free(im);
    }
  check_as("abs vector read, -a again (compat) == the vector", ok, n, "passed");
  check("abs vector read -> -f image == the img vector (sets without thread/proto)", oki, ni);
  /* every truncation of one is an error */
  size_t alen;
  unsigned char *ab = slurpf(&alen, "%s/out/32/abs/basic.abs", dir);
  int clean = 1, flips = 0;
  for (size_t k = 0; ab && k < alen; k += 3) {
    lfsc_ctx *c2 = lfsc_new();
    lfsc_lfs53_image img;
    if (lfsc_lfs53_abs_read(c2, ab, k, "t", NULL, &img, NULL) != LFSC_EFORMAT)
      clean = 0;
    lfsc_free(c2);
  }
  for (size_t k = 0; ab && k < alen; k++)
    for (int bit = 0; bit < 8; bit += 3) {
      lfsc_ctx *c2 = lfsc_new();
      lfsc_lfs53_image img;
      ab[k] ^= (unsigned char)(1u << bit);
      if (lfsc_lfs53_abs_read(c2, ab, alen, "f", NULL, &img, NULL) == 0)
        flips++;
      ab[k] ^= (unsigned char)(1u << bit);
      lfsc_free(c2);
    }
  printf("  bit flips of basic.abs still read: %d of %zu\n", flips, ab ? alen * 3 : 0);
  free(ab);
  check_as("abs reader on truncations", clean, 1, "passed");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: test_formats53 CONFORMANCE53_DIR [CONFORMANCE_ESP32_DIR]\n");
    return 2;
  }
  if (argc == 3 && strcmp(argv[1], "--huge") == 0)
    return huge(argv[2]);
  dir = argv[1];
  test_lc();
  test_multi();
  test_errors();
  test_check();
  test_images();
  test_abs();
  test_fixes();
  test_abs_read();
  test_limits();
  test_helpers();
  if (argc > 2)
    test_esp32(argv[2]);
  if (failures)
    printf("%d group(s) failed\n", failures);
  return failures ? 1 : 0;
}
