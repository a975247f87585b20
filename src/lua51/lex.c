/* Lexer for Lua 5.1 source. Besides the tokens it keeps the raw text of
 * the last token read in `buf`, because error messages quote it. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/ctx.h"
#include "lex.h"

static const char *const reserved[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
  "true", "until", "while",
  "..", "...", "==", ">=", "<=", "~=", "<number>", "<name>", "<string>", "<eof>"
};
#define NRESERVED 21

#define END_OF_INPUT (-1)

/* Character classes of the C locale (luac5.1 never calls setlocale), by
 * table: the <ctype.h> calls were a measurable part of lexing. Index with
 * c + 1 so that END_OF_INPUT (-1) is "no class". */
enum { C_DIGIT = 1, C_ALPHA = 2, C_SPACE = 4 };   /* C_ALPHA includes '_' */
static const unsigned char cclass[257] = {
  0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2,
  0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

#define is_digit(c) (cclass[(c) + 1] & C_DIGIT)
#define is_alpha(c) (cclass[(c) + 1] & C_ALPHA)
#define is_ident(c) (cclass[(c) + 1] & (C_DIGIT | C_ALPHA))
#define is_space(c) (cclass[(c) + 1] & C_SPACE)

void lfsc_lex_chunkid(char *out, const char *source, size_t size)
{
  if (*source == '=') {
    /* a name given verbatim, cut to fit */
    size_t n = strlen(source + 1);
    if (n > size - 1)
      n = size - 1;
    memcpy(out, source + 1, n);
    out[n] = '\0';
  } else if (*source == '@') {
    /* a file name: keep its tail, marking a cut with "..." */
    const char *name = source + 1;
    size_t room = size - sizeof(" '...' ");
    size_t n = strlen(name);
    out[0] = '\0';
    if (n > room) {
      name += n - room;
      strcpy(out, "...");
    }
    strcat(out, name);
  } else {
    /* source text: its first line, shortened */
    size_t room = size - sizeof(" [string \"...\"] ");
    size_t n = strcspn(source, "\n\r");
    int cut = 0;
    if (n > room)
      n = room;
    if (source[n] != '\0')
      cut = 1;
    strcpy(out, "[string \"");
    strncat(out, source, n);
    if (cut)
      strcat(out, "...");
    strcat(out, "\"]");
  }
}

_Noreturn void lfsc_lex_fail(lex_state *ls, int code, const char *msg)
{
  lfsc_seterr(ls->ctx, code, "%s", msg);
  longjmp(*ls->catcher, -code);   /* codes are negative, setjmp values not */
}

_Noreturn void lfsc_lex_nomem(lex_state *ls)
{
  lfsc_lex_fail(ls, LFSC_EMEM, "not enough memory");
}

const lfsc_str *lfsc_lex_intern(lex_state *ls, const char *s, size_t len)
{
  const lfsc_str *str = lfsc_intern(ls->ctx, s, len);
  if (!str)
    lfsc_lex_nomem(ls);
  return str;
}

/* Make room for n more bytes and the terminating NUL in the token buffer. */
static void reserve(lex_state *ls, size_t n)
{
  while (ls->blen + n + 1 > ls->bcap) {
    size_t cap = ls->bcap ? ls->bcap * 2 : 128;
    char *nb = lfsc_ctx_scratch_resize(ls->ctx, ls->buf, cap);   /* freed by the parser */
    if (!nb)
      lfsc_lex_nomem(ls);
    ls->buf = nb;
    ls->bcap = cap;
  }
}

static void save(lex_state *ls, int c)
{
  reserve(ls, 1);
  ls->buf[ls->blen++] = (char)c;
  ls->buf[ls->blen] = '\0';
}

/* Append the input bytes [from, to). */
static void save_span(lex_state *ls, const unsigned char *from, const unsigned char *to)
{
  size_t n = (size_t)(to - from);
  reserve(ls, n);
  memcpy(ls->buf + ls->blen, from, n);
  ls->blen += n;
  ls->buf[ls->blen] = '\0';
}

/* The current chunk is used up: the next one's first character, or the
 * end. Out of line, so that advance() stays small enough to be inlined
 * everywhere (streaming cost 6% of lexing when it was not). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int refill(lex_state *ls)
{
  if (!ls->read)
    return END_OF_INPUT;
  size_t n = 0;
  const unsigned char *piece = ls->read(ls->read_ud, &n);
  if (!piece || n == 0) {
    ls->read = NULL;            /* the end is sticky */
    return END_OF_INPUT;
  }
  ls->p = piece;
  ls->end = piece + n;
  return *ls->p++;
}

