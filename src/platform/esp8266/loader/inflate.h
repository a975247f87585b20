/* Loader internals shared by inflate.c and loader.c. */
#ifndef LFSC_LOADER_INFLATE_H
#define LFSC_LOADER_INFLATE_H

#include "loader.h"

/* Kept out of line where inlining would only copy code: the stub is
 * budgeted for size (README). */
#if defined(__GNUC__)
#define LFS_NOINLINE __attribute__((noinline))
#else
#define LFS_NOINLINE
#endif

/* n (<= 16) bits of input, least significant first. The bit buffer looks
 * ahead up to 4 bytes; past the end of input it reads zero bytes, counted
 * in ctx->pad (so bitcnt < 8 * pad means the end was passed). */
uint32_t inf_bits(lfs_ctx *c, uint32_t n);

/* Copy n bytes of input (or up to its end) to the output. */
void inf_copy(lfs_ctx *c, uint32_t n);

/* Decode one gzip member (RFC 1952 framing around RFC 1951 data), feeding
 * the output through the window to lfs_drain. Checks CRC-32 and ISIZE and that nothing
 * follows. Errors go to c->err. */
void inf_gzip(lfs_ctx *c);

/* Output, in loader.c: take the window's whole words from dn up to nout
 * into the CRC and the image. */
void lfs_drain(lfs_ctx *c);

/* Record the first error only. */
void lfs_fail(lfs_ctx *c, int err, uint32_t e1, uint32_t e2);

#endif
