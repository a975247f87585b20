/*
 * Host tests of the freestanding target loader (src/platform/esp8266/loader) against a
 * simulated NOR flash: every conformance vector, crafted bad input, every
 * truncation and single-bit flip of a few vectors, and a power cut after
 * every erase and write of a load (parking included).
 *
 * Built twice: as test_loader with the default bitmap buffer and as
 * test_loader_strips with LFS_BMBUF_BYTES=128 and LFS_PARK_BYTES=384, so
 * images above 4 KB span several strips and have their bitmap parked in
 * flash: up to 12 KB from the window after the check, above that in a
 * pass of its own.
 */
#include <dirent.h>

#include "test_loader_sim.h"

static lfs_ctx ctx;             /* ~23 KB: too big for a cmocka stack */

static const char *const variants[3] = { "float", "float16", "int" };
static const uint32_t variant_sig[3] = { LFSIMG_SIG_FLOAT, LFSIMG_SIG_FLOAT16, LFSIMG_SIG_INT };

static long n_truncations, n_flips, n_flips_accepted, n_cuts, n_vectors;
static long n_parked, n_stripped;     /* multi-strip PI loads: bitmap parked from the window, in a pass */

static int has_suffix(const char *s, const char *suf)
{
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

/* snprintf that fails the test rather than truncate. */
static void fmt(char *buf, size_t size, const char *f, ...)
{
  va_list ap;
  int n;

  va_start(ap, f);
  n = vsnprintf(buf, size, f, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < size);
}

static unsigned char *vector(const char *rel, size_t *len)
{
  char path[1024];
  unsigned char *b;

  fmt(path, sizeof path, "%s/%s", LFSC_CONFORMANCE_DIR, rel);
  b = read_file(path, len);
  if (!b)
    fail_msg("cannot read %s", path);
  return b;
}

/* The input is read from its start once per pass (inflate). */
static long n_inflates;

static int32_t counted_read(void *arg, uint32_t pos, uint8_t *buf, uint32_t len)
{
  n_inflates += pos == 0;
  return mem_read(arg, pos, buf, len);
}

/* One load; returns the error code. The flash counters are reset first. */
static int load(sim_flash *f, const unsigned char *img, uint32_t len, uint32_t base,
                uint32_t region, uint32_t variant)
{
  mem_in in = { img, len, 0, -1 };
  lfs_flash_ops ops = sim_ops;

  ops.arg = f;
  sim_counters_reset(f);
  n_inflates = 0;
  return lfs_load(&ctx, counted_read, &in, &ops, base, region, variant);
}

static int check(sim_flash *f, uint32_t base, uint32_t region, uint32_t variant, lfs_info *info)
{
  lfs_flash_ops ops = sim_ops;

  ops.arg = f;
  return lfs_check(&ops, base, region, variant, info);
}

static const char *message(void)
{
  static char buf[160];
  return lfs_message(&ctx, buf, sizeof buf);
}

/* The erases and inflates a load of a size-byte image should make: each
 * sector of the image erased once, in 2 inflates (check, write). A PI
 * image over one strip has its bitmap parked in flash first (loader.c),
 * which erases sector 0 and the first sector of each further strip once
 * more; from the window after the check when the bitmap fits
 * LFS_PARK_BYTES, else in a third inflate. Counts the loads of each way. */
static uint32_t expected_erases(uint32_t size)
{
  uint32_t words = size / 4, strips = (words + LFS_BMBUF_BYTES * 8 - 1) / (LFS_BMBUF_BYTES * 8);
  uint32_t sectors = (size + LFS_SECTOR - 1) / LFS_SECTOR;

  if (!ctx.pi || strips < 2) {
    assert_int_equal(n_inflates, 2);
    return sectors;
  }
  if ((words + 31) / 32 * 4 > LFS_PARK_BYTES) {
    assert_int_equal(n_inflates, 3);
    n_stripped++;
  } else {
    assert_int_equal(n_inflates, 2);
    n_parked++;
  }
  return sectors + strips;
}

/* The region must hold exactly `want` (size bytes), lfs_check must call it
 * valid, and only the sectors the image covers may have been erased. */
static void assert_region(sim_flash *f, const unsigned char *want, uint32_t size,
                          uint32_t base, uint32_t variant, const char *what)
{
  unsigned char *got = sim_bytes(f, size);
  lfs_info info;
  uint32_t i;

  for (i = 0; i < size; i++)
    if (got[i] != want[i])
      fail_msg("%s: region differs at byte %u: %02x, expected %02x", what, i, got[i], want[i]);
  free(got);
  assert_int_equal(f->violations, 0);
  assert_int_equal(f->erases, expected_erases(size));
  assert_int_equal(check(f, base, SIM_REGION, variant, &info), LFS_VALID);
  assert_int_equal(info.size, size);
  assert_int_equal(info.main_proto, base + size - LFSIMG_PROTO_BYTES);
  assert_int_equal(info.rostrt, base + LFSIMG_HEADER_BYTES);
  assert_int_equal(info.nrouse, le32(want + 16));
  assert_int_equal(info.nrosize, le32(want + 20));
}

/* Untouched sectors past the image keep their old contents. */
static void assert_rest_untouched(const sim_flash *f, uint32_t size, uint32_t fill)
{
  uint32_t i = ((size + LFS_SECTOR - 1) / LFS_SECTOR) * (LFS_SECTOR / 4);

  for (; i < f->nwords; i++)
    if (f->w[i] != (fill ^ (i * 0x9E3779B9u)))
      fail_msg("word %u past the image was changed", i);
}

/* Load one PI vector and compare with the ABS vector beside it (when there
 * is one) and with zlib's gunzip relocated by the test. */
static void load_pi_vector(const char *dir, const char *name, uint32_t variant)
{
  char rel[512], absrel[512];
  size_t len, alen, elen;
  unsigned char *img, *abs, *exp;
  const char *dot;
  sim_flash f;
  int rc;

  fmt(rel, sizeof rel, "%s/%s", dir, name);
  img = vector(rel, &len);
  sim_init(&f, SIM_REGION, 0xA5C3F00Fu);
  rc = load(&f, img, (uint32_t)len, SIM_BASE, SIM_REGION, variant);
  if (strstr(name, "quirk_sigbytes")) {
    /* legal deflate that the stock loader refuses: we refuse it too */
    if (rc != LFS_E_DISTANCE)
      fail_msg("%s: got %d (%s), expected the distance error", rel, rc, message());
    assert_int_equal(ctx.e2, ctx.e1);          /* distance == bytes output */
    assert_int_equal(f.ops, 0);
    free(img);
    free(f.w);
    return;
  }
  if (rc != LFS_OK)
    fail_msg("%s: %s", rel, message());
  exp = expect_from_pi(img, len, SIM_BASE, &elen);
  assert_region(&f, exp, (uint32_t)elen, SIM_BASE, variant, rel);
  assert_rest_untouched(&f, (uint32_t)elen, 0xA5C3F00Fu);
  dot = strstr(name, ".pi");
  fmt(absrel, sizeof absrel, "%s/%.*s.abs.img", dir, (int)(dot - name), name);
  fmt(rel, sizeof rel, "%s/%s", LFSC_CONFORMANCE_DIR, absrel);
  abs = read_file(rel, &alen);
  if (abs) {
    assert_int_equal(alen, elen);
    assert_memory_equal(abs, exp, alen);
    free(abs);
  } else {
    assert_string_equal(name, "stdin.pi.img");   /* the only PI vector without one */
  }
  n_vectors++;
  free(exp);
  free(img);
  free(f.w);
}

static void load_abs_vector(const char *dir, const char *name, uint32_t variant)
{
  char rel[512];
  size_t len;
  unsigned char *img;
  const char *at = strstr(name, ".abs-");
  uint32_t base = at ? (uint32_t)strtoul(at + 5, NULL, 16) : SIM_BASE;
  sim_flash f;

  fmt(rel, sizeof rel, "%s/%s", dir, name);
  img = vector(rel, &len);
  sim_init(&f, SIM_REGION, 0x0F0F1234u);
  if (load(&f, img, (uint32_t)len, base, SIM_REGION, variant) != LFS_OK)
    fail_msg("%s: %s", rel, message());
  assert_region(&f, img, (uint32_t)len, base, variant, rel);
  assert_rest_untouched(&f, (uint32_t)len, 0x0F0F1234u);
  n_vectors++;
  free(img);
  free(f.w);
}

static void each_vector(int want_pi)
{
  int v, single;

  for (v = 0; v < 3; v++)
    for (single = 0; single < 2; single++) {
      char dir[512], path[1024];
      struct dirent *de;
      DIR *d;

      fmt(dir, sizeof dir, "%s%s", variants[v], single ? "/single" : "");
      fmt(path, sizeof path, "%s/%s", LFSC_CONFORMANCE_DIR, dir);
      d = opendir(path);
      assert_non_null(d);
      while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (!has_suffix(n, ".img") || strstr(n, ".fail."))
          continue;
        if (want_pi && strstr(n, ".pi"))
          load_pi_vector(dir, n, variant_sig[v]);
        else if (!want_pi && strstr(n, ".abs"))
          load_abs_vector(dir, n, variant_sig[v]);
      }
      closedir(d);
    }
}