static void advance(lex_state *ls)
{
  ls->cur = ls->p < ls->end ? *ls->p++ : refill(ls);
}

static void save_advance(lex_state *ls)
{
  save(ls, ls->cur);
  advance(ls);
}

static int at_newline(const lex_state *ls)
{
  return ls->cur == '\n' || ls->cur == '\r';
}

const char *lfsc_lex_token_name(lex_state *ls, int tok)
{
  if (tok < LEX_FIRST_RESERVED) {
    if (iscntrl(tok))
      snprintf(ls->tokname, sizeof ls->tokname, "char(%d)", tok & 0xFF);
    else
      snprintf(ls->tokname, sizeof ls->tokname, "%c", tok);
    return ls->tokname;
  }
  return reserved[tok - LEX_FIRST_RESERVED];
}

/* What "near '...'" shows: the source text for names, strings and
 * numbers (the last token lexed, which may be the lookahead), else the
 * token's spelling. */
static const char *token_text(lex_state *ls, int tok)
{
  if (tok == TK_NAME || tok == TK_STRING || tok == TK_NUMBER)
    return ls->blen ? ls->buf : "";
  return lfsc_lex_token_name(ls, tok);
}

_Noreturn void lfsc_lex_error(lex_state *ls, const char *msg, int tok)
{
  if (tok)
    lfsc_seterr(ls->ctx, LFSC_ESYNTAX, "%s:%d: %s near '%s'", ls->chunk, ls->line,
                msg, token_text(ls, tok));
  else
    lfsc_seterr(ls->ctx, LFSC_ESYNTAX, "%s:%d: %s", ls->chunk, ls->line, msg);
  longjmp(*ls->catcher, -LFSC_ESYNTAX);
}

_Noreturn void lfsc_lex_syntax_error(lex_state *ls, const char *msg)
{
  lfsc_lex_error(ls, msg, ls->t.tok);
}

/* Count a line break, treating \n\r and \r\n as one. */
static void newline(lex_state *ls)
{
  int first = ls->cur;
  advance(ls);
  if (at_newline(ls) && ls->cur != first)
    advance(ls);
  if (++ls->line >= INT_MAX - 2)   /* the reference's MAX_INT */
    lfsc_lex_syntax_error(ls, "chunk has too many lines");
}

/* Take c when it is one of the characters in set, saving it. */
static int accept(lex_state *ls, const char *set)
{
  if (ls->cur == END_OF_INPUT || !strchr(set, ls->cur))
    return 0;
  save_advance(ls);
  return 1;
}

/* On '[' or ']': the number of '=' of a long bracket, or -(n+1) when the
 * run of '=' is not closed by the same bracket character. */
static int bracket_level(lex_state *ls)
{
  int n = 0, br = ls->cur;
  save_advance(ls);
  while (ls->cur == '=') {
    save_advance(ls);
    n++;
  }
  return ls->cur == br ? n : -n - 1;
}

/* A long string (tok != NULL) or long comment after its opening bracket's
 * first '[' and '=' run. */
static void long_string(lex_state *ls, lex_token *tok, int level)
{
  save_advance(ls);             /* the second '[' */
  if (at_newline(ls))
    newline(ls);                /* a first line break is not part of it */
  for (;;) {
    switch (ls->cur) {
    case END_OF_INPUT:
      lfsc_lex_error(ls, tok ? "unfinished long string" : "unfinished long comment",
                TK_EOS);
    case '[':
      if (bracket_level(ls) == level) {
        save_advance(ls);
        if (level == 0)         /* Lua 5.1 still rejects [[ inside [[...]] */
          lfsc_lex_error(ls, "nesting of [[...]] is deprecated", '[');
      }
      break;
    case ']':
      if (bracket_level(ls) == level) {
        save_advance(ls);
        goto done;
      }
      break;
    case '\n':
    case '\r':
      save(ls, '\n');
      newline(ls);
      if (!tok)
        ls->blen = 0;           /* comment text is not needed */
      break;
    default:
      if (tok)
        save_advance(ls);
      else
        advance(ls);
    }
  }
done:
  if (tok)
    tok->str = lfsc_lex_intern(ls, ls->buf + 2 + level, ls->blen - 2 * (size_t)(2 + level));
}

