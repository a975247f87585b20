/*
 * Code generator tests (src/parse.c, src/code.c, src/numeric.c,
 * src/lineinfo.c): opcode sequences of small snippets (as listed by
 * luac5.1 -l), operands that matter (RK constants past 255, SETLIST
 * batches, folded values in both number models), vararg flags, name
 * stripping, and the packed line info against the NodeMCU .lc vectors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/lfsc.h"
#include "lfsc/opcodes.h"
#include "lua51/lc_read.h"
#include "nodemcu/lineinfo.h"

#define CONF LFSC_CONFORMANCE_DIR
#define END (-1)

static lfsc_proto *compile_opts(lfsc_ctx *ctx, const char *src, lfsc_nummodel m,
                                int keep, int compat)
{
  lfsc_compile_opts o = {m, keep, compat};
  lfsc_proto *p = NULL;
  int rc = lfsc_compile(ctx, &o, "=test", src, strlen(src), &p);
  if (rc != LFSC_OK)
    fail_msg("%s: %s", src, lfsc_errmsg(ctx));
  return p;
}

static lfsc_proto *compile(lfsc_ctx *ctx, const char *src)
{
  return compile_opts(ctx, src, LFSC_NUM_DOUBLE, 1, 0);
}

/* {================= opcode sequences =================} */

typedef struct op_case {
  const char *src;
  int ops[16];                  /* main function's opcodes, END-terminated */
} op_case;

