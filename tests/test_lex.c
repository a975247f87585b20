/*
 * Lexer tests (src/lex.c): every token kind, long brackets of several
 * levels, escapes, numerals in both number models, chunk names, and the
 * exact error messages of luac5.1 (checked against `luac5.1 -p`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/lfsc.h"
#include "lua51/lex.h"

/* Lex src fully into toks (at most max), returning the count, or -1 with
 * the message in lfsc_errmsg on a lexical error. */
typedef struct tok_rec {
  int tok;
  double num;
  char text[64];                /* string/name contents */
  size_t len;
  int line;
} tok_rec;

static int lex_all(lfsc_ctx *ctx, lfsc_nummodel model, const char *src, size_t len,
                   tok_rec *toks, int max)
{
  jmp_buf jb;
  static lex_state ls;
  static int n;
  n = 0;
  if (setjmp(jb))
    return -1;
  lfsc_lex_init(&ls, ctx, &jb, lfsc_num_model(model), "=test", src, len);
  do {
    lfsc_lex_next(&ls);
    assert_true(n < max);
    tok_rec *r = &toks[n++];
    r->tok = ls.t.tok;
    r->line = ls.line;
    r->num = ls.t.tok == TK_NUMBER ? ls.t.num : 0;
    r->len = 0;
    if (ls.t.tok == TK_NAME || ls.t.tok == TK_STRING) {
      r->len = ls.t.str->len;
      assert_true(r->len < sizeof r->text);
      memcpy(r->text, ls.t.str->data, r->len);
      r->text[r->len] = '\0';
    }
  } while (ls.t.tok != TK_EOS);
  return n;
}

static void test_all_tokens(void **state)
{
  (void)state;
  static const char src[] =
    "and break do else elseif end false for function if in local nil not or "
    "repeat return then true until while .. ... == >= <= ~= "
    "+ - * / % ^ # < > = ( ) { } [ ] ; : , . ~ name_1 _ 42 'str'";
  static const int want[] = {
    TK_AND, TK_BREAK, TK_DO, TK_ELSE, TK_ELSEIF, TK_END, TK_FALSE, TK_FOR,
    TK_FUNCTION, TK_IF, TK_IN, TK_LOCAL, TK_NIL, TK_NOT, TK_OR, TK_REPEAT,
    TK_RETURN, TK_THEN, TK_TRUE, TK_UNTIL, TK_WHILE, TK_CONCAT, TK_DOTS,
    TK_EQ, TK_GE, TK_LE, TK_NE, '+', '-', '*', '/', '%', '^', '#', '<', '>',
    '=', '(', ')', '{', '}', '[', ']', ';', ':', ',', '.', '~', TK_NAME,
    TK_NAME, TK_NUMBER, TK_STRING, TK_EOS
  };
  tok_rec toks[80];
  lfsc_ctx *ctx = lfsc_new();
  int n = lex_all(ctx, LFSC_NUM_DOUBLE, src, sizeof src - 1, toks, 80);
  assert_int_equal(n, (int)(sizeof want / sizeof want[0]));
  for (int i = 0; i < n; i++)
    assert_int_equal(toks[i].tok, want[i]);
  assert_string_equal(toks[48].text, "name_1");
  assert_true(toks[50].num == 42);
  assert_string_equal(toks[51].text, "str");
  lfsc_free(ctx);
}

/* One string token: its contents and the line after it. */
static void check_string(const char *src, const char *want, size_t wantlen, int endline)
{
  tok_rec toks[4];
  lfsc_ctx *ctx = lfsc_new();
  int n = lex_all(ctx, LFSC_NUM_DOUBLE, src, strlen(src), toks, 4);
  if (n != 2)
    fail_msg("%s: %s", src, lfsc_errmsg(ctx));
  assert_int_equal(toks[0].tok, TK_STRING);
  assert_int_equal(toks[0].len, wantlen);
  assert_memory_equal(toks[0].text, want, wantlen);
  assert_int_equal(toks[1].line, endline);
  lfsc_free(ctx);
}

static void test_long_brackets(void **state)
{
  (void)state;
  check_string("[[abc]]", "abc", 3, 1);
  check_string("[[\nabc]]", "abc", 3, 2);          /* first newline dropped */
  check_string("[[\r\nabc\r\n]]", "abc\n", 4, 3);   /* CRLF counts once, kept as \n */
  check_string("[=[a]]b]=]", "a]]b", 4, 1);
  check_string("[==[a]=]b]===]c]==]", "a]=]b]===]c", 11, 1);
  check_string("[==[x[==[y]==]", "x[==[y", 6, 1);   /* nesting only counts at level 0 */
  check_string("[===[\n\n]===]", "\n", 1, 3);
  check_string("--[[ comment\n ]] --[==[ x ]] ]==] 'after'", "after", 5, 2);
  check_string("-- line comment\n--[ not long\n'z'", "z", 1, 3);
  check_string("--[==\n'w'", "w", 1, 2);                /* "--[==" is a line comment */
}

static void test_escapes(void **state)
{
  (void)state;
  check_string("'\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\''", "\a\b\f\n\r\t\v\\\"'", 10, 1);
  check_string("\"\\0651\\0\\255x\"", "A1\0\377x", 5, 1);
  check_string("'a\\\nb'", "a\nb", 3, 2);           /* backslash-newline */
  check_string("'a\\\r\nb'", "a\nb", 3, 2);
  check_string("'\\q\\?'", "q?", 2, 1);             /* unknown escapes keep the char */
  check_string("'\\1234'", "{4", 2, 1);             /* at most three digits */
}

