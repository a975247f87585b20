/*
 * Unit tests of the listing printer (src/lua51/listing.c) on hand-made trees:
 * the header lines and their plurals, the stable pre-order stand-ins for
 * heap addresses, source-name forms, number formats per target, line
 * sources, and paths that compiled code rarely reaches (SETLIST with a
 * count word, absent strings); the instruction formatter's two styles
 * and the string escaper's three (base/escape.h). Also: the module part of NodeMCU's own
 * -l -l listings (conformance/listings, float and int builds) equals our
 * listing of the same source compiled by our front end with the
 * firmware's number model. The byte-for-byte comparison with luac5.1 and
 * with NodeMCU's listings of the .lc vectors is done by the scripts in
 * tests/listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/lfsc.h"
#include "lfsc/opcodes.h"
#include "base/escape.h"
#include "lua51/listing.h"

static char *list(const lfsc_proto *p, int full, lfsc_target t)
{
  lfsc_sink out;
  lfsc_sink_mem_init(&out);
  assert_int_equal(lfsc_listing_print(&out, p, full, t), LFSC_OK);
  lfsc_sink_u8(&out, 0);
  assert_int_equal(out.status, LFSC_OK);
  return (char *)out.buf;
}

#define RET INS_ABC(OP_RETURN, 0, 1, 0)

/* A function with the given code (copied into the arena). */
static lfsc_proto *fn(lfsc_ctx *ctx, const char *source, int line, int n, const uint32_t *code)
{
  lfsc_proto *p = lfsc_alloc(ctx, sizeof *p);
  assert_non_null(p);
  p->source = source ? lfsc_intern(ctx, source, strlen(source)) : NULL;
  p->linedefined = line;
  p->lastlinedefined = line ? line + 1 : 0;
  p->maxstacksize = 2;
  p->sizecode = n;
  p->code = lfsc_alloc(ctx, (size_t)n * sizeof *p->code);
  memcpy(p->code, code, (size_t)n * sizeof *code);
  return p;
}

static void set_children(lfsc_ctx *ctx, lfsc_proto *p, int n, ...)
{
  va_list ap;
  va_start(ap, n);
  p->sizep = n;
  p->p = lfsc_alloc(ctx, (size_t)n * sizeof *p->p);
  for (int i = 0; i < n; i++)
    p->p[i] = va_arg(ap, lfsc_proto *);
  va_end(ap);
}

/* Constants of a hand-made function. */
static void set_sizek(lfsc_ctx *ctx, lfsc_proto *p, int n)
{
  p->sizek = n;
  p->k = lfsc_alloc(ctx, (size_t)n * sizeof *p->k);
  memset(p->k, 0, (size_t)n * sizeof *p->k);
}

static void kstr(lfsc_ctx *ctx, lfsc_proto *p, int i, const char *s, size_t len)
{
  p->k[i].type = LFSC_K_STR;
  p->k[i].u.s = s ? lfsc_intern(ctx, s, len) : NULL;
}

static void knum(lfsc_proto *p, int i, lfsc_number n)
{
  p->k[i].type = LFSC_K_NUM;
  p->k[i].u.n = n;
}

/* Pre-order numbering: main 1, first child 2, its child 3, second child 4;
 * CLOSURE comments name the same numbers as the headers. */
