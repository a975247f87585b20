/*
 * libFuzzer harness over the compiler (lfsc_compile) and the .lc reader
 * (lfsc_lc_read), with oracles beyond "no crash":
 *  - the whole input compiled at once and streamed in small pieces (the
 *    piece size comes from the first byte) gives the same verdict, the
 *    same message and, when it compiles, the same bytecode;
 *  - what compiles is written as a chunk, read back by lfsc_lc_read and
 *    written again: the same bytes (a full round trip);
 *  - the input read as a binary chunk, whole and streamed: the same
 *    verdict and message.
 * The first input byte chooses the options (number model, names, line
 * info bug) and the piece size; the rest is the program or chunk.
 * Run with tests/fuzz/lua.dict (Lua's tokens) as -dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lua51/lc_write.h"
#include "lua51/lc_read.h"
#include "base/sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct pieces {
  const unsigned char *p;
  size_t left, step;
} pieces;

static const unsigned char *next_piece(void *ud, size_t *size)
{
  pieces *s = ud;
  size_t n = s->left < s->step ? s->left : s->step;
  const unsigned char *p = s->p;
  s->p += n;
  s->left -= n;
  *size = n;
  return n ? p : NULL;
}

/* Crash with both messages, so that the artifact explains itself. */
static void differ(const char *what, lfsc_ctx *a, lfsc_ctx *b)
{
  fprintf(stderr, "%s\n  whole:    %s\n  streamed: %s\n", what, lfsc_errmsg(a), lfsc_errmsg(b));
  abort();
}

static void same_verdict(const char *what, int ra, lfsc_ctx *a, int rb, lfsc_ctx *b)
{
  if (ra != rb || (ra != LFSC_OK && strcmp(lfsc_errmsg(a), lfsc_errmsg(b)) != 0))
    differ(what, a, b);
}

/* The chunk p as written for target, in s (fresh). */
static int write_chunk(lfsc_ctx *ctx, const lfsc_proto *p, lfsc_target t, lfsc_sink *s)
{
  lfsc_sink_mem_init(s);
  int rc = lfsc_lc_write(ctx, p, t, 0, s);
  return rc ? rc : s->status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  unsigned sel = data[0];
  data++;
  size--;
  lfsc_compile_opts co = {
    .nummodel = sel & 1 ? LFSC_NUM_INT32 : LFSC_NUM_DOUBLE,
    .keep_names = (sel >> 1) & 1,
    .compat_lineinfo = (sel >> 2) & 1,
  };
  lfsc_target t = sel & 1 ? LFSC_TARGET_INT : (sel & 8 ? LFSC_TARGET_FLOAT : LFSC_TARGET_HOST);
  size_t step = 1 + (sel >> 4) * 3;   /* 1..46 bytes a piece */

  lfsc_ctx *a = lfsc_new(), *b = lfsc_new();
  if (!a || !b)
    abort();
  lfsc_proto *pa, *pb;
  int ra = lfsc_compile(a, &co, "=fuzz", (const char *)data, size, &pa);
  pieces st = {data, size, step};
  int rb = lfsc_compile_stream(b, &co, "=fuzz", next_piece, &st, &pb);
  same_verdict("compile", ra, a, rb, b);
  if (ra == LFSC_OK) {
    lfsc_sink sa, sb, sc;
    int wa = write_chunk(a, pa, t, &sa), wb = write_chunk(b, pb, t, &sb);
    same_verdict("write", wa, a, wb, b);
    if (wa == LFSC_OK) {
      if (sa.len != sb.len || memcmp(sa.buf, sb.buf, sa.len) != 0)
        differ("bytecode of the whole and of the streamed input differ", a, b);
      lfsc_proto *back;
      if (lfsc_lc_read(a, sa.buf, sa.len, "fuzz", t, &back) != LFSC_OK) {
        fprintf(stderr, "written chunk does not read back: %s\n", lfsc_errmsg(a));
        abort();
      }
      if (write_chunk(a, back, t, &sc) != LFSC_OK || sc.len != sa.len ||
          memcmp(sc.buf, sa.buf, sa.len) != 0) {
        fprintf(stderr, "chunk read back is written differently\n");
        abort();
      }
      lfsc_sink_mem_free(&sc);
    }
    lfsc_sink_mem_free(&sa);
    lfsc_sink_mem_free(&sb);
  }
  lfsc_free(a);
  lfsc_free(b);

  /* the same bytes as a binary chunk */
  a = lfsc_new();
  b = lfsc_new();
  if (!a || !b)
    abort();
  ra = lfsc_lc_read(a, data, size, "fuzz", t, &pa);
  st = (pieces){data, size, step};
  rb = lfsc_lc_read_stream(b, next_piece, &st, "fuzz", t, &pb);
  same_verdict("lfsc_lc_read", ra, a, rb, b);
  lfsc_free(a);
  lfsc_free(b);
  return 0;
}
