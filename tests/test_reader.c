/*
 * Tests of the LFS image reader (src/reader.c):
 *  - every conformance image decodes, with the variant, kind, module list
 *    and timestamp its name and MANIFEST promise, and each PI/ABS pair
 *    decodes to the same functions;
 *  - the worked example of spec §17 (c15_empty) field by field;
 *  - truncated, bit-flipped, wrong-variant and hand-corrupted images give
 *    the exact message the user sees, and never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lfsc/image.h"
#include "lfsc/lfsc.h"
#include "lfs51/builder.h"
#include "lfs51/reader.h"
#include "base/sink.h"
#include "lfs51/verify.h"
#include "lfsimg/testutil.h"

static char names[400][300];

/* Decode buf; returns the image or NULL with the message in msg. */
static reader_image *decode(lfsc_ctx *ctx, const unsigned char *buf, size_t len, char *msg)
{
  reader_image *img = NULL;
  int rc = lfsc_reader_load(ctx, buf, len, &img);
  if (rc) {
    snprintf(msg, 256, "%s", lfsc_errmsg(ctx));
    return NULL;
  }
  msg[0] = 0;
  return img;
}

/* The reader refuses buf as a bad image (the status decides) with a
 * message that names the fault (what the user reads). */
static void expect_error(const unsigned char *buf, size_t len, const char *want)
{
  lfsc_ctx *ctx = lfsc_new();
  reader_image *img = NULL;
  int rc = lfsc_reader_load(ctx, buf, len, &img);
  if (rc != LFSC_EFORMAT || !strstr(lfsc_errmsg(ctx), want))
    fail_msg("expected LFSC_EFORMAT and an error containing \"%s\", got status %d \"%s\"", want,
             rc, rc ? lfsc_errmsg(ctx) : "");
  lfsc_free(ctx);
}

/* {================= every vector =================} */

static void same_tree(const lfsc_proto *a, const lfsc_proto *b)
{
  assert_int_equal(a->sizecode, b->sizecode);
  assert_memory_equal(a->code, b->code, 4 * (size_t)a->sizecode);
  assert_int_equal(a->sizek, b->sizek);
  for (int i = 0; i < a->sizek; i++) {
    assert_int_equal(a->k[i].type, b->k[i].type);
    if (a->k[i].type == LFSC_K_STR)
      assert_ptr_equal(a->k[i].u.s, b->k[i].u.s);
  }
  assert_int_equal(a->sizep, b->sizep);
  for (int i = 0; i < a->sizep; i++)
    same_tree(a->p[i], b->p[i]);
}

static void test_all_vectors(void **state)
{
  (void)state;
  int n = tu_vectors(names, 400), pairs = 0;
  assert_true(n >= 140);
  for (int i = 0; i < n; i++) {
    lfsc_ctx *ctx = lfsc_new();
    size_t len;
    unsigned char *buf = tu_conf(names[i], &len);
    char msg[256];
    reader_image *img = decode(ctx, buf, len, msg);
    if (!img)
      fail_msg("%s: %s", names[i], msg);
    lfsc_target want = strncmp(names[i], "float16/", 8) == 0 ? LFSC_TARGET_FLOAT16
                       : strncmp(names[i], "int/", 4) == 0  ? LFSC_TARGET_INT
                                                            : LFSC_TARGET_FLOAT;
    assert_int_equal(img->variant, want);
    int abs = strstr(names[i], ".abs") != NULL;
    assert_int_equal(img->absolute, abs);
    assert_int_equal(img->compressed, !abs);
    if (abs)
      assert_int_equal(img->base, strstr(names[i], "0x40210000") ? 0x40210000u : 0x40280000u);
    assert_true(img->has_timestamp);
    assert_true(img->timestamp == 1700000000.0);
    assert_int_equal(img->nstrings, (int)img->nrouse);
    assert_int_equal(img->mainproto_off, img->flash_size - LFSIMG_PROTO_BYTES);
    assert_int_equal(img->nmodules, img->main->sizep);
    for (int m = 0; m < img->nmodules; m++)
      assert_non_null(img->modules[m].name);
    if (strstr(names[i], "many50"))
      assert_int_equal(img->nmodules, 50);
    /* The partner of a PI vector decodes to the same tree. */
    if (!abs && tu_ends_with(names[i], ".pi.img")) {
      char other[160];
      snprintf(other, sizeof other, "%.*s.abs.img", (int)(strlen(names[i]) - 7), names[i]);
      size_t len2;
      unsigned char *buf2 = tu_conf(other, &len2);
      if (buf2) {
        reader_image *img2 = decode(ctx, buf2, len2, msg);
        if (!img2)
          fail_msg("%s: %s", other, msg);
        assert_int_equal(img2->flash_size, img->flash_size);
        /* reloc PI -> ABS is the reference's -a output */
        unsigned char *rel;
        assert_int_equal(lfsc_reader_relocate(ctx, img, img2->base, &rel), 0);
        assert_memory_equal(rel, buf2, len2);
        assert_memory_equal(img2->isaddr, img->isaddr, img->flash_size / 4);
        same_tree(img->main, img2->main);
        pairs++;
        free(buf2);
      }
    }
    free(buf);
    lfsc_free(ctx);
  }
  assert_int_equal(pairs, 69);
  print_message("decoded %d image vectors, %d PI/ABS pairs identical\n", n, pairs);
}

