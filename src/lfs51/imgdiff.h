/*
 * Comparing two decoded images module by module (lfsimg diff): which
 * modules only one has, which changed and where first (lua51/protodiff.h),
 * which differ in debug information only. Timestamps, string order and
 * addresses are not compared.
 */
#ifndef LFSC_LFS51_IMGDIFF_H
#define LFSC_LFS51_IMGDIFF_H

#include "lua51/protodiff.h"
#include "reader.h"

typedef enum {
  LFSC_IMGDIFF_ONLY_IN_A,
  LFSC_IMGDIFF_ONLY_IN_B,
  LFSC_IMGDIFF_CHANGED,
  LFSC_IMGDIFF_DEBUG_ONLY       /* same code and constants; not a difference */
} lfsc_imgdiff_change;

typedef struct lfsc_imgdiff_module {
  lfsc_imgdiff_change change;
  const lfsc_str *name;
  const reader_module *a, *b;   /* the module in each image, or NULL */
  lfsc_protodiff where;         /* CHANGED: the first difference */
} lfsc_imgdiff_module;

typedef struct lfsc_imgdiff {
  int variant_differs;
  /* A's modules in A's order that are not the same, then B's own */
  lfsc_imgdiff_module *mods;
  int nmods;
  int order_differs;            /* same names, another order (or other names) */
  int differences;              /* variant, modules only in one, changed modules */
} lfsc_imgdiff;

/* Compare a and b, decoded in one context (equal names are one pointer).
 * The report lives in ctx's arena. LFSC_OK or LFSC_EMEM. */
int lfsc_imgdiff_compare(lfsc_ctx *ctx, const reader_image *a, const reader_image *b,
                         lfsc_imgdiff *out);

#endif
