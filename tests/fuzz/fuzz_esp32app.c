/*
 * libFuzzer harness over the ESP32 app image reader and patcher
 * (platform/esp32/appimage.c), the ESP32 firmware reader's .bin forms
 * (firmware32.c) and embedded-LFS provisioning (provision32.c).
 * Input: one selector byte, then the file. Selector bit 0: make the
 * file's checksum and SHA-256 right first (so that mutations reach the
 * patcher); bits 1..6 pick the patched range; bit 7 gives the firmware
 * reader a 4 KiB region at the first segment's first 4 KiB boundary. Any input must give a clean
 * error or a patched image that re-reads with a valid checksum and hash
 * and holds the bytes written; abort() otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "platform/esp32/appimage.h"
#include "platform/esp32/firmware32.h"
#include "platform/esp32/provision32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fix(unsigned char *b, const lfsc_esp32app *app)
{
  b[app->checksum_off] = (unsigned char)app->checksum_calc;
  if (app->hash_appended)
    lfsc_sha256(b, app->checksum_off + 1, b + app->checksum_off + 1);
}

static void patch_and_check(lfsc_ctx *ctx, const lfsc_esp32app *app, unsigned sel)
{
  /* a range in the (sel % nseg)-th segment */
  const lfsc_esp32app_seg *s = &app->seg[sel % app->nseg];
  uint32_t n = s->len < 64 ? s->len : 64;
  uint32_t addr = s->load_addr + (s->len - n) / 2;
  unsigned char bytes[64];
  for (uint32_t i = 0; i < n; i++)
    bytes[i] = (unsigned char)(sel * 7 + i);
  unsigned char *out = malloc(app->len ? app->len : 1);
  if (!out)
    return;
  if (lfsc_esp32app_patch(ctx, app, addr, bytes, n, out) == LFSC_OK) {
    lfsc_esp32app again;
    uint32_t off;
    if (lfsc_esp32app_read(ctx, "out", out, app->len, &again) != LFSC_OK ||
        again.checksum != again.checksum_calc || !again.hash_ok ||
        lfsc_esp32app_map(ctx, &again, addr, n, &off) != LFSC_OK ||
        memcmp(out + off, bytes, n) != 0)
      abort();
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  unsigned sel = data[0];
  size_t len = size - 1;
  /* a copy, so that ASan sees reads past the file's end */
  unsigned char *b = malloc(len ? len : 1);
  lfsc_ctx *ctx = lfsc_new();
  if (!b || !ctx)
    goto out;
  memcpy(b, data + 1, len);
  lfsc_esp32app app;
  if (lfsc_esp32app_read(ctx, "in", b, len, &app) == LFSC_OK) {
    if (app.image_len > len || app.checksum_off >= app.image_len || app.nseg == 0)
      abort();
    uint32_t a;
    for (unsigned i = 0; i < app.nseg; i++)
      if (lfsc_esp32app_addr_of(&app, app.seg[i].off, &a) && a != app.seg[i].load_addr)
        abort();
    if (sel & 1) {
      fix(b, &app);
      if (lfsc_esp32app_read(ctx, "in", b, len, &app) != LFSC_OK ||
          lfsc_esp32app_check(ctx, &app) != LFSC_OK)
        abort();
    }
    patch_and_check(ctx, &app, (sel >> 1) & 0x3F);
  }
  /* the firmware reader on the same file, with and without a region */
  (void)lfsc_esp32fw_sniff(b, len);
  const char *name = "fw";
  const unsigned char *bufs[1] = {b};
  size_t lens[1] = {len};
  lfsc_esp32fw *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw)
    goto out;
  for (int k = sel >> 7; k == (int)(sel >> 7); k++) {  /* selector bit 7: with a region */
    uint32_t raddr = k ? (app.nseg ? (app.seg[0].load_addr + 0xFFFu) & ~0xFFFu : 0) : 0;
    uint32_t rsize = k ? 0x1000 : 0;
    if (lfsc_esp32fw_parse(ctx, 1, &name, bufs, lens, raddr, rsize, fw) != LFSC_OK)
      continue;
    char line[256];
    lfsc_provision32_luac_line(fw, line, sizeof line);
    unsigned char img[64], *o;
    size_t ol;
    memset(img, 0, sizeof img);
    if (lfsc_provision32_app(ctx, fw, img, sizeof img, &o, &ol) == LFSC_OK) {
      lfsc_esp32app again;
      if (ol < fw->app_off ||
          lfsc_esp32app_read(ctx, "out", o + fw->app_off, ol - fw->app_off, &again) != LFSC_OK ||
          lfsc_esp32app_check(ctx, &again) != LFSC_OK)
        abort();
    }
  }
out:
  lfsc_free(ctx);
  free(b);
  return 0;
}
