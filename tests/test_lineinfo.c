/*
 * The packed line-info codec (src/lua51/lineinfo.c, image spec §8.2-8.3):
 *  - plain line arrays survive lfsc_lineinfo_pack and lfsc_lineinfo_decode,
 *    the longest runs and the largest steps included;
 *  - the decoder refuses each thing NodeMCU's encoder cannot write;
 *  - the line info of every reference vector (.lc files and images under
 *    the conformance directory, read with lfsc_lc_read and lfsc_reader_load)
 *    decodes strictly; its bytes equal what our code generator writes for
 *    the same source with --compat-lineinfo (the reference's bug), and its
 *    lines equal the generator's own lines wherever that bug does not
 *    strike. Minimum counts make the test fail when the vectors are absent.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/lfsc.h"
#include "base/file.h"
#include "lfs51/reader.h"
#include "lua51/lc_read.h"
#include "nodemcu/lineinfo.h"

#define CONF LFSC_CONFORMANCE_DIR

/* {================= the codec on its own =================} */

static void roundtrip(const int *lines, int n)
{
  size_t bound = lfsc_lineinfo_pack_bound(n);
  uint8_t *buf = malloc(bound);
  int *back = malloc(((size_t)n + 1) * sizeof *back);
  assert_non_null(buf);
  assert_non_null(back);
  size_t len = lfsc_lineinfo_pack(lines, n, buf);
  assert_true(len <= bound);
  const char *why = "unset";
  assert_int_equal(lfsc_lineinfo_decode(buf, len, back, n, &why), LFSC_OK);
  assert_null(why);
  if (n)
    assert_memory_equal(back, lines, (size_t)n * sizeof *back);
  free(buf);
  free(back);
}

static void test_pack_roundtrip(void **state)
{
  (void)state;
  int lines[300];
  /* one run; a run split at 126 (the second part repeats the line: C0) */
  for (int i = 0; i < 300; i++)
    lines[i] = 7;
  roundtrip(lines, 1);
  roundtrip(lines, 126);
  roundtrip(lines, 127);
  roundtrip(lines, 300);
  uint8_t buf[64];
  assert_int_equal(lfsc_lineinfo_pack(lines, 127, buf), 4);
  static const uint8_t split[] = {0x85, 0x7E, 0xC0, 0x01};
  assert_memory_equal(buf, split, sizeof split);
  /* the largest steps: 0 -> INT32_MAX -> 0, five bytes each */
  const int far[] = {0, INT32_MAX, 0, 1, INT32_MAX - 1, INT32_MAX};
  roundtrip(far, 6);
  size_t len = lfsc_lineinfo_pack(far, 3, buf);
  assert_int_equal(len, 2 + 6 + 6);           /* C0 01, then step 5 + count 1 twice */
  /* seeded random arrays: small and large steps, repeats */
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; round++) {
    int n = 1 + round % 300, line = 1;
    for (int i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      uint32_t r = seed >> 8;
      switch (r % 8) {
      case 0: line += (int)(r >> 4 & 0xFFFF); break;
      case 1: line -= (int)(r >> 4 & 0xFF); break;
      case 2: line++; break;
      default: break;
      }
      if (line < 0)
        line = (int)(r & 0xFF);
      lines[i] = line;
    }
    roundtrip(lines, n);
  }
}

static void expect_bad(const uint8_t *p, size_t len, int n, const char *reason)
{
  int lines[16];
  const char *why = NULL;
  assert_true(n <= 16);
  assert_int_equal(lfsc_lineinfo_decode(p, len, lines, n, &why), LFSC_EFORMAT);
  assert_non_null(why);
  assert_string_equal(why, reason);
}