static const op_case op_cases[] = {
  {"local a,b,c; a=nil", {OP_LOADNIL, OP_RETURN, END}},
  {"local a; local b", {OP_RETURN, END}},
  {"local a = 1 + 2 * 3", {OP_LOADK, OP_RETURN, END}},
  {"local a = 2^53", {OP_LOADK, OP_RETURN, END}},
  {"local x = 1/0", {OP_DIV, OP_RETURN, END}},
  {"local x = 0/0", {OP_DIV, OP_RETURN, END}},
  {"local x = 5 % 0", {OP_MOD, OP_RETURN, END}},
  {"local x = -(-3)", {OP_LOADK, OP_RETURN, END}},
  {"local a = #\"abc\"", {OP_LOADK, OP_LEN, OP_RETURN, END}},
  {"local a = not nil", {OP_LOADBOOL, OP_RETURN, END}},
  {"local a = not 1", {OP_LOADBOOL, OP_RETURN, END}},
  {"if not a then b() end", {OP_GETGLOBAL, OP_TEST, OP_JMP, OP_GETGLOBAL, OP_CALL, OP_RETURN, END}},
  {"local x = a and b or c", {OP_GETGLOBAL, OP_TEST, OP_JMP, OP_GETGLOBAL, OP_TEST, OP_JMP,
                              OP_GETGLOBAL, OP_RETURN, END}},
  {"local x = a and true or false", {OP_GETGLOBAL, OP_TEST, OP_JMP, OP_LOADBOOL, OP_TEST, OP_JMP,
                                     OP_LOADBOOL, OP_RETURN, END}},
  {"local x = false and a", {OP_LOADBOOL, OP_TEST, OP_JMP, OP_GETGLOBAL, OP_RETURN, END}},
  {"local x = a < 1", {OP_GETGLOBAL, OP_LT, OP_JMP, OP_LOADBOOL, OP_LOADBOOL, OP_RETURN, END}},
  {"local x = 1 > a", {OP_GETGLOBAL, OP_LT, OP_JMP, OP_LOADBOOL, OP_LOADBOOL, OP_RETURN, END}},
  {"x = a == b", {OP_GETGLOBAL, OP_GETGLOBAL, OP_EQ, OP_JMP, OP_LOADBOOL, OP_LOADBOOL,
                  OP_SETGLOBAL, OP_RETURN, END}},
  {"while a do b() end", {OP_GETGLOBAL, OP_TEST, OP_JMP, OP_GETGLOBAL, OP_CALL, OP_JMP,
                          OP_RETURN, END}},
  {"repeat a() until b", {OP_GETGLOBAL, OP_CALL, OP_GETGLOBAL, OP_TEST, OP_JMP, OP_RETURN, END}},
  {"for i = 1, 10 do f(i) end", {OP_LOADK, OP_LOADK, OP_LOADK, OP_FORPREP, OP_GETGLOBAL,
                                 OP_MOVE, OP_CALL, OP_FORLOOP, OP_RETURN, END}},
  {"for k, v in pairs(t) do end", {OP_GETGLOBAL, OP_GETGLOBAL, OP_CALL, OP_JMP, OP_TFORLOOP,
                                   OP_JMP, OP_RETURN, END}},
  {"local t = {1, 2, 3, f()}", {OP_NEWTABLE, OP_LOADK, OP_LOADK, OP_LOADK, OP_GETGLOBAL,
                                OP_CALL, OP_SETLIST, OP_RETURN, END}},
  {"local t = {...}", {OP_NEWTABLE, OP_VARARG, OP_SETLIST, OP_RETURN, END}},
  {"function f(...) return ... end", {OP_CLOSURE, OP_SETGLOBAL, OP_RETURN, END}},
  {"return f(x)", {OP_GETGLOBAL, OP_GETGLOBAL, OP_TAILCALL, OP_RETURN, OP_RETURN, END}},
  {"return (f(x))", {OP_GETGLOBAL, OP_GETGLOBAL, OP_CALL, OP_RETURN, OP_RETURN, END}},
  {"local a; function g() return a end", {OP_CLOSURE, OP_MOVE, OP_SETGLOBAL, OP_RETURN, END}},
  {"local a = {} a.b.c = 1", {OP_NEWTABLE, OP_GETTABLE, OP_SETTABLE, OP_RETURN, END}},
  {"a.b:c(1)", {OP_GETGLOBAL, OP_GETTABLE, OP_SELF, OP_LOADK, OP_CALL, OP_RETURN, END}},
  {"local a, b = f()", {OP_GETGLOBAL, OP_CALL, OP_RETURN, END}},
  {"x, y = 1", {OP_LOADK, OP_LOADNIL, OP_SETGLOBAL, OP_SETGLOBAL, OP_RETURN, END}},
  {"local s = \"a\" .. \"b\" .. c", {OP_LOADK, OP_LOADK, OP_GETGLOBAL, OP_CONCAT, OP_RETURN, END}},
  {"do local a; local function f() return a end end", {OP_CLOSURE, OP_MOVE, OP_CLOSE,
                                                       OP_RETURN, END}},
  {"while true do local a; f(function() return a end); if x then break end end",
   {OP_LOADNIL, OP_GETGLOBAL, OP_CLOSURE, OP_MOVE, OP_CALL, OP_GETGLOBAL, OP_TEST, OP_JMP,
    OP_CLOSE, OP_JMP, OP_CLOSE, OP_JMP, OP_RETURN, END}},
  /* multiple assignment: a local used as table/key is copied first */
  {"local a, b = 1; a, a.x = b, 2", {OP_LOADK, OP_LOADNIL, OP_MOVE, OP_SETTABLE, OP_MOVE,
   OP_RETURN, END}},
  {"local t, i; t[i], i = 1, 2", {OP_MOVE, OP_LOADK, OP_LOADK, OP_SETTABLE, OP_RETURN, END}},
  {"a.b.c:d(...)", {OP_GETGLOBAL, OP_GETTABLE, OP_GETTABLE, OP_SELF, OP_VARARG, OP_CALL,
   OP_RETURN, END}},
  {"for i = 10, 1, -1 do end", {OP_LOADK, OP_LOADK, OP_LOADK, OP_FORPREP, OP_FORLOOP,
   OP_RETURN, END}},
  {"return ...", {OP_VARARG, OP_RETURN, OP_RETURN, END}},
  {"return a, ...", {OP_GETGLOBAL, OP_VARARG, OP_RETURN, OP_RETURN, END}},
  {"f(...)", {OP_GETGLOBAL, OP_VARARG, OP_CALL, OP_RETURN, END}},
  {"local t = {f(), g()}", {OP_NEWTABLE, OP_GETGLOBAL, OP_CALL, OP_GETGLOBAL, OP_CALL,
   OP_SETLIST, OP_RETURN, END}},
  {"x = a .. b .. c", {OP_GETGLOBAL, OP_GETGLOBAL, OP_GETGLOBAL, OP_CONCAT, OP_SETGLOBAL,
   OP_RETURN, END}},
  {"repeat local x; f(function() return x end) until g", {OP_LOADNIL, OP_GETGLOBAL, OP_CLOSURE,
   OP_MOVE, OP_CALL, OP_GETGLOBAL, OP_TEST, OP_JMP, OP_CLOSE, OP_JMP, OP_CLOSE, OP_JMP,
   OP_RETURN, END}},
};

