/*
 * The ESP-IDF partition table (src/platform/esp32): MD5 against RFC 1321's
 * test suite and Python hashlib's digests, the binary reader's rules and
 * messages, the writer's bytes, the CSV reader's forms (names, K/M, empty
 * offsets placed as gen_esp32part.py places them), and the LFS helpers.
 * The byte-for-byte comparison with an independent Python writer is
 * tests/esp32pt/esp32pt.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"
#include "platform/esp32/md5.h"
#include "platform/esp32/parttable.h"

static int nchecks;
#define CHECK(x) (nchecks++, assert_true(x))

static void hex(const unsigned char d[16], char out[33])
{
  for (int i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* RFC 1321 appendix A.5 */
static void test_md5_rfc(void **state)
{
  (void)state;
  static const char *const v[][2] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    unsigned char d[16];
    char h[33];
    lfsc_md5(v[i][0], strlen(v[i][0]), d);
    hex(d, h);
    assert_string_equal(h, v[i][1]);
    nchecks++;
  }
}

/* Digests from Python's hashlib.md5 of bytes (7i + 3) % 251, around the
 * padding's edges (55/56, 63/64, 119/120); each also fed in pieces. */
static void test_md5_hashlib(void **state)
{
  (void)state;
  static const struct { size_t n; const char *md5; } v[] = {
    {55, "030157be00035d098644cfc70e5deaea"}, {56, "8e758df1ec8681fc06daa64253668f13"},
    {63, "4a805576b511a836fefee199fb797ae5"}, {64, "7a0cbe2eab91195c56eae7f83588d243"},
    {65, "940b4e909b09d4828b0eebe642613192"}, {119, "c78b1987e67f5f382adb7de5fed3e55e"},
    {120, "4bebaf2293f8b2e434f1a4f024eea593"}, {127, "72a9cc53dbae65d0146d626d46f6fb74"},
    {128, "087b965e51e4b1200ebfd13e9761caa5"}, {1000, "c90582fbbeb1275142915b85da61ade9"},
    {4096, "7bfb657e3295823bb1fc0e6de0dce0f4"},
  };
  unsigned char b[4096];
  for (size_t i = 0; i < sizeof b; i++)
    b[i] = (unsigned char)((i * 7 + 3) % 251);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    unsigned char d[16];
    char h[33];
    lfsc_md5(b, v[i].n, d);
    hex(d, h);
    assert_string_equal(h, v[i].md5);
    nchecks++;
    for (size_t cut = 1; cut < v[i].n && cut < 130; cut += 13) {
      md5_ctx m;
      lfsc_md5_init(&m);
      lfsc_md5_update(&m, b, cut);
      lfsc_md5_update(&m, b + cut, v[i].n - cut);
      lfsc_md5_final(&m, d);
      hex(d, h);
      assert_string_equal(h, v[i].md5);
      nchecks++;
    }
  }
}

/* ---- a table in bytes ----------------------------------------------- */

static void put_entry(unsigned char *p, unsigned type, unsigned sub, uint32_t off, uint32_t size,
                      const char *label, uint32_t flags)
{
  memset(p, 0, 32);
  p[0] = 0xAA;
  p[1] = 0x50;
  p[2] = (unsigned char)type;
  p[3] = (unsigned char)sub;
  wr_u32le(p + 4, off);
  wr_u32le(p + 8, size);
  memcpy(p + 12, label, strnlen(label, 16));
  wr_u32le(p + 28, flags);
}

/* n entries, then the MD5 entry (when md5), then 0xFF to 0xC00 */
static void finish(unsigned char *t, int n, int md5)
{
  memset(t + 32 * n, 0xFF, 0xC00 - 32 * n);
  if (md5) {
    t[32 * n] = 0xEB;
    t[32 * n + 1] = 0xEB;
    lfsc_md5(t, 32 * (size_t)n, t + 32 * n + 16);
  }
}

static int std_table(unsigned char t[0xC00], int md5)
{
  put_entry(t, 1, 2, 0x9000, 0x6000, "nvs", 0);
  put_entry(t + 32, 1, 1, 0xF000, 0x1000, "phy_init", 0);
  put_entry(t + 64, 0, 0, 0x10000, 0x100000, "factory", 0);
  finish(t, 3, md5);
  return 3;
}