static void escape(lex_state *ls)
{
  int c;
  advance(ls);                  /* the backslash is not kept */
  switch (ls->cur) {
  case 'a': c = '\a'; break;
  case 'b': c = '\b'; break;
  case 'f': c = '\f'; break;
  case 'n': c = '\n'; break;
  case 'r': c = '\r'; break;
  case 't': c = '\t'; break;
  case 'v': c = '\v'; break;
  case '\n':
  case '\r':
    save(ls, '\n');
    newline(ls);
    return;
  case END_OF_INPUT:
    return;                     /* the string loop reports it */
  default:
    if (!is_digit(ls->cur)) {
      save_advance(ls);         /* \\ \" \' and any other character as itself */
      return;
    }
    c = 0;
    for (int i = 0; i < 3 && is_digit(ls->cur); i++) {
      c = 10 * c + (ls->cur - '0');
      advance(ls);
    }
    if (c > 255)
      lfsc_lex_error(ls, "escape sequence too large", TK_STRING);
    save(ls, c);
    return;
  }
  save(ls, c);
  advance(ls);
}

static void quoted_string(lex_state *ls, lex_token *tok)
{
  int quote = ls->cur;
  save_advance(ls);
  while (ls->cur != quote) {
    switch (ls->cur) {
    case END_OF_INPUT:
      lfsc_lex_error(ls, "unfinished string", TK_EOS);
    case '\n':
    case '\r':
      lfsc_lex_error(ls, "unfinished string", TK_STRING);
    case '\\':
      escape(ls);
      break;
    default: {
      /* copy the run of plain characters at once */
      const unsigned char *q = ls->p;
      while (q < ls->end && *q != quote && *q != '\\' && *q != '\n' && *q != '\r')
        q++;
      save_span(ls, ls->p - 1, q);
      ls->p = q;
      advance(ls);
    }
    }
  }
  save_advance(ls);
  tok->str = lfsc_lex_intern(ls, ls->buf + 1, ls->blen - 2);
}

/* A numeral: digits and dots, an optional exponent sign, then any
 * letters, digits and underscores (so "3x" is one malformed token). */
static void numeral(lex_state *ls, lex_token *tok)
{
  do
    save_advance(ls);
  while (is_digit(ls->cur) || ls->cur == '.');
  if (accept(ls, "Ee"))
    accept(ls, "+-");
  while (is_ident(ls->cur))
    save_advance(ls);
  if (ls->num->parse(ls->buf, &tok->num) != 0)
    lfsc_lex_error(ls, "malformed number", TK_NUMBER);
}

/* Reserved words are sorted, so those sharing a first letter are
 * neighbours: first_word[c - 'a'] gives their index range in reserved[]. */
static const struct { unsigned char from, to; } first_word[26] = {
  ['a' - 'a'] = {0, 1}, ['b' - 'a'] = {1, 2}, ['d' - 'a'] = {2, 3},
  ['e' - 'a'] = {3, 6}, ['f' - 'a'] = {6, 9}, ['i' - 'a'] = {9, 11},
  ['l' - 'a'] = {11, 12}, ['n' - 'a'] = {12, 14}, ['o' - 'a'] = {14, 15},
  ['r' - 'a'] = {15, 17}, ['t' - 'a'] = {17, 19}, ['u' - 'a'] = {19, 20},
  ['w' - 'a'] = {20, 21}
};
static const unsigned char reserved_len[NRESERVED] = {
  3, 5, 2, 4, 6, 3, 5, 3, 8, 2, 2, 5, 3, 3, 2, 6, 6, 4, 4, 5, 5
};

static int reserved_word(const char *s, size_t len)
{
  if (len < 2 || len > 8 || s[0] < 'a' || s[0] > 'z')
    return 0;
  int c = s[0] - 'a';
  for (int i = first_word[c].from; i < first_word[c].to; i++)
    if (reserved_len[i] == len && memcmp(reserved[i], s, len) == 0)
      return LEX_FIRST_RESERVED + i;
  return 0;
}

/* '=', '<', '>' and '~' stand alone or, followed by '=', make a
 * two-character comparison token. */
static int with_eq(lex_state *ls, int alone, int with)
{
  advance(ls);
  if (ls->cur != '=')
    return alone;
  advance(ls);
  return with;
}

/* Skip to the end of the line (a short comment), a run at a time: a
 * line may go on into the next chunk of a stream. */
static void skip_line(lex_state *ls)
{
  while (!at_newline(ls) && ls->cur != END_OF_INPUT) {
    const unsigned char *q = ls->p;
    while (q < ls->end && *q != '\n' && *q != '\r')
      q++;
    ls->p = q;
    advance(ls);
  }
}