static void test_opcode_sequences(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof op_cases / sizeof op_cases[0]; i++) {
    lfsc_ctx *ctx = lfsc_new();
    const op_case *c = &op_cases[i];
    lfsc_proto *p = compile(ctx, c->src);
    int n = 0;
    while (c->ops[n] != END)
      n++;
    int ok = p->sizecode == n;
    for (int j = 0; ok && j < n; j++)
      ok = INS_OP(p->code[j]) == c->ops[j];
    if (!ok) {
      char got[512] = "";
      for (int j = 0; j < p->sizecode; j++) {
        strncat(got, lfsc_opcodes_name[INS_OP(p->code[j])], sizeof got - strlen(got) - 2);
        strcat(got, " ");
      }
      fail_msg("%s: got %s", c->src, got);
    }
    lfsc_free(ctx);
  }
}

/* {================= operands =================} */

static const lfsc_const *kof(const lfsc_proto *p, int rk)
{
  assert_true(rk >= 0 && rk < p->sizek);
  return &p->k[rk];
}

static double loadk_value(const lfsc_proto *p, int pc)
{
  assert_int_equal(INS_OP(p->code[pc]), OP_LOADK);
  const lfsc_const *k = kof(p, INS_Bx(p->code[pc]));
  assert_int_equal(k->type, LFSC_K_NUM);
  return k->u.n;
}

static void test_rk_limit(void **state)
{
  (void)state;
  /* 300 distinct constants first: later ones no longer fit an RK operand */
  char *src = malloc(16384);
  strcpy(src, "local t = {}\n");
  for (int i = 0; i < 300; i++)
    sprintf(src + strlen(src), "t.k%d = %d\n", i, i);
  strcat(src, "t.z = t.y + 1000\n");
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p = compile(ctx, src);
  int pc = p->sizecode - 2;
  /* SETTABLE t "z" R ; ADD R R R ; the constants went through LOADK */
  assert_int_equal(INS_OP(p->code[pc]), OP_SETTABLE);
  assert_false(INS_C(p->code[pc]) & LFSC_BITRK);
  assert_false(INS_B(p->code[pc]) & LFSC_BITRK);
  assert_int_equal(INS_OP(p->code[pc - 1]), OP_ADD);
  assert_false(INS_C(p->code[pc - 1]) & LFSC_BITRK);
  assert_true(loadk_value(p, pc - 2) == 1000);
  /* while an early constant still fits as RK */
  assert_int_equal(INS_OP(p->code[1]), OP_SETTABLE);
  assert_true(INS_B(p->code[1]) & LFSC_BITRK);
  assert_true(INS_C(p->code[1]) & LFSC_BITRK);
  lfsc_free(ctx);
  free(src);
}

static void test_setlist_batches(void **state)
{
  (void)state;
  char src[1024] = "local t = {";
  for (int i = 0; i < 120; i++)
    sprintf(src + strlen(src), "%d,", i);
  strcat(src, "...}");
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p = compile(ctx, src);
  int batch = 0;
  for (int pc = 0; pc < p->sizecode; pc++) {
    uint32_t i = p->code[pc];
    if (INS_OP(i) != OP_SETLIST)
      continue;
    batch++;
    assert_int_equal(INS_A(i), 0);
    assert_int_equal(INS_C(i), batch);
    assert_int_equal(INS_B(i), batch < 3 ? 50 : 0);   /* last one: up to top */
  }
  assert_int_equal(batch, 3);
  /* NEWTABLE's array size hint counts 120 fixed items (not the vararg) */
  assert_int_equal(INS_OP(p->code[0]), OP_NEWTABLE);
  assert_int_equal(INS_B(p->code[0]), 0x27);      /* 120 ~ 15 << 3: (3+1) << 3 | (15-8) */
  lfsc_free(ctx);
}