static void test_read_write(void **state)
{
  (void)state;
  unsigned char t[0xC00], w[0xC00];
  esp32pt pt;
  lfsc_ctx *ctx = lfsc_new();
  for (int md5 = 0; md5 < 2; md5++) {
    std_table(t, md5);
    assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_OK);
    CHECK(pt.n == 3 && pt.md5 == md5);
    CHECK(strcmp(pt.e[1].label, "phy_init") == 0 && pt.e[2].offset == 0x10000 &&
          pt.e[2].size == 0x100000);
    assert_int_equal(lfsc_esp32pt_write(ctx, &pt, w), LFSC_OK);
    CHECK(memcmp(t, w, sizeof t) == 0);
  }
  /* a 16-byte label has no NUL, as ESP-IDF reads it */
  put_entry(t, 1, 2, 0x9000, 0x6000, "sixteen_bytes_ab", 0);
  finish(t, 1, 1);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_OK);
  CHECK(strcmp(pt.e[0].label, "sixteen_bytes_ab") == 0);
  assert_int_equal(lfsc_esp32pt_write(ctx, &pt, w), LFSC_OK);
  CHECK(memcmp(t, w, sizeof t) == 0);
  /* no partitions: MD5 entry of nothing, or the end marker alone */
  finish(t, 0, 1);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_OK);
  CHECK(pt.n == 0 && pt.md5);
  CHECK(lfsc_esp32pt_form(t, sizeof t, 0x8000) == ESP32PT_FORM_TABLE);
  /* the largest tables: 94 entries with MD5, 95 without */
  for (int md5 = 0; md5 < 2; md5++) {
    int n = md5 ? 94 : 95;
    for (int i = 0; i < n; i++) {
      char l[17];
      snprintf(l, sizeof l, "p%d", i);
      put_entry(t + 32 * i, 1, 0x81, 0x10000 + 0x1000 * (uint32_t)i, 0x1000, l, 0);
    }
    finish(t, n, md5);
    assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_OK);
    CHECK(pt.n == n);
    assert_int_equal(lfsc_esp32pt_write(ctx, &pt, w), LFSC_OK);
    CHECK(memcmp(t, w, sizeof t) == 0);
    pt.md5 = 1;
    if (!md5) {
      assert_int_equal(lfsc_esp32pt_write(ctx, &pt, w), LFSC_ELIMIT);
      CHECK(strstr(lfsc_errmsg(ctx), "at most 94 partitions") != NULL);
    }
  }
  lfsc_free(ctx);
}

/* A bad table: its message. */
typedef void (*mutate)(unsigned char *t);
static void m_magic(unsigned char *t) { t[32] = 0x12; }
static void m_md5(unsigned char *t) { t[3 * 32 + 20] ^= 1; }
static void m_md5_fill(unsigned char *t) { t[3 * 32 + 5] = 0; }
static void m_end(unsigned char *t) { t[4 * 32 + 7] = 0; }
static void m_no_end(unsigned char *t) { memset(t + 3 * 32, 0, 0xC00 - 3 * 32); for (int i = 3; i < 96; i++) put_entry(t + 32 * i, 1, 0x81, 0x200000 + 0x1000 * (uint32_t)i, 0x1000, "x", 0); }
static void m_app_align(unsigned char *t) { wr_u32le(t + 64 + 4, 0x18000); }
static void m_data_align(unsigned char *t) { wr_u32le(t + 32 + 4, 0xF800); }
static void m_app_size(unsigned char *t) { wr_u32le(t + 64 + 8, 0x100800); }
static void m_overlap(unsigned char *t) { wr_u32le(t + 8, 0x7000); }
static void m_below(unsigned char *t) { wr_u32le(t + 4, 0x8000); }
static void m_dup(unsigned char *t) { memcpy(t + 32 + 12, "nvs\0\0\0\0\0", 8); }
static void m_ctl(unsigned char *t) { t[32 + 12] = 0x07; }
static void m_4g(unsigned char *t) { wr_u32le(t + 64 + 8, 0xFFFF1000u); }
static void m_nvs(unsigned char *t) { wr_u32le(t + 8, 0x2000); }
static void m_ro(unsigned char *t) { t[32 + 3] = 0x03; wr_u32le(t + 32 + 28, 2); }

