/* Private layout of lfsc_ctx, shared by the library's own files. */
#ifndef LFSC_CTX_H
#define LFSC_CTX_H

#include "lfsc/lfsc.h"

struct block;
struct scratch;

struct lfsc_ctx {
  struct block *arena;          /* newest arena block; freed all at once */
  lfsc_str **buckets;           /* intern table */
  size_t nbuckets;              /* power of two */
  size_t nstrings;
  struct scratch *scratch;      /* the compiler's growing work arrays */
  char *errmsg;                 /* last error message (heap; a compile error
                                   quotes whole tokens, so no fixed size) */
};

/* Work arrays of the compiler (code, constants, locals... of the functions
 * being built, the token buffer): they grow by doubling, so in the arena
 * every outgrown copy would stay until lfsc_free — twice the final size or
 * more. Here they live on the heap until the finished function copies them
 * into the arena at their final size; ctx lists them so that a compile
 * error (a longjmp out of the parser) frees them too. */
void *lfsc_ctx_scratch_resize(lfsc_ctx *ctx, void *p, size_t size);  /* NULL: out of memory, p kept */
void lfsc_ctx_scratch_free(lfsc_ctx *ctx, void *p);
void lfsc_ctx_scratch_free_all(lfsc_ctx *ctx);
/* A copy of n bytes in the arena (NULL when n is 0 or memory is out; tell
 * them apart by n). */
void *lfsc_ctx_arena_copy(lfsc_ctx *ctx, const void *p, size_t n);

#endif