typedef struct fold_case {
  const char *src;              /* "local x = <expr>" */
  double want;                  /* folded value */
} fold_case;

static void check_folds(lfsc_nummodel m, const fold_case *cases, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    lfsc_ctx *ctx = lfsc_new();
    lfsc_proto *p = compile_opts(ctx, cases[i].src, m, 1, 0);
    if (p->sizecode != 2 || INS_OP(p->code[0]) != OP_LOADK)
      fail_msg("%s: not folded", cases[i].src);
    double v = loadk_value(p, 0);
    if (v != cases[i].want || (v == 0 && signbit(v) != signbit(cases[i].want)))
      fail_msg("%s: got %.17g want %.17g", cases[i].src, v, cases[i].want);
    lfsc_free(ctx);
  }
}

static void test_fold_double(void **state)
{
  (void)state;
  static const fold_case cases[] = {
    {"local x = 1 + 2 * 3", 7},
    {"local x = 2 ^ 3 ^ 2", 512},
    {"local x = -2 ^ 2", -4},
    {"local x = 7 % -3", -2},
    {"local x = -7 % 3", 2},
    {"local x = 5.5 % 2", 1.5},
    {"local x = 1 / 4", 0.25},
    {"local x = -(-3)", 3},
    {"local x = - 0", -0.0},
    {"local x = 1e308 * 10", 1.0 / 0.0},
  };
  check_folds(LFSC_NUM_DOUBLE, cases, sizeof cases / sizeof cases[0]);
}

static void test_fold_int32(void **state)
{
  (void)state;
  static const fold_case cases[] = {
    {"local x = -7 / 2", -4},
    {"local x = 7 / 2", 3},
    {"local x = 7 % -3", -2},
    {"local x = -7 % 3", 2},
    {"local x = 2 ^ -1", 0},
    {"local x = 3 ^ 4", 81},
    {"local x = 2 ^ 31", -2147483648.0},
    {"local x = 2147483647 + 1", -2147483648.0},
    {"local x = 65536 * 65536", 0},
    {"local x = -(-2147483647 - 1)", -2147483648.0},
    {"local x = 0xFFFFFFFF + 0", -1},
  };
  check_folds(LFSC_NUM_INT32, cases, sizeof cases / sizeof cases[0]);
  /* division and modulo by a constant zero stay run-time operations */
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p = compile_opts(ctx, "local x, y = 1 / 0, 1 % 0", LFSC_NUM_INT32, 1, 0);
  assert_int_equal(INS_OP(p->code[0]), OP_DIV);
  assert_int_equal(INS_OP(p->code[1]), OP_MOD);
  lfsc_free(ctx);
}

static void test_constants_by_value(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  /* -0 and 0 are one constant (the first spelling wins); nil, false,
   * numbers and strings are distinct kinds */
  lfsc_proto *p = compile(ctx, "local t = {} t[-0] = 0; t[nil] = false; t['1'] = 1; t[1] = true");
  assert_int_equal(p->sizek, 6);
  assert_int_equal(p->k[0].type, LFSC_K_NUM);
  assert_true(p->k[0].u.n == 0 && signbit(p->k[0].u.n));
  assert_int_equal(p->k[1].type, LFSC_K_NIL);
  assert_int_equal(p->k[2].type, LFSC_K_BOOL);
  assert_int_equal(p->k[2].u.b, 0);
  assert_int_equal(p->k[3].type, LFSC_K_STR);
  assert_int_equal(p->k[4].type, LFSC_K_NUM);
  assert_int_equal(p->k[5].type, LFSC_K_BOOL);
  assert_int_equal(INS_B(p->code[1]), INS_C(p->code[1]));   /* t[-0] = 0: same K */
  lfsc_free(ctx);
}

/* {================= functions =================} */

