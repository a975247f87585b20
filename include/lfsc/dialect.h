/*
 * Lua dialects: one table of functions per Lua that lfsc speaks, as QBE's
 * Target is per machine. Everything that depends on the Lua version --
 * its front end, its bytecode (.lc and host chunks), listings, the code
 * checker and its LFS image format -- is reached through the table, so a
 * second Lua (NodeMCU's 5.3) is a sibling table, never an #ifdef, and two
 * dialects link into one program (each room's names are its own).
 *
 * Which firmware variant a chunk or image is for (lfsc_target, a preset
 * whose lfsc_variant gives container, numbers and value layout) and which
 * chip it is laid out for (lfsc/platform.h) are separate choices passed to
 * the functions.
 */
#ifndef LFSC_DIALECT_H
#define LFSC_DIALECT_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/build.h"
#include "lfsc/lfsc.h"
#include "lfsc/sink.h"

typedef struct lfsc_dialect {
  const char *name;             /* "5.1": what --lua and messages say */
  lfsc_lua lua;                 /* the tag of the trees it makes */

  /* sources -> proto tree */
  int (*compile)(lfsc_ctx *ctx, const lfsc_compile_opts *opts, const char *chunkname,
                 const char *src, size_t len, lfsc_proto **out);
  /* a source or precompiled file, as luac.cross reads its inputs */
  int (*load)(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
              lfsc_proto **out);
  /* the same over its bytes already read (--embed --split pieces) */
  int (*load_buffer)(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                     const unsigned char *buf, size_t len, lfsc_proto **out);
  /* several chunks under one main function, as luac does (the form can
   * depend on the target: NodeMCU's 5.3 main never calls its chunks) */
  lfsc_proto *(*combine)(lfsc_ctx *ctx, lfsc_proto **chunks, int n, lfsc_target target);

  /* proto tree -> binary chunk (.lc of a firmware variant, or host) */
  int (*write_chunk)(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_target target,
                     int strip, lfsc_sink *out);
  /* luac -l (full: -l -l) */
  int (*list)(lfsc_sink *out, const lfsc_proto *main, int full, lfsc_target target);
  /* the load-time code check: 0 and *why, *bad set, or 1 */
  int (*check_code)(const lfsc_proto *main, const char **why, const lfsc_proto **bad);

  /* LFS images: the index function over chunks, the image, reading and
   * verifying one */
  int (*image_index)(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                     size_t n, lfsc_target target, int64_t timestamp, lfsc_proto **out);
  int (*image_write)(lfsc_ctx *ctx, const lfsc_proto *index, const lfsc_image_opts *opts,
                     lfsc_sink *out, uint32_t *size);
  int (*image_read)(lfsc_ctx *ctx, const void *file, size_t len, lfsc_image_info *out);
  int (*image_verify)(lfsc_ctx *ctx, const void *file, size_t len,
                      const lfsc_verify_opts *opts, lfsc_verify_result *out);
} lfsc_dialect;

/* NodeMCU's Lua 5.1 (and stock 5.1 for host chunks). */
extern const lfsc_dialect lfsc_dialect_lua51;
/* NodeMCU's Lua 5.3 (and stock 5.3 for host chunks). */
extern const lfsc_dialect lfsc_dialect_lua53;

/* The dialect named name ("5.1", "51", "5.3", "53"; NULL or "" gives the
 * default, 5.1), or NULL when lfsc has none of that name. */
const lfsc_dialect *lfsc_dialect_find(const char *name);

#endif
