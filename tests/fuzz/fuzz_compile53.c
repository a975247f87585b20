/*
 * libFuzzer harness over the Lua 5.3 front end (lfsc_lua53_compile) and
 * the stock 5.3 chunk writer, with oracles beyond "no crash":
 *  - the whole input with names, and the same input streamed in small
 *    pieces (size from the first byte) without names, give the same
 *    verdict, message, code, constants and line info (NodeMCU drops names
 *    at parse time; that must change nothing else);
 *  - the packed line info (without the undo bug) decodes to exactly the
 *    absolute lines, with 5.3's runs of up to 127;
 *  - what compiles is written as a stock chunk, stripped and not: the
 *    stripped chunk is never longer.
 * The first input byte chooses the number model (2 bits), the line info
 * bug and the piece size; the rest is the program. Run with tests/fuzz/lua53.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "nodemcu/lineinfo.h"
#include "lua53/compile.h"
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

static void fail(const char *what)
{
  fprintf(stderr, "%s\n", what);
  abort();
}

static void same_proto(const lfsc_proto *a, const lfsc_proto *b)
{
  if (a->sizecode != b->sizecode || memcmp(a->code, b->code, (size_t)a->sizecode * 4) != 0)
    fail("code differs (whole with names, streamed without)");
  if (a->sizek != b->sizek || a->sizep != b->sizep || a->nups != b->nups ||
      a->maxstacksize != b->maxstacksize || a->sizepackedli != b->sizepackedli ||
      memcmp(a->packedli, b->packedli, a->sizepackedli) != 0 ||
      memcmp(a->lineinfo, b->lineinfo, (size_t)a->sizecode * sizeof(int)) != 0)
    fail("sizes or line info differ (whole with names, streamed without)");
  for (int i = 0; i < a->sizep; i++)
    same_proto(a->p[i], b->p[i]);
}

static void check_lines(const lfsc_proto *f)
{
  int *lines = malloc((size_t)(f->sizecode ? f->sizecode : 1) * sizeof *lines);
  if (!lines)
    abort();
  const char *why = NULL;
  if (lfsc_lineinfo_decode53(f->packedli, f->sizepackedli, lines, f->sizecode, &why)
        != LFSC_OK ||
      memcmp(lines, f->lineinfo, (size_t)f->sizecode * sizeof *lines) != 0) {
    fprintf(stderr, "packed line info is not the lines: %s\n", why ? why : "other lines");
    abort();
  }
  free(lines);
  for (int i = 0; i < f->sizep; i++)
    check_lines(f->p[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  static const lfsc_nummodel models[4] = {
    LFSC_NUM_I64_F64, LFSC_NUM_I32_F32, LFSC_NUM_I32_F64, LFSC_NUM_I64_F32
  };
  unsigned sel = data[0];
  data++;
  size--;
  lfsc_compile_opts co = {models[sel & 3], 1, (sel >> 2) & 1};
  lfsc_ctx *a = lfsc_new(), *b = lfsc_new();
  if (!a || !b)
    abort();
  lfsc_proto *pa, *pb;
  int ra = lfsc_lua53_compile(a, &co, "=fuzz", (const char *)data, size, &pa);
  co.keep_names = 0;
  pieces st = {data, size, 1 + (sel >> 4) * 3};
  int rb = lfsc_lua53_compile_stream(b, &co, "=fuzz", next_piece, &st, &pb);
  if (ra != rb || (ra != LFSC_OK && strcmp(lfsc_errmsg(a), lfsc_errmsg(b)) != 0)) {
    fprintf(stderr, "whole: %s\nstreamed: %s\n", lfsc_errmsg(a), lfsc_errmsg(b));
    fail("verdict differs (whole with names, streamed without)");
  }
  if (ra == LFSC_OK) {
    same_proto(pa, pb);
    if (!co.compat_lineinfo)
      check_lines(pa);
    lfsc_sink s1, s2;
    lfsc_sink_mem_init(&s1);
    lfsc_sink_mem_init(&s2);
    if (lfsc_lua53_write_host(a, pa, 0, &s1) != LFSC_OK ||
        lfsc_lua53_write_host(a, pa, 1, &s2) != LFSC_OK)
      fail("a compiled tree does not write");
    if (s2.len > s1.len)
      fail("the stripped chunk is longer");
    lfsc_sink_mem_free(&s1);
    lfsc_sink_mem_free(&s2);
  }
  lfsc_free(a);
  lfsc_free(b);
  return 0;
}