static void test_vararg_and_upvalues(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p = compile(ctx,
    "local a, b\n"
    "function f(x, ...) return x end\n"
    "function g(...) return ... end\n"
    "function h() return function() return a, b end end\n"
    "function m.n:o() return self end\n");
  assert_int_equal(p->is_vararg, LFSC_VARARG_ISVARARG);
  assert_int_equal(p->sizep, 4);
  assert_int_equal(p->p[0]->is_vararg, 7);       /* keeps the 'arg' table */
  assert_int_equal(p->p[0]->numparams, 1);
  assert_int_equal(p->p[0]->sizelocvars, 2);     /* x, arg */
  assert_int_equal(p->p[1]->is_vararg, 3);       /* uses ... so no 'arg' */
  const lfsc_proto *h = p->p[2];
  assert_int_equal(h->nups, 2);
  assert_int_equal(h->sizeupvalues, 2);
  assert_string_equal(h->upvalues[0]->data, "a");
  assert_int_equal(h->p[0]->nups, 2);
  /* CLOSURE in h is followed by one GETUPVAL per upvalue of the inner one */
  assert_int_equal(INS_OP(h->code[0]), OP_CLOSURE);
  assert_int_equal(INS_OP(h->code[1]), OP_GETUPVAL);
  assert_int_equal(INS_B(h->code[1]), 0);
  assert_int_equal(INS_OP(h->code[2]), OP_GETUPVAL);
  assert_int_equal(INS_B(h->code[2]), 1);
  /* in main: CLOSURE h, then MOVE for locals a (0) and b (1) */
  int pc = 0;
  while (!(INS_OP(p->code[pc]) == OP_CLOSURE && INS_Bx(p->code[pc]) == 2))
    pc++;
  assert_int_equal(INS_OP(p->code[pc + 1]), OP_MOVE);
  assert_int_equal(INS_B(p->code[pc + 2]), 1);
  assert_int_equal(p->p[3]->numparams, 1);       /* self */
  assert_int_equal(p->p[3]->linedefined, 5);
  assert_int_equal(p->p[3]->lastlinedefined, 5);
  assert_int_equal(INS_OP(p->p[3]->code[0]), OP_RETURN);
  lfsc_free(ctx);
}

static void check_same_code(const lfsc_proto *a, const lfsc_proto *b)
{
  assert_int_equal(a->sizecode, b->sizecode);
  assert_memory_equal(a->code, b->code, (size_t)a->sizecode * sizeof *a->code);
  assert_memory_equal(a->lineinfo, b->lineinfo, (size_t)a->sizecode * sizeof *a->lineinfo);
  assert_int_equal(a->sizepackedli, b->sizepackedli);
  assert_memory_equal(a->packedli, b->packedli, a->sizepackedli);
  assert_int_equal(a->sizek, b->sizek);
  assert_int_equal(a->nups, b->nups);
  assert_int_equal(a->maxstacksize, b->maxstacksize);
  assert_int_equal(a->sizep, b->sizep);
  for (int i = 0; i < a->sizep; i++)
    check_same_code(a->p[i], b->p[i]);
}

static void test_strip_names(void **state)
{
  (void)state;
  const char *src = "local a = 1\nlocal function f(x) return a + x end\n"
                    "for i = 1, 3 do a = f(i) end\n";
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *full = compile_opts(ctx, src, LFSC_NUM_DOUBLE, 1, 1);
  lfsc_proto *bare = compile_opts(ctx, src, LFSC_NUM_DOUBLE, 0, 1);
  assert_int_equal(full->sizelocvars, 6);        /* a f (for index) (for limit) (for step) i */
  assert_int_equal(bare->sizelocvars, 0);
  assert_int_equal(full->p[0]->sizeupvalues, 1);
  assert_int_equal(bare->p[0]->sizeupvalues, 0);
  assert_int_equal(bare->p[0]->nups, 1);
  check_same_code(full, bare);
  lfsc_free(ctx);
}

/* {================= line info =================} */

/* With the correct encoder the packed form decodes to lineinfo[]. */
static void check_packed_matches(const lfsc_proto *p)
{
  int *lines = malloc(((size_t)p->sizecode + 1) * sizeof *lines);
  assert_int_equal(lfsc_lineinfo_decode(p->packedli, p->sizepackedli, lines, p->sizecode, NULL),
                   LFSC_OK);
  assert_memory_equal(lines, p->lineinfo, (size_t)p->sizecode * sizeof *lines);
  free(lines);
  for (int i = 0; i < p->sizep; i++)
    check_packed_matches(p->p[i]);
}

static char *slurp(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
    n = 0;
  fclose(fp);
  *len = (size_t)n;
  return buf;
}