/* {================= spec §17 worked example =================} */

static void test_c15_empty(void **state)
{
  (void)state;
  size_t len;
  unsigned char *buf = tu_conf("float/single/c15_empty.pi.img", &len);
  assert_non_null(buf);
  lfsc_ctx *ctx = lfsc_new();
  char msg[256];
  reader_image *img = decode(ctx, buf, len, msg);
  assert_non_null(img);
  assert_int_equal(len, 216);
  assert_int_equal(img->flash_size, 384);
  assert_int_equal(img->data_size, 396);
  assert_int_equal(img->sig, 0xfafaa154u);
  assert_int_equal(img->nrouse, 4);
  assert_int_equal(img->nrosize, 8);
  static const char *const strs[] = {"\x01", "@c15_empty.lua", "=(luac)", "c15_empty"};
  static const uint32_t hashes[] = {0x20, 0xf83959b7, 0xbe5fc006, 0xf5d3a953};
  static const uint32_t offs[] = {64, 84, 116, 140};
  for (int i = 0; i < 4; i++) {
    assert_string_equal(img->strings[i].s->data, strs[i]);
    assert_int_equal(img->strings[i].hash, hashes[i]);
    assert_int_equal(img->strings[i].off, offs[i]);
  }
  assert_int_equal(img->strings_end, 168);
  assert_int_equal(img->mainproto_off, 312);
  const lfsc_proto *m = img->main;
  static const uint32_t code[] = {0x00400017, 0x80004016, 0x00000064, 0x0100005E, 0x00004041,
                                  0x0080008A, 0x000000C1, 0x008040A2, 0x0180005E, 0x0080001E};
  assert_int_equal(m->sizecode, 10);
  assert_memory_equal(m->code, code, sizeof code);
  uint32_t want[10];
  lfsc_image_index_code(1, want);
  assert_memory_equal(want, code, sizeof code);
  assert_int_equal(m->numparams, 1);
  assert_int_equal(m->maxstacksize, 4);
  assert_int_equal(img->nmodules, 1);
  assert_string_equal(img->modules[0].name->data, "c15_empty");
  const lfsc_proto *c = img->modules[0].proto;
  assert_int_equal(c->sizecode, 1);
  assert_int_equal(c->code[0], 0x0080001e);
  assert_int_equal(c->is_vararg, 2);
  assert_int_equal(c->maxstacksize, 2);
  assert_string_equal(c->source->data, "@c15_empty.lua");
  assert_int_equal(c->sizelineinfo, 1);
  assert_int_equal(c->lineinfo[0], 1);
  /* bitmap words of the spec: 0x0000c90c 0x60094000 0x00470000 */
  assert_int_equal(img->bitmap_bytes, 12);
  assert_int_equal(rd_u32le(img->bitmap), 0x0000c90c);
  assert_int_equal(rd_u32le(img->bitmap + 4), 0x60094000);
  assert_int_equal(rd_u32le(img->bitmap + 8), 0x00470000);
  lfsc_free(ctx);
  free(buf);
}

