/*
 * The ESP32 platforms (src/platform/esp32) through the platform interface:
 *  - lfsc_platform_find and lfsc_platform_at know every chip, and
 *    lfsc_platform_names lists exactly those;
 *  - each chip's data: family, app chip id and bootloader offset as
 *    ESP-IDF has them, 64 KiB partition pages, no fixed window, its
 *    targets (no float16), -s keeping source names;
 *  - the two nROsize rules on values worked out by hand;
 *  - check_partition: 64 KiB pages, whole sectors;
 *  - an image built with the platform's rules: the ESP32 bucket count,
 *    source names kept by -s, and the verifier quiet on both rules but
 *    warning on a count of neither (a platform whose rule is 4x).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/build.h"
#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "base/sink.h"
#include "lfs51/reader.h"
#include "lfs51/verify.h"

static const struct {
  const char *name;
  int chip_id;
  uint32_t boot;
  uint32_t lo, hi;
} chips[] = {
  {"esp32", 0x0000, 0x1000, 0x3F400000u, 0x3F800000u},
  {"esp32s2", 0x0002, 0x1000, 0x3F000000u, 0x3FF80000u},
  {"esp32s3", 0x0009, 0x0, 0x3C000000u, 0x3E000000u},
  {"esp32c3", 0x0005, 0x0, 0x3C000000u, 0x3C800000u},
  {"esp32c6", 0x000D, 0x0, 0x42000000u, 0x43000000u},
  {"esp32h2", 0x0010, 0x0, 0x42000000u, 0x43000000u},
};
#define NCHIPS (sizeof chips / sizeof chips[0])

static void test_find_all(void **state)
{
  (void)state;
  size_t n = 0;
  const char *names = lfsc_platform_names();
  for (const lfsc_platform *pf; (pf = lfsc_platform_at(n)); n++) {
    assert_ptr_equal(lfsc_platform_find(pf->name), pf);
    assert_non_null(strstr(names, pf->name));
  }
  assert_int_equal(n, NCHIPS + 1);
  assert_ptr_equal(lfsc_platform_at(0), lfsc_platform_find(LFSC_PLATFORM_DEFAULT));
  /* as many names listed as there are platforms */
  size_t commas = 0;
  for (const char *p = names; *p; p++)
    commas += *p == ',';
  assert_int_equal(commas + 1, n);
  assert_null(lfsc_platform_find("esp31"));
  assert_null(lfsc_platform_find(NULL));
}

static void test_chip_data(void **state)
{
  (void)state;
  for (size_t i = 0; i < NCHIPS; i++) {
    const lfsc_platform *pf = lfsc_platform_find(chips[i].name);
    assert_non_null(pf);
    assert_string_equal(pf->family, "esp32");
    assert_int_equal(pf->app_chip_id, chips[i].chip_id);
    assert_int_equal(pf->boot_offset, chips[i].boot);
    assert_int_equal(pf->map_low, chips[i].lo);
    assert_int_equal(pf->map_high, chips[i].hi);
    assert_int_equal(pf->partition_align, 0x10000);
    assert_int_equal(pf->sector, 0x1000);
    assert_int_equal(pf->window_size, 0);
    assert_true(pf->lfs_mapped_default >= pf->map_low &&
                pf->lfs_mapped_default < pf->map_high && pf->lfs_mapped_default % 0x10000 == 0);
    assert_true(lfsc_platform_maps(pf, pf->lfs_mapped_default, pf->lfs_size_default));
    assert_true(pf->strip_keeps_source);
    assert_true(pf->targets & LFSC_PLATFORM_TARGET(LFSC_TARGET_FLOAT));
    assert_true(pf->targets & LFSC_PLATFORM_TARGET(LFSC_TARGET_INT));
    assert_false(pf->targets & LFSC_PLATFORM_TARGET(LFSC_TARGET_FLOAT16));
    assert_true(pf->targets & LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT32_DOUBLEFP));
    assert_true(pf->image_max <= pf->format_max && pf->image_max <= pf->map_high - pf->map_low);
    /* without a window, the flash offset is the default table's */
    assert_int_equal(lfsc_platform_lfs_offset(pf, 0x3F4A0000u), pf->lfs_offset_default);
  }
  const lfsc_platform *e = lfsc_platform_find("esp8266");
  assert_string_equal(e->family, "esp8266");
  assert_int_equal(e->app_chip_id, -1);
  assert_false(e->strip_keeps_source);
  assert_true(e->targets & LFSC_PLATFORM_TARGET(LFSC_TARGET_FLOAT16));
  assert_int_equal(lfsc_platform_lfs_offset(e, 0x40280000u), 0x80000);
  assert_int_equal(e->lfs_offset_default, 0x80000);
}

