/*
 * Tests of the LFS image verifier (src/verify.c):
 *  - every conformance vector verifies with no error; the quirk_sigbytes
 *    vectors (and only they) get the stock loader's byte-0 warning, which
 *    --strict turns into an error;
 *  - options: --variant, --region-size, --base;
 *  - hand-made damage that still decodes is reported with its offset and
 *    message: hash mismatch, broken chain, bitmap disagreements, bad
 *    bytecode, a changed index function, IN_PROGRESS, line info.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lfsc/image.h"
#include "lfsc/lfsc.h"
#include "lfsc/opcodes.h"
#include "lfs51/reader.h"
#include "base/sink.h"
#include "lfs51/verify.h"
#include "lfsimg/testutil.h"

static char names[400][300];

/* Run verify; return the report's counts and keep ctx alive for messages. */
static verify_report run(lfsc_ctx *ctx, const unsigned char *b, size_t len, const verify_opts *o)
{
  verify_report rep;
  assert_int_equal(lfsc_verify_image(ctx, b, len, o, &rep), LFSC_OK);
  return rep;
}

/* Assert that some problem of severity sev at offset off contains want. */
static void expect_problem(const unsigned char *b, size_t len, const verify_opts *o,
                           verify_severity sev, long off, const char *want)
{
  lfsc_ctx *ctx = lfsc_new();
  verify_report rep = run(ctx, b, len, o);
  for (int i = 0; i < rep.nproblems; i++) {
    const verify_problem *p = &rep.problems[i];
    if (p->severity == sev && (off < 0 || (p->where != VERIFY_AT_NONE && p->offset == (uint32_t)off)) &&
        strstr(p->msg, want)) {
      lfsc_free(ctx);
      return;
    }
  }
  for (int i = 0; i < rep.nproblems; i++)
    print_message("  have: %s @0x%x: %s\n", rep.problems[i].severity ? "warning" : "error",
                  (unsigned)rep.problems[i].offset, rep.problems[i].msg);
  lfsc_free(ctx);
  fail_msg("no %s at 0x%lx containing \"%s\"", sev ? "warning" : "error", off, want);
}

static void test_vectors_valid(void **state)
{
  (void)state;
  int n = tu_vectors(names, 400), quirks = 0;
  assert_true(n >= 140);
  for (int i = 0; i < n; i++) {
    size_t len;
    unsigned char *b = tu_conf(names[i], &len);
    lfsc_ctx *ctx = lfsc_new();
    verify_opts esp = {.platform = &lfsc_platform_esp8266};
    verify_report rep = run(ctx, b, len, &esp);
    if (rep.errors)
      fail_msg("%s: %s", names[i], rep.problems[0].msg);
    if (strstr(names[i], "quirk_sigbytes")) {
      quirks++;
      assert_int_equal(rep.warnings, 1);
      assert_non_null(strstr(rep.problems[0].msg, "deflate back-reference to byte 0 of the image"));
      /* strict: the stock loader's rule becomes an error */
      verify_opts o = {.platform = &lfsc_platform_esp8266};
      o.strict_loader = 1;
      verify_report r2 = run(ctx, b, len, &o);
      assert_int_equal(r2.errors, 1);
    } else if (rep.warnings) {
      fail_msg("%s: unexpected warning: %s", names[i], rep.problems[0].msg);
    }
    lfsc_free(ctx);
    free(b);
  }
  assert_int_equal(quirks, 3);
  print_message("%d vectors valid, %d with the loader byte-0 warning\n", n, quirks);
}