static void test_ids_and_header(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const uint32_t mcode[] = {INS_ABx(OP_CLOSURE, 0, 0), INS_ABx(OP_CLOSURE, 1, 1), RET};
  const uint32_t ccode[] = {INS_ABx(OP_CLOSURE, 0, 0), RET};
  const uint32_t leaf[] = {RET};
  lfsc_proto *m = fn(ctx, "@f.lua", 0, 3, mcode);
  lfsc_proto *c1 = fn(ctx, "@f.lua", 3, 2, ccode);
  lfsc_proto *g = fn(ctx, "@f.lua", 4, 1, leaf);
  lfsc_proto *c2 = fn(ctx, "@f.lua", 9, 1, leaf);
  set_children(ctx, m, 2, c1, c2);
  set_children(ctx, c1, 1, g);
  m->is_vararg = LFSC_VARARG_ISVARARG;
  c2->numparams = 1;
  c2->maxstacksize = 1;
  c2->nups = 1;
  char *text = list(m, 0, LFSC_TARGET_HOST);
  const char *expect =
    "\nmain <f.lua:0,0> (3 instructions, 12 bytes at 0x00000001)\n"
    "0+ params, 2 slots, 0 upvalues, 0 locals, 0 constants, 2 functions\n"
    "\t1\t[-]\tCLOSURE  \t0 0\t; 0x00000002\n"
    "\t2\t[-]\tCLOSURE  \t1 1\t; 0x00000004\n"
    "\t3\t[-]\tRETURN   \t0 1\n"
    "\nfunction <f.lua:3,4> (2 instructions, 8 bytes at 0x00000002)\n"
    "0 params, 2 slots, 0 upvalues, 0 locals, 0 constants, 1 function\n"
    "\t1\t[-]\tCLOSURE  \t0 0\t; 0x00000003\n"
    "\t2\t[-]\tRETURN   \t0 1\n"
    "\nfunction <f.lua:4,5> (1 instruction, 4 bytes at 0x00000003)\n"
    "0 params, 2 slots, 0 upvalues, 0 locals, 0 constants, 0 functions\n"
    "\t1\t[-]\tRETURN   \t0 1\n"
    "\nfunction <f.lua:9,10> (1 instruction, 4 bytes at 0x00000004)\n"
    "1 param, 1 slot, 1 upvalue, 0 locals, 0 constants, 0 functions\n"
    "\t1\t[-]\tRETURN   \t0 1\n";
  assert_string_equal(text, expect);
  free(text);
  lfsc_free(ctx);
}

static void test_source_names(void **state)
{
  (void)state;
  static const struct { const char *src, *shown; } cases[] = {
    {"@dir/x.lua", "<dir/x.lua:0,0>"}, {"=stdin", "<stdin:0,0>"},
    {"\x1bLua", "<(bstring):0,0>"}, {"return 1", "<(string):0,0>"}, {NULL, "<?:0,0>"},
  };
  const uint32_t code[] = {RET};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    lfsc_ctx *ctx = lfsc_new();
    char *text = list(fn(ctx, cases[i].src, 0, 1, code), 0, LFSC_TARGET_FLOAT);
    assert_non_null(strstr(text, cases[i].shown));
    free(text);
    lfsc_free(ctx);
  }
}

/* Constants, their escapes and number formats; the -l -l tables. */
static void test_constants(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const uint32_t code[] = {
    INS_ABx(OP_LOADK, 0, 0), INS_ABx(OP_LOADK, 0, 1), INS_ABx(OP_LOADK, 0, 2),
    INS_ABx(OP_GETGLOBAL, 1, 3), INS_ABC(OP_ADD, 0, LFSC_BITRK | 4, 1),
    INS_ABC(OP_MOD, 0, LFSC_BITRK | 4, 1), INS_ABC(OP_EQ, 0, 0, LFSC_BITRK | 5),
    INS_AsBx(OP_JMP, 0, 0), RET
  };
  lfsc_proto *p = fn(ctx, "=t", 0, 9, code);
  set_sizek(ctx, p, 7);
  kstr(ctx, p, 0, "a\"\\\n\0\x01\xff\t", 8);
  knum(p, 1, 0.1);
  knum(p, 2, 1e15);
  kstr(ctx, p, 3, "print", 5);
  knum(p, 4, -7);
  p->k[5].type = LFSC_K_BOOL;
  p->k[5].u.b = 1;
  kstr(ctx, p, 6, NULL, 0);                     /* absent string (crafted .lc) */
  char *text = list(p, 1, LFSC_TARGET_FLOAT);
  assert_non_null(strstr(text, "\t1\t[-]\tLOADK    \t0 -1\t; \"a\\\"\\\\\\n\\000\\001\\255\\t\"\n"));
  assert_non_null(strstr(text, "\t2\t[-]\tLOADK    \t0 -2\t; 0.1\n"));
  assert_non_null(strstr(text, "\t3\t[-]\tLOADK    \t0 -3\t; 1e+15\n"));
  assert_non_null(strstr(text, "\t4\t[-]\tGETGLOBAL\t1 -4\t; print\n"));
  assert_non_null(strstr(text, "\t5\t[-]\tADD      \t0 -5 1\t; -7 -\n"));
  assert_non_null(strstr(text, "\t6\t[-]\tMOD      \t0 -5 1\n"));      /* no comment */
  assert_non_null(strstr(text, "\t7\t[-]\tEQ       \t0 0 -6\t; - true\n"));
  assert_non_null(strstr(text, "\t8\t[-]\tJMP      \t0\t; to 9\n"));
  assert_non_null(strstr(text, "constants (7) for 0x00000001:\n\t1\t\"a"));
  assert_non_null(strstr(text, "\t7\t(null)\nlocals (0) for 0x00000001:\n"
                               "upvalues (0) for 0x00000001:\n"));
  free(text);
  /* the int target prints integers; anything else stays %.14g */
  p->k[2].u.n = 2147483646;
  text = list(p, 0, LFSC_TARGET_INT);
  assert_non_null(strstr(text, "; 2147483646\n"));
  assert_non_null(strstr(text, "; 0.1\n"));
  free(text);
  text = list(p, 0, LFSC_TARGET_FLOAT);
  assert_non_null(strstr(text, "; 2147483646\n"));
  free(text);
  lfsc_free(ctx);
}