static void test_loader_pi_vectors(void **state)
{
  (void)state;
  n_vectors = 0;
  each_vector(1);
  print_message("loader: %ld PI vectors loaded and compared (quirk_sigbytes x3 rejected)\n",
                n_vectors);
  assert_true(n_vectors >= 60);
}

static void test_loader_abs_vectors(void **state)
{
  (void)state;
  n_vectors = 0;
  each_vector(0);
  print_message("loader: %ld ABS vectors loaded unchanged\n", n_vectors);
  assert_true(n_vectors >= 60);
}

/* Rejections that must happen in the check, before any flash operation. */
static void expect_reject(const unsigned char *img, size_t len, uint32_t base, uint32_t region,
                          uint32_t variant, int err, const char *msg)
{
  sim_flash f;
  int rc;

  sim_init(&f, SIM_REGION, 1);
  rc = load(&f, img, (uint32_t)len, base, region, variant);
  if (rc != err)
    fail_msg("got error %d (%s), expected %d", rc, message(), err);
  assert_int_equal(f.ops, 0);
  if (msg && strcmp(message(), msg))
    fail_msg("message \"%s\", expected \"%s\"", message(), msg);
  free(f.w);
}

static void test_loader_wrong_variant(void **state)
{
  size_t len;
  unsigned char *img;

  (void)state;
  img = vector("int/single/c01_basic.pi.img", &len);
  expect_reject(img, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_VARIANT,
                "image is an integer build, firmware is float");
  expect_reject(img, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT16, LFS_E_VARIANT,
                "image is an integer build, firmware is float16");
  free(img);
  img = vector("float/single/c01_basic.abs.img", &len);
  expect_reject(img, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, LFS_E_VARIANT,
                "image is a float build, firmware is integer");
  free(img);
}

