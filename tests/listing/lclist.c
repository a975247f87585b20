/*
 * Test driver for the .lc reader and the listing printer: loads one
 * binary chunk and prints its luac-style listing, so that a script can
 * compare it with `luac5.1 -l [-l]`.
 *
 *   lclist [-l] [-l] [-t float|float16|int|host] file
 *   lclist -flips [-t target] file
 *   lclist [-t target] [-s] -o out file
 *
 * Without -l it only loads the file (exit 0, or the error on stderr).
 * -flips loads every single-bit variant of the file (byte 0 bit 0 first)
 * and prints one verdict per line: "ok" or the reason of the error
 * ("bad code", "unexpected end", ..., "not enough memory"), for
 * differential testing against lua5.1's loader (undump_diff.sh).
 * -o re-writes the loaded tree with lfsc_lc_write for the same target (-s:
 * stripped), for the round-trip script (roundtrip.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lua51/lc_write.h"
#include "lua51/lc_read.h"
#include "lua51/listing.h"

static unsigned char *slurp(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + n, 1, cap - n, fp)) > 0;) {
    n += got;
    if (n == cap) {
      unsigned char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        buf = NULL;
      }
      buf = nb;
    }
  }
  fclose(fp);
  *len = n;
  return buf;
}

static void flips(unsigned char *buf, size_t len, lfsc_target target)
{
  for (size_t i = 0; i < len; i++)
    for (int b = 0; b < 8; b++) {
      buf[i] ^= (unsigned char)(1u << b);
      lfsc_ctx *ctx = lfsc_new();
      lfsc_proto *p;
      if (lfsc_lc_read(ctx, buf, len, "x", target, &p) == LFSC_OK) {
        puts("ok");
      } else {
        const char *m = lfsc_errmsg(ctx);
        if (strncmp(m, "x: ", 3) == 0)
          m += 3;
        const char *end = strstr(m, " in precompiled chunk");
        printf("%.*s\n", end ? (int)(end - m) : (int)strlen(m), m);
      }
      lfsc_free(ctx);
      buf[i] ^= (unsigned char)(1u << b);
    }
}

int main(int argc, char **argv)
{
  int level = 0, flip = 0, strip = 0;
  const char *outpath = NULL;
  lfsc_target target = LFSC_TARGET_HOST;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-l") == 0)
      level++;
    else if (strcmp(argv[i], "-flips") == 0)
      flip = 1;
    else if (strcmp(argv[i], "-s") == 0)
      strip = 1;
    else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
      outpath = argv[++i];
    else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
      if (lfsc_target_parse(argv[++i], &target) != LFSC_OK) {
        fprintf(stderr, "lclist: unknown target '%s'\n", argv[i]);
        return 2;
      }
    } else
      path = argv[i];
  }
  if (!path) {
    fprintf(stderr, "usage: lclist [-l] [-l] [-t target] file\n");
    return 2;
  }
  size_t len = 0;
  unsigned char *buf = slurp(path, &len);
  if (!buf) {
    fprintf(stderr, "lclist: cannot read %s\n", path);
    return 1;
  }
  if (flip) {
    flips(buf, len, target);
    free(buf);
    return 0;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *p = NULL;
  size_t start = lfsc_lc_read_start(buf, len);
  int rc = start == (size_t)-1 ? lfsc_seterr(ctx, LFSC_EFORMAT, "%s: not a binary chunk", path)
                               : lfsc_lc_read(ctx, buf + start, len - start, path, target, &p);
  if (rc == LFSC_OK && level > 0) {
    lfsc_sink out;
    lfsc_sink_file_init(&out, stdout);
    rc = lfsc_listing_print(&out, p, level > 1, target);
  }
  if (rc == LFSC_OK && outpath) {
    FILE *fp = fopen(outpath, "wb");
    if (!fp) {
      rc = lfsc_seterr(ctx, LFSC_EIO, "cannot open %s", outpath);
    } else {
      lfsc_sink sink;
      lfsc_sink_file_init(&sink, fp);
      rc = lfsc_lc_write(ctx, p, target, strip, &sink);
      if (fclose(fp) != 0 && rc == LFSC_OK)
        rc = lfsc_seterr(ctx, LFSC_EIO, "cannot write %s", outpath);
    }
  }
  if (rc != LFSC_OK)
    fprintf(stderr, "lclist: %s\n", lfsc_errmsg(ctx));
  lfsc_free(ctx);
  free(buf);
  return rc == LFSC_OK ? 0 : 1;
}