static void test_refusals(void **state)
{
  (void)state;
  static const struct { mutate m; int md5_again; const char *msg; } bad[] = {
    {m_magic, 0, "t.bin: entry 1 at 0x20: bad magic 0x5012"},
    {m_md5, 0, "t.bin: entry 3 at 0x60: MD5 mismatch"},
    {m_md5_fill, 0, "t.bin: entry 3 at 0x60: MD5 entry: bytes 2..15 are not 0xFF"},
    {m_end, 0, "t.bin: entry 4 at 0x80: the MD5 entry is not followed by the end marker"},
    {m_no_end, 0, "t.bin: entry 95 at 0xbe0: more than 95 entries: no room for the end marker"},
    {m_app_align, 1, "t.bin: entry 2 at 0x40: 'factory' offset 0x18000 is not aligned to 0x10000"},
    {m_data_align, 1, "t.bin: entry 1 at 0x20: 'phy_init' offset 0xf800 is not aligned to 0x1000"},
    {m_app_size, 1, "t.bin: entry 2 at 0x40: 'factory' size 0x100800 is not aligned to 0x1000"},
    {m_overlap, 1, "t.bin: entry 1 at 0x20: 'phy_init' at 0xf000 overlaps 'nvs' at 0x9000-0xffff"},
    {m_below, 1, "t.bin: entry 0 at 0x0: 'nvs' offset 0x8000 is below 0x9000"},
    {m_dup, 1, "t.bin: entry 1 at 0x20: label 'nvs' is used again"},
    {m_ctl, 1, "t.bin: entry 1 at 0x20: label has the control byte 0x07"},
    {m_4g, 1, "t.bin: entry 2 at 0x40: 'factory' at 0x10000 of 0xffff1000 bytes ends beyond 4 GiB"},
    {m_nvs, 1, "'nvs' (data, nvs) of 0x2000 bytes must be readonly"},
    {m_ro, 1, "'phy_init' (data, coredump) is always read-write and cannot be readonly"},
  };
  lfsc_ctx *ctx = lfsc_new();
  unsigned char t[0xC00];
  esp32pt pt;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    std_table(t, 1);
    bad[i].m(t);
    if (bad[i].md5_again)
      finish(t, 3, 1);
    int rc = lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt);
    if (rc != LFSC_EFORMAT || !strstr(lfsc_errmsg(ctx), bad[i].msg))
      fail_msg("case %zu: rc %d, message '%s', wanted '%s'", i, rc, lfsc_errmsg(ctx), bad[i].msg);
    nchecks++;
  }
  /* 95 entries and the MD5 entry: no room for the end marker */
  std_table(t, 0);
  for (int i = 3; i < 95; i++)
    put_entry(t + 32 * i, 1, 0x81, 0x200000 + 0x1000 * (uint32_t)i, 0x1000, "x", 0);
  t[95 * 32] = t[95 * 32 + 1] = 0xEB;
  lfsc_md5(t, 95 * 32, t + 95 * 32 + 16);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_EFORMAT);
  CHECK(strstr(lfsc_errmsg(ctx), "t.bin: entry 96 at 0xc00: the MD5 entry is not followed by the end marker") != NULL);
  /* truncated input */
  std_table(t, 1);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, 100, &pt), LFSC_EFORMAT);
  CHECK(strstr(lfsc_errmsg(ctx), "entry 3 at 0x60: the input ends (100 bytes)") != NULL);
  /* an end marker must be all 0xFF */
  std_table(t, 0);
  t[3 * 32 + 7] = 0;
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_EFORMAT);
  CHECK(strstr(lfsc_errmsg(ctx), "t.bin: entry 3 at 0x60: magic 0xFFFF but not an end marker") != NULL);
  /* the MD5 entry must be followed by the end marker */
  std_table(t, 1);
  put_entry(t + 4 * 32, 1, 0x81, 0x200000, 0x1000, "late", 0);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_EFORMAT);
  CHECK(strstr(lfsc_errmsg(ctx), "entry 4 at 0x80: the MD5 entry is not followed") != NULL);
  /* two otadata; otadata of the wrong size */
  put_entry(t, 1, 0, 0x9000, 0x2000, "otadata", 0);
  put_entry(t + 32, 1, 0, 0xB000, 0x2000, "otadata2", 0);
  finish(t, 2, 1);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_EFORMAT);
  CHECK(strstr(lfsc_errmsg(ctx), "'otadata2' is a second otadata partition") != NULL);
  put_entry(t, 1, 0, 0x9000, 0x3000, "otadata", 0);
  finish(t, 1, 1);
  assert_int_equal(lfsc_esp32pt_read(ctx, "t.bin", t, sizeof t, &pt), LFSC_EFORMAT);
  CHECK(strstr(lfsc_errmsg(ctx), "otadata partition 'otadata' is 0x3000 bytes: it must be 0x2000") != NULL);
  lfsc_free(ctx);
}