static void test_loader_too_big_and_base(void **state)
{
  size_t len;
  unsigned char *img;

  (void)state;
  img = vector("float/multi.pi.img", &len);
  expect_reject(img, len, SIM_BASE, 8192, LFSIMG_SIG_FLOAT, LFS_E_TOOBIG,
                "image needs 10672 bytes, region has 8192");
  expect_reject(img, len, SIM_BASE, 8190, LFSIMG_SIG_FLOAT, LFS_E_PARAM, NULL);
  free(img);
  img = vector("float/all.abs.img", &len);
  expect_reject(img, len, SIM_BASE, 65536, LFSIMG_SIG_FLOAT, LFS_E_TOOBIG,
                "image needs 106036 bytes, region has 65536");
  expect_reject(img, len, 0x40210000u, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_BASE,
                "image is built for base 0x40280000, region is at 0x40210000");
  free(img);
  img = vector("float/all.abs-0x40210000.img", &len);
  expect_reject(img, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_BASE,
                "image is built for base 0x40210000, region is at 0x40280000");
  free(img);
}

/* Re-gzip a vector's decoded bytes after `edit`, with stored blocks. */
static unsigned char *regzip(const char *rel, void (*edit)(unsigned char *, size_t *),
                             size_t *outlen)
{
  size_t len, n;
  unsigned char *img = vector(rel, &len), *s = gunzip(img, len, &n), *gz;

  s = realloc(s, n + 64);
  assert_non_null(s);
  if (edit)
    edit(s, &n);
  gz = gzip_with(s, n, 0, 14, NULL, outlen);
  free(s);
  free(img);
  return gz;
}

static void edit_version(unsigned char *s, size_t *n)
{
  (void)n;
  s[1] = (unsigned char)((s[1] & 0xF0) | 2);
}

static void edit_absbit(unsigned char *s, size_t *n)
{
  (void)n;
  s[0] |= 1;
}

static void edit_inprogress(unsigned char *s, size_t *n)
{
  (void)n;
  s[0] |= 8;
}

static void edit_notlfs(unsigned char *s, size_t *n)
{
  (void)n;
  s[3] = 0x12;
}

static void edit_extra_word(unsigned char *s, size_t *n)
{
  memset(s + *n, 0, 4);
  *n += 4;
}

static void edit_short(unsigned char *s, size_t *n)
{
  (void)s;
  *n -= 4;
}

static void edit_size(unsigned char *s, size_t *n)
{
  (void)n;
  put_le32(s + 4, le32(s + 4) + 4);
}

