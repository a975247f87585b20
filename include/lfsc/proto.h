/*
 * The target-neutral function prototype tree.
 *
 * The front end (lex/parse/code) and the .lc reader build it; every writer
 * (host and NodeMCU .lc, LFS image), the image reader, verifier and
 * disassembler consume it. Nothing in here depends on the host's pointer
 * size or struct layout: writers serialise it field by field for a target.
 * All memory belongs to the lfsc_ctx that made it (one arena per job).
 */
#ifndef LFSC_PROTO_H
#define LFSC_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* The Lua a tree was compiled for: it decides which opcodes the code
 * words hold and which writers can take the tree. 5.1 is 0, so a tree
 * built before the tag existed (a zeroed proto) is 5.1. */
typedef enum {
  LFSC_LUA51 = 0,
  LFSC_LUA53 = 1
} lfsc_lua;

/* Numbers are carried as doubles. Under the int32 number model (the
 * integer firmware) every number is an integral value in int32 range, which
 * a double holds exactly; writers for integer targets narrow it. Lua 5.3's
 * integers are a subtype of their own (LFSC_K_INT), never a double: an
 * int64 does not fit one. */
typedef double lfsc_number;

/* An interned string: one per distinct byte sequence per lfsc_ctx, so two
 * strings are equal exactly when their pointers are equal. */
typedef struct lfsc_str {
  uint32_t len;                 /* length in bytes (embedded NULs allowed) */
  uint32_t hash;                /* intern table hash (private; no Lua's) */
  struct lfsc_str *chain;       /* intern table bucket chain (private) */
  char data[];                  /* the bytes, then a NUL */
} lfsc_str;

typedef enum {
  LFSC_K_NIL = 0,               /* values are the Lua type tags: 5.1's, */
  LFSC_K_BOOL = 1,
  LFSC_K_NUM = 3,               /* a float in 5.3 (LUA_TNUMFLT) */
  LFSC_K_STR = 4,
  LFSC_K_INT = 3 | (1 << 4)     /* and 5.3's integer variant (LUA_TNUMINT) */
} lfsc_ktype;

typedef struct lfsc_const {
  lfsc_ktype type;
  union {
    int b;                      /* LFSC_K_BOOL: 0 or 1 */
    lfsc_number n;              /* LFSC_K_NUM */
    int64_t i;                  /* LFSC_K_INT (5.3 only) */
    const lfsc_str *s;          /* LFSC_K_STR (never NULL when built from source) */
  } u;
} lfsc_const;

/* Where a 5.3 closure finds upvalue i when it is created: a register of
 * the enclosing function (instack) or the enclosing function's upvalue
 * idx. 5.1 has no descriptors: its CLOSURE is followed by one MOVE or
 * GETUPVAL pseudo-instruction per upvalue instead. */
typedef struct lfsc_upvaldesc {
  uint8_t instack;
  uint8_t idx;
} lfsc_upvaldesc;

typedef struct lfsc_locvar {
  const lfsc_str *name;
  int startpc;                  /* first instruction where the local is active */
  int endpc;                    /* first instruction where it is dead */
} lfsc_locvar;

/* Lua 5.1 is_vararg flags */
#define LFSC_VARARG_HASARG    1
#define LFSC_VARARG_ISVARARG  2
#define LFSC_VARARG_NEEDSARG  4

typedef struct lfsc_proto {
  lfsc_lua lua;                 /* the dialect of code[] (and of every child) */
  const lfsc_str *source;       /* "@file.lua", "=stdin", "=(luac)"; NULL = absent */
  int linedefined;              /* 0 for a main chunk */
  int lastlinedefined;
  uint8_t nups;                 /* number of upvalues (even without names) */
  uint8_t numparams;
  uint8_t is_vararg;            /* LFSC_VARARG_* */
  uint8_t maxstacksize;

  int sizecode;
  uint32_t *code;               /* instruction words of the dialect */

  /* Line info in two forms. lineinfo[] has one absolute line per
   * instruction (stock Lua's form; NULL when there is none). packedli is
   * NodeMCU's packed run encoding (spec §8.2) without the terminating NUL,
   * as built incrementally by the code generator (or read from a .lc);
   * sizepackedli == 0 means none. */
  int sizelineinfo;             /* == sizecode, or 0 */
  int *lineinfo;
  uint32_t sizepackedli;
  uint8_t *packedli;

  int sizek;
  lfsc_const *k;

  int sizep;
  struct lfsc_proto **p;

  int sizelocvars;              /* 0 when names were stripped */
  lfsc_locvar *locvars;
  int sizeupvalues;             /* number of upvalue *names* (0 or nups) */
  const lfsc_str **upvalues;
  lfsc_upvaldesc *upvaldesc;    /* 5.3: nups descriptors; 5.1: NULL */
} lfsc_proto;

#endif
