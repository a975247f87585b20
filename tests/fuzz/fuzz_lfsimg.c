/*
 * libFuzzer harness over the LFS image reader and verifier, and over what
 * the lfsimg front end does with a decoded image (listing, .lc output).
 * Any input must give a clean error: no crash, hang or sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lfsc/lfsc.h"
#include "lua51/lc_write.h"
#include "lua51/listing.h"
#include "lfs51/reader.h"
#include "base/sink.h"
#include "lfs51/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static FILE *devnull;
  if (!devnull)
    devnull = fopen("/dev/null", "w");
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 0;
  verify_opts o = {.platform = &lfsc_platform_esp8266};
  o.region_size = 0x40000;
  verify_report rep;
  if (lfsc_verify_image(ctx, data, size, &o, &rep) == LFSC_OK && rep.img) {
    reader_image *img = rep.img;
    /* Only images the verifier accepts go on to the consumers, as in the
     * CLI's extract/dis paths after a clean decode. */
    unsigned char *abs;
    lfsc_reader_relocate(ctx, img, 0x40280000u, &abs);
    if (devnull) {
      lfsc_sink out;
      lfsc_sink_file_init(&out, devnull);
      lfsc_listing_print(&out, img->main, 1, img->variant);
    }
    if (img->nmodules > 0) {
      lfsc_sink s;
      lfsc_sink_mem_init(&s);
      lfsc_lc_write(ctx, img->modules[0].proto, LFSC_TARGET_HOST, 0, &s);
      lfsc_lc_write(ctx, img->modules[0].proto, img->variant, 0, &s);
      lfsc_sink_mem_free(&s);
    }
  }
  lfsc_free(ctx);
  return 0;
}