static void test_ro_buckets(void **state)
{
  (void)state;
  const lfsc_platform *e = lfsc_platform_find("esp8266"), *s = lfsc_platform_find("esp32");
  /* n: ESP8266 2 << log2(n), ESP32 2 << log2((int)(n * 1.3)) */
  static const uint32_t v[][3] = {{0, 1, 1},     {1, 2, 2},     {2, 4, 4},     {3, 4, 4},
                                  {4, 8, 8},     {6, 8, 8},     {7, 8, 16},    {12, 16, 16},
                                  {13, 16, 32},  {34, 64, 64},  {50, 64, 128}, {100, 128, 256},
                                  {393, 512, 512}, {394, 512, 1024}, {1000, 1024, 2048}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    assert_int_equal(e->ro_buckets(v[i][0]), v[i][1]);
    assert_int_equal(s->ro_buckets(v[i][0]), v[i][2]);
  }
  for (uint32_t n = 0; n < 200000; n++) {
    uint32_t d = e->ro_buckets(n), x = s->ro_buckets(n);
    assert_true(d > n && d <= 2 * n + 1 && (d & (d - 1)) == 0);
    assert_true(x == d || x == 2 * d);
  }
}

static void test_partition(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  for (size_t i = 0; i < NCHIPS; i++) {
    const lfsc_platform *pf = lfsc_platform_find(chips[i].name);
    assert_int_equal(pf->check_partition(ctx, 0x190000, 0x10000, 0), LFSC_OK);
    assert_int_equal(pf->check_partition(ctx, 0x191000, 0x10000, 0), LFSC_ELIMIT);
    assert_non_null(strstr(lfsc_errmsg(ctx), "64 KiB"));
    assert_int_equal(pf->check_partition(ctx, 0x190000, 0x1800, 0), LFSC_ELIMIT);
    assert_int_equal(pf->check_addr(ctx, chips[i].lo, 0), LFSC_OK);
    assert_int_equal(pf->check_addr(ctx, chips[i].hi, 0), LFSC_EARG);
    assert_int_equal(pf->check_addr(ctx, chips[i].hi, LFSC_PLATFORM_NO_WINDOW), LFSC_OK);
    assert_int_equal(pf->check_image(ctx, 1, chips[i].hi - 0x1000, 0x1000, 0), LFSC_OK);
    assert_int_equal(pf->check_image(ctx, 1, chips[i].hi - 0x1000, 0x1004, 0), LFSC_ELIMIT);
  }
  lfsc_free(ctx);
}

/* A platform like the ESP32 but with a bucket count of neither rule. */
static uint32_t four_times(uint32_t n)
{
  return 4 * lfsc_platform_find("esp8266")->ro_buckets(n);
}

static const char head[] =
  "local alpha, beta = 1, 2\n"
  "local function gamma(delta) return delta + alpha + beta end\n"
  "return { epsilon = gamma, zeta = 'eta', theta = 'iota', kappa = 'lambda'";
static char src[4096];

/* The module with extra more string constants. */
static void make_src(int extra)
{
  size_t n = (size_t)snprintf(src, sizeof src, "%s", head);
  for (int i = 0; i < extra; i++)
    n += (size_t)snprintf(src + n, sizeof src - n, ", 's%d'", i);
  snprintf(src + n, sizeof src - n, " }\n");
}

