/*
 * lfsc_lua53_read_host against luac5.3: each stock Lua 5.3 chunk named on
 * stdin (one path a line, made by luac5.3 or luac5.3 -s) is read into a
 * tree and written back by lfsc_lua53_write_host (strip when the chunk was
 * stripped): the bytes must be the chunk's own. Every prefix of the first
 * chunks and a few bit flips must give an error or a tree, never a crash.
 * Prints "N of M identical"; exit 1 on any difference or when M is 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "base/file.h"
#include "base/sink.h"
#include "lua53/compile.h"

int main(void)
{
  char path[4096];
  int total = 0, same = 0, cuts = 0;
  while (fgets(path, sizeof path, stdin)) {
    path[strcspn(path, "\n")] = 0;
    if (!*path)
      continue;
    int strip = strstr(path, ".s.luac") != NULL;
    lfsc_ctx *ctx = lfsc_new();
    unsigned char *buf;
    size_t len;
    lfsc_proto *f;
    if (!ctx || lfsc_file_read(ctx, path, FILE_INPUT_MAX, &buf, &len) != LFSC_OK) {
      fprintf(stderr, "cannot read %s\n", path);
      return 1;
    }
    total++;
    lfsc_sink mem;
    lfsc_sink_mem_init(&mem);
    if (lfsc_lua53_read_host(ctx, buf, len, path, &f) != LFSC_OK)
      printf("FAIL: %s: %s\n", path, lfsc_errmsg(ctx));
    else if (lfsc_lua53_write_host(ctx, f, strip, &mem) != LFSC_OK)
      printf("FAIL: %s: write: %s\n", path, lfsc_errmsg(ctx));
    else if (mem.len != len || memcmp(mem.buf, buf, len) != 0)
      printf("FAIL: %s: written back differs (%zu bytes vs %zu)\n", path, mem.len, len);
    else
      same++;
    lfsc_sink_mem_free(&mem);
    if (total <= 20) {
      /* truncations are errors; flips are errors or trees */
      for (size_t n = 0; n < len; n += 1 + len / 64) {
        lfsc_ctx *c2 = lfsc_new();
        if (lfsc_lua53_read_host(c2, buf, n, "cut", &f) == LFSC_OK) {
          printf("FAIL: %s cut at %zu read\n", path, n);
          same--;
        }
        cuts++;
        buf[n] ^= 0x41;
        lfsc_lua53_read_host(c2, buf, len, "flip", &f);
        buf[n] ^= 0x41;
        lfsc_free(c2);
      }
    }
    free(buf);
    lfsc_free(ctx);
  }
  printf("%d of %d stock 5.3 chunks read and written back identical; %d truncations refused\n",
         same, total, cuts);
  return total == 0 || same != total ? 1 : 0;
}