static void edit_bitmap_tail(unsigned char *s, size_t *n)
{
  s[*n - 1] |= 0x80;          /* a bit past the last image word */
}

static void edit_flag_sig(unsigned char *s, size_t *n)
{
  s[le32(s + 4)] |= 1;        /* bitmap flags the signature word */
  (void)n;
}

static void test_loader_bad_images(void **state)
{
  static const struct {
    void (*edit)(unsigned char *, size_t *);
    int err;
  } cases[] = {
    { edit_version, LFS_E_VERSION }, { edit_absbit, LFS_E_KIND },
    { edit_inprogress, LFS_E_KIND }, { edit_notlfs, LFS_E_NOTLFS },
    { edit_extra_word, LFS_E_LENGTH }, { edit_short, LFS_E_LENGTH },
    { edit_size, LFS_E_HEADER }, { edit_bitmap_tail, LFS_E_HEADER },
    { edit_flag_sig, LFS_E_HEADER },
  };
  size_t i, len;
  unsigned char *gz;

  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    gz = regzip("float/single/c13_lines.pi.img", cases[i].edit, &len);
    expect_reject(gz, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, cases[i].err, NULL);
    free(gz);
  }
  /* the gzip framing itself */
  gz = regzip("float/single/c13_lines.pi.img", NULL, &len);
  gz = realloc(gz, len + 1);
  assert_non_null(gz);
  gz[len] = 0;
  expect_reject(gz, len + 1, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_TRAILING, NULL);
  gz[len - 8] ^= 0x40;                                    /* CRC */
  expect_reject(gz, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_CRC, NULL);
  gz[len - 8] ^= 0x40;
  gz[len - 3] ^= 0x01;                                    /* ISIZE */
  expect_reject(gz, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_LENGTH, NULL);
  gz[len - 3] ^= 0x01;
  gz[2] = 7;                                              /* CM */
  expect_reject(gz, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_GZIP, NULL);
  gz[2] = 8;
  gz[3] = 0x20;                                           /* reserved flag */
  expect_reject(gz, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_GZIP, NULL);
  gz[3] = 0;
  gz[10] |= 6;                                            /* BTYPE 3 */
  expect_reject(gz, len, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_DEFLATE, NULL);
  free(gz);
  /* garbage and empty files */
  expect_reject((const unsigned char *)"not an image at all, just some text....", 40,
                SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, LFS_E_NOTLFS, NULL);
  expect_reject((const unsigned char *)"", 0, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT,
                LFS_E_TRUNCATED, "image truncated after 0 bytes");
}

static void test_loader_read_error(void **state)
{
  size_t len;
  unsigned char *img = vector("float/multi.pi.img", &len);
  mem_in in = { img, (uint32_t)len, 0, 1000 };
  lfs_flash_ops ops = sim_ops;
  sim_flash f;

  (void)state;
  sim_init(&f, SIM_REGION, 3);
  ops.arg = &f;
  assert_int_equal(lfs_load(&ctx, mem_read, &in, &ops, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT),
                   LFS_E_READ);
  assert_int_equal(f.ops, 0);
  free(img);
  free(f.w);
}

/* Other encoders: stored, fixed-only and dynamic blocks from zlib, and
 * every optional gzip header field. */
static void test_loader_other_encoders(void **state)
{
  static const char *const rels[] = { "float/multi.pi.img", "int/all.pi.img",
                                      "float16/single/c05_strings.pi.img" };
  size_t i, len, n, elen, glen;
  int level;

  (void)state;
  for (i = 0; i < 3; i++) {
    unsigned char *img = vector(rels[i], &len), *s = gunzip(img, len, &n);
    unsigned char *exp = expect_from_pi(img, len, SIM_BASE, &elen);
    uint32_t var = le32(s) & ~1u;
    for (level = 0; level <= 9; level += 3) {
      unsigned char extra[6] = { 'L', 'F', 2, 0, 1, 2 };
      gz_header h;
      unsigned char *gz;
      sim_flash f;
      int rc;

      memset(&h, 0, sizeof h);
      h.extra = extra;
      h.extra_len = sizeof extra;
      h.name = (Bytef *)"image.lfs";
      h.comment = (Bytef *)"made by zlib";
      h.hcrc = 1;
      gz = gzip_with(s, n, level, 14, level == 3 ? &h : NULL, &glen);
      sim_init(&f, SIM_REGION, 7);
      rc = load(&f, gz, (uint32_t)glen, SIM_BASE, SIM_REGION, var);
      /* zlib may reach back to output byte 0, which we refuse like the
       * stock loader; anything else must load. */
      if (rc == LFS_E_DISTANCE)
        assert_int_equal(ctx.e1, ctx.e2);
      else if (rc != LFS_OK)
        fail_msg("%s level %d: %s", rels[i], level, message());
      else
        assert_region(&f, exp, (uint32_t)elen, SIM_BASE, var, rels[i]);
      free(gz);
      free(f.w);
    }
    free(exp);
    free(s);
    free(img);
  }
}

