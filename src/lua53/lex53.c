/* Lexer for Lua 5.3 source (5.1's lexer, lua51/lex.c, is the model).
 * Besides the tokens it keeps the raw text of the last token read in
 * `buf`, because error messages quote it. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/ctx.h"
#include "lex53.h"

static const char *const tokens[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
  "true", "until", "while",
  "//", "..", "...", "==", ">=", "<=", "~=", "<<", ">>", "::", "<eof>",
  "<number>", "<integer>", "<name>", "<string>"
};
#define NRESERVED 22

#define END_OF_INPUT (-1)

/* Character classes of the C locale, by table; index with c + 1 so that
 * END_OF_INPUT (-1) is "no class". */
enum { C_DIGIT = 1, C_ALPHA = 2, C_SPACE = 4, C_XDIGIT = 8, C_PRINT = 16 };
static unsigned char cclass[257];

static void init_classes(void)
{
  if (cclass['a' + 1])
    return;
  for (int c = 0; c < 256; c++) {
    unsigned char k = 0;
    if (c >= '0' && c <= '9')
      k |= C_DIGIT | C_XDIGIT;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
      k |= C_ALPHA;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
      k |= C_XDIGIT;
    if (c == ' ' || (c >= '\t' && c <= '\r'))
      k |= C_SPACE;
    if (c >= 32 && c < 127)
      k |= C_PRINT;
    cclass[c + 1] = k;
  }
}

#define is_digit(c) (cclass[(c) + 1] & C_DIGIT)
#define is_alpha(c) (cclass[(c) + 1] & C_ALPHA)
#define is_ident(c) (cclass[(c) + 1] & (C_DIGIT | C_ALPHA))
#define is_space(c) (cclass[(c) + 1] & C_SPACE)
#define is_xdigit(c) (cclass[(c) + 1] & C_XDIGIT)

void lfsc_lex53_chunkid(char *out, const char *source)
{
  const size_t idsize = 60;     /* LUA_IDSIZE, the NUL included */
  size_t l = strlen(source);
  if (*source == '=') {         /* a name given verbatim, cut to fit */
    size_t n = l <= idsize ? l - 1 : idsize - 1;
    memcpy(out, source + 1, n);
    out[n] = '\0';
  } else if (*source == '@') {  /* a file name: its tail after "..." when long */
    if (l <= idsize) {
      memcpy(out, source + 1, l);
    } else {
      memcpy(out, "...", 3);
      size_t keep = idsize - 3; /* the name's last bytes and its NUL */
      memcpy(out + 3, source + 1 + l - keep, keep);
    }
  } else {                      /* source text: [string "first line..."] */
    const char *nl = strchr(source, '\n');
    size_t room = idsize - sizeof("[string \"...\"]") ;
    strcpy(out, "[string \"");
    if (l < room && !nl) {
      strcat(out, source);
    } else {
      if (nl)
        l = (size_t)(nl - source);
      if (l > room)
        l = room;
      strncat(out, source, l);
      strcat(out, "...");
    }
    strcat(out, "\"]");
  }
}

_Noreturn void lfsc_lex53_nomem(lex53_state *ls)
{
  lfsc_seterr(ls->ctx, LFSC_EMEM, "not enough memory");
  longjmp(*ls->catcher, -LFSC_EMEM);
}

_Noreturn void lfsc_lex53_fail(lex53_state *ls, const char *msg)
{
  lfsc_seterr(ls->ctx, LFSC_ESYNTAX, "%s", msg);
  longjmp(*ls->catcher, -LFSC_ESYNTAX);
}

const lfsc_str *lfsc_lex53_intern(lex53_state *ls, const char *s, size_t len)
{
  const lfsc_str *str = lfsc_intern(ls->ctx, s, len);
  if (!str)
    lfsc_lex53_nomem(ls);
  return str;
}