/* Build a PI image of src for pf (strip as given); free() it. */
static unsigned char *build(lfsc_ctx *ctx, const lfsc_platform *pf, int strip, size_t *len)
{
  lfsc_compile_opts co = {0};
  lfsc_proto *f, *index;
  assert_int_equal(lfsc_compile(ctx, &co, "@mod.lua", src, strlen(src), &f), LFSC_OK);
  const char *files[] = {"mod.lua"};
  assert_int_equal(lfsc_image_index(ctx, &f, files, 1, LFSC_TARGET_FLOAT, 1700000000, &index),
                   LFSC_OK);
  lfsc_image_opts io = {.target = LFSC_TARGET_FLOAT, .maxsize = 0x40000, .strip = strip,
                        .platform = pf};
  lfsc_sink mem;
  lfsc_sink_mem_init(&mem);
  uint32_t size;
  assert_int_equal(lfsc_image_write(ctx, index, &io, &mem, &size), LFSC_OK);
  unsigned char *b = malloc(mem.len);
  assert_non_null(b);
  memcpy(b, mem.buf, mem.len);
  *len = mem.len;
  lfsc_sink_mem_free(&mem);
  return b;
}

static int has_warning(const verify_report *r, const char *want)
{
  for (int i = 0; i < r->nproblems; i++)
    if (r->problems[i].severity == VERIFY_WARNING && strstr(r->problems[i].msg, want))
      return 1;
  return 0;
}

static void test_image_rules(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const lfsc_platform *e = lfsc_platform_find("esp8266"), *s = lfsc_platform_find("esp32");
  lfsc_platform odd = *s;
  odd.ro_buckets = four_times;
  size_t len;
  int checked = 0;
  /* enough strings that the two rules differ, so both are exercised */
  int extra = 0;
  for (;; extra++) {
    assert_true(extra < 100);
    make_src(extra);
    unsigned char *b = build(ctx, s, 0, &len);
    reader_image *img;
    assert_int_equal(lfsc_reader_load(ctx, b, len, &img), LFSC_OK);
    free(b);
    if (e->ro_buckets(img->nrouse) != s->ro_buckets(img->nrouse))
      break;
  }
  for (int k = 0; k < 3; k++) {
    const lfsc_platform *pf = k == 0 ? e : k == 1 ? s : &odd;
    for (int strip = 0; strip < 2; strip++) {
      unsigned char *b = build(ctx, pf, strip, &len);
      reader_image *img;
      assert_int_equal(lfsc_reader_load(ctx, b, len, &img), LFSC_OK);
      assert_int_equal(img->nrosize, pf->ro_buckets(img->nrouse));
      /* -s: line info and names gone; the module's source name "=?" or kept */
      int kept = 0, unknown = 0;
      for (int i = 0; i < img->nstrings; i++) {
        kept += img->strings[i].s->len == 8 && memcmp(img->strings[i].s->data, "@mod.lua", 8) == 0;
        unknown += img->strings[i].s->len == 2 && memcmp(img->strings[i].s->data, "=?", 2) == 0;
      }
      assert_int_equal(kept, !strip || pf->strip_keeps_source);
      assert_int_equal(unknown, strip && !pf->strip_keeps_source);
      /* the verifier takes either rule from any platform, warns on neither */
      for (int v = 0; v < 2; v++) {
        verify_opts o = {.platform = v ? s : e};
        verify_report rep;
        assert_int_equal(lfsc_verify_image(ctx, b, len, &o, &rep), LFSC_OK);
        assert_int_equal(rep.errors, 0);
        assert_int_equal(has_warning(&rep, "nROsize"), pf == &odd);
        checked++;
      }
      free(b);
    }
  }
  assert_int_equal(checked, 12);
  lfsc_free(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_find_all),
    cmocka_unit_test(test_chip_data),
    cmocka_unit_test(test_ro_buckets),
    cmocka_unit_test(test_partition),
    cmocka_unit_test(test_image_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