static int scan(lex_state *ls, lex_token *tok)
{
  ls->blen = 0;
  if (ls->buf)
    ls->buf[0] = '\0';
  for (;;) {
    switch (ls->cur) {
    case '\n':
    case '\r':
      newline(ls);
      continue;
    case '-':
      advance(ls);
      if (ls->cur != '-')
        return '-';
      advance(ls);
      if (ls->cur == '[') {
        int level = bracket_level(ls);
        ls->blen = 0;
        if (level >= 0) {
          long_string(ls, NULL, level);
          ls->blen = 0;
          continue;
        }
      }
      skip_line(ls);
      continue;
    case '[': {
      int level = bracket_level(ls);
      if (level >= 0) {
        long_string(ls, tok, level);
        return TK_STRING;
      }
      if (level == -1)
        return '[';
      lfsc_lex_error(ls, "invalid long string delimiter", TK_STRING);
    }
    case '=':
      return with_eq(ls, '=', TK_EQ);
    case '<':
      return with_eq(ls, '<', TK_LE);
    case '>':
      return with_eq(ls, '>', TK_GE);
    case '~':
      return with_eq(ls, '~', TK_NE);
    case '"':
    case '\'':
      quoted_string(ls, tok);
      return TK_STRING;
    case '.':
      save_advance(ls);
      if (accept(ls, "."))
        return accept(ls, ".") ? TK_DOTS : TK_CONCAT;
      if (!is_digit(ls->cur))
        return '.';
      numeral(ls, tok);
      return TK_NUMBER;
    case END_OF_INPUT:
      return TK_EOS;
    default:
      if (is_space(ls->cur)) {  /* not a line break: those have their case */
        const unsigned char *q = ls->p;
        while (q < ls->end && (*q == ' ' || *q == '\t'))
          q++;                  /* indentation comes in runs */
        ls->p = q;
        advance(ls);
        continue;
      }
      if (is_digit(ls->cur)) {
        numeral(ls, tok);
        return TK_NUMBER;
      }
      if (is_alpha(ls->cur)) {
        do {                    /* a run per chunk of a stream */
          const unsigned char *q = ls->p;
          while (q < ls->end && is_ident(*q))
            q++;
          save_span(ls, ls->p - 1, q);
          ls->p = q;
          advance(ls);
        } while (is_ident(ls->cur));
        int r = reserved_word(ls->buf, ls->blen);
        if (r)
          return r;
        tok->str = lfsc_lex_intern(ls, ls->buf, ls->blen);
        return TK_NAME;
      }
      {
        int c = ls->cur;        /* any other character stands for itself */
        advance(ls);
        return c;
      }
    }
  }
}

void lfsc_lex_next(lex_state *ls)
{
  ls->lastline = ls->line;
  if (ls->ahead.tok != TK_EOS) {
    ls->t = ls->ahead;
    ls->ahead.tok = TK_EOS;
  } else {
    ls->t.tok = scan(ls, &ls->t);
  }
}

int lfsc_lex_lookahead(lex_state *ls)
{
  ls->ahead.tok = scan(ls, &ls->ahead);
  return ls->ahead.tok;
}

void lfsc_lex_init(lex_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, const num_ops *num,
              const char *chunkname, const char *src, size_t len)
{
  memset(ls, 0, sizeof *ls);
  ls->ctx = ctx;
  ls->catcher = catcher;
  ls->num = num;
  ls->p = (const unsigned char *)src;
  ls->end = ls->p + len;
  ls->line = 1;
  ls->lastline = 1;
  ls->depth = 1;                /* luac's parser already runs one C call deep */
  ls->ahead.tok = TK_EOS;
  lfsc_lex_chunkid(ls->chunk, chunkname, sizeof ls->chunk);
  advance(ls);
}

void lfsc_lex_init_stream(lex_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, const num_ops *num,
                     const char *chunkname, lfsc_read_fn read, void *ud)
{
  lfsc_lex_init(ls, ctx, catcher, num, chunkname, "", 0);
  ls->read = read;
  ls->read_ud = ud;
  advance(ls);
  if (ls->cur == '#') {
    /* lfsc_compile's '#' line rule (luaL_loadfile's): up to the first
     * '\n', which stays; a '#' line without one still ends in one */
    while (ls->cur != '\n' && ls->cur != END_OF_INPUT) {
      const unsigned char *q = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
      ls->p = q ? q : ls->end;
      advance(ls);
    }
    if (ls->cur == END_OF_INPUT)
      ls->cur = '\n';          /* as luaL_loadfile feeds it: a line break, then the end */
  }
}
