/*
 * LFS image layout: from a Proto tree to the words of an image (image spec
 * §3-§8). The result is kept in position-independent form: every address
 * field holds the word offset of its target, and a relocation bitmap marks
 * which words are address fields (§4). Absolute images are derived from it
 * by relocating the marked words (§4.3).
 *
 * Words are host integers until they are written, little-endian, one by
 * one; nothing depends on the host's byte order or pointer size.
 */
#ifndef LFSC_LAYOUT_H
#define LFSC_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"

typedef struct layout {
  uint32_t *w;                  /* image words (PI form) */
  uint32_t *reloc;              /* bit i of word i>>5: word i is an address */
  size_t nwords;                /* words used: flash_size / 4 */
  size_t cap;                   /* words allocated (a multiple of 32) */
  uint32_t nstrings;            /* nROuse */
  uint32_t nbuckets;            /* nROsize */
} layout;

typedef struct layout_opts {
  lfsc_target target;           /* a NodeMCU variant with an image layout */
  int strip;                    /* leave out line info, local and upvalue names */
  int strip_keeps_source;       /* stripped, modules keep their source names
                                   (else they become "=?") */
  uint32_t (*ro_buckets)(uint32_t nstrings);  /* nROsize for nROuse strings, a
                                   power of two; NULL: lfsc_strtab_nbuckets */
} layout_opts;

/* Lay out the image of the tree rooted at main (the index function).
 * On failure the message is set and *l is left empty. */
int lfsc_layout_build(lfsc_ctx *ctx, const lfsc_proto *main, const layout_opts *opts,
                 layout *l);
void lfsc_layout_free(layout *l);

/* flash_size in bytes. */
uint32_t lfsc_layout_size(const layout *l);
/* Whether word i is an address field. */
int lfsc_layout_is_addr(const layout *l, size_t i);

/* PI content: the image words, then the bitmap (§4.2). */
void lfsc_layout_write_pi(const layout *l, lfsc_sink *out);
/* ABS image based at addr: marked words become addr + 4 * offset, and the
 * signature gets its ABSOLUTE bit (§4.3). */
void lfsc_layout_write_abs(const layout *l, uint32_t addr, lfsc_sink *out);

/* Signature (PI form) of a firmware variant: the packed bit for 12-byte
 * TValues, the integer bit for int32 numbers. */
uint32_t lfsc_layout_signature(lfsc_target t);

/* Byte offset of a TValue's type tag: after the value, which is as wide
 * as the variant's numbers. */
static inline int lfsc_layout_tag_offset(lfsc_variant v)
{
  return v.numbers == LFSC_NUM_INT32 ? 4 : 8;
}

#endif