static void test_options(void **state)
{
  (void)state;
  size_t len;
  unsigned char *b = tu_conf("float/multi.abs.img", &len);
  verify_opts o = {.platform = &lfsc_platform_esp8266};
  o.have_base = 1;
  o.base = 0x40210000;
  expect_problem(b, len, &o, VERIFY_ERROR, 12, "image is linked at 0x40280000, not at 0x40210000");
  o.base = 0x40280000;
  lfsc_ctx *ctx = lfsc_new();
  assert_int_equal(run(ctx, b, len, &o).errors, 0);
  lfsc_free(ctx);
  memset(&o, 0, sizeof o);
  o.region_size = 8192;
  expect_problem(b, len, &o, VERIFY_ERROR, 4, "image of 10672 bytes does not fit the 8192-byte LFS region");
  o.region_size = 16384;
  ctx = lfsc_new();
  assert_int_equal(run(ctx, b, len, &o).errors, 0);
  lfsc_free(ctx);
  memset(&o, 0, sizeof o);
  o.have_variant = 1;
  o.variant = LFSC_TARGET_FLOAT16;
  expect_problem(b, len, &o, VERIFY_ERROR, 0, "image is for the float firmware (signature 0xfafaa155), not float16");
  free(b);
}

/* float/single/c15_empty.abs.img layout (spec §17), byte offsets. */
#define ABSADDR(off) (0x40280000u + (off))

