/*
 * Lua 5.3's packed line info (spec lfs53-formats §5) through the one codec
 * of src/lua51/lineinfo.c (lfsc_lineinfo_init53):
 *  - runs of up to 127, then C0 to go on on the same line;
 *  - after a fix drops a run, the next run on the line before it merges
 *    (for i=1,2 do / do end / end gives 05 80 01);
 *  - --compat-lineinfo keeps only the first 6 bits of a dropped run's
 *    multi-byte step, as the reference does, and the default keeps all;
 *  - plain line arrays survive lfsc_lineinfo_pack53 and
 *    lfsc_lineinfo_decode53, which refuses runs of 128 but takes lines <= 0.
 * And through the front end: a call whose ')' is 71 lines below its '('
 * (li_undo.lua's shape) is on the right line by default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/lfsc.h"
#include "nodemcu/lineinfo.h"
#include "lua53/compile.h"
#include "lfsc/opcodes53.h"

static void expect_bytes(lineinfo *li, const uint8_t *want, size_t n)
{
  assert_int_equal(lfsc_lineinfo_size(li), n);
  assert_memory_equal(li->buf, want, n);
}

static void runs_of_127(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lineinfo li;
  lfsc_lineinfo_init53(&li, ctx, 0);
  for (int pc = 0; pc < 128; pc++)
    assert_int_equal(lfsc_lineinfo_emit(&li, pc, 1), 0);
  const uint8_t want[] = {0x7F, 0xC0, 0x01};
  expect_bytes(&li, want, sizeof want);
  lfsc_free(ctx);
}

static void merge_after_fix(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lineinfo li;
  lfsc_lineinfo_init53(&li, ctx, 0);
  int pc = 0;
  for (; pc < 4; pc++)
    lfsc_lineinfo_emit(&li, pc, 1);      /* LOADK LOADK LOADK FORPREP */
  lfsc_lineinfo_emit(&li, pc++, 2);      /* FORLOOP, fixed to the 'for' line */
  lfsc_lineinfo_fix(&li, 1);
  lfsc_lineinfo_emit(&li, pc++, 3);      /* RETURN */
  const uint8_t want[] = {0x05, 0x80, 0x01};
  expect_bytes(&li, want, sizeof want);
  lfsc_free(ctx);
}

/* A run at line 72 after line 1 (a step of 70: two bytes), dropped by a
 * fix back to line 1, then an instruction at line 73. */
static size_t undo(int compat, uint8_t *out)
{
  lfsc_ctx *ctx = lfsc_new();
  lineinfo li;
  lfsc_lineinfo_init53(&li, ctx, compat);
  lfsc_lineinfo_emit(&li, 0, 1);
  lfsc_lineinfo_emit(&li, 1, 72);
  lfsc_lineinfo_fix(&li, 1);
  lfsc_lineinfo_emit(&li, 2, 73);
  size_t n = lfsc_lineinfo_size(&li);
  memcpy(out, li.buf, n);
  lfsc_free(ctx);
  return n;
}

static void undo_bug(void **state)
{
  (void)state;
  uint8_t buf[32];
  int lines[3];
  size_t n = undo(0, buf);
  assert_int_equal(lfsc_lineinfo_decode53(buf, n, lines, 3, NULL), LFSC_OK);
  assert_int_equal(lines[0], 1);
  assert_int_equal(lines[1], 1);
  assert_int_equal(lines[2], 73);
  n = undo(1, buf);
  assert_int_equal(lfsc_lineinfo_decode53(buf, n, lines, 3, NULL), LFSC_OK);
  /* the reference recovers line 72 - (6 + 1) = 65 instead of 1, so the
   * fixed instruction and every later one land 64 lines early */
  assert_int_equal(lines[0], 1);
  assert_int_equal(lines[1], 1 - 64);
  assert_int_equal(lines[2], 73 - 64);
  /* the 5.1 decoder refuses lines <= 0 */
  assert_int_equal(lfsc_lineinfo_decode(buf, n, lines, 3, NULL), LFSC_EFORMAT);
}

static void pack_roundtrip(void **state)
{
  (void)state;
  int lines[600], back[600];
  for (int i = 0; i < 600; i++)
    lines[i] = i < 300 ? 5 : (i % 7 == 0 ? 100000 + i : 3 + i / 50);
  uint8_t *buf = malloc(lfsc_lineinfo_pack_bound(600));
  assert_non_null(buf);
  size_t n = lfsc_lineinfo_pack53(lines, 600, buf);
  assert_int_equal(buf[1], 127);         /* after the step to line 5, a run of 127 */
  assert_int_equal(lfsc_lineinfo_decode53(buf, n, back, 600, NULL), LFSC_OK);
  assert_memory_equal(back, lines, sizeof lines);
  /* the 5.1 decoder (runs up to 126) refuses it */
  assert_int_equal(lfsc_lineinfo_decode(buf, n, back, 600, NULL), LFSC_EFORMAT);
  const uint8_t run128[] = {0x80};
  assert_int_equal(lfsc_lineinfo_decode53(run128, 1, back, 128, NULL), LFSC_EFORMAT);
  free(buf);
}

static void front_end_lines(void **state)
{
  (void)state;
  char src[128] = "print(";
  size_t len = strlen(src);
  for (int i = 0; i < 71; i++)
    src[len++] = '\n';
  src[len++] = ')';
  for (int compat = 0; compat < 2; compat++) {
    lfsc_ctx *ctx = lfsc_new();
    lfsc_compile_opts o = {LFSC_NUM_I32_F32, 0, compat};
    lfsc_proto *f;
    assert_int_equal(lfsc_lua53_compile(ctx, &o, "=t", src, len, &f), LFSC_OK);
    int lines[8];
    assert_true(f->sizecode <= 8);
    assert_int_equal(lfsc_lineinfo_decode53(f->packedli, f->sizepackedli, lines, f->sizecode,
                                            NULL), LFSC_OK);
    assert_int_equal(INS_OP(f->code[1]), OP53_CALL);
    assert_int_equal(f->lineinfo[1], 1);  /* the call is on the line of '(' */
    /* under the bug the call lands on line -63 and the RETURN 64 lines early */
    assert_int_equal(lines[1], compat ? 1 - 64 : 1);
    assert_int_equal(lines[2], compat ? 72 - 64 : 72);
    assert_int_equal(f->lineinfo[2], 72);
    lfsc_free(ctx);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(runs_of_127),
    cmocka_unit_test(merge_after_fix),
    cmocka_unit_test(undo_bug),
    cmocka_unit_test(pack_roundtrip),
    cmocka_unit_test(front_end_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
