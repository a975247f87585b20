/*
 * SPLIT overlays: cut one Lua source at "--[[SPLIT name]]" markers into
 * pieces compiled separately (NodeMCU issue #3117's convention). A marker
 * counts only at the start of a line (after spaces or tabs); the text
 * before the first marker is piece 0, the module itself.
 */
#ifndef LFSC_SPLIT_H
#define LFSC_SPLIT_H

#include <stddef.h>

#include "lfsc/lfsc.h"

typedef struct split_piece {
  const char *name;             /* marker name (into the source, not NUL-
                                   terminated); NULL for piece 0 */
  size_t namelen;
  size_t start, end;            /* the piece's text: src[start, end) */
  unsigned long line;           /* line number of src[start] (1-based) */
} split_piece;

/* Cut src into *n pieces (*out, malloc'ed; n >= 1). A line that starts
 * with "--[[SPLIT" and a blank but has no name or no closing "]]" on the
 * same line is an error (LFSC_ESYNTAX, "file:line: ..."). */
int lfsc_split_source(lfsc_ctx *ctx, const char *file, const unsigned char *src, size_t len,
                 split_piece **out, size_t *n);

/* What to compile for piece p: line - 1 newlines, then its text, so that
 * the piece reports the line numbers of the original file. malloc'ed;
 * NULL when out of memory. */
unsigned char *lfsc_split_text(const unsigned char *src, const split_piece *p, size_t *len);

#endif
