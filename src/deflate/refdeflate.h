/*
 * The compressor of NodeMCU's luac.cross (uzlib's deflate as its
 * lflashimg.c calls it; image spec §10): one fixed-Huffman block over a
 * lazy LZ77 parse with a 16 KiB window, 60 candidates a position and a
 * hash chain of 15-bit page offsets. Its stale links decide which match
 * is chosen, so the parse is reproduced as the spec writes it, for
 * byte-identical PI images (luac.cross --compat-deflate). Our own encoder
 * (squeeze.c) makes smaller files; this one exists to match the
 * reference's bytes, faults included: it may emit a back-reference to
 * output byte 0, which the stock loader refuses (§11.4), as the
 * reference does.
 */
#ifndef LFSC_REFDEFLATE_H
#define LFSC_REFDEFLATE_H

#include <stddef.h>

#include "base/sink.h"

/* The reference's gzip header (XFL 4, OS 3); gzip.c wraps the stream
 * in it with the CRC-32 and length. */
#define REFDEFLATE_GZIP_HEADER {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3}

/* Write data[0..n) as the reference's raw deflate stream to out: one
 * final fixed-Huffman block, padded to a byte. LFSC_OK, LFSC_EMEM, or
 * out's error. */
int lfsc_refdeflate(const unsigned char *data, size_t n, lfsc_sink *out);

#endif