/* SETLIST with C == 0: the count word is shown in the comment and not
 * listed as an instruction. Locals and upvalue names in -l -l. */
static void test_setlist_and_names(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const uint32_t code[] = {
    INS_ABC(OP_NEWTABLE, 0, 0, 0), INS_ABC(OP_SETLIST, 0, 1, 0), 600,
    INS_ABC(OP_GETUPVAL, 1, 0, 0), RET
  };
  lfsc_proto *p = fn(ctx, "@s.lua", 0, 5, code);
  p->nups = 1;
  p->sizeupvalues = 1;
  p->upvalues = lfsc_alloc(ctx, sizeof *p->upvalues);
  p->upvalues[0] = lfsc_intern(ctx, "up", 2);
  p->sizelocvars = 1;
  p->locvars = lfsc_alloc(ctx, sizeof *p->locvars);
  p->locvars[0].name = lfsc_intern(ctx, "t", 1);
  p->locvars[0].startpc = 1;
  p->locvars[0].endpc = 4;
  char *text = list(p, 1, LFSC_TARGET_HOST);
  assert_non_null(strstr(text, "\t2\t[-]\tSETLIST  \t0 1 0\t; 600\n\t4\t[-]\tGETUPVAL \t1 0\t; up\n"));
  assert_null(strstr(text, "\t3\t"));
  assert_non_null(strstr(text, "locals (1) for 0x00000001:\n\t0\tt\t2\t5\n"));
  assert_non_null(strstr(text, "upvalues (1) for 0x00000001:\n\t0\tup\n"));
  free(text);
  lfsc_free(ctx);
}

/* Instruction pc of f in one style of the formatter, and the next pc. */
static char *instr(const lfsc_proto *f, int pc, lfsc_instr_style style, int id, int *next)
{
  lfsc_sink out;
  lfsc_sink_mem_init(&out);
  *next = lfsc_listing_instr(&out, f, pc, style, LFSC_TARGET_FLOAT, id);
  lfsc_sink_u8(&out, 0);
  assert_int_equal(out.status, LFSC_OK);
  return (char *)out.buf;
}

/* The one instruction formatter: luac's form (as in listings) and the
 * fields form lfsimg diff names instructions with, where they differ:
 * unused operands, RK operands outside K mode, JMP's A, comments, unknown
 * opcodes, and SETLIST's count word. */
