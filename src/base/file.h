/* Whole-file input: the one reader of a file (or of standard input) into
 * memory, for the inputs that are used whole (images, firmware, sources
 * cut by --embed --split). Compiling a source streams it instead. */
#ifndef LFSC_FILE_H
#define LFSC_FILE_H

#include <stddef.h>
#include "lfsc/lfsc.h"

/* The one input limit: no reader takes more than this many bytes from one
 * input -- a source, a .lc, an image, a firmware file, an --embed input.
 * Far beyond any flash (16 MiB) and any real source, small enough that a
 * mistaken input (/dev/zero, a disk image, a sparse file) stops at once in
 * bounded memory. The manuals (man/luac.cross.1, man/lfsimg.1) and the
 * README state it; change them with it. */
#define FILE_INPUT_MAX ((size_t)64 * 1024 * 1024)

/* The message for an input over a limit: "NAME: file too large (more
 * than N bytes)". */
int lfsc_file_too_large(lfsc_ctx *ctx, const char *shown, size_t max);

/* Read path, or standard input for "-" (or NULL) in binary mode, into a
 * malloc'd buffer *buf of *len bytes (free it; not NUL-terminated). More
 * than max bytes (never more than FILE_INPUT_MAX) is LFSC_ELIMIT (see
 * lfsc_file_too_large), found without reading past max + 1 bytes or
 * holding more than max. Other errors:
 * LFSC_EIO "cannot open X: reason" / "cannot read X: reason" (X the path
 * as given, "stdin" for a read error on standard input), LFSC_EMEM. */
int lfsc_file_read(lfsc_ctx *ctx, const char *path, size_t max, unsigned char **buf,
                   size_t *len);
/* The same into ctx's arena, for data that the results point into. */
int lfsc_file_read_arena(lfsc_ctx *ctx, const char *path, size_t max, unsigned char **buf,
                         size_t *len);

/* path as it is named in outputs: without the directory prefix when it
 * starts with it (--source-prefix "/src/app" makes "/src/app/lib/x.lua"
 * "lib/x.lua"); pre may be NULL. */
const char *lfsc_file_source_name(const char *pre, const char *path);

#endif
