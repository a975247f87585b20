/*
 * gzip output sink for PI images (image spec §10, §11), over zlib.
 *
 * The stock firmware loader inflates with a 16 KiB window and rejects a
 * back-reference to the very first byte of the stream (an off-by-one in
 * its dictionary check), and refuses files of 200 bytes or less. So the
 * member written here is one gzip member whose deflate data starts with a
 * hand-made fixed-Huffman block holding the first byte as a literal; zlib
 * (best compression, 16 KiB window) compresses the rest without that byte
 * in its window. Optional empty fixed blocks in front pad a small file
 * past the loader's minimum.
 */
#ifndef LFSC_GZIP_H
#define LFSC_GZIP_H

#include "base/sink.h"

enum {
  GZIP_FIXED = 1,               /* fixed-Huffman blocks only (for tools that
                                   decode nothing else), over zlib */
  GZIP_BEST = 2,                /* squeeze.c's optimal parse (--best) */
  GZIP_REFERENCE = 4            /* NodeMCU luac.cross's own bytes (refdeflate.c,
                                   --compat-deflate): no padding, no loader care */
};
/* zlib memLevel 1..9 (0: 9). It also sets how many symbols go into one
 * deflate block, and LFS images often compress best with smaller blocks. */
#define GZIP_MEMLEVEL(n) ((n) << 8)

/* Start a gzip member written to out. pad_blocks empty fixed blocks come
 * first (10 bits each). LFSC_OK or LFSC_EMEM. Every path must end with
 * lfsc_gzip_sink_finish, which also releases the sink. */
int lfsc_gzip_sink_init(lfsc_sink *gz, lfsc_sink *out, int flags, unsigned pad_blocks);

/* Flush the deflate stream and write the trailer. Returns the first error
 * of the gzip sink or of out. Also frees the zlib state. */
int lfsc_gzip_sink_finish(lfsc_sink *gz);

/* Whole-buffer convenience: compress data[0..n) into out, adding padding
 * blocks as needed for a file of at least min_file bytes. Without
 * GZIP_FIXED or a GZIP_MEMLEVEL the deflate data is our own (lazy.c's
 * parse; GZIP_BEST: squeeze.c's optimal one), otherwise one zlib pass. */
int lfsc_gzip_write(const unsigned char *data, size_t n, int flags, size_t min_file,
               lfsc_sink *out);

#endif
