/* Lua 5.3 lexical analysis. */
#ifndef LFSC_LEX53_H
#define LFSC_LEX53_H

#include <setjmp.h>
#include <stddef.h>

#include "lfsc/lfsc.h"
#include "num53.h"

/* Tokens other than single characters. Reserved words come first, in
 * alphabetical order, so a table indexed from L53_FIRST_RESERVED maps
 * them back to their spelling. */
enum {
  L53_FIRST_RESERVED = 257,
  T53_AND = L53_FIRST_RESERVED, T53_BREAK, T53_DO, T53_ELSE, T53_ELSEIF, T53_END,
  T53_FALSE, T53_FOR, T53_FUNCTION, T53_GOTO, T53_IF, T53_IN, T53_LOCAL, T53_NIL,
  T53_NOT, T53_OR, T53_REPEAT, T53_RETURN, T53_THEN, T53_TRUE, T53_UNTIL, T53_WHILE,
  /* other multi-character tokens */
  T53_IDIV, T53_CONCAT, T53_DOTS, T53_EQ, T53_GE, T53_LE, T53_NE, T53_SHL, T53_SHR,
  T53_DBCOLON, T53_EOS, T53_FLT, T53_INT, T53_NAME, T53_STRING
};

typedef struct lex53_token {
  int tok;                      /* a character or a T53_* */
  n53_value num;                /* T53_INT, T53_FLT */
  const lfsc_str *str;          /* T53_NAME, T53_STRING */
} lex53_token;

struct fs53;

typedef struct lex53_state {
  lfsc_ctx *ctx;
  jmp_buf *catcher;             /* the one catch point in lfsc_lua53_compile */
  n53_model num;                /* number model */
  const unsigned char *p, *end; /* unread input (of the current piece) */
  lfsc_read_fn read;            /* the next piece when streaming, else NULL */
  void *read_ud;
  int cur;                      /* current character, or -1 at the end */
  int line;                     /* line of the current character */
  int lastline;                 /* line where the last consumed token ended */
  lex53_token t;                /* current token */
  lex53_token ahead;            /* one-token lookahead (tok T53_EOS when empty) */
  char *buf;                    /* text of the token being (or last) read */
  size_t blen, bcap;
  char chunk[64];               /* chunk name as shown in messages (LUA_IDSIZE 60) */
  char tokname[24];             /* scratch for lfsc_lex53_token_name */
  struct fs53 *fs;              /* innermost function being compiled */
  struct dyn53 *dyd;            /* the parser's active locals, gotos and labels */
  int depth;                    /* nesting of syntactic levels (luac's nCcalls) */
  const lfsc_str *envn;         /* "_ENV" */
  const lfsc_str *brk;          /* "break", the pseudo-label of break */
} lex53_state;

void lfsc_lex53_init(lex53_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, n53_model num,
                     const char *chunkname, const char *src, size_t len);
/* The same over a stream, lexed piece by piece; the caller has dealt
 * with a BOM and a '#' first line (lfsc_lex53_skip_prefix). */
void lfsc_lex53_init_stream(lex53_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, n53_model num,
                            const char *chunkname, lfsc_read_fn read, void *ud);
void lfsc_lex53_next(lex53_state *ls);
int lfsc_lex53_lookahead(lex53_state *ls);
/* Spelling of a token kind for messages, quoted as luaX_token2str does
 * ("'end'", "<eof>"). Valid until the next call. */
const char *lfsc_lex53_token_name(lex53_state *ls, int tok);
/* Report an error at the current line; tok != 0 adds "near <token>". */
_Noreturn void lfsc_lex53_error(lex53_state *ls, const char *msg, int tok);
_Noreturn void lfsc_lex53_syntax_error(lex53_state *ls, const char *msg);
_Noreturn void lfsc_lex53_nomem(lex53_state *ls);
/* A message as is, without chunk and line: luac5.3's array-limit errors
 * (raised by its allocator, outside the parser) read that way. */
_Noreturn void lfsc_lex53_fail(lex53_state *ls, const char *msg);
const lfsc_str *lfsc_lex53_intern(lex53_state *ls, const char *s, size_t len);
/* Format a chunk name for messages as Lua 5.3's luaO_chunkid (LUA_IDSIZE 60). */
void lfsc_lex53_chunkid(char *out, const char *source);

#endif