static void test_decode_strict(void **state)
{
  (void)state;
  int lines[8];
  /* "for i=1,2 do / do end / end" in compat mode: runs (1,4),(1,1) */
  const uint8_t a[] = {0x04, 0xC0, 0x01};
  assert_int_equal(lfsc_lineinfo_decode(a, sizeof a, lines, 5, NULL), LFSC_OK);
  for (int i = 0; i < 5; i++)
    assert_int_equal(lines[i], 1);
  /* +3 lines: step 0x81 */
  const uint8_t b[] = {0x01, 0x81, 0x02};
  assert_int_equal(lfsc_lineinfo_decode(b, sizeof b, lines, 3, NULL), LFSC_OK);
  assert_int_equal(lines[2], 4);
  /* a five-byte step is the longest there is */
  const uint8_t c[] = {0x80, 0x81, 0x81, 0x81, 0x81, 0x01};
  assert_int_equal(lfsc_lineinfo_decode(c, sizeof c, lines, 1, NULL), LFSC_OK);
  assert_int_equal(lines[0], 2 + (1 << 6) + (1 << 13) + (1 << 20) + (1 << 27));

  expect_bad(b, sizeof b, 4, "fewer runs than instructions");
  expect_bad(b, sizeof b, 2, "more runs than instructions");
  expect_bad(b, 0, 1, "fewer runs than instructions");
  const uint8_t zero[] = {0x00};
  expect_bad(zero, 1, 1, "a run of 0 instructions");
  const uint8_t fill[] = {0x7F};
  expect_bad(fill, 1, 1, "a run of 127 instructions");
  const uint8_t open[] = {0x01, 0x81};
  expect_bad(open, sizeof open, 2, "a line step without its run");
  const uint8_t pad[] = {0x80, 0x80, 0x01};
  expect_bad(pad, sizeof pad, 1, "a line step ending in a zero byte");
  const uint8_t longer[] = {0x80, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01};
  expect_bad(longer, sizeof longer, 1, "a line step longer than 5 bytes");
  const uint8_t below[] = {0xC1, 0x01};
  expect_bad(below, sizeof below, 1, "a line number out of range");
  const uint8_t above[] = {0x80, 0xFF, 0xFF, 0xFF, 0x9F, 0x01};
  expect_bad(above, sizeof above, 1, "a line number out of range");
  /* after a fault: the runs before it, then 0 */
  const uint8_t part[] = {0x02, 0x7F};
  assert_int_equal(lfsc_lineinfo_decode(part, sizeof part, lines, 4, NULL), LFSC_EFORMAT);
  assert_int_equal(lines[0], 1);
  assert_int_equal(lines[1], 1);
  assert_int_equal(lines[2], 0);
  assert_int_equal(lines[3], 0);
}

/* The .lc reader refuses what the decoder refuses, naming the reason;
 * the image reader leaves it to the verifier. c15_empty.lc holds its one
 * run (01 00) at offset 64 (nodemcu-lc-format.md §12.1). */
static void test_lc_read_refuses(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *b;
  size_t len;
  assert_int_equal(lfsc_file_read_arena(ctx, CONF "/lc/float/c15_empty.lc", 1u << 20, &b, &len),
                   LFSC_OK);
  assert_int_equal(len, 74);
  lfsc_proto *p;
  assert_int_equal(lfsc_lc_read(ctx, b, len, "x.lc", LFSC_TARGET_FLOAT, &p), LFSC_OK);
  assert_int_equal(b[64], 0x01);
  b[64] = 0x7F;
  assert_int_equal(lfsc_lc_read(ctx, b, len, "x.lc", LFSC_TARGET_FLOAT, &p), LFSC_EFORMAT);
  assert_string_equal(lfsc_errmsg(ctx),
                      "x.lc: bad line info (a run of 127 instructions) in precompiled chunk");
  b[64] = 0x02;
  assert_int_equal(lfsc_lc_read(ctx, b, len, "x.lc", LFSC_TARGET_FLOAT, &p), LFSC_EFORMAT);
  assert_string_equal(lfsc_errmsg(ctx),
                      "x.lc: bad line info (more runs than instructions) in precompiled chunk");
  lfsc_free(ctx);
}

