/*
 * LFS images: the index ("lookup") main function over a set of compiled
 * chunks (image spec §9), and the whole image build, PI (gzip, §10) or
 * absolute (§12).
 */
#ifndef LFSC_IMAGE_BUILD_H
#define LFSC_IMAGE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/build.h"
#include "lfsc/platform.h"
#include "base/sink.h"

/* Modules one index function can hold: SETLIST's C field counts batches
 * of 50 names in 9 bits. */
#define IMAGE_MAX_MODULES (511 * 50)

/* lfsc_image_modname (§9) and lfsc_image_index are public (lfsc/build.h).
 * The index function: k[i] = module name of chunk i, k[n] = timestamp,
 * p[i] = chunks[i]. For up to 50 modules its code is exactly the
 * reference's; beyond, names are stored in SETLIST batches of 50. */

/* The index function's code for n modules (what lfsc_image_index emits), so
 * readers and verifiers can check it: lfsc_image_index_codesize(n) words
 * (5n + 5 for n <= 50, the reference's), written to code[]; returns the
 * count. lfsc_image_index_maxstack(n) is its maxstacksize (n + 3, at most 53). */
size_t lfsc_image_index_code(size_t n, uint32_t *code);
size_t lfsc_image_index_codesize(size_t n);
int lfsc_image_index_maxstack(size_t n);

/* The number a timestamp becomes in the index function's constants:
 * the integer firmware keeps it as an int32 (wrapping in 2038). */
lfsc_number lfsc_image_timestamp_value(lfsc_target target, int64_t timestamp);

typedef struct image_opts {
  lfsc_target target;           /* FLOAT, FLOAT16 or INT */
  int absolute;                 /* ABS image at addr, else PI (gzip) */
  uint32_t addr;
  uint64_t maxsize;             /* largest flash_size accepted, in bytes */
  int strip;                    /* no line info, local or upvalue names */
  int gzip_flags;               /* GZIP_* (gzip.h), for PI images */
  unsigned limits;              /* LFSC_PLATFORM_* flags (lfsc/platform.h) */
  const lfsc_platform *platform; /* the chip whose limits apply (-a, size); NULL:
                                    only the format's own bound, READER_IMAGE_MAX */
} image_opts;

/* Lay out the image of the tree rooted at index and write it to out.
 * *size receives flash_size (bitmap excluded) as soon as it is known,
 * also when the maxsize check then fails (LFSC_ELIMIT); nothing is
 * written to out on any failure. */
int lfsc_image_build(lfsc_ctx *ctx, const lfsc_proto *index, const image_opts *opts,
                lfsc_sink *out, uint32_t *size);

#endif