/* {================= damaged images =================} */

static void test_truncated(void **state)
{
  (void)state;
  size_t len;
  unsigned char *abs = tu_conf("float/single/c01_basic.abs.img", &len);
  assert_int_equal(len, 1484);
  expect_error(abs, 0, "too short for an LFS image (0 bytes, the header alone is 32)");
  expect_error(abs, 31, "too short for an LFS image (31 bytes");
  expect_error(abs, 32, "offset 0x00004: flash_size 1484 but only 32 bytes of image data (truncated image?)");
  expect_error(abs, 1000, "flash_size 1484 but only 1000 bytes of image data (truncated image?)");
  expect_error(abs, 1480, "only 1480 bytes");
  /* Every truncation fails cleanly. */
  for (size_t n = 0; n < len; n++) {
    lfsc_ctx *ctx = lfsc_new();
    reader_image *img;
    assert_int_not_equal(lfsc_reader_load(ctx, abs, n, &img), 0);
    lfsc_free(ctx);
  }
  free(abs);

  unsigned char *pi = tu_conf("float/single/c01_basic.pi.img", &len);
  expect_error(pi, len - 1, "truncated gzip data");
  expect_error(pi, len / 2, "truncated gzip data");
  expect_error(pi, 12, "truncated gzip data");
  for (size_t n = 2; n < len; n++) {
    lfsc_ctx *ctx = lfsc_new();
    reader_image *img;
    assert_int_not_equal(lfsc_reader_load(ctx, pi, n, &img), 0);
    lfsc_free(ctx);
  }
  /* The raw PI form, cut inside the bitmap. */
  size_t rawlen = 0;
  unsigned char *raw = tu_gunzip(pi, len, &rawlen);
  assert_non_null(raw);
  expect_error(raw, rawlen - 4,
               "relocation bitmap is 44 bytes; flash_size 1484 needs exactly 48 (LFS length mismatch)");
  free(raw);
  free(pi);
}