/* Load gz (a PI image) and compare the region with what the stub should
 * write; zlib may reach back to output byte 0, which is refused like the
 * stock loader does. */
static void load_and_compare(const unsigned char *gz, size_t glen, uint32_t var, const char *what)
{
  size_t elen;
  unsigned char *exp = expect_from_pi(gz, glen, SIM_BASE, &elen);
  sim_flash f;
  int rc;

  sim_init(&f, SIM_REGION, 7);
  rc = load(&f, gz, (uint32_t)glen, SIM_BASE, SIM_REGION, var);
  if (rc == LFS_E_DISTANCE)
    assert_int_equal(ctx.e1, ctx.e2);
  else if (rc != LFS_OK)
    fail_msg("%s: %s", what, message());
  else
    assert_region(&f, exp, (uint32_t)elen, SIM_BASE, var, what);
  free(exp);
  free(f.w);
}

/* Every zlib strategy (filtered, Huffman only, RLE, fixed) at the smallest
 * and largest memLevel: block shapes and code sets the default misses. */
static void test_loader_strategies(void **state)
{
  static const char *const rels[] = { "float16/all.pi.img", "int/multi.pi.img" };
  static const int strategies[] = { Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED };
  size_t i, j, len, n, glen;
  int mem;
  char what[160];

  (void)state;
  for (i = 0; i < 2; i++) {
    unsigned char *img = vector(rels[i], &len), *s = gunzip(img, len, &n);
    uint32_t var = le32(s) & ~1u;
    for (j = 0; j < 4; j++)
      for (mem = 1; mem <= 9; mem += 8) {
        unsigned char *gz;

        sim_strategy = strategies[j];
        sim_mem_level = mem;
        gz = gzip_with(s, n, 9, 14, NULL, &glen);
        fmt(what, sizeof what, "%s strategy %d memLevel %d", rels[i], strategies[j], mem);
        load_and_compare(gz, glen, var, what);
        free(gz);
      }
    free(s);
    free(img);
  }
  sim_strategy = Z_DEFAULT_STRATEGY;
  sim_mem_level = 9;
}

/* Huffman codes of every length up to 15 bits: an image whose body bytes
 * have geometric frequencies (byte k with probability 2^-(k+1)), so most
 * codes are longer than the first-level table and the longest reach
 * zlib's limit. The header and the bitmap stay valid. */
static void test_loader_long_codes(void **state)
{
  size_t len, n, glen, k;
  unsigned char *img = vector("float16/all.pi.img", &len), *s = gunzip(img, len, &n), *gz;
  uint32_t size = le32(s + 4), var = le32(s) & ~1u, r = 12345;
  int strategy;

  (void)state;
  for (k = LFSIMG_HEADER_BYTES; k < size - LFSIMG_PROTO_BYTES; k++) {
    unsigned char v = 0;
    r = r * 1103515245u + 12345u;
    while (v < 30 && (r >> (16 + v % 16) & 1))
      v++;
    s[k] = v;
  }
  for (strategy = 0; strategy < 2; strategy++) {
    sim_strategy = strategy ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
    gz = gzip_with(s, n, 9, 14, NULL, &glen);
    load_and_compare(gz, glen, var, strategy ? "long codes, Huffman only" : "long codes");
    free(gz);
  }
  sim_strategy = Z_DEFAULT_STRATEGY;
  free(s);
  free(img);
}

/* A 32 KB-window deflate of a big image reaches back further than 16 KB:
 * refused in the check, as the stock loader would. */
static void test_loader_far_distance(void **state)
{
  int v;

  (void)state;
  for (v = 0; v < 3; v++) {
    char rel[64];
    size_t len, n, glen;
    unsigned char *img, *s, *gz;
    sim_flash f;

    fmt(rel, sizeof rel, "%s/all.pi.img", variants[v]);
    img = vector(rel, &len);
    s = gunzip(img, len, &n);
    gz = gzip_with(s, n, 9, 15, NULL, &glen);
    sim_init(&f, SIM_REGION, 2);
    assert_int_equal(load(&f, gz, (uint32_t)glen, SIM_BASE, SIM_REGION, variant_sig[v]),
                     LFS_E_DISTANCE);
    assert_true(ctx.e1 > LFS_WINDOW);
    assert_int_equal(f.ops, 0);
    free(f.w);
    free(gz);
    free(s);
    free(img);
  }
}