static void check_number(lfsc_nummodel m, const char *src, double want)
{
  tok_rec toks[4];
  lfsc_ctx *ctx = lfsc_new();
  int n = lex_all(ctx, m, src, strlen(src), toks, 4);
  if (n != 2)
    fail_msg("%s: %s", src, lfsc_errmsg(ctx));
  assert_int_equal(toks[0].tok, TK_NUMBER);
  if (toks[0].num != want)
    fail_msg("%s: got %.17g, want %.17g", src, toks[0].num, want);
  lfsc_free(ctx);
}

static void test_numbers(void **state)
{
  (void)state;
  check_number(LFSC_NUM_DOUBLE, "3", 3);
  check_number(LFSC_NUM_DOUBLE, "3.25", 3.25);
  check_number(LFSC_NUM_DOUBLE, ".5", 0.5);
  check_number(LFSC_NUM_DOUBLE, "5.", 5);
  check_number(LFSC_NUM_DOUBLE, "1e3", 1000);
  check_number(LFSC_NUM_DOUBLE, "1E-2", 0.01);
  check_number(LFSC_NUM_DOUBLE, "2e+2", 200);
  check_number(LFSC_NUM_DOUBLE, "0x10", 16);
  check_number(LFSC_NUM_DOUBLE, "0XfF", 255);
  check_number(LFSC_NUM_DOUBLE, "0xFFFFFFFF", 4294967295.0);
  check_number(LFSC_NUM_DOUBLE, "0x1p4", 16);        /* glibc strtod, as luac5.1 */
  check_number(LFSC_NUM_INT32, "42", 42);
  check_number(LFSC_NUM_INT32, "3000000000", -1294967296.0);
  check_number(LFSC_NUM_INT32, "0x123456789", 0x23456789);
  check_number(LFSC_NUM_INT32, "0xFFFFFFFF", -1);
  check_number(LFSC_NUM_INT32, "2147483647", 2147483647.0);
}

/* Compile src (chunk "@x.lua") and expect exactly msg. */
static void check_error(lfsc_nummodel m, const char *src, const char *msg)
{
  lfsc_ctx *ctx = lfsc_new();
  lfsc_compile_opts o = {m, 1, 0};
  lfsc_proto *p;
  int rc = lfsc_compile(ctx, &o, "@x.lua", src, strlen(src), &p);
  if (rc != LFSC_ESYNTAX)
    fail_msg("%s: compiled (rc %d)", src, rc);
  if (strcmp(lfsc_errmsg(ctx), msg) != 0)
    fail_msg("%s:\n got  %s\n want %s", src, lfsc_errmsg(ctx), msg);
  lfsc_free(ctx);
}

static void test_lex_errors(void **state)
{
  (void)state;
  check_error(LFSC_NUM_DOUBLE, "x = @", "x.lua:1: unexpected symbol near '@'");
  check_error(LFSC_NUM_DOUBLE, "x = \1", "x.lua:1: unexpected symbol near 'char(1)'");
  check_error(LFSC_NUM_DOUBLE, "x = \"abc\ny\"", "x.lua:1: unfinished string near '\"abc'");
  check_error(LFSC_NUM_DOUBLE, "x = 'abc", "x.lua:1: unfinished string near '<eof>'");
  check_error(LFSC_NUM_DOUBLE, "\n\nx = 3x", "x.lua:3: malformed number near '3x'");
  check_error(LFSC_NUM_DOUBLE, "x = 1..2", "x.lua:1: malformed number near '1..2'");
  check_error(LFSC_NUM_DOUBLE, "x = 0xA.8p1", "x.lua:1: malformed number near '.8p1'");
  check_error(LFSC_NUM_DOUBLE, "x = 1e", "x.lua:1: malformed number near '1e'");
  check_error(LFSC_NUM_DOUBLE, "x = [[a [[b]]",
              "x.lua:1: nesting of [[...]] is deprecated near '['");
  check_error(LFSC_NUM_DOUBLE, "x = [==[ a\n", "x.lua:2: unfinished long string near '<eof>'");
  check_error(LFSC_NUM_DOUBLE, "--[[ a\n\n", "x.lua:3: unfinished long comment near '<eof>'");
  check_error(LFSC_NUM_DOUBLE, "x = [=x", "x.lua:1: invalid long string delimiter near '[='");
  check_error(LFSC_NUM_DOUBLE, "x = 'ab\\300'", "x.lua:1: escape sequence too large near ''ab'");
  check_error(LFSC_NUM_INT32, "x = 1.5", "x.lua:1: malformed number near '1.5'");
  check_error(LFSC_NUM_INT32, "x = 1e3", "x.lua:1: malformed number near '1e3'");
}

static void test_chunkid(void **state)
{
  (void)state;
  char out[80], src[200];
  lfsc_lex_chunkid(out, "=stdin", sizeof out);
  assert_string_equal(out, "stdin");
  lfsc_lex_chunkid(out, "@dir/f.lua", sizeof out);
  assert_string_equal(out, "dir/f.lua");
  memset(src, 'a', 120);
  src[0] = '@';
  strcpy(src + 120, ".lua");
  lfsc_lex_chunkid(out, src, sizeof out);          /* "..." and the last 72 characters */
  assert_int_equal(strlen(out), 75);
  assert_memory_equal(out, "...aaa", 6);
  assert_string_equal(out + 71, ".lua");
  lfsc_lex_chunkid(out, "x = 1\ny = 2", sizeof out);
  assert_string_equal(out, "[string \"x = 1...\"]");
  lfsc_lex_chunkid(out, "return 1", sizeof out);
  assert_string_equal(out, "[string \"return 1\"]");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_tokens),
    cmocka_unit_test(test_long_brackets),
    cmocka_unit_test(test_escapes),
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_lex_errors),
    cmocka_unit_test(test_chunkid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
