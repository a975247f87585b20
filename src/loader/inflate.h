/* Loader internals shared by inflate.c and loader.c. */
#ifndef LFSC_LOADER_INFLATE_H
#define LFSC_LOADER_INFLATE_H

#include "loader.h"

/* Next input byte, or -1 at end of input (read errors set ctx->err). */
int inf_byte(lfs_ctx *c);

/* Decode one gzip member (RFC 1952 framing around RFC 1951 data), feeding
 * every output byte to lfs_put. Checks CRC-32 and ISIZE and that nothing
 * follows. Errors go to c->err. */
void inf_gzip(lfs_ctx *c);

/* Fold one byte into a running CRC-32 (reflected, poly 0xEDB88320). */
uint32_t inf_crc(uint32_t crc, uint32_t byte);

/* Output sink, in loader.c. */
void lfs_put(lfs_ctx *c, uint32_t byte);

/* Record the first error only. */
void lfs_fail(lfs_ctx *c, int err, uint32_t e1, uint32_t e2);

#endif