static void test_damage(void **state)
{
  (void)state;
  size_t len;
  unsigned char *b = tu_conf("float/single/c15_empty.abs.img", &len);
  unsigned char *orig = malloc(len);
  memcpy(orig, b, len);

  /* stored hash of "c15_empty" (TS at 140) */
  wr_u32le(b + 148, 0xf5d3a954);
  expect_problem(b, len, NULL, VERIFY_ERROR, 148, "stores hash 0xf5d3a954, its bytes hash to 0xf5d3a953");
  memcpy(b, orig, len);

  /* empty bucket 3: "c15_empty" is then unreachable */
  wr_u32le(b + 44, 0);
  expect_problem(b, len, NULL, VERIFY_ERROR, 140, "string at 0x0008c is in no hash chain");
  memcpy(b, orig, len);

  /* bucket 6 -> the string of bucket 3 as well: reached twice */
  wr_u32le(b + 56, ABSADDR(140));
  expect_problem(b, len, NULL, VERIFY_ERROR, 56,
                 "hash chain of bucket 6 reaches the string at 0x0008c a second time");
  /* ... and with bucket 3 empty: in the wrong bucket */
  wr_u32le(b + 44, 0);
  expect_problem(b, len, NULL, VERIFY_ERROR, 140,
                 "string at 0x0008c (hash 0xf5d3a953) is chained in bucket 6, not 3");
  expect_problem(b, len, NULL, VERIFY_ERROR, 116, "string at 0x00074 is in no hash chain");
  memcpy(b, orig, len);

  /* several problems at once are all reported */
  wr_u32le(b + 56, ABSADDR(120));       /* bucket 6 -> inside "=(luac)" */
  wr_u32le(b + 148, 0);                 /* hash of "c15_empty" */
  wr_u32le(b + 176, 0x00000004);        /* module Proto's tt word */
  {
    lfsc_ctx *ctx = lfsc_new();
    verify_report rep = run(ctx, b, len, NULL);
    assert_int_equal(rep.errors, 4);    /* bad link, unreachable string, hash, its bucket */
    assert_int_equal(rep.warnings, 1);  /* Proto tt */
    lfsc_free(ctx);
  }
  expect_problem(b, len, NULL, VERIFY_ERROR, 56, "bucket 0x40280078 points 4 bytes into the string at 0x00074, not to a string");
  expect_problem(b, len, NULL, VERIFY_ERROR, 116, "string at 0x00074 is in no hash chain");
  expect_problem(b, len, NULL, VERIFY_ERROR, 148, "stores hash 0x00000000");
  expect_problem(b, len, NULL, VERIFY_ERROR, 140, "(hash 0x00000000) is chained in bucket 3, not 0");
  expect_problem(b, len, NULL, VERIFY_WARNING, 172, "next/tt/gclist words are 0x0/0x4/0x0, not 0");
  memcpy(b, orig, len);

  /* IN_PROGRESS */
  wr_u32le(b, 0xfafaa15d);
  expect_problem(b, len, NULL, VERIFY_ERROR, 0, "IN_PROGRESS bit set");
  memcpy(b, orig, len);

  /* the module's RETURN 0 1 returns from register 200 (2 slots) */
  wr_u32le(b + 168, 0x0080321e);
  expect_problem(b, len, NULL, VERIFY_ERROR, 168,
                 "Proto at 0x000ac: bad code at instruction 1 (0x0080321e): register A out of range");
  /* an invalid opcode 63 there: the function no longer ends with RETURN */
  wr_u32le(b + 168, 0x0080003f);
  expect_problem(b, len, NULL, VERIFY_ERROR, 172, "Proto at 0x000ac: code does not end with RETURN");
  memcpy(b, orig, len);

  /* index function: CLOSURE 1 0 -> LOADK 1 0 */
  wr_u32le(b + 272 + 8, INS_ABx(OP_LOADK, 1, 0));
  expect_problem(b, len, NULL, VERIFY_ERROR, 280, "index function instruction 3 is 0x00000041, expected 0x00000064");
  memcpy(b, orig, len);

  /* timestamp replaced by a boolean */
  wr_u32le(b + 260 + 8, 1);
  wr_u32le(b + 260, 0);
  wr_u32le(b + 264, 0);
  expect_problem(b, len, NULL, VERIFY_ERROR, 260, "last constant (timestamp) is not a number");
  memcpy(b, orig, len);

  /* line info string "\x01" -> "\x02": two lines for one instruction */
  b[80] = 0x02;
  wr_u32le(b + 72, 0x21);      /* keep its hash right so only the count is wrong */
  expect_problem(b, len, NULL, VERIFY_ERROR, 172 + 20, "packed line info does not describe its 1 instructions");
  memcpy(b, orig, len);

  /* out-of-range base: rebuilt at 0x50000000 (an error, as luac.cross -a
   * refuses it; the window's end is tested by tests/image/cli.sh, which
   * has an image big enough to cross it) */
  {
    lfsc_ctx *ctx = lfsc_new();
    reader_image *img;
    assert_int_equal(lfsc_reader_load(ctx, b, len, &img), 0);
    for (uint32_t w = 0; w < len / 4; w++)
      if (img->isaddr[w])
        wr_u32le(b + 4 * w, rd_u32le(b + 4 * w) - 0x40280000u + 0x50000000u);
    lfsc_free(ctx);
    verify_opts esp = {.platform = &lfsc_platform_esp8266};
    expect_problem(b, len, &esp, VERIFY_ERROR, 12, "outside the flash window 0x40210000..0x402ff000");
    /* the window is the platform's: with none, the format alone accepts it */
    lfsc_ctx *c2 = lfsc_new();
    assert_int_equal(run(c2, b, len, NULL).errors, 0);
    lfsc_free(c2);
    memcpy(b, orig, len);
  }
  free(b);
  free(orig);

  /* PI: bitmap disagreements (raw, uncompressed form) */
  unsigned char *gz = tu_conf("float/single/c15_empty.pi.img", &len);
  size_t rawlen = 0;
  unsigned char *raw = tu_gunzip(gz, len, &rawlen);
  assert_int_equal(rawlen, 396);
  lfsc_ctx *ctx = lfsc_new();
  assert_int_equal(run(ctx, raw, rawlen, NULL).errors, 0);
  lfsc_free(ctx);
  raw[384] ^= 0x04;             /* clear bit of word 2 (mainProto) */
  expect_problem(raw, rawlen, NULL, VERIFY_ERROR, 8, "address word in the header is not flagged");
  raw[384] ^= 0x04;
  raw[384] ^= 0x01;             /* set bit of word 0 (signature) */
  expect_problem(raw, rawlen, NULL, VERIFY_ERROR, 0, "relocation bit set for a word of the header that is not an address (0xfafaa154)");
  raw[384] ^= 0x01;
  free(raw);
  free(gz);
  /* c01_basic has 371 words: bits 371..383 of the last bitmap word are unused */
  gz = tu_conf("float/single/c01_basic.pi.img", &len);
  raw = tu_gunzip(gz, len, &rawlen);
  assert_int_equal(rawlen, 1484 + 48);
  raw[1484 + 47] ^= 0x80;
  expect_problem(raw, rawlen, NULL, VERIFY_ERROR, 1528, "relocation bitmap flags word 383, past the image end");
  free(raw);
  free(gz);
}

