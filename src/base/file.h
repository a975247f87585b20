/* Whole-file input: the one reader of a file (or of standard input) into
 * memory, for the inputs that are used whole (images, firmware, sources
 * cut by --embed --split). Compiling a source streams it instead. */
#ifndef LFSC_FILE_H
#define LFSC_FILE_H

#include <stddef.h>
#include "lfsc/lfsc.h"

/* The largest file read whole where no tighter bound applies: far beyond
 * any flash (16 MiB), small enough to refuse a mistaken huge input. */
#define FILE_READ_MAX ((size_t)64 * 1024 * 1024 - 1)

/* Read path, or standard input for "-" (or NULL) in binary mode, into a
 * malloc'd buffer *buf of *len bytes (free it; not NUL-terminated). More
 * than max bytes is LFSC_ELIMIT "X: file too large". Other errors:
 * LFSC_EIO "cannot open X: reason" / "cannot read X: reason" (X the path
 * as given, "stdin" for a read error on standard input), LFSC_EMEM. */
int lfsc_file_read(lfsc_ctx *ctx, const char *path, size_t max, unsigned char **buf,
                   size_t *len);
/* The same into ctx's arena, for data that the results point into. */
int lfsc_file_read_arena(lfsc_ctx *ctx, const char *path, size_t max, unsigned char **buf,
                         size_t *len);

#endif