/* Make room for n more bytes and the terminating NUL in the token buffer. */
static void reserve(lex53_state *ls, size_t n)
{
  while (ls->blen + n + 1 > ls->bcap) {
    size_t cap = ls->bcap ? ls->bcap * 2 : 128;
    char *nb = lfsc_ctx_scratch_resize(ls->ctx, ls->buf, cap);
    if (!nb)
      lfsc_lex53_nomem(ls);
    ls->buf = nb;
    ls->bcap = cap;
  }
}

static void save(lex53_state *ls, int c)
{
  if (ls->blen + 2 > ls->bcap)
    reserve(ls, 1);
  ls->buf[ls->blen++] = (char)c;
  ls->buf[ls->blen] = '\0';
}

static void save_span(lex53_state *ls, const unsigned char *from, const unsigned char *to)
{
  size_t n = (size_t)(to - from);
  reserve(ls, n);
  memcpy(ls->buf + ls->blen, from, n);
  ls->blen += n;
  ls->buf[ls->blen] = '\0';
}

/* Drop the last n saved bytes (escape sequences are kept while they are
 * read, for error messages, then replaced by their value). */
static void unsave(lex53_state *ls, size_t n)
{
  ls->blen -= n;
  ls->buf[ls->blen] = '\0';
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int refill(lex53_state *ls)
{
  if (!ls->read)
    return END_OF_INPUT;
  size_t n = 0;
  const unsigned char *piece = ls->read(ls->read_ud, &n);
  if (!piece || n == 0) {
    ls->read = NULL;
    return END_OF_INPUT;
  }
  ls->p = piece;
  ls->end = piece + n;
  return *ls->p++;
}

static void advance(lex53_state *ls)
{
  ls->cur = ls->p < ls->end ? *ls->p++ : refill(ls);
}

static void save_advance(lex53_state *ls)
{
  save(ls, ls->cur);
  advance(ls);
}

static int at_newline(const lex53_state *ls)
{
  return ls->cur == '\n' || ls->cur == '\r';
}

const char *lfsc_lex53_token_name(lex53_state *ls, int tok)
{
  if (tok < L53_FIRST_RESERVED) {
    if (cclass[(tok & 0xFF) + 1] & C_PRINT)
      snprintf(ls->tokname, sizeof ls->tokname, "'%c'", tok);
    else
      snprintf(ls->tokname, sizeof ls->tokname, "'<\\%d>'", tok & 0xFF);
    return ls->tokname;
  }
  const char *s = tokens[tok - L53_FIRST_RESERVED];
  if (tok < T53_EOS) {          /* fixed tokens are quoted, <eof> etc. not */
    snprintf(ls->tokname, sizeof ls->tokname, "'%s'", s);
    return ls->tokname;
  }
  return s;
}

_Noreturn void lfsc_lex53_error(lex53_state *ls, const char *msg, int tok)
{
  if (tok == T53_NAME || tok == T53_STRING || tok == T53_FLT || tok == T53_INT)
    lfsc_seterr(ls->ctx, LFSC_ESYNTAX, "%s:%d: %s near '%s'", ls->chunk, ls->line, msg,
                ls->blen ? ls->buf : "");
  else if (tok)
    lfsc_seterr(ls->ctx, LFSC_ESYNTAX, "%s:%d: %s near %s", ls->chunk, ls->line, msg,
                lfsc_lex53_token_name(ls, tok));
  else
    lfsc_seterr(ls->ctx, LFSC_ESYNTAX, "%s:%d: %s", ls->chunk, ls->line, msg);
  longjmp(*ls->catcher, -LFSC_ESYNTAX);
}

_Noreturn void lfsc_lex53_syntax_error(lex53_state *ls, const char *msg)
{
  lfsc_lex53_error(ls, msg, ls->t.tok);
}

/* Count a line break, treating \n\r and \r\n as one. */
static void newline(lex53_state *ls)
{
  int first = ls->cur;
  advance(ls);
  if (at_newline(ls) && ls->cur != first)
    advance(ls);
  if (++ls->line >= INT_MAX)
    lfsc_lex53_error(ls, "chunk has too many lines", 0);
}

/* Take the current character when it is one of the two in set, saving it. */
static int accept2(lex53_state *ls, const char *set)
{
  if (ls->cur == set[0] || ls->cur == set[1]) {
    save_advance(ls);
    return 1;
  }
  return 0;
}

/* On '[' or ']': the number of '=' of a long bracket, or -(n+1) when the
 * run of '=' is not closed by the same bracket character. */
static int bracket_level(lex53_state *ls)
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
static void long_string(lex53_state *ls, lex53_token *tok, int level)
{
  int line = ls->line;          /* where it starts, for the message */
  save_advance(ls);             /* the second '[' */
  if (at_newline(ls))
    newline(ls);                /* a first line break is not part of it */
  for (;;) {
    switch (ls->cur) {
    case END_OF_INPUT: {
      char msg[80];
      snprintf(msg, sizeof msg, "unfinished long %s (starting at line %d)",
               tok ? "string" : "comment", line);
      lfsc_lex53_error(ls, msg, T53_EOS);
    }
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
      if (tok) {
        const unsigned char *q = ls->p;
        while (q < ls->end && *q != ']' && *q != '\n' && *q != '\r')
          q++;
        save_span(ls, ls->p - 1, q);
        ls->p = q;
      }
      advance(ls);
    }
  }
done:
  if (tok)
    tok->str = lfsc_lex53_intern(ls, ls->buf + 2 + level, ls->blen - 2 * (size_t)(2 + level));
}

/* esccheck: a bad escape is reported with the offending character saved. */
static void esccheck(lex53_state *ls, int ok, const char *msg)
{
  if (!ok) {
    if (ls->cur != END_OF_INPUT)
      save_advance(ls);
    lfsc_lex53_error(ls, msg, T53_STRING);
  }
}

static int hexvalue(int c)
{
  return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int gethexa(lex53_state *ls)
{
  save_advance(ls);
  esccheck(ls, is_xdigit(ls->cur), "hexadecimal digit expected");
  return hexvalue(ls->cur);
}

static void utf8esc(lex53_state *ls)
{
  unsigned long r;
  size_t n = 4;                 /* '\', 'u', '{' and the first digit */
  save_advance(ls);             /* the 'u' */
  esccheck(ls, ls->cur == '{', "missing '{'");
  r = (unsigned long)gethexa(ls);
  for (save_advance(ls); is_xdigit(ls->cur); save_advance(ls)) {
    n++;
    r = (r << 4) + (unsigned long)hexvalue(ls->cur);
    esccheck(ls, r <= 0x10FFFF, "UTF-8 value too large");
  }
  esccheck(ls, ls->cur == '}', "missing '}'");
  advance(ls);
  unsave(ls, n);
  /* UTF-8 as Lua 5.3 writes it (up to 0x10FFFF: at most 4 bytes) */
  char b[8];
  int k = 0;
  if (r < 0x80) {
    b[7 - k++] = (char)r;
  } else {
    unsigned mfb = 0x3F;        /* what still fits in the first byte */
    do {
      b[7 - k++] = (char)(0x80 | (r & 0x3F));
      r >>= 6;
      mfb >>= 1;
    } while (r > mfb);
    b[7 - k++] = (char)((~mfb << 1) | r);
  }
  for (; k > 0; k--)
    save(ls, b[8 - k]);
}

/* After a backslash (saved): the escape's value replaces it. */
static void escape(lex53_state *ls)
{
  int c;
  save_advance(ls);             /* keep the '\' for error messages */
  switch (ls->cur) {
  case 'a': c = '\a'; break;
  case 'b': c = '\b'; break;
  case 'f': c = '\f'; break;
  case 'n': c = '\n'; break;
  case 'r': c = '\r'; break;
  case 't': c = '\t'; break;
  case 'v': c = '\v'; break;
  case 'x': {
    int r = gethexa(ls);
    r = (r << 4) + gethexa(ls);
    unsave(ls, 3);              /* '\', 'x' and the first digit */
    save(ls, r);
    advance(ls);
    return;
  }
  case 'u':
    utf8esc(ls);
    return;
  case '\n':
  case '\r':
    newline(ls);
    unsave(ls, 1);
    save(ls, '\n');
    return;
  case '\\': case '"': case '\'':
    c = ls->cur;
    break;
  case END_OF_INPUT:
    return;                     /* the string loop reports it */
  case 'z':
    unsave(ls, 1);
    advance(ls);
    while (is_space(ls->cur)) {
      if (at_newline(ls))
        newline(ls);
      else
        advance(ls);
    }
    return;
  default: {
    esccheck(ls, is_digit(ls->cur), "invalid escape sequence");
    int r = 0, i;
    for (i = 0; i < 3 && is_digit(ls->cur); i++) {
      r = 10 * r + ls->cur - '0';
      save_advance(ls);
    }
    esccheck(ls, r <= 255, "decimal escape too large");
    unsave(ls, (size_t)i + 1);
    save(ls, r);
    return;
  }
  }
  advance(ls);
  unsave(ls, 1);
  save(ls, c);
}

static void quoted_string(lex53_state *ls, lex53_token *tok)
{
  int quote = ls->cur;
  save_advance(ls);
  while (ls->cur != quote) {
    switch (ls->cur) {
    case END_OF_INPUT:
      lfsc_lex53_error(ls, "unfinished string", T53_EOS);
    case '\n':
    case '\r':
      lfsc_lex53_error(ls, "unfinished string", T53_STRING);
    case '\\':
      escape(ls);
      break;
    default: {
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
  tok->str = lfsc_lex53_intern(ls, ls->buf + 1, ls->blen - 2);
}

/* A numeral: hex digits and dots, exponents with an optional sign (5.3
 * stops at the first other character, so "3x" is 3 then x). */
static int numeral(lex53_state *ls, lex53_token *tok)
{
  const char *expo = "Ee";
  int first = ls->cur;
  save_advance(ls);
  if (first == '0' && accept2(ls, "xX"))
    expo = "Pp";
  for (;;) {
    if (accept2(ls, expo))
      accept2(ls, "-+");
    if (is_xdigit(ls->cur) || ls->cur == '.')
      save_advance(ls);
    else
      break;
  }
  if (lfsc_num53_str2num(&ls->num, ls->buf, &tok->num) != 0)
    lfsc_lex53_error(ls, "malformed number", T53_FLT);
  return tok->num.isint ? T53_INT : T53_FLT;
}

static const struct { unsigned char from, to; } first_word[26] = {
  ['a' - 'a'] = {0, 1}, ['b' - 'a'] = {1, 2}, ['d' - 'a'] = {2, 3},
  ['e' - 'a'] = {3, 6}, ['f' - 'a'] = {6, 9}, ['g' - 'a'] = {9, 10},
  ['i' - 'a'] = {10, 12}, ['l' - 'a'] = {12, 13}, ['n' - 'a'] = {13, 15},
  ['o' - 'a'] = {15, 16}, ['r' - 'a'] = {16, 18}, ['t' - 'a'] = {18, 20},
  ['u' - 'a'] = {20, 21}, ['w' - 'a'] = {21, 22}
};

static const unsigned char reserved_len[NRESERVED] = {
  3, 5, 2, 4, 6, 3, 5, 3, 8, 4, 2, 2, 5, 3, 3, 2, 6, 6, 4, 4, 5, 5
};

static int reserved_word(const char *s, size_t len)
{
  if (len < 2 || len > 8 || s[0] < 'a' || s[0] > 'z')
    return 0;
  int c = s[0] - 'a';
  for (int i = first_word[c].from; i < first_word[c].to; i++)
    if (reserved_len[i] == len && memcmp(tokens[i], s, len) == 0)
      return L53_FIRST_RESERVED + i;
  return 0;
}

static void skip_line(lex53_state *ls)
{
  while (!at_newline(ls) && ls->cur != END_OF_INPUT) {
    const unsigned char *q = ls->p;
    while (q < ls->end && *q != '\n' && *q != '\r')
      q++;
    ls->p = q;
    advance(ls);
  }
}

/* One character, or two when the second is `second`. */
static int one_or_two(lex53_state *ls, int second, int alone, int with)
{
  advance(ls);
  if (ls->cur != second)
    return alone;
  advance(ls);
  return with;
}

static int scan(lex53_state *ls, lex53_token *tok)
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
    case ' ': case '\f': case '\t': case '\v': {
      const unsigned char *q = ls->p;
      while (q < ls->end && (*q == ' ' || *q == '\t'))
        q++;                    /* indentation comes in runs */
      ls->p = q;
      advance(ls);
      continue;
    }
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
        return T53_STRING;
      }
      if (level != -1)
        lfsc_lex53_error(ls, "invalid long string delimiter", T53_STRING);
      return '[';
    }
    case '=':
      return one_or_two(ls, '=', '=', T53_EQ);
    case '<':
      advance(ls);
      if (ls->cur == '=') { advance(ls); return T53_LE; }
      if (ls->cur == '<') { advance(ls); return T53_SHL; }
      return '<';
    case '>':
      advance(ls);
      if (ls->cur == '=') { advance(ls); return T53_GE; }
      if (ls->cur == '>') { advance(ls); return T53_SHR; }
      return '>';
    case '/':
      return one_or_two(ls, '/', '/', T53_IDIV);
    case '~':
      return one_or_two(ls, '=', '~', T53_NE);
    case ':':
      return one_or_two(ls, ':', ':', T53_DBCOLON);
    case '"':
    case '\'':
      quoted_string(ls, tok);
      return T53_STRING;
    case '.':
      save_advance(ls);
      if (ls->cur == '.') {
        save_advance(ls);
        if (ls->cur == '.') {
          save_advance(ls);
          return T53_DOTS;
        }
        return T53_CONCAT;
      }
      if (!is_digit(ls->cur))
        return '.';
      return numeral(ls, tok);
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return numeral(ls, tok);
    case END_OF_INPUT:
      return T53_EOS;
    default:
      if (is_alpha(ls->cur)) {
        do {
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
        tok->str = lfsc_lex53_intern(ls, ls->buf, ls->blen);
        return T53_NAME;
      }
      {
        int c = ls->cur;        /* any other character stands for itself */
        advance(ls);
        return c;
      }
    }
  }
}

void lfsc_lex53_next(lex53_state *ls)
{
  ls->lastline = ls->line;
  if (ls->ahead.tok != T53_EOS) {
    ls->t = ls->ahead;
    ls->ahead.tok = T53_EOS;
  } else {
    ls->t.tok = scan(ls, &ls->t);
  }
}

int lfsc_lex53_lookahead(lex53_state *ls)
{
  ls->ahead.tok = scan(ls, &ls->ahead);
  return ls->ahead.tok;
}

void lfsc_lex53_init(lex53_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, n53_model num,
                     const char *chunkname, const char *src, size_t len)
{
  init_classes();
  memset(ls, 0, sizeof *ls);
  ls->ctx = ctx;
  ls->catcher = catcher;
  ls->num = num;
  ls->p = (const unsigned char *)src;
  ls->end = ls->p + len;
  ls->line = 1;
  ls->lastline = 1;
  ls->ahead.tok = T53_EOS;
  lfsc_lex53_chunkid(ls->chunk, chunkname);
  ls->envn = lfsc_lex53_intern(ls, "_ENV", 4);
  ls->brk = lfsc_lex53_intern(ls, "break", 5);
  advance(ls);
}

void lfsc_lex53_init_stream(lex53_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, n53_model num,
                            const char *chunkname, lfsc_read_fn read, void *ud)
{
  lfsc_lex53_init(ls, ctx, catcher, num, chunkname, "", 0);
  ls->read = read;
  ls->read_ud = ud;
  advance(ls);
}
