/*
 * squeeze.c through lfsc_gzip_write: every output inflates (zlib) to its input,
 * keeps the NodeMCU loader's rules (test_image_gzcheck.c: 16 KiB window,
 * no reference to byte 0, file > 200 bytes), and --best is strictly
 * smaller than the default on real module sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "lfsc/lfsc.h"
#include "deflate/gzip.h"
#include "base/sink.h"
#include "test_image_gzcheck.h"

static unsigned char *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  rewind(f);
  unsigned char *p = malloc((size_t)len + 1);
  assert_non_null(p);
  assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return p;
}

/* The image content (image + bitmap) of a reference PI vector; the
 * reference file's size in *refsize. */
static unsigned char *vector_content(const char *rel, size_t *n, size_t *refsize)
{
  char path[512];
  snprintf(path, sizeof path, "%s/%s", LFSC_CONFORMANCE_DIR, rel);
  size_t zn;
  unsigned char *z = slurp(path, &zn);
  *refsize = zn;
  gzcheck_result r = {0};
  gzcheck(z, zn, 0, 0x100000, &r);
  free(z);
  assert_non_null(r.data);
  *n = r.len;
  return r.data;
}

static unsigned char *zlib_inflate(const unsigned char *z, size_t zn, size_t expect)
{
  unsigned char *out = malloc(expect + 1);
  assert_non_null(out);
  z_stream zs = {0};
  assert_int_equal(inflateInit2(&zs, 16 + 15), Z_OK);
  zs.next_in = (Bytef *)z;
  zs.avail_in = (uInt)zn;
  zs.next_out = out;
  zs.avail_out = (uInt)expect + 1;
  assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
  assert_int_equal(zs.total_out, expect);
  assert_int_equal(zs.avail_in, 0);        /* nothing after the member */
  inflateEnd(&zs);
  return out;
}

/* Compress, then check the round trip and the loader's rules; returns the
 * file size. */
static size_t check(const unsigned char *data, size_t n, int flags, int image)
{
  lfsc_sink mem;
  lfsc_sink_mem_init(&mem);
  assert_int_equal(lfsc_gzip_write(data, n, flags, 201, &mem), LFSC_OK);
  assert_true(mem.len > 200);
  unsigned char *back = zlib_inflate(mem.buf, mem.len, n);
  assert_memory_equal(back, data, n);
  free(back);
  gzcheck_result r = {0};
  int rc = gzcheck(mem.buf, mem.len, 0, 0x1000000, &r);
  if (image && rc)
    fail_msg("loader refuses: %s", r.err);
  /* other data: only the image header inside may be refused, never the
   * file or the deflate stream (checked before the image header) */
  if (!image && rc != GZCHECK_OK && rc != GZCHECK_EIMAGE)
    fail_msg("deflate rule broken: %s", r.err);
  assert_true(r.maxdist <= 16384);
  free(r.data);
  size_t len = mem.len;
  lfsc_sink_mem_free(&mem);
  return len;
}

static void test_vectors(void **state)
{
  (void)state;
  static const char *const sets[] = {"float/all.pi.img", "float16/all.pi.img",
                                     "int/multi.pi.img", "float/quirk_sigbytes.pi.img",
                                     "float/many50.pi.img"};
  for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
    size_t n, ref;
    unsigned char *d = vector_content(sets[i], &n, &ref);
    size_t fast = check(d, n, 0, 1);
    size_t best = check(d, n, GZIP_BEST, 1);
    check(d, n, GZIP_MEMLEVEL(8), 1);
    check(d, n, GZIP_FIXED, 1);
    if (n > 4096) {               /* real module sets */
      assert_true(best < fast);
      /* the default stays well below NodeMCU's own deflate: 0.88x
       * (issue #21) on the big sets (0.86x here); small ones pay more for
       * their block headers (many50, 3 KB: 0.91x, --best 0.84x) */
      printf("%s: default %zu, --best %zu, NodeMCU %zu bytes (%.3fx, %.3fx)\n", sets[i],
             fast, best, ref, (double)fast / (double)ref, (double)best / (double)ref);
      if (n > 65536)
        assert_true(fast * 100 <= ref * 88);
      assert_true(fast * 100 <= ref * 92);
    }
    free(d);
  }
}

static void test_shapes(void **state)
{
  (void)state;
  size_t n = 200000;
  unsigned char *d = calloc(n, 1);
  assert_non_null(d);
  check(d, 1, 0, 0);                         /* one byte: padding only */
  for (size_t k = 2; k < 600; k += k / 8 + 1) {  /* the default's small tables */
    for (size_t i = 0; i < k; i++)
      d[i] = (unsigned char)"abcabdabcab"[i % 11 + (i / 97) % 2];
    check(d, k, 0, 0);
    memset(d, 0, k);
  }
  check(d, 5, GZIP_BEST, 0);
  check(d, n, 0, 0);                         /* one long run: window and byte 0 */
  check(d, n, GZIP_BEST, 0);
  uint32_t x = 12345;
  for (size_t i = 0; i < n; i++) {        /* incompressible */
    x = x * 1103515245u + 12345u;
    d[i] = (unsigned char)(x >> 24);
  }
  check(d, n, 0, 0);
  for (size_t i = 0; i < n; i++)          /* repeats just past the window */
    d[i] = i >= 16385 ? d[i - 16385] : (unsigned char)(i * 7 + (i >> 9));
  check(d, n, 0, 0);
  check(d, 70000, GZIP_BEST, 0);
  for (size_t i = 0; i < n; i++)          /* repeats at exactly the window, the */
    d[i] = i >= 16384 ? d[i - 16384]      /* first of them from byte 0 */
                      : (unsigned char)((x = x * 1103515245u + 12345u) >> 24);
  check(d, n, 0, 0);
  check(d, 70000, GZIP_BEST, 0);
  /* stretches of different character and length, across a segment end:
   * --best cuts blocks to the symbol and merges them at segment ends */
  size_t at = 0;
  for (unsigned piece = 0; at < 140000; piece++) {
    size_t len = 40 + (piece * 977) % 3000;
    for (size_t i = 0; i < len && at < n; i++, at++) {
      x = x * 1103515245u + 12345u;
      d[at] = piece % 3 == 0   ? (unsigned char)(x >> 24)
              : piece % 3 == 1 ? (unsigned char)"local function f(a, b) return a + b end\n"[i % 41]
                               : (unsigned char)(i % 16 < 12 ? 0 : piece);
    }
  }
  check(d, at, 0, 0);
  check(d, at, GZIP_BEST, 0);
  free(d);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors),
    cmocka_unit_test(test_shapes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