static void check_same_packed(const lfsc_proto *ours, const lfsc_proto *ref, const char *stem)
{
  if (ours->sizepackedli != ref->sizepackedli
      || memcmp(ours->packedli, ref->packedli, ref->sizepackedli) != 0)
    fail_msg("%s: packed line info of function at line %d differs", stem, ours->linedefined);
  assert_int_equal(ours->sizep, ref->sizep);
  for (int i = 0; i < ours->sizep; i++)
    check_same_packed(ours->p[i], ref->p[i], stem);
}

static const char *const conf_sources[] = {
  "c01_basic", "c02_control", "c03_closures", "c04_varargs", "c05_strings",
  "c06_manyconst", "c07_methods", "c08_multiassign", "c09_bigtable", "c10_intonly",
  "c11_nested", "c13_lines", "c14_misc", "c15_empty", "c16_scopes", "c17_bytes",
  "c18_tailcalls", "c19_manyint", "c20_linefix"
};

static void test_packed_lineinfo_vectors(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof conf_sources / sizeof conf_sources[0]; i++) {
    const char *stem = conf_sources[i];
    char path[512], name[128];
    size_t slen = 0, llen = 0;
    snprintf(path, sizeof path, "%s/src/%s.lua", CONF, stem);
    char *src = slurp(path, &slen);
    snprintf(path, sizeof path, "%s/lc/float/%s.lc", CONF, stem);
    char *lc = slurp(path, &llen);
    if (!src || !lc)
      fail_msg("missing vector %s", stem);
    snprintf(name, sizeof name, "@%s.lua", stem);
    lfsc_ctx *ctx = lfsc_new();
    lfsc_proto *ref;
    assert_int_equal(lfsc_lc_read(ctx, (unsigned char *)lc, llen, stem, LFSC_TARGET_FLOAT, &ref), 0);
    for (int compat = 1; compat >= 0; compat--) {
      lfsc_compile_opts o = {LFSC_NUM_DOUBLE, 0, compat};
      lfsc_proto *p;
      if (lfsc_compile(ctx, &o, name, src, slen, &p) != LFSC_OK)
        fail_msg("%s: %s", stem, lfsc_errmsg(ctx));
      if (compat || strcmp(stem, "c20_linefix") != 0)
        check_same_packed(p, ref, stem);
      if (!compat)
        check_packed_matches(p);
    }
    lfsc_free(ctx);
    free(src);
    free(lc);
  }
}

/* The c20 situation in small: a FORLOOP alone on a line 70 below its 'for'
 * is a run with a two-byte delta, which the fix to the 'for' line removes;
 * only compat mode mis-decodes it. */
static void test_lineinfo_fix_bug(void **state)
{
  (void)state;
  char src[512] = "for i = 1, 2 do\n";
  for (int i = 0; i < 70; i++)
    strcat(src, "\n");
  strcat(src, "do end\nend\ny = 1\n");
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *good = compile_opts(ctx, src, LFSC_NUM_DOUBLE, 0, 0);
  lfsc_proto *bad = compile_opts(ctx, src, LFSC_NUM_DOUBLE, 0, 1);
  check_packed_matches(good);
  int lines[64];
  assert_true(bad->sizecode <= 64);
  assert_int_equal(lfsc_lineinfo_decode(bad->packedli, bad->sizepackedli, lines, bad->sizecode,
                                        NULL), LFSC_OK);
  int pc = 0;
  while (INS_OP(bad->code[pc]) != OP_FORLOOP)
    pc++;
  assert_int_equal(good->lineinfo[pc], 1);
  assert_int_equal(lines[pc], 1 + 64);          /* shifted by the << 7 weighting */
  assert_int_equal(lines[pc + 1], good->lineinfo[pc + 1] + 64);
  /* no merging after a fix: FORLOOP back on line 1 is a new run (C0 01),
   * then RETURN on line 3 (80 01) */
  lfsc_proto *p = compile_opts(ctx, "for i=1,2 do\ndo end\nend", LFSC_NUM_DOUBLE, 0, 1);
  static const uint8_t want[] = {0x04, 0xC0, 0x01, 0x80, 0x01};
  assert_int_equal(p->sizepackedli, sizeof want);
  assert_memory_equal(p->packedli, want, sizeof want);
  lfsc_free(ctx);
}

