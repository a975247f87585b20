/*
 * libFuzzer harness over the NodeMCU Lua 5.3 formats (issue #19): the .lc
 * reader (format 10), the LFS image reader (format 11) and the absolute
 * image reader, then the
 * writers and the -a builder on whatever they accept. Any input must give
 * a clean error; an accepted input must write back to bytes that read
 * and write again to the same bytes (the round trip is exact).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"
#include "lua53/nlc.h"
#include "lfs53/lfs53.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lc_case(lfsc_ctx *ctx, const uint8_t *data, size_t size, int strip)
{
  lfsc_proto *f;
  lfsc_variant v;
  if (lfsc_nlc_read(ctx, data, size, "fuzz", NULL, &f, &v) != LFSC_OK)
    return;
  lfsc_nlc_check_tree(f, NULL, NULL);
  lfsc_sink a, b;
  lfsc_sink_mem_init(&a);
  lfsc_sink_mem_init(&b);
  if (lfsc_nlc_write(ctx, f, v, strip, &a) == LFSC_OK) {
    lfsc_proto *g;
    if (lfsc_nlc_read(ctx, a.buf, a.len, "again", &v, &g, NULL) != LFSC_OK)
      abort();                  /* we wrote what we cannot read */
    if (lfsc_nlc_write(ctx, g, v, strip, &b) != LFSC_OK || a.len != b.len ||
        memcmp(a.buf, b.buf, a.len) != 0)
      abort();
  }
  lfsc_sink_mem_free(&a);
  lfsc_sink_mem_free(&b);
}

static void img_case(lfsc_ctx *ctx, const uint8_t *data, size_t size)
{
  lfsc_lfs53_image img;
  if (lfsc_lfs53_read(ctx, data, size, "fuzz", NULL, &img) != LFSC_OK)
    return;
  lfsc_sink s;
  for (int i = 0; i < img.nmodules; i++)
    lfsc_nlc_check_tree(img.protos[i], NULL, NULL);
  for (int compat = 0; compat <= 1; compat++) {
    lfsc_lfs53_abs_opts o = {0x40280000u, 1u << 22, 0, compat};
    lfsc_sink_mem_init(&s);
    lfsc_lfs53_abs(ctx, &img, &o, &s);
    lfsc_sink_mem_free(&s);
  }
  /* write it back under its module names (names a file name cannot give
   * are refused by the writer, which is fine) */
  lfsc_lfs53_module *mods = calloc((size_t)img.nmodules + 1, sizeof *mods);
  if (!mods)
    return;
  for (int i = 0; i < img.nmodules; i++) {
    mods[i].filename = img.names[i]->data;
    mods[i].proto = img.protos[i];
  }
  lfsc_sink_mem_init(&s);
  if (lfsc_lfs53_write(ctx, mods, img.nmodules, img.variant, img.strip, img.seed,
                       img.timestamp, &s) == LFSC_OK) {
    lfsc_lfs53_image again;
    if (lfsc_lfs53_read(ctx, s.buf, s.len, "again", &img.variant, &again) != LFSC_OK)
      abort();                  /* we wrote what we cannot read */
  }
  lfsc_sink_mem_free(&s);
  free(mods);
}

/* an absolute flash image: read back, built again */
static void abs_case(lfsc_ctx *ctx, const uint8_t *data, size_t size)
{
  lfsc_lfs53_image img;
  uint32_t addr;
  if (lfsc_lfs53_abs_read(ctx, data, size, "fuzz", NULL, &img, &addr) != LFSC_OK)
    return;
  for (int i = 0; i < img.nmodules; i++)
    lfsc_nlc_check_tree(img.protos[i], NULL, NULL);
  lfsc_lfs53_abs_opts o = {addr & ~3u, 1u << 22, 0, 1};
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  lfsc_lfs53_abs(ctx, &img, &o, &s);
  lfsc_sink_mem_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 0;
  /* the format byte decides, as a loader would */
  if (size > 5 && data[5] == NLC_FORMAT_LC)
    lc_case(ctx, data, size, size & 1);
  else if (size > 4 && data[0] == 0x50 && data[1] == 0xA2 && data[2] == 0xFA && data[3] == 0xFA)
    abs_case(ctx, data, size);
  else
    img_case(ctx, data, size);
  lfsc_free(ctx);
  return 0;
}
