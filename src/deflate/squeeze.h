/*
 * Our own deflate encoder (RFC 1951) for PI images, shaped by the NodeMCU
 * loader's rules: no back-reference longer than its 16 KiB window and none
 * to output byte 0, which goes out alone in a fixed-Huffman block ahead of
 * the rest (image spec §11).
 *
 * Two parses. The default (-f) is a one-pass lazy parse over hash chains,
 * as zlib's, weighing a match against the next position's by length and
 * distance: fast, with no fixed cost (its tables are sized to the input).
 * --best parses optimally: every position's matches are collected once,
 * then a shortest path through the match graph is taken under a bit-cost
 * model, and the model is re-estimated from the path it produced and the
 * path taken again (the "squeeze"). Either way, blocks are then cut where
 * a fresh Huffman code pays for its header.
 */
#ifndef LFSC_SQUEEZE_H
#define LFSC_SQUEEZE_H

#include <stddef.h>

#include "base/sink.h"

typedef enum {
  SQUEEZE_FAST,                 /* the default for -f: the lazy parse */
  SQUEEZE_BEST                  /* --best: the optimal parse, many model rounds */
} squeeze_effort;

/* Write data[0..n) (n >= 1) as a complete raw deflate stream to out,
 * after pad_blocks empty fixed-Huffman blocks (10 bits each). LFSC_OK,
 * LFSC_EMEM, or out's error. */
int lfsc_squeeze_deflate(const unsigned char *data, size_t n, squeeze_effort effort,
                    unsigned pad_blocks, lfsc_sink *out);

#endif