/* {================= errors =================} */

static void check_error(const char *src, const char *msg)
{
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p;
  int rc = lfsc_compile(ctx, NULL, "@x.lua", src, strlen(src), &p);
  if (rc != LFSC_ESYNTAX)
    fail_msg("%s: compiled (rc %d)", src, rc);
  if (strcmp(lfsc_errmsg(ctx), msg) != 0)
    fail_msg("%s:\n got  %s\n want %s", src, lfsc_errmsg(ctx), msg);
  lfsc_free(ctx);
}

static char *repeat(const char *pre, const char *unit, int n, const char *post)
{
  size_t len = strlen(pre) + strlen(unit) * (size_t)n + strlen(post) + 1;
  char *s = malloc(len);
  strcpy(s, pre);
  for (int i = 0; i < n; i++)
    strcat(s, unit);
  strcat(s, post);
  return s;
}

static void test_parse_errors(void **state)
{
  (void)state;
  check_error("function f()\n x = 1\n",
              "x.lua:3: 'end' expected (to close 'function' at line 1) near '<eof>'");
  check_error("f(", "x.lua:1: unexpected symbol near '<eof>'");
  check_error("x = = 1", "x.lua:1: unexpected symbol near '='");
  check_error("x", "x.lua:1: '=' expected near '<eof>'");
  check_error("f\n(g)", "x.lua:2: ambiguous syntax (function call x new statement) near '('");
  check_error("function f() return ... end",
              "x.lua:1: cannot use '...' outside a vararg function near '...'");
  check_error("break", "x.lua:1: no loop to break near '<eof>'");
  check_error("for i do end", "x.lua:1: '=' or 'in' expected near 'do'");
  check_error("function f(a,) end", "x.lua:1: <name> or '...' expected near ')'");
  check_error("a.b:c = 1", "x.lua:1: function arguments expected near '='");
  check_error("x = {1, 2", "x.lua:1: '}' expected near '<eof>'");
  check_error("x = {1,\n2", "x.lua:2: '}' expected (to close '{' at line 1) near '<eof>'");
  check_error("f() = 1", "x.lua:1: unexpected symbol near '='");
  check_error("(a) = 1", "x.lua:1: syntax error near '='");
  check_error("return return", "x.lua:1: unexpected symbol near 'return'");
  check_error("return 1 x = 2", "x.lua:1: '<eof>' expected near 'x'");
  check_error("x = 'a' 'b'", "x.lua:1: unexpected symbol near ''b''");
  char *s = repeat("", "local a\n", 201, "");
  check_error(s, "x.lua:202: main function has more than 200 local variables");
  free(s);
  s = repeat("function f()\n", "local a\n", 201, "end");
  check_error(s, "x.lua:203: function at line 1 has more than 200 local variables");
  free(s);
  s = repeat("x = ", "(", 198, "1");
  check_error(s, "x.lua:1: chunk has too many syntax levels");
  free(s);
  /* 61 upvalues */
  s = malloc(4096);
  strcpy(s, "");
  for (int i = 0; i < 61; i++)
    sprintf(s + strlen(s), "local u%d\n", i);
  strcat(s, "function f() return u0");
  for (int i = 1; i < 61; i++)
    sprintf(s + strlen(s), "+u%d", i);
  strcat(s, " end");
  check_error(s, "x.lua:62: function at line 62 has more than 60 upvalues");
  free(s);
  s = repeat("x = f(", "1,", 260, "1)");
  check_error(s, "x.lua:1: function or expression too complex near '1'");
  free(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_opcode_sequences),
    cmocka_unit_test(test_rk_limit),
    cmocka_unit_test(test_setlist_batches),
    cmocka_unit_test(test_fold_double),
    cmocka_unit_test(test_fold_int32),
    cmocka_unit_test(test_constants_by_value),
    cmocka_unit_test(test_vararg_and_upvalues),
    cmocka_unit_test(test_strip_names),
    cmocka_unit_test(test_packed_lineinfo_vectors),
    cmocka_unit_test(test_lineinfo_fix_bug),
    cmocka_unit_test(test_parse_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