/* {================= every reference vector =================} */

/* A source compiled both ways, cached: vectors share sources. */
typedef struct compiled {
  char chunkname[256];
  lfsc_nummodel nummodel;
  lfsc_proto *tree[2];          /* [compat]: stock lines, the reference's */
} compiled;

static struct {
  lfsc_ctx *ctx;                /* owns every compiled tree */
  compiled c[512];
  int nc;
  int vectors, funcs, bugged;
} g;

/* The conformance source of a chunk name: "@x.lua" is src/x.lua; the one
 * stdin vector was compiled from c01_basic.lua (its MANIFEST). */
static const compiled *compile_source(const char *chunkname, lfsc_nummodel nm)
{
  for (int i = 0; i < g.nc; i++)
    if (g.c[i].nummodel == nm && strcmp(g.c[i].chunkname, chunkname) == 0)
      return &g.c[i];
  assert_true(g.nc < (int)(sizeof g.c / sizeof g.c[0]));
  const char *file = strcmp(chunkname, "=stdin") == 0 ? "c01_basic.lua" : chunkname + 1;
  if (chunkname[0] != '@' && file == chunkname + 1)
    fail_msg("no source for chunk %s", chunkname);
  char path[512];
  snprintf(path, sizeof path, "%s/src/%s", CONF, file);
  unsigned char *src;
  size_t len;
  if (lfsc_file_read_arena(g.ctx, path, 1u << 24, &src, &len) != LFSC_OK)
    fail_msg("%s", lfsc_errmsg(g.ctx));
  compiled *c = &g.c[g.nc++];
  snprintf(c->chunkname, sizeof c->chunkname, "%s", chunkname);
  c->nummodel = nm;
  for (int compat = 0; compat < 2; compat++) {
    lfsc_compile_opts o = {nm, 0, compat};
    if (lfsc_compile(g.ctx, &o, chunkname, (const char *)src, len, &c->tree[compat]) != LFSC_OK)
      fail_msg("%s", lfsc_errmsg(g.ctx));
  }
  return c;
}

/* The function of tree with f's place in the source and f's code. */
static const lfsc_proto *same_function(const lfsc_proto *tree, const lfsc_proto *f)
{
  if (tree->linedefined == f->linedefined && tree->lastlinedefined == f->lastlinedefined &&
      tree->sizecode == f->sizecode &&
      memcmp(tree->code, f->code, (size_t)f->sizecode * sizeof *f->code) == 0)
    return tree;
  for (int i = 0; i < tree->sizep; i++) {
    const lfsc_proto *q = same_function(tree->p[i], f);
    if (q)
      return q;
  }
  return NULL;
}

static void check_function(const lfsc_proto *f, lfsc_nummodel nm, const char *vector)
{
  if (f->sizepackedli == 0)
    return;
  int *lines = malloc((size_t)f->sizecode * sizeof *lines);
  assert_non_null(lines);
  const char *why = NULL;
  if (lfsc_lineinfo_decode(f->packedli, f->sizepackedli, lines, f->sizecode, &why) != LFSC_OK)
    fail_msg("%s: function at line %d: %s", vector, f->linedefined, why);
  roundtrip(lines, f->sizecode);

  const compiled *c = compile_source(f->source->data, nm);
  const lfsc_proto *ref = same_function(c->tree[1], f);
  const lfsc_proto *ours = same_function(c->tree[0], f);
  if (!ref || !ours)
    fail_msg("%s: function at line %d not found in %s", vector, f->linedefined, c->chunkname);
  /* the reference's bytes are the generator's in compat mode */
  if (ref->sizepackedli != f->sizepackedli ||
      memcmp(ref->packedli, f->packedli, f->sizepackedli) != 0)
    fail_msg("%s: function at line %d: packed line info differs from ours", vector,
             f->linedefined);
  /* and decode to the generator's lines unless the reference's bug moved them */
  int bug = ours->sizepackedli != ref->sizepackedli ||
            memcmp(ours->packedli, ref->packedli, ref->sizepackedli) != 0;
  int same = memcmp(lines, ours->lineinfo, (size_t)f->sizecode * sizeof *lines) == 0;
  if (same == bug)
    fail_msg("%s: function at line %d: lines %s the generator's", vector, f->linedefined,
             bug ? "equal" : "differ from");
  g.bugged += bug;
  g.funcs++;
  free(lines);
}

