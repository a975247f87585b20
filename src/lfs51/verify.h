/*
 * LFS image verifier: a pure check of an image file that lists every
 * problem it finds, each with its offset, instead of stopping at the
 * first. Structural decoding is the reader's; on top of it this checks
 * what the firmware and the reference tools rely on: container and
 * loader limits, header fields, relocation bitmap against the address
 * words actually found, string hashes and hash chains, Proto fields and
 * bytecode (codecheck), the index function and the reference layout.
 *
 * Errors make an image invalid; warnings flag images that decode but that
 * the stock loader or luac.cross would treat differently (for example a
 * deflate back-reference to byte 0, which node.flashreload() rejects).
 */
#ifndef LFSC_VERIFY_H
#define LFSC_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "reader.h"

typedef enum { VERIFY_ERROR = 0, VERIFY_WARNING = 1 } verify_severity;

/* Where an offset points. */
typedef enum {
  VERIFY_AT_NONE = 0,           /* the problem has no single location */
  VERIFY_AT_IMAGE,              /* byte offset in the (uncompressed) image */
  VERIFY_AT_FILE                /* byte offset in the file as given */
} verify_where;

typedef struct verify_problem {
  verify_severity severity;
  verify_where where;
  uint32_t offset;
  char msg[200];
} verify_problem;

typedef struct verify_opts {
  int have_variant;
  lfsc_target variant;          /* the firmware the image must suit */
  uint32_t region_size;         /* LFS partition size, 0 = unknown */
  int have_base;
  uint32_t base;                /* mapped address the image must run at */
  int strict_loader;            /* stock-loader restrictions become errors */
  unsigned limits;              /* LFSC_PLATFORM_NO_WINDOW: skip the firmware's window rule */
  const lfsc_platform *platform; /* the chip whose placement limits apply (address,
                                    size, partition); NULL: none are checked */
  int run_safe;                 /* the run-safe level is required: its failures are
                                   errors (lfsimg run, luac.cross -F) */
} verify_opts;

/* Problems beyond this many are counted but not kept. */
#define VERIFY_MAX_KEPT 200

typedef struct verify_report {
  int nproblems;                /* kept in problems[] */
  int errors, warnings;         /* all found, kept or not */
  verify_problem *problems;     /* in the ctx arena */
  reader_image *img;            /* the decoded image, NULL if it did not decode */
  /* The run-safe level (lua51/flowcheck.c), its own verdict: code the
   * device loads but whose open results or for loops the host VM could
   * not run safely. Counted whether or not opts->run_safe made them
   * errors; the first is described. */
  int run_unsafe;               /* functions that fail it */
  uint32_t unsafe_off;          /* image offset of the first */
  char unsafe_msg[200];
} verify_report;

/* Check one image file. Returns LFSC_OK when the check ran (the verdict
 * is rep->errors == 0), or LFSC_EMEM. */
int lfsc_verify_image(lfsc_ctx *ctx, const void *file, size_t len, const verify_opts *opts,
                 verify_report *rep);

/* "Check before you write": what every tool that derives output from an
 * image (lfsimg extract and reloc, provisioning, running) calls instead
 * of lfsc_reader_load, so that none of them writes from an image the verifier
 * rejects. Decodes and verifies file (opts may be NULL: no expectations).
 *   - valid: LFSC_OK, *img the decoded image, *overridden 0;
 *   - invalid and force set, but decodable: LFSC_OK, *img set,
 *     *overridden 1, and lfsc_errmsg(ctx) says why it is invalid (for the
 *     caller's warning);
 *   - otherwise LFSC_EFORMAT (or LFSC_EMEM), *img NULL, with the
 *     verifier's first error as the message: "0x00a4c: bad code at
 *     instruction 40: operand C out of range (and 2 more errors)".
 * Warnings never refuse. overridden may be NULL. */
int lfsc_verify_or_refuse(lfsc_ctx *ctx, const void *file, size_t len, const verify_opts *opts,
                     int force, reader_image **img, int *overridden);

#endif
