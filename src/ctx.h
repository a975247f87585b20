/* Private layout of lfsc_ctx, shared by the library's own files. */
#ifndef LFSC_CTX_H
#define LFSC_CTX_H

#include "lfsc/lfsc.h"

struct block;

struct lfsc_ctx {
  struct block *arena;          /* newest arena block; freed all at once */
  lfsc_str **buckets;           /* intern table */
  size_t nbuckets;              /* power of two */
  size_t nstrings;
  char *errmsg;                 /* last error message (heap; a compile error
                                   quotes whole tokens, so no fixed size) */
};

#endif
