/*
 * Helpers shared by the image reader and verifier tests: read vectors,
 * list every image vector, inflate a PI file to its raw image + bitmap.
 * Header-only (static functions) so each test stays one executable.
 */
#ifndef LFSIMG_TESTUTIL_H
#define LFSIMG_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CONF LFSC_CONFORMANCE_DIR

static unsigned char *tu_slurp(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n, fp);
    if (!got)
      break;
    n += got;
  }
  fclose(fp);
  *len = n;
  return buf;
}

static unsigned char *tu_conf(const char *rel, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", CONF, rel);
  return tu_slurp(path, len);
}

/* Inflate a gzip file image (raw PI: image + bitmap). */
static unsigned char *tu_gunzip(const unsigned char *in, size_t len, size_t *outlen)
{
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + 15) != Z_OK)
    return NULL;
  size_t cap = 1 << 20;
  unsigned char *out = malloc(cap);
  zs.next_in = (unsigned char *)in;
  zs.avail_in = (uInt)len;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  int rc = inflate(&zs, Z_FINISH);
  *outlen = cap - zs.avail_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

static int tu_ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Relative paths of every non-empty image vector; returns the count. */
static int tu_vectors(char names[][300], int max)
{
  static const char *const dirs[] = {"float", "float16", "int", "float/single",
                                     "float16/single", "int/single"};
  int n = 0;
  for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CONF, dirs[d]);
    DIR *dir = opendir(path);
    if (!dir)
      continue;
    struct dirent *e;
    while ((e = readdir(dir)) && n < max) {
      if (!tu_ends_with(e->d_name, ".img"))
        continue;
      char rel[300];
      snprintf(rel, sizeof rel, "%s/%s", dirs[d], e->d_name);
      size_t len;
      unsigned char *b = tu_conf(rel, &len);
      if (b && len > 0)
        memcpy(names[n++], rel, sizeof rel);
      free(b);
    }
    closedir(dir);
  }
  return n;
}

#endif