static void test_bitflips(void **state)
{
  (void)state;
  size_t len;
  unsigned char *abs = tu_conf("float/single/c15_empty.abs.img", &len);
  /* Every single-bit flip: a clean error, or an image that verify judges
   * without crashing. */
  int decoded = 0, rejected = 0, flagged = 0;
  for (size_t bit = 0; bit < len * 8; bit++) {
    abs[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    lfsc_ctx *ctx = lfsc_new();
    verify_report rep;
    verify_opts esp = {.platform = &lfsc_platform_esp8266};
    assert_int_equal(lfsc_verify_image(ctx, abs, len, &esp, &rep), 0);
    if (!rep.img)
      rejected++;
    else if (rep.errors || rep.warnings)
      flagged++;
    else
      decoded++;
    lfsc_free(ctx);
    abs[bit / 8] ^= (unsigned char)(1u << (bit % 8));
  }
  /* Flips that change nothing observable exist (e.g. in a timestamp), but
   * most must be caught. */
  assert_true(rejected + flagged > 9 * (int)(len * 8) / 10);
  print_message("c15_empty.abs: %d flips rejected by the reader, %d flagged by verify, %d unnoticed\n",
                rejected, flagged, decoded);

  /* Specific flips and their messages. */
  abs[3] ^= 0x01;               /* 0xfa -> 0xfb */
  expect_error(abs, len, "not an LFS image (signature 0xfbfaa155, expected 0xfafaa15x)");
  abs[3] ^= 0x01;
  abs[1] ^= 0x02;               /* version 1 -> 3 */
  expect_error(abs, len, "unsupported LFS format version 3");
  abs[1] ^= 0x02;
  abs[0] ^= 0x02;               /* packed + integer */
  expect_error(abs, len, "sets both the packed and the integer bit");
  abs[0] ^= 0x02;
  abs[4] ^= 0x04;               /* flash_size 384 -> 388 */
  expect_error(abs, len, "offset 0x00004: flash_size 388 but only 384 bytes");
  abs[4] ^= 0x04;
  abs[20] ^= 0x01;              /* nROsize 8 -> 9 */
  expect_error(abs, len, "offset 0x00014: bucket count nROsize 9 is not a power of two");
  abs[20] ^= 0x01;
  abs[44] ^= 0x04;              /* bucket 3 -> into the middle of a string */
  {
    /* a bad chain link does not stop the decode: it is kept for verify */
    lfsc_ctx *ctx = lfsc_new();
    reader_image *img;
    assert_int_equal(lfsc_reader_load(ctx, abs, len, &img), 0);
    assert_int_equal(img->nsoft, 1);
    assert_int_equal(img->soft[0].offset, 44);
    assert_string_equal(img->soft[0].msg, "bucket 0x40280088 points 20 bytes into the string at 0x00074, not to a string");
    assert_int_equal(img->bucket[3], 0);
    lfsc_free(ctx);
  }
  abs[44] ^= 0x04;
  free(abs);

  /* Bit flips in the compressed file end at zlib. */
  unsigned char *pi = tu_conf("float/single/c15_empty.pi.img", &len);
  pi[len - 8] ^= 0x10;          /* CRC */
  expect_error(pi, len, "corrupt gzip data: incorrect data check");
  pi[len - 8] ^= 0x10;
  pi[len - 3] ^= 0x01;          /* ISIZE */
  expect_error(pi, len, "corrupt gzip data: incorrect length check");
  pi[len - 3] ^= 0x01;
  size_t rawlen = 0;
  unsigned char *raw = tu_gunzip(pi, len, &rawlen);
  int same = 0;
  for (size_t bit = 80; bit < (len - 8) * 8; bit++) {
    pi[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    lfsc_ctx *ctx = lfsc_new();
    reader_image *img;
    /* The CRC catches every flip that changes the data; a flip of a
     * distance bit that copies equal bytes (zero words) changes nothing. */
    if (lfsc_reader_load(ctx, pi, len, &img) == 0) {
      assert_int_equal(img->data_size, rawlen);
      assert_memory_equal(img->data, raw, rawlen);
      same++;
    }
    lfsc_free(ctx);
    pi[bit / 8] ^= (unsigned char)(1u << (bit % 8));
  }
  print_message("c15_empty.pi: %d deflate bit flips inflate to the same bytes\n", same);
  free(raw);
  free(pi);
}

/* Build an absolute copy of c15_empty we can corrupt structurally. */
static unsigned char *c15_abs(size_t *len)
{
  return tu_conf("float/single/c15_empty.abs.img", len);
}

#define ABSADDR(off) (0x40280000u + (off))

static void test_structure(void **state)
{
  (void)state;
  size_t len;
  unsigned char *b = c15_abs(&len);
  /* index p[0] (word 61) -> the index Proto itself: a cycle */
  wr_u32le(b + 244, ABSADDR(312));
  expect_error(b, len, "offset 0x00138: Proto overlaps the Proto at 0x00138");
  free(b);
  b = c15_abs(&len);
  /* index k -> its own code vector: vectors overlap */
  wr_u32le(b + 312 + 8, ABSADDR(272));
  expect_error(b, len, "offset 0x00110: code vector overlaps the constant vector at 0x00110");
  free(b);
  b = c15_abs(&len);
  /* k[0] string -> a Proto struct */
  wr_u32le(b + 248, ABSADDR(172));
  expect_error(b, len, "offset 0x000f8: string constant 0x402800ac points to 0x000ac, which is not the start of a string");
  free(b);
  b = c15_abs(&len);
  /* unknown constant type tag */
  wr_u32le(b + 248 + 8, 7);
  expect_error(b, len, "offset 0x00100: constant 0 has type tag 7");
  free(b);
  b = c15_abs(&len);
  /* sizecode huge */
  wr_u32le(b + 312 + 44, 0x40000000);
  expect_error(b, len, "Proto sizecode 1073741824 is larger than the image");
  free(b);
  b = c15_abs(&len);
  /* mainProto outside */
  wr_u32le(b + 8, 0x50000000);
  expect_error(b, len, "offset 0x00008: mainProto 0x50000000 does not point inside the image");
  free(b);
  b = c15_abs(&len);
  /* string length running off the end */
  wr_u32le(b + 140 + 12, 1000);
  expect_error(b, len, "string 4 of 4: length 1000 runs past the end of the image");
  free(b);
  b = c15_abs(&len);
  /* line info pointing at a string header rather than its characters */
  wr_u32le(b + 192, ABSADDR(64));
  expect_error(b, len, "packedlineinfo 0x40280040 does not point at the characters of a string");
  free(b);
  /* Absolute image with trailing bytes. */
  b = c15_abs(&len);
  unsigned char *big = calloc(len + 8, 1);
  memcpy(big, b, len);
  expect_error(big, len + 8, "absolute image of flash_size 384 has 392 bytes (expected exactly 384)");
  free(big);
  free(b);
  /* reloc refuses a PI image whose bitmap disagrees with its addresses */
  {
    unsigned char *gz = tu_conf("float/single/c15_empty.pi.img", &len);
    size_t rawlen = 0;
    unsigned char *raw = tu_gunzip(gz, len, &rawlen), *rel;
    raw[384] ^= 0x04;           /* mainProto's bit */
    lfsc_ctx *ctx = lfsc_new();
    reader_image *img;
    assert_int_equal(lfsc_reader_load(ctx, raw, rawlen, &img), 0);
    assert_int_equal(lfsc_reader_relocate(ctx, img, 0x40280000, &rel), LFSC_EFORMAT);
    assert_string_equal(lfsc_errmsg(ctx),
                        "offset 0x00008: relocation bitmap disagrees with the image (address word not flagged)");
    lfsc_free(ctx);
    free(raw);
    free(gz);
  }
  /* Gzip member followed by junk. */
  unsigned char *pi = tu_conf("float/single/c15_empty.pi.img", &len);
  unsigned char *pj = calloc(len + 3, 1);
  memcpy(pj, pi, len);
  expect_error(pj, len + 3, "3 bytes of trailing data after the gzip member");
  free(pj);
  free(pi);
}

static void test_wrong_variant(void **state)
{
  (void)state;
  size_t len;
  unsigned char *b = tu_conf("int/single/c15_empty.abs.img", &len);
  /* Relabel an int image as float: 8-byte TValues read as 12-byte ones. */
  wr_u32le(b, 0xfafaa155);
  expect_error(b, len, "offset 0x00108: code vector overlaps the constant vector at 0x00108 "
               "(the signature says float, but the image decodes as int: wrong variant bits?)");
  free(b);
  b = tu_conf("float/single/c15_empty.abs.img", &len);
  wr_u32le(b, 0xfafaa153);
  expect_error(b, len, "offset 0x00104: constant 1 has type tag 1073741824 (only nil 0, boolean 1, "
               "number 3, string 4 occur) (the signature says int, but the image decodes as float: "
               "wrong variant bits?)");
  free(b);
  b = tu_conf("float16/single/c01_basic.abs.img", &len);
  wr_u32le(b, 0xfafaa155);
  expect_error(b, len, "(the signature says float, but the image decodes as float16: wrong variant bits?)");
  free(b);
  /* A well-formed image for another firmware: verify names the mismatch. */
  b = tu_conf("float/single/c01_basic.pi.img", &len);
  lfsc_ctx *ctx = lfsc_new();
  verify_opts o = {0};
  o.have_variant = 1;
  o.variant = LFSC_TARGET_INT;
  verify_report rep;
  assert_int_equal(lfsc_verify_image(ctx, b, len, &o, &rep), 0);
  assert_int_equal(rep.errors, 1);
  assert_string_equal(rep.problems[0].msg,
                      "image is for the float firmware (signature 0xfafaa154), not int: the loader "
                      "would say 'incorrect LFS header signature'");
  lfsc_free(ctx);
  free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_vectors),
    cmocka_unit_test(test_c15_empty),
    cmocka_unit_test(test_truncated),
    cmocka_unit_test(test_bitflips),
    cmocka_unit_test(test_structure),
    cmocka_unit_test(test_wrong_variant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