/* The gate every writing tool uses: valid passes, invalid is refused with
 * the first error, --force lets a decodable image through, flagged. */
static void test_or_refuse(void **state)
{
  (void)state;
  size_t len;
  unsigned char *b = tu_conf("float/single/c15_empty.abs.img", &len);
  lfsc_ctx *ctx = lfsc_new();
  reader_image *img = NULL;
  int over = -1;
  assert_int_equal(lfsc_verify_or_refuse(ctx, b, len, NULL, 0, &img, &over), LFSC_OK);
  assert_non_null(img);
  assert_int_equal(over, 0);
  assert_int_equal(img->nmodules, 1);
  lfsc_free(ctx);

  /* the module's RETURN from register 200, and its linedefined -1 (which
   * every Lua 5.1 loader refuses as "bad integer") */
  wr_u32le(b + 168, 0x0080321e);
  wr_u32le(b + 172 + 56, 0xffffffffu);
  ctx = lfsc_new();
  assert_int_equal(lfsc_verify_or_refuse(ctx, b, len, NULL, 0, &img, &over), LFSC_EFORMAT);
  assert_null(img);
  assert_string_equal(lfsc_errmsg(ctx), "0x000e4: Proto at 0x000ac: negative linedefined -1 / "
                      "lastlinedefined 0 (and 1 more error)");
  assert_int_equal(lfsc_verify_or_refuse(ctx, b, len, NULL, 1, &img, &over), LFSC_OK);
  assert_non_null(img);
  assert_int_equal(over, 1);
  assert_non_null(strstr(lfsc_errmsg(ctx), "negative linedefined"));
  lfsc_free(ctx);
  expect_problem(b, len, NULL, VERIFY_ERROR, 168, "register A out of range");

  /* what does not decode stays refused, even forced */
  ctx = lfsc_new();
  assert_int_equal(lfsc_verify_or_refuse(ctx, b, 40, NULL, 1, &img, NULL), LFSC_EFORMAT);
  assert_null(img);
  lfsc_free(ctx);
  free(b);
}

static void test_small_file(void **state)
{
  (void)state;
  /* A tiny module's PI file is just over 200 bytes; the loader needs > 200.
   * Pad-free re-compression of c15_empty at zlib level 9 is smaller than
   * the reference's 216 bytes: the verifier warns about the loader. */
  size_t len, rawlen = 0;
  unsigned char *gz = tu_conf("float/single/c15_empty.pi.img", &len);
  unsigned char *raw = tu_gunzip(gz, len, &rawlen);
  unsigned char out[1024];
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = raw;
  zs.avail_in = (uInt)rawlen;
  zs.next_out = out;
  zs.avail_out = sizeof out;
  assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
  size_t n = sizeof out - zs.avail_out;
  deflateEnd(&zs);
  if (n <= 200)
    expect_problem(out, n, NULL, VERIFY_WARNING, -1, "the stock loader refuses PI files of 200 bytes or less");
  else
    print_message("zlib output is %zu bytes; size warning not exercised\n", n);
  /* zlib (unlike luac.cross) may emit dynamic blocks: still scanned, no error */
  lfsc_ctx *ctx = lfsc_new();
  assert_int_equal(run(ctx, out, n, NULL).errors, 0);
  lfsc_free(ctx);
  free(raw);
  free(gz);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors_valid),
    cmocka_unit_test(test_options),
    cmocka_unit_test(test_damage),
    cmocka_unit_test(test_small_file),
    cmocka_unit_test(test_or_refuse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