static int read_csv(lfsc_ctx *ctx, const char *text, esp32pt *pt)
{
  return lfsc_esp32pt_read_csv(ctx, "p.csv", text, strlen(text), ESP32PT_OFFSET, pt);
}

static void test_csv(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  esp32pt pt;
  /* NodeMCU's partitions.csv shape: empty offsets, K/M, names and numbers */
  const char *csv =
    "\xEF\xBB\xBF# Name, Type, SubType, Offset, Size, Flags\r\n"
    "nvs,      data, nvs,     0x9000,  0x6000,\r\n"
    "phy_init, data, phy,     ,        0x1000,\r\n"
    "factory,  app,  factory, ,        1M,\r\n"
    "lfs,      0xC2, 0x01,    ,        0x10000\n"
    "  # a comment\n"
    "\n"
    "spiffs,   DATA, Spiffs,  ,        -0x3F0000, readonly:encrypted\n"
    "ro,       data, ,        ,        4k, readonly\n";
  assert_int_equal(read_csv(ctx, csv, &pt), LFSC_OK);
  CHECK(pt.n == 6 && pt.md5 == 1);
  CHECK(pt.e[1].offset == 0xF000 && pt.e[2].offset == 0x10000 && pt.e[2].size == 0x100000);
  /* data after an app: 4 KiB alignment only (gen_esp32part.py's rule) */
  CHECK(pt.e[3].type == 0xC2 && pt.e[3].subtype == 1 && pt.e[3].offset == 0x110000);
  CHECK(pt.e[4].offset == 0x120000 && pt.e[4].size == 0x3F0000 - 0x120000);
  CHECK(pt.e[4].flags == 3 && pt.e[4].subtype == 0x82 && pt.e[4].line == 8);
  CHECK(pt.e[5].subtype == 0x06 && pt.e[5].size == 0x1000 && pt.e[5].offset == 0x3F0000);
  int lfs = lfsc_esp32pt_find_lfs(&pt);
  CHECK(lfs == 3);
  CHECK(lfsc_esp32pt_check_lfs(ctx, &pt, lfs) == LFSC_OK);
  int apps[4];
  CHECK(lfsc_esp32pt_apps(&pt, apps, 4) == 1 && apps[0] == 2);
  /* written back: gen_esp32part.py's to_csv form, which reads back the same */
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  assert_int_equal(lfsc_esp32pt_write_csv(ctx, &pt, &s), LFSC_OK);
  lfsc_sink_u8(&s, 0);
  assert_string_equal((char *)s.buf,
    "# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n"
    "nvs,data,nvs,0x9000,24K,\nphy_init,data,phy,0xf000,4K,\n"
    "factory,app,factory,0x10000,1M,\nlfs,194,1,0x110000,64K,\n"
    "spiffs,data,spiffs,0x120000,2880K,encrypted:readonly\nro,data,undefined,0x3f0000,4K,readonly\n");
  nchecks++;
  esp32pt back;
  assert_int_equal(read_csv(ctx, (char *)s.buf, &back), LFSC_OK);
  for (int i = 0; i < pt.n; i++)
    CHECK(memcmp(back.e[i].label, pt.e[i].label, sizeof pt.e[i].label) == 0 &&
          back.e[i].offset == pt.e[i].offset && back.e[i].size == pt.e[i].size &&
          back.e[i].type == pt.e[i].type && back.e[i].subtype == pt.e[i].subtype &&
          back.e[i].flags == pt.e[i].flags);
  lfsc_sink_mem_free(&s);

  static const char *const bad[][2] = {
    {"nvs, data, nvs, 0x8000, 0x6000\n", "p.csv:1: offset 0x8000 overlaps the partition table's sector at 0x8000: use 0x9000 or higher"},
    {"a, data, nvs, , 0x6000\nb, data, phy, 0xA000, 4K\n", "p.csv:2: offset 0xa000 overlaps the previous partition, which ends at 0xf000"},
    {"a, data, nvs, , \n", "p.csv:1: the size field is empty"},
    {"a, , nvs, , 4K\n", "p.csv:1: the type field is empty"},
    {"a, app, , , 64K\n", "p.csv:1: an app partition needs a subtype"},
    {"a, dta, nvs, , 4K\n", "p.csv:1: type 'dta' is not valid: a number or one of app, data, bootloader, partition_table"},
    {"a, data, nvx, , 4K\n", "p.csv:1: subtype 'nvx' is not valid"},
    {"a, 0xC2, lfs, , 4K\n", "p.csv:1: subtype 'lfs' is not a number (type 0xc2 has no subtype names)"},
    {"a, 0x100, 1, , 4K\n", "p.csv:1: type 0x100 is not 0..255"},
    {"a, data, nvs, 0x9000, 6K\n", "p.csv:1: 'a' (data, nvs) of 0x1800 bytes must be readonly"},
    {"a, data, nvs, zz, 24K\n", "p.csv:1: offset 'zz' is not a number"},
    {"a, data, nvs, , 24Q\n", "p.csv:1: size '24Q' is not a number"},
    {"a, data, nvs, , 24K, ro\n", "p.csv:1: unknown flag 'ro'"},
    {"a, data, nvs, , 24K, readonly: encrypted\n", "p.csv:1: unknown flag ' encrypted'"},
    {"a_name_of_17_byte, data, nvs, , 24K\n", "p.csv:1: name 'a_name_of_17_byte' is 17 bytes"},
    {"a, data, nvs, , 24K\na, data, phy, , 4K\n", "p.csv:2: label 'a' is used again (first at p.csv:1)"},
    {"f, app, factory, 0x11000, 1M\n", "p.csv:1: 'f' offset 0x11000 is not aligned to 0x10000"},
    {"f, app, factory, , 0x10800\n", "p.csv:1: 'f' size 0x10800 is not aligned to 0x1000"},
    {"a, data, nvs, , $SIZE\n", "p.csv:1: '$SIZE': environment variables are not expanded here"},
    {"b, bootloader, primary, , \n", "p.csv:1: bootloader entries take their place"},
    {"a, data, nvs, , -0x8000\n", "p.csv:1: end address 0x8000 is below its offset 0x9000"},
    {"a, data, nvs, 0x1_0000, 24K\nb, data, 0, , 0x2000\nc, data, 0, , 0x2000\n", "p.csv:3: 'c' is a second otadata partition"},
    {"a, data, 2, , 24K\nbin\x01\0ary\n", "p.csv:2: a NUL byte"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *t = bad[i][0];
    size_t n = strlen(t);
    if (strstr(bad[i][1], "NUL"))
      n += 5;                          /* past the NUL */
    int rc = lfsc_esp32pt_read_csv(ctx, "p.csv", t, n, ESP32PT_OFFSET, &pt);
    if (rc != LFSC_EFORMAT || !strstr(lfsc_errmsg(ctx), bad[i][1]))
      fail_msg("csv case %zu: rc %d, message '%s', wanted '%s'", i, rc, lfsc_errmsg(ctx), bad[i][1]);
    nchecks++;
  }
  /* numbers as Python's int(x, 0) takes them */
  static const struct { const char *s; int ok; int64_t v; } num[] = {
    {"0x10", 1, 16}, {"0X1f", 1, 31}, {"010", 0, 0}, {"0", 1, 0}, {"00", 1, 0}, {"1_000", 1, 1000},
    {"1__0", 0, 0}, {"_1", 0, 0}, {"1_", 0, 0}, {"0b101", 1, 5}, {"0o17", 1, 15}, {"4K", 1, 4096},
    {"4k", 1, 4096}, {"1M", 1, 0x100000}, {"1KK", 1, 0x100000}, {"-4K", 1, -4096}, {"+8", 1, 8},
    {"0x", 0, 0}, {"", 0, 0}, {"K", 0, 0}, {"1.5M", 0, 0}, {"0x_10", 1, 16},
  };
  for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
    int64_t v = -12345;
    int ok = lfsc_esp32pt_parse_num(num[i].s, &v) == 0;
    if (ok != num[i].ok || (ok && v != num[i].v))
      fail_msg("number '%s': ok %d value %lld", num[i].s, ok, (long long)v);
    nchecks++;
  }
  lfsc_free(ctx);
}

