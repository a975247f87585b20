/*
 * Test helper: the NodeMCU firmware loader's acceptance rules for a PI
 * image file (image spec §11), checked with an independent inflater that
 * records every back-reference.
 */
#ifndef TEST_IMAGE_GZCHECK_H
#define TEST_IMAGE_GZCHECK_H

#include <stddef.h>
#include <stdint.h>

/* Kinds of rule, as gzcheck returns them: the file's size and gzip header,
 * the deflate stream and gzip trailer (the loader's inflater), the image
 * header inside. */
enum { GZCHECK_OK = 0, GZCHECK_EFILE = -1, GZCHECK_ESTREAM = -2, GZCHECK_EIMAGE = -3 };

typedef struct gzcheck_result {
  unsigned char *data;          /* inflated content (malloc'd; caller frees) */
  size_t len;
  size_t matches;               /* back-references */
  unsigned maxdist;             /* longest back-reference distance */
  unsigned blocks[3];           /* deflate blocks by type: stored, fixed, dynamic */
  int rule;                     /* the first broken rule's kind (GZCHECK_E*) */
  char err[256];                /* first rule broken, "" when accepted */
} gzcheck_result;

/* Check file[0..n) as node.flashreload() would. expected_sig is the
 * firmware's FLASH_SIG (PI form); 0 takes it from the image itself (so
 * only consistency is checked). partition is the LFS partition size.
 * Returns GZCHECK_OK when accepted, else the kind of the first rule broken
 * (r->err says which). */
int gzcheck(const unsigned char *file, size_t n, uint32_t expected_sig,
            uint32_t partition, gzcheck_result *r);

#endif
