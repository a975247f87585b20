/* Lua 5.1 lexical analysis. */
#ifndef LFSC_LEX_H
#define LFSC_LEX_H

#include <setjmp.h>
#include <stddef.h>

#include "lfsc/lfsc.h"
#include "numeric.h"

/* Tokens other than single characters. Reserved words come first, in
 * alphabetical order, so a table indexed from LEX_FIRST_RESERVED maps
 * them back to their spelling. */
enum {
  LEX_FIRST_RESERVED = 257,
  TK_AND = LEX_FIRST_RESERVED, TK_BREAK, TK_DO, TK_ELSE, TK_ELSEIF, TK_END,
  TK_FALSE, TK_FOR, TK_FUNCTION, TK_IF, TK_IN, TK_LOCAL, TK_NIL, TK_NOT,
  TK_OR, TK_REPEAT, TK_RETURN, TK_THEN, TK_TRUE, TK_UNTIL, TK_WHILE,
  /* other multi-character tokens */
  TK_CONCAT, TK_DOTS, TK_EQ, TK_GE, TK_LE, TK_NE,
  TK_NUMBER, TK_NAME, TK_STRING, TK_EOS
};

typedef struct lex_token {
  int tok;                      /* a character or a TK_* */
  lfsc_number num;              /* TK_NUMBER */
  const lfsc_str *str;          /* TK_NAME, TK_STRING */
} lex_token;

struct fstate;

typedef struct lex_state {
  lfsc_ctx *ctx;
  jmp_buf *catcher;             /* the one catch point in lfsc_compile */
  const num_ops *num;           /* number model */
  const unsigned char *p, *end; /* unread input (of the current chunk) */
  lfsc_read_fn read;            /* the next piece when streaming, else NULL */
  void *read_ud;
  int cur;                      /* current character, or -1 at the end */
  int line;                     /* line of the current character */
  int lastline;                 /* line where the last consumed token ended */
  lex_token t;                  /* current token */
  lex_token ahead;              /* one-token lookahead (tok TK_EOS when empty) */
  char *buf;                    /* text of the token being (or last) read */
  size_t blen, bcap;
  char chunk[80];               /* chunk name as shown in messages */
  char tokname[24];             /* scratch for lfsc_lex_token_name */
  struct fstate *fs;            /* innermost function being compiled */
  int depth;                    /* nesting of syntactic levels (C calls in luac) */
} lex_state;

void lfsc_lex_init(lex_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, const num_ops *num,
              const char *chunkname, const char *src, size_t len);
/* lfsc_lex_init over a stream, lexed piece by piece in place; a first line
 * starting with '#' is skipped (keeping its line break) as lfsc_compile
 * does for a buffer. */
void lfsc_lex_init_stream(lex_state *ls, lfsc_ctx *ctx, jmp_buf *catcher, const num_ops *num,
                     const char *chunkname, lfsc_read_fn read, void *ud);
void lfsc_lex_next(lex_state *ls);
int lfsc_lex_lookahead(lex_state *ls);
/* Spelling of a token kind for messages ("'end' expected"). The returned
 * pointer is valid until the next call. */
const char *lfsc_lex_token_name(lex_state *ls, int tok);
/* Report an error at the current line; tok != 0 adds "near <token text>". */
_Noreturn void lfsc_lex_error(lex_state *ls, const char *msg, int tok);
_Noreturn void lfsc_lex_syntax_error(lex_state *ls, const char *msg);
/* Abort the compile with LFSC_EMEM. */
_Noreturn void lfsc_lex_nomem(lex_state *ls);
/* Abort the compile with error code `code` and message msg as is. */
_Noreturn void lfsc_lex_fail(lex_state *ls, int code, const char *msg);
const lfsc_str *lfsc_lex_intern(lex_state *ls, const char *s, size_t len);
/* Format a chunk name for messages as Lua 5.1 does (size bytes max). */
void lfsc_lex_chunkid(char *out, const char *source, size_t size);

#endif