/* Every prefix of a file is rejected without a flash operation. */
static void truncations(const char *rel, uint32_t variant)
{
  size_t len, cut;
  unsigned char *img = vector(rel, &len);
  sim_flash f;

  sim_init(&f, SIM_REGION, 5);
  for (cut = 0; cut < len; cut++) {
    int rc = load(&f, img, (uint32_t)cut, SIM_BASE, SIM_REGION, variant);
    if (rc == LFS_OK || f.ops != 0)
      fail_msg("%s cut to %zu bytes: rc %d, %ld flash ops", rel, cut, rc, f.ops);
    n_truncations++;
  }
  free(img);
  free(f.w);
}

static void test_loader_truncations(void **state)
{
  (void)state;
  n_truncations = 0;
  truncations("float/single/c15_empty.pi.img", LFSIMG_SIG_FLOAT);
  truncations("int/single/c20_linefix.pi.img", LFSIMG_SIG_INT);
  truncations("float16/single/init.pi.img", LFSIMG_SIG_FLOAT16);
  truncations("float/many50.pi.img", LFSIMG_SIG_FLOAT);
  truncations("float/single/c15_empty.abs.img", LFSIMG_SIG_FLOAT);
  truncations("int/single/c01_basic.abs.img", LFSIMG_SIG_INT);
  print_message("loader: %ld truncated inputs rejected, none touched the flash\n",
                n_truncations);
}

/* Every single-bit flip of a PI file: rejected in the check, or loaded
 * correctly. Flips are harmless in FLG.FTEXT, MTIME, XFL, OS, the padding
 * after end-of-block, and where a changed back-reference still copies the
 * same bytes (runs of zeros); zlib must then agree the file decodes to the
 * same bytes. */
static void flips(const char *rel, uint32_t variant)
{
  size_t len, elen, byte;
  unsigned char *img = vector(rel, &len);
  unsigned char *exp = expect_from_pi(img, len, SIM_BASE, &elen);
  unsigned bit;
  sim_flash f;

  sim_init(&f, SIM_REGION, 9);
  for (byte = 0; byte < len; byte++)
    for (bit = 0; bit < 8; bit++) {
      int rc;
      img[byte] ^= (unsigned char)(1u << bit);
      rc = load(&f, img, (uint32_t)len, SIM_BASE, SIM_REGION, variant);
      img[byte] ^= (unsigned char)(1u << bit);
      n_flips++;
      if (rc == LFS_OK) {
        size_t zlen;
        unsigned char *z;
        img[byte] ^= (unsigned char)(1u << bit);
        z = gunzip(img, len, &zlen);
        img[byte] ^= (unsigned char)(1u << bit);
        assert_int_equal(zlen, elen + 4 * ((elen / 4 + 31) / 32));
        free(z);
        assert_region(&f, exp, (uint32_t)elen, SIM_BASE, variant, rel);
        n_flips_accepted++;
      } else if (f.ops != 0) {
        fail_msg("%s: flip of byte %zu bit %u: %ld flash ops before rejection", rel, byte,
                 bit, f.ops);
      }
    }
  free(exp);
  free(img);
  free(f.w);
}

static void test_loader_bit_flips(void **state)
{
  (void)state;
  n_flips = n_flips_accepted = 0;
  flips("float/single/c15_empty.pi.img", LFSIMG_SIG_FLOAT);
  flips("int/single/c20_linefix.pi.img", LFSIMG_SIG_INT);
  flips("float16/single/init.pi.img", LFSIMG_SIG_FLOAT16);
  print_message("loader: %ld single-bit flips, %ld rejected before any flash op, "
                "%ld harmless (ignored fields, padding, same bytes copied) loaded correctly\n",
                n_flips, n_flips - n_flips_accepted, n_flips_accepted);
}

/* Cut the power after each of the n operations of a load (erases, writes
 * and the final flag write) over an old valid image: lfs_check must never
 * say valid until the last one, and then the region must be right. */