static void test_lfs(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  esp32pt pt;
  esp32pt_entry e;
  char line[80];
  assert_int_equal(read_csv(ctx, "nvs,data,nvs,,24K\nphy_init,data,phy,,4K\nfactory,app,factory,,0x1C0000\n", &pt), LFSC_OK);
  assert_int_equal(lfsc_esp32pt_suggest_lfs(ctx, &pt, 0x400000, 0x10000, &e), LFSC_OK);
  lfsc_esp32pt_lfs_line(&e, line);
  assert_string_equal(line, "lfs, 0xC2, 0x01, 0x1D0000, 0x10000");
  nchecks++;
  /* sizes round up to 4 KiB; the offset to 64 KiB */
  assert_int_equal(read_csv(ctx, "nvs,data,nvs,,24K\nfactory,app,factory,,1M\nstore,data,fat,,0x3000\n", &pt), LFSC_OK);
  assert_int_equal(lfsc_esp32pt_suggest_lfs(ctx, &pt, 0x200000, 0x18001, &e), LFSC_OK);
  lfsc_esp32pt_lfs_line(&e, line);
  assert_string_equal(line, "lfs, 0xC2, 0x01, 0x120000, 0x19000");
  nchecks++;
  /* no room in 1 MiB, or in 0x12F000 */
  assert_int_equal(lfsc_esp32pt_suggest_lfs(ctx, &pt, 0x100000, 0x10000, &e), LFSC_ELIMIT);
  CHECK(strstr(lfsc_errmsg(ctx), "no room for a 0x10000-byte LFS partition: the partitions end at 0x113000, the next 64 KiB boundary is 0x120000") != NULL);
  assert_int_equal(lfsc_esp32pt_add_lfs(ctx, &pt, 0x400000, 0x20000), LFSC_OK);
  CHECK(pt.n == 4 && lfsc_esp32pt_find_lfs(&pt) == 3 && pt.e[3].offset == 0x120000 &&
        pt.e[3].size == 0x20000 && strcmp(pt.e[3].label, "lfs") == 0);
  assert_int_equal(lfsc_esp32pt_add_lfs(ctx, &pt, 0x400000, 0x20000), LFSC_EARG);
  CHECK(strstr(lfsc_errmsg(ctx), "the table has an LFS partition already: 'lfs' at 0x120000") != NULL);
  /* a 4 KiB-aligned LFS partition is valid for the tool, not for mmap */
  assert_int_equal(read_csv(ctx, "nvs,data,nvs,,24K\nlfs,0xC2,0x01,,64K\n", &pt), LFSC_OK);
  CHECK(pt.e[1].offset == 0xF000);
  assert_int_equal(lfsc_esp32pt_check_lfs(ctx, &pt, 1), LFSC_ELIMIT);
  CHECK(strstr(lfsc_errmsg(ctx), "LFS partition 'lfs' at 0xf000 is not on a 64 KiB boundary") != NULL &&
        strstr(lfsc_errmsg(ctx), "such as 0x10000") != NULL);
  /* a label "lfs" taken by something else */
  assert_int_equal(read_csv(ctx, "lfs,data,spiffs,,64K\n", &pt), LFSC_OK);
  assert_int_equal(lfsc_esp32pt_add_lfs(ctx, &pt, 0x400000, 0x10000), LFSC_EARG);
  CHECK(strstr(lfsc_errmsg(ctx), "has a partition called 'lfs' already") != NULL);
  /* flash size */
  assert_int_equal(read_csv(ctx, "factory,app,factory,,0x3F0000\n", &pt), LFSC_OK);
  CHECK(lfsc_esp32pt_check_flash(ctx, "p.csv", &pt, 0x400000) == LFSC_OK);
  assert_int_equal(read_csv(ctx, "factory,app,factory,,0x400000\n", &pt), LFSC_OK);
  assert_int_equal(lfsc_esp32pt_check_flash(ctx, "p.csv", &pt, 0x400000), LFSC_ELIMIT);
  CHECK(strstr(lfsc_errmsg(ctx), "p.csv:1: 'factory' at 0x10000 of 0x400000 bytes ends at 0x410000, beyond the flash's 0x400000 bytes") != NULL);
  lfsc_free(ctx);
}

static int report(void **state)
{
  (void)state;
  printf("%d checks passed\n", nchecks);
  return nchecks >= 150 ? 0 : -1;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_md5_rfc),
    cmocka_unit_test(test_md5_hashlib),
    cmocka_unit_test(test_read_write),
    cmocka_unit_test(test_refusals),
    cmocka_unit_test(test_csv),
    cmocka_unit_test(test_lfs),
  };
  return cmocka_run_group_tests(tests, NULL, report);
}
