/*
 * image_picheck FILE...: apply the firmware loader's rules (image spec
 * §11) to PI image files. Prints one line per file, "OK" or the rule
 * broken; exit status 1 if any file is rejected. Used by the image
 * conformance script. --partition N sets the LFS partition size
 * (default 0x40000); --sig X the firmware's signature (default: the
 * image's own).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_image_gzcheck.h"

static unsigned char *slurp(const char *path, size_t *n)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  size_t cap = 65536, len = 0;
  unsigned char *p = malloc(cap);
  size_t k;
  while (p && (k = fread(p + len, 1, cap - len, fp)) > 0) {
    len += k;
    if (len == cap) {
      unsigned char *q = realloc(p, cap *= 2);
      if (!q) {
        free(p);
        p = NULL;
      }
      p = q;
    }
  }
  fclose(fp);
  *n = len;
  return p;
}

int main(int argc, char **argv)
{
  uint32_t partition = 0x40000, sig = 0;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--partition") == 0 && i + 1 < argc) {
      partition = (uint32_t)strtoul(argv[++i], NULL, 0);
      continue;
    }
    if (strcmp(argv[i], "--sig") == 0 && i + 1 < argc) {
      sig = (uint32_t)strtoul(argv[++i], NULL, 0);
      continue;
    }
    size_t n;
    unsigned char *p = slurp(argv[i], &n);
    if (!p) {
      printf("%s: cannot read\n", argv[i]);
      status = 1;
      continue;
    }
    gzcheck_result r;
    int rc = gzcheck(p, n, sig, partition, &r);
    printf("%s: %s (%zu bytes, %zu matches, max distance %u, blocks %u/%u/%u)\n", argv[i],
           rc ? r.err : "OK", n, r.matches, r.maxdist, r.blocks[0], r.blocks[1], r.blocks[2]);
    if (rc)
      status = 1;
    free(r.data);
    free(p);
  }
  return status;
}