static void test_instr_styles(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const uint32_t code[] = {
    INS_ABC(OP_ADD, 1, LFSC_BITRK | 1, 3), INS_ABC(OP_CALL, 0, 300, 1),
    INS_AsBx(OP_JMP, 0, -2), 63u | 5u << 6, INS_ABC(OP_SETLIST, 0, 1, 0), 70000,
    INS_ABx(OP_CLOSURE, 0, 1), INS_ABx(OP_LOADK, 2, 0), INS_ABC(OP_MOVE, 1, 2, 0)
  };
  static const struct { int pc, next_luac, next_fields; const char *luac, *fields; } cases[] = {
    {0, 1, 1, "ADD      \t1 -2 3\t; 7 -", "ADD 1 -2 3"},
    {1, 2, 2, "CALL     \t0 -45 1", "CALL 0 300 1"},
    {2, 3, 3, "JMP      \t-2\t; to 2", "JMP 0 -2"},
    {3, 4, 4, "?        \t0x0000017f", "0x0000017f (invalid opcode 63)"},
    {4, 6, 5, "SETLIST  \t0 1 0\t; 70000", "SETLIST 0 1 0"},
    {6, 7, 7, "CLOSURE  \t0 1\t; 0x00000005", "CLOSURE 0 1"},
    {7, 8, 8, "LOADK    \t2 -1\t; \"x\\ty\"", "LOADK 2 -1"},
    {8, 9, 9, "MOVE     \t1 2", "MOVE 1 2 0"},
  };
  const uint32_t leaf[] = {RET};
  lfsc_proto *p = fn(ctx, "@i.lua", 0, 9, code);
  set_children(ctx, p, 2, fn(ctx, "@i.lua", 1, 1, leaf), fn(ctx, "@i.lua", 2, 1, leaf));
  set_sizek(ctx, p, 2);
  kstr(ctx, p, 0, "x\ty", 3);
  knum(p, 1, 7);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int next;
    char *text = instr(p, cases[i].pc, LFSC_INSTR_LUAC, 3, &next);   /* p as function 3 */
    assert_string_equal(text, cases[i].luac);
    assert_int_equal(next, cases[i].next_luac);
    free(text);
    text = instr(p, cases[i].pc, LFSC_INSTR_FIELDS, 3, &next);
    assert_string_equal(text, cases[i].fields);
    assert_int_equal(next, cases[i].next_fields);
    free(text);
  }
  lfsc_free(ctx);
}

/* The three styles of the one escaper (base/escape.h) on the bytes where
 * they differ. */
static void test_escape_styles(void **state)
{
  (void)state;
  static const char in[] = "\"\\\a\b\f\n\r\t\v\x01\x7f\xc3\xa9\xff" "A";
  static const char *const expect[] = {
    [LFSC_ESCAPE_LUAC] = "\\\"\\\\\\a\\b\\f\\n\\r\\t\\v\\001\\127\\195\\169\\255A",
    [LFSC_ESCAPE_TEXT] = "\\\"\\\\\\007\\008\\012\\n\\r\\t\\011\\001\\127\\195\\169\\255A",
    [LFSC_ESCAPE_JSON] = "\\\"\\\\\\u0007\\b\\f\\n\\r\\t\\u000b\\u0001\\u007f\xc3\xa9\\udcffA",
  };
  for (int st = LFSC_ESCAPE_LUAC; st <= LFSC_ESCAPE_JSON; st++) {
    lfsc_sink out;
    lfsc_sink_mem_init(&out);
    lfsc_escape(&out, in, sizeof in - 1, (lfsc_escape_style)st);
    lfsc_sink_u8(&out, 0);
    assert_int_equal(out.status, LFSC_OK);
    assert_string_equal((char *)out.buf, expect[st]);
    lfsc_sink_mem_free(&out);
  }
}

/* NodeMCU targets show the packed line info, the host target lineinfo[]. */
static void test_line_sources(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const uint32_t code[] = {INS_ABC(OP_MOVE, 0, 1, 0), INS_ABC(OP_MOVE, 1, 0, 0), RET};
  lfsc_proto *p = fn(ctx, "@l.lua", 0, 3, code);
  static uint8_t packed[] = {0x01, 0x81, 0x02};  /* line 1 x1, then +3 -> line 4 x2 */
  p->packedli = packed;
  p->sizepackedli = 3;
  char *text = list(p, 0, LFSC_TARGET_FLOAT);
  assert_non_null(strstr(text, "\t1\t[1]\tMOVE"));
  assert_non_null(strstr(text, "\t3\t[4]\tRETURN"));
  free(text);
  static int lines[] = {7, 8, 9};
  p->lineinfo = lines;
  p->sizelineinfo = 3;
  text = list(p, 0, LFSC_TARGET_HOST);
  assert_non_null(strstr(text, "\t1\t[7]\tMOVE"));
  assert_non_null(strstr(text, "\t3\t[9]\tRETURN"));
  free(text);
  text = list(p, 0, LFSC_TARGET_INT);
  assert_non_null(strstr(text, "\t3\t[4]\tRETURN"));
  free(text);
  lfsc_free(ctx);
}