static void power_cuts(const char *rel, const char *oldrel, uint32_t variant)
{
  size_t len, olen, elen;
  unsigned char *img = vector(rel, &len), *old = vector(oldrel, &olen), *exp;
  sim_flash f;
  lfs_info info;
  long total, k;
  int st;

  exp = img[0] == 0x1F ? expect_from_pi(img, len, SIM_BASE, &elen) : NULL;
  if (!exp) {
    exp = img;
    elen = len;
  }
  sim_init(&f, SIM_REGION, 11);
  assert_int_equal(load(&f, old, (uint32_t)olen, SIM_BASE, SIM_REGION, variant), LFS_OK);
  assert_int_equal(load(&f, img, (uint32_t)len, SIM_BASE, SIM_REGION, variant), LFS_OK);
  total = f.ops;
  assert_int_equal(total, f.erases + f.writes);
  for (k = 1; k <= total; k++) {
    int rc;

    assert_int_equal(load(&f, old, (uint32_t)olen, SIM_BASE, SIM_REGION, variant), LFS_OK);
    sim_counters_reset(&f);
    f.budget = k;
    {
      mem_in in = { img, (uint32_t)len, 0, -1 };
      lfs_flash_ops ops = sim_ops;
      ops.arg = &f;
      n_inflates = 0;
      rc = lfs_load(&ctx, counted_read, &in, &ops, SIM_BASE, SIM_REGION, variant);
    }
    assert_int_equal(f.violations, 0);
    st = check(&f, SIM_BASE, SIM_REGION, variant, &info);
    n_cuts++;
    if (k < total) {
      assert_int_equal(rc, LFS_E_FLASH);
      if (st != LFS_INCOMPLETE && st != LFS_EMPTY)
        fail_msg("%s: cut after op %ld of %ld left state %d", rel, k, total, st);
    } else {
      assert_int_equal(rc, LFS_OK);
      assert_int_equal(st, LFS_VALID);
      assert_region(&f, exp, (uint32_t)elen, SIM_BASE, variant, rel);
    }
  }
  if (exp != img)
    free(exp);
  free(img);
  free(old);
  free(f.w);
}

static void test_loader_power_cuts(void **state)
{
  long parked = n_parked, stripped = n_stripped;

  (void)state;
  n_cuts = 0;
  power_cuts("float/single/c15_empty.pi.img", "float/single/c01_basic.abs.img", LFSIMG_SIG_FLOAT);
  power_cuts("float/multi.pi.img", "float/single/c20_linefix.pi.img", LFSIMG_SIG_FLOAT);
  power_cuts("int/multi.pi.img", "int/single/c01_basic.pi.img", LFSIMG_SIG_INT);
  power_cuts("float16/many50.pi.img", "float16/multi.abs.img", LFSIMG_SIG_FLOAT16);
  power_cuts("int/multi.abs.img", "int/many50.pi.img", LFSIMG_SIG_INT);
  print_message("loader: %ld power cuts, none left a region that checks valid early\n", n_cuts);
  parked = n_parked - parked;
  stripped = n_stripped - stripped;
  print_message("loader: power cuts over %ld loads with the bitmap parked from the window, %ld in a "
                "pass of its own\n",
                parked, stripped);
#if LFS_BMBUF_BYTES < 4096   /* the vectors span several strips only here */
  assert_true(parked > 0 && stripped > 0);
#endif
}

static int failing_read(void *arg, uint32_t off, uint32_t *dst, uint32_t n)
{
  (void)arg, (void)off, (void)dst, (void)n;
  return -1;
}

/* The writing pass reads each further strip's parked bitmap back from
 * flash: when that fails, the load stops and the region is not valid. */
static void test_loader_flash_read_error(void **state)
{
  size_t len;
  unsigned char *img = vector("float/multi.pi.img", &len);
  sim_flash f;
  lfs_info info;
  lfs_flash_ops ops = sim_ops;
  mem_in in = { img, (uint32_t)len, 0, -1 };
  int rc;

  (void)state;
  sim_init(&f, SIM_REGION, 4);
  ops.arg = &f;
  ops.read = failing_read;
  rc = lfs_load(&ctx, mem_read, &in, &ops, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT);
  if (ctx.img_words <= LFS_BMBUF_BYTES * 8u) {  /* one strip: nothing is read back */
    print_message("loader: float/multi fits one strip here, no bitmap read back\n");
    assert_int_equal(rc, LFS_OK);
  } else {
    assert_int_equal(rc, LFS_E_FLASH);
    assert_int_equal(ctx.e1 % (LFS_BMBUF_BYTES * 32u), 0);   /* a strip's start */
    assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, &info), LFS_INCOMPLETE);
    print_message("loader: a failed read of the parked bitmap stopped the load at offset %u\n",
                  (unsigned)ctx.e1);
  }
  free(img);
  free(f.w);
}