static void check_tree(const lfsc_proto *f, lfsc_nummodel nm, const char *vector)
{
  check_function(f, nm, vector);
  for (int i = 0; i < f->sizep; i++)
    check_tree(f->p[i], nm, vector);
}

static void check_vector(const char *path)
{
  const char *name = strrchr(path, '/') + 1;
  size_t n = strlen(name);
  if (strstr(name, ".fail."))
    return;                     /* the reference's failed outputs */
  int lc = n > 3 && strcmp(name + n - 3, ".lc") == 0;
  if (!lc && !(n > 4 && strcmp(name + n - 4, ".img") == 0))
    return;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  if (lfsc_file_read_arena(ctx, path, 1u << 24, &buf, &len) != LFSC_OK)
    fail_msg("%s", lfsc_errmsg(ctx));
  if (lc) {
    lfsc_target t = strstr(path, "/lc/int/") ? LFSC_TARGET_INT : LFSC_TARGET_FLOAT;
    lfsc_proto *p;
    if (lfsc_lc_read(ctx, buf, len, name, t, &p) != LFSC_OK)
      fail_msg("%s", lfsc_errmsg(ctx));
    check_tree(p, lfsc_target_nummodel(t), path);
  } else {
    reader_image *img;
    if (lfsc_reader_load(ctx, buf, len, &img) != LFSC_OK)
      fail_msg("%s: %s", path, lfsc_errmsg(ctx));
    for (int i = 0; i < img->nfuncs; i++) {
      const reader_func *f = &img->funcs[i];
      if (f->lioff && !f->lineinfo_ok)
        fail_msg("%s: Proto at 0x%05x: line info rejected", path, (unsigned)f->off);
      check_function(f->proto, lfsc_target_nummodel(img->variant), path);
    }
  }
  g.vectors++;
  lfsc_free(ctx);
}

static void walk(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d)
    fail_msg("cannot open %s", dir);
  /* sorted, so that a failure names the same vector every time */
  struct dirent *e;
  char **names = NULL;
  size_t n = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    names = realloc(names, (n + 1) * sizeof *names);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (strcmp(names[j], names[i]) < 0) {
        char *t = names[i];
        names[i] = names[j];
        names[j] = t;
      }
  for (size_t i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    DIR *sub = opendir(path);
    if (sub) {
      closedir(sub);
      walk(path);
    } else {
      check_vector(path);
    }
    free(names[i]);
  }
  free(names);
}

static void test_every_vector(void **state)
{
  (void)state;
  g.ctx = lfsc_new();
  walk(CONF);
  print_message("%d vectors, %d functions with line info (%d moved by the reference's bug), "
                "%d sources compiled\n", g.vectors, g.funcs, g.bugged, g.nc);
  /* 211 when written: 66 .lc files (2 of them bytecode inputs) and 145
   * images, the .fail. ones left out; the bug moves the main chunk of
   * c20_linefix wherever it has line info */
  assert_true(g.vectors >= 200);
  assert_true(g.funcs >= 2000);
  assert_true(g.bugged >= 10);
  lfsc_free(g.ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pack_roundtrip),
    cmocka_unit_test(test_decode_strict),
    cmocka_unit_test(test_lc_read_refuses),
    cmocka_unit_test(test_every_vector),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