/* {================= reference listings =================} */

static char *slurp(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = 0;
  fclose(fp);
  *len = (size_t)n;
  return buf;
}

/* Rename every "0x<hex>" to "ADDR<n>", n counting distinct values in order
 * of first appearance (heap pointers in the reference, pre-order numbers
 * in ours). */
static char *normalise(const char *text)
{
  size_t len = strlen(text);
  char *out = malloc(len * 2 + 16);
  char *seen[256];
  size_t seenlen[256];
  int nseen = 0;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    if (text[i] == '0' && text[i + 1] == 'x' && strchr("0123456789abcdef", text[i + 2]) &&
        text[i + 2]) {
      size_t j = i + 2;
      while (text[j] && strchr("0123456789abcdef", text[j]))
        j++;
      int id = -1;
      for (int k = 0; k < nseen; k++)
        if (seenlen[k] == j - i && memcmp(seen[k], text + i, j - i) == 0)
          id = k;
      if (id < 0) {
        assert_true(nseen < 256);
        seen[nseen] = (char *)text + i;
        seenlen[nseen] = j - i;
        id = nseen++;
      }
      o += (size_t)sprintf(out + o, "ADDR%d", id + 1);
      i = j;
    } else {
      out[o++] = text[i++];
    }
  }
  out[o] = 0;
  return out;
}

static void check_reference_listing(const char *base, const char *variant, lfsc_target t)
{
  char path[1024];
  size_t len;
  snprintf(path, sizeof path, LFSC_CONFORMANCE_DIR "/listings/%s.%s.lst", base, variant);
  char *lst = slurp(path, &len);
  /* The module part: from the second function header (an image listing
   * starts with the index function) up to the "Image size" line. */
  char *start = strstr(lst, "\nmain <");
  assert_non_null(start);
  start = strstr(start + 1, "\nmain <");
  assert_non_null(start);
  char *end = strstr(start, "Image size");
  assert_non_null(end);
  *end = 0;

  snprintf(path, sizeof path, LFSC_CONFORMANCE_DIR "/src/%s.lua", base);
  char *src = slurp(path, &len);
  char chunk[300];
  snprintf(chunk, sizeof chunk, "@%s.lua", base);
  lfsc_compile_opts opts = {lfsc_target_nummodel(t), 0, 1};
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p = NULL;
  int rc = lfsc_compile(ctx, &opts, chunk, src, len, &p);
  if (rc != LFSC_OK)
    fail_msg("%s: %s", chunk, lfsc_errmsg(ctx));
  char *ours = list(p, 1, t);
  char *a = normalise(start), *b = normalise(ours);
  if (strcmp(a, b) != 0) {
    print_error("--- NodeMCU\n%s\n--- ours\n%s\n", a, b);
    fail_msg("listing of %s (%s) differs", base, variant);
  }
  free(a);
  free(b);
  free(ours);
  lfsc_free(ctx);
  free(src);
  free(lst);
}

static void test_reference_listings(void **state)
{
  (void)state;
  check_reference_listing("c01_basic", "float", LFSC_TARGET_FLOAT);
  check_reference_listing("c03_closures", "float", LFSC_TARGET_FLOAT);
  check_reference_listing("c14_misc", "float", LFSC_TARGET_FLOAT);
  check_reference_listing("c10_intonly", "int", LFSC_TARGET_INT);
}

/* }================================================} */

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ids_and_header),
    cmocka_unit_test(test_source_names),
    cmocka_unit_test(test_constants),
    cmocka_unit_test(test_setlist_and_names),
    cmocka_unit_test(test_instr_styles),
    cmocka_unit_test(test_escape_styles),
    cmocka_unit_test(test_line_sources),
    cmocka_unit_test(test_reference_listings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