/* Both ways of parking ran (in the build with a small bitmap buffer). */
static void test_loader_park_ways(void **state)
{
  (void)state;
  print_message("loader: %ld multi-strip loads parked the bitmap from the window (2 inflates), %ld "
                "in a pass of its own (3)\n", n_parked, n_stripped);
#if LFS_BMBUF_BYTES < 4096
  assert_true(n_parked > 10 && n_stripped > 10);
#endif
}

static void test_loader_check_states(void **state)
{
  size_t len;
  unsigned char *img = vector("int/multi.abs.img", &len);
  sim_flash f;
  lfs_info info;
  uint32_t i;

  (void)state;
  sim_init(&f, SIM_REGION, 0);
  for (i = 0; i < f.nwords; i++)
    f.w[i] = 0xFFFFFFFFu;
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_EMPTY);
  f.w[0] = 0;
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_EMPTY);
  f.w[0] = 0x12345678;
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_FOREIGN);
  for (i = 0; i < f.nwords; i++)
    f.w[i] = 0xFFFFFFFFu;
  assert_int_equal(load(&f, img, (uint32_t)len, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT), LFS_OK);
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_VALID);
  assert_int_equal(info.sig, LFSIMG_SIG_INT | LFSIMG_SIG_ABSOLUTE);
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_FLOAT, &info), LFS_FOREIGN);
  assert_int_equal(check(&f, 0x40210000u, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_FOREIGN);
  assert_int_equal(check(&f, SIM_BASE, 8192, LFSIMG_SIG_INT, &info), LFS_FOREIGN);
  f.w[0] &= ~LFSIMG_SIG_ABSOLUTE;     /* as the stock loader leaves it */
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_VALID);
  f.w[0] |= LFSIMG_SIG_INPROGRESS;
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_INCOMPLETE);
  f.w[0] = le32(img) & ~0xF00u;       /* version 0 */
  assert_int_equal(check(&f, SIM_BASE, SIM_REGION, LFSIMG_SIG_INT, &info), LFS_FOREIGN);
  free(img);
  free(f.w);
}

static void test_loader_messages(void **state)
{
  char seen[LFS_E_COUNT][160];
  int i, j;

  (void)state;
  for (i = 0; i < LFS_E_COUNT; i++) {
    ctx.err = i;
    ctx.e1 = LFSIMG_SIG_INT;
    ctx.e2 = LFSIMG_SIG_FLOAT;
    lfs_message(&ctx, seen[i], sizeof seen[i]);
    assert_true(strlen(seen[i]) > 1);
    for (j = 0; j < i; j++)
      assert_string_not_equal(seen[i], seen[j]);
  }
  ctx.err = LFS_E_LENGTH;
  ctx.e1 = 0;
  ctx.e2 = 4294967295u;
  assert_string_equal(lfs_message(&ctx, seen[0], 160), "length mismatch: 0 bytes, expected 4294967295");
  assert_string_equal(lfs_message(&ctx, seen[0], 12), "length mism");
  ctx.err = LFS_E_BASE;
  ctx.e1 = 0x40210000u;
  ctx.e2 = 0x100u;
  assert_string_equal(lfs_message(&ctx, seen[0], 160),
                      "image is built for base 0x40210000, region is at 0x100");
}

/* Working RAM: the context, the same for any image size, stays within
 * 23,000 bytes (NodeMCU's loader needs 23,068 plus image_size / 32). The
 * stack of a load, measured under QEMU, is a few hundred bytes. */
static void test_loader_ram_budget(void **state)
{
  (void)state;
  print_message("loader: sizeof(lfs_ctx) = %zu bytes\n", sizeof(lfs_ctx));
  assert_true(sizeof(lfs_ctx) <= 23000);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_loader_pi_vectors),
    cmocka_unit_test(test_loader_abs_vectors),
    cmocka_unit_test(test_loader_wrong_variant),
    cmocka_unit_test(test_loader_too_big_and_base),
    cmocka_unit_test(test_loader_bad_images),
    cmocka_unit_test(test_loader_read_error),
    cmocka_unit_test(test_loader_other_encoders),
    cmocka_unit_test(test_loader_strategies),
    cmocka_unit_test(test_loader_long_codes),
    cmocka_unit_test(test_loader_far_distance),
    cmocka_unit_test(test_loader_truncations),
    cmocka_unit_test(test_loader_bit_flips),
    cmocka_unit_test(test_loader_power_cuts),
    cmocka_unit_test(test_loader_check_states),
    cmocka_unit_test(test_loader_messages),
    cmocka_unit_test(test_loader_ram_budget),
    cmocka_unit_test(test_loader_flash_read_error),
    cmocka_unit_test(test_loader_park_ways),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
