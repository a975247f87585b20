/* Whole-file reading. A file is read to its end, not sized first: stdin,
 * pipes and devices have no size, and a file may change under us. Reading
 * stops one byte past the bound, so a larger input is told apart from one
 * that just fits without reading all of it (or holding that byte). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "file.h"
#include "port.h"

#define FIRST_PIECE (64 * 1024)

int lfsc_file_too_large(lfsc_ctx *ctx, const char *shown, size_t max)
{
  return lfsc_seterr(ctx, LFSC_ELIMIT, "%s: file too large (more than %lu bytes%s)", shown,
                     (unsigned long)max, max == FILE_INPUT_MAX ? ", the input limit" : "");
}

int lfsc_file_read(lfsc_ctx *ctx, const char *path, size_t max, unsigned char **buf,
                   size_t *len)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *shown = from_stdin ? "stdin" : path;
  if (max > FILE_INPUT_MAX)
    max = FILE_INPUT_MAX;
  FILE *fp = from_stdin ? stdin : fopen(path, "rb");
  if (!fp)
    return lfsc_seterr(ctx, LFSC_EIO, "cannot open %s: %s", path, strerror(errno));
  if (from_stdin)
    lfsc_port_binary_stdin();
  size_t cap = max < FIRST_PIECE ? max : FIRST_PIECE, n = 0;
  unsigned char *b = malloc(cap ? cap : 1);
  int err = 0, over = 0;
  while (b) {
    if (n == cap) {
      if (cap == max) {         /* one byte more tells "too large" from "just fits" */
        int c = getc(fp);
        if (c == EOF && ferror(fp))
          err = errno ? errno : EIO;
        over = c != EOF;
        break;
      }
      size_t ncap = cap < max / 2 ? cap * 2 : max;
      unsigned char *nb = realloc(b, ncap);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
      cap = ncap;
    }
    size_t got = fread(b + n, 1, cap - n, fp);
    if (got == 0) {
      if (ferror(fp))
        err = errno ? errno : EIO;
      break;
    }
    n += got;
  }
  if (!from_stdin)
    fclose(fp);
  if (!b)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  int rc = LFSC_OK;
  if (err)
    rc = lfsc_seterr(ctx, LFSC_EIO, "cannot read %s: %s", shown, strerror(err));
  else if (over)
    rc = lfsc_file_too_large(ctx, shown, max);
  if (rc) {
    free(b);
    return rc;
  }
  *buf = b;
  *len = n;
  return LFSC_OK;
}

int lfsc_file_read_arena(lfsc_ctx *ctx, const char *path, size_t max, unsigned char **buf,
                         size_t *len)
{
  unsigned char *b;
  size_t n;
  int rc = lfsc_file_read(ctx, path, max, &b, &n);
  if (rc)
    return rc;
  unsigned char *a = lfsc_alloc(ctx, n ? n : 1);   /* an empty file is not NULL */
  if (a)
    memcpy(a, b, n);
  free(b);
  if (!a)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  *buf = a;
  *len = n;
  return LFSC_OK;
}

const char *lfsc_file_source_name(const char *pre, const char *path)
{
  size_t n = pre ? strlen(pre) : 0;
  while (n > 1 && pre[n - 1] == '/')
    n--;
  if (n == 0 || strncmp(path, pre, n) != 0 || (path[n] != '/' && pre[n - 1] != '/'))
    return path;
  path += n;
  while (*path == '/')
    path++;
  return *path ? path : ".";
}
