/*
 * LFS image reader: the one piece of code that decodes NodeMCU Lua 5.1
 * flash images (spec lfs51-image-format.md). It accepts
 *   - a PI image file (gzip member holding image + relocation bitmap),
 *   - the same uncompressed (image + bitmap, signature bit 0 clear),
 *   - an ABS image (exactly flash_size bytes, signature bit 0 set), and
 *   - a relocated flash dump (flash_size bytes, bit 0 clear, as the
 *     firmware loader and nodemcu-partition.py leave it).
 * and turns it back into the target-neutral Proto tree, together with the
 * layout facts (where each object lives, which words are addresses) that
 * the verifier and the other tools need.
 *
 * Nothing in the input is trusted: every read is bounds-checked, every
 * address must land on the start of an object of the expected kind, and
 * every image word may belong to at most one object, which also rules out
 * cycles and shared Protos. The first structural problem ends the decode
 * with LFSC_EFORMAT and a message naming the byte offset.
 */
#ifndef LFSC_READER_H
#define LFSC_READER_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"

/* Largest uncompressed image (plus bitmap) we inflate: the reference caps
 * images at 256 KiB; we allow more for our own compiler, but bound the
 * work a hostile gzip member can cause. */
#define READER_MAX_DATA (4u * 1024u * 1024u)
/* The largest image the format allows (bitmap excluded): the largest
 * multiple of 4 KiB whose image and relocation bitmap still fit
 * READER_MAX_DATA. A platform's limits may be lower, never higher. */
#define READER_IMAGE_MAX 0x3E0000u
/* The largest image file: the largest image and its relocation bitmap (a
 * bit a word), uncompressed, or in a gzip member that stores them without
 * compression (18 bytes of header and trailer, 5 a 64 KiB block). What
 * lfsimg reads from stdin is bounded by it, since a pipe has no size to
 * check first. */
#define READER_FILE_MAX \
  (READER_IMAGE_MAX + READER_IMAGE_MAX / 32 + 18 + 5 * (READER_IMAGE_MAX / 65535 + 2))
/* Deepest Proto nesting followed (Lua 5.1's parser allows ~200). */
#define READER_MAX_DEPTH 250

/* What an image word belongs to. */
typedef enum {
  RD_FREE = 0,
  RD_HEADER,
  RD_BUCKETS,
  RD_STRING,
  RD_PROTO,
  RD_PVEC,
  RD_KVEC,
  RD_CODE,
  RD_LOCVARS,
  RD_UPVALS,
  RD__COUNT
} reader_kind;

const char *lfsc_reader_kind_name(reader_kind k);

typedef struct reader_string {
  uint32_t off;                 /* byte offset of the FlashTS header */
  uint32_t next;                /* byte offset of the next in its chain, 0 = none */
  uint32_t hash;                /* stored hash */
  uint8_t tt, marked;
  uint16_t pad;                 /* the two padding bytes after marked */
  const lfsc_str *s;            /* the bytes, interned */
} reader_string;

/* One Proto of the image, with where its parts live (byte offsets, 0 when
 * the vector is absent). */
typedef struct reader_func {
  uint32_t off;                 /* the 72-byte Proto struct */
  uint32_t koff, codeoff, poff, lioff, locoff, upoff, srcoff;
  uint32_t next, ttmarked, gclist;   /* words that should be 0 */
  uint32_t bytes;               /* struct + own vectors (children excluded) */
  uint32_t subtree_bytes;       /* bytes + every descendant's bytes */
  int parent;                   /* index into funcs, -1 for the index function */
  int nsub;                     /* Protos in this subtree, itself included: funcs are in
                                   pre-order, so child i+1 is child i's index + its nsub */
  int depth;
  int lineinfo_ok;              /* packed line info passed lfsc_lineinfo_decode */
  lfsc_proto *proto;
} reader_func;

typedef struct reader_module {
  const lfsc_str *name;         /* k[i] of the index function (NULL if not a string) */
  lfsc_proto *proto;            /* p[i] */
  int func;                     /* index into funcs */
  uint32_t bytes;               /* the module's Proto subtree, strings excluded */
} reader_module;

typedef struct reader_image {
  /* container */
  size_t file_size;
  int compressed;               /* the file was a gzip member */
  int absolute;                 /* addresses are absolute (ABS image or flash dump) */
  int sig_absolute;             /* signature bit 0 */
  uint32_t base;                /* ABS: target address of byte 0 */
  lfsc_target variant;          /* FLOAT, FLOAT16 or INT */
  int tvsize;                   /* 12, 16 or 8 */

  /* bytes: image then (PI) the bitmap; owned by the ctx arena */
  const unsigned char *data;
  size_t data_size;
  const unsigned char *bitmap;  /* NULL for absolute images */
  uint32_t bitmap_bytes;

  /* header */
  uint32_t sig, flash_size, mainproto, prohash, nrouse, nrosize, fill1, fill2;
  uint32_t mainproto_off;       /* decoded byte offsets */

  /* ROstrt */
  uint32_t *bucket;             /* per bucket: byte offset of its first string, 0 = none */
  int nstrings;
  reader_string *strings;       /* in image (ROstrt) order */
  uint32_t strings_off, strings_end;

  /* Protos, in the order visited (pre-order from the index function) */
  int nfuncs;
  reader_func *funcs;
  lfsc_proto *main;

  /* index function view */
  int nmodules;
  reader_module *modules;
  int has_timestamp;
  double timestamp;             /* k[n] of the index function */

  /* Problems that did not stop the decode (a bad hash-chain link is
   * taken as NULL: the Proto tree does not depend on the chains). */
  int nsoft;
  struct reader_soft {
    uint32_t offset;
    char msg[200];
  } soft[8];
  int soft_dropped;             /* more than fit in soft[] */

  /* per image word: owning object kind, object start flag, address flag */
  uint8_t *kind;                /* reader_kind */
  uint8_t *start;               /* 1 where an object begins */
  uint8_t *isaddr;              /* 1 where the reader decoded a non-NULL address */
} reader_image;

/* Decode an image file held in memory. On success *out points to an image
 * owned by ctx. Errors: LFSC_EFORMAT (message names the offset),
 * LFSC_ELIMIT (too large to inflate), LFSC_EMEM. */
int lfsc_reader_load(lfsc_ctx *ctx, const void *file, size_t len, reader_image **out);

/* An image file read whole into ctx's arena (lfsc_file_read_arena, at
 * most FILE_INPUT_MAX bytes), or with path "-" standard input (in binary
 * mode), which may hold at most READER_FILE_MAX bytes: more is
 * LFSC_ELIMIT ("stdin: more than N bytes ..."). */
int lfsc_reader_read_image(lfsc_ctx *ctx, const char *path, unsigned char **buf, size_t *len);

/* The image as an absolute image linked at base (what luac.cross -a base
 * writes): each address word becomes base + its target's byte offset and
 * signature bit 0 is set. A PI image is relocated by its bitmap, which
 * must agree with the address words found (else LFSC_EFORMAT); an
 * absolute image is rebased. *out (flash_size bytes) is in ctx's arena. */
int lfsc_reader_relocate(lfsc_ctx *ctx, const reader_image *img, uint32_t base,
                    unsigned char **out);

/* The index of the Proto struct at byte offset off in funcs, or -1. */
int lfsc_reader_func_at(const reader_image *img, uint32_t off);

#endif
