/*
 * libFuzzer harness over the firmware reader (firmware.c: ELF through
 * libelf when built with LFSC_HAVE_LIBELF, and the .bin forms), the
 * firmware's placement rules and provisioning's planning and RCR writing.
 * Input: a firmware file as is, or '2' + a 16-bit little-endian split
 * point + two files (the 0x00000.bin + 0x10000.bin pair). Any input must
 * give a clean error: no crash, hang or sanitizer report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "platform/esp8266/firmware.h"
#include "platform/esp8266/provision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const unsigned char *bufs[2] = {data, NULL};
  size_t lens[2] = {size, 0};
  const char *names[2] = {"a", "b"};
  int nfiles = 1;
  if (size >= 3 && data[0] == '2') {
    size_t split = ((size_t)data[1] | (size_t)data[2] << 8) % (size - 2);
    bufs[0] = data + 3;
    lens[0] = split;
    bufs[1] = data + 3 + split;
    lens[1] = size - 3 - split;
    nfiles = 2;
  }
  /* copies, so that ASan sees reads past each file's end */
  unsigned char *copy[2] = {NULL, NULL};
  for (int i = 0; i < nfiles; i++) {
    copy[i] = malloc(lens[i] ? lens[i] : 1);
    if (!copy[i])
      goto out;
    memcpy(copy[i], bufs[i], lens[i]);
    bufs[i] = copy[i];
  }
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    goto out;
  firmware *fw = malloc(sizeof *fw);
  if (fw && lfsc_firmware_parse(ctx, nfiles, names, bufs, lens, fw) == LFSC_OK) {
    static const uint32_t flashes[] = {0x40000, 0x100000, 0x400000, 0x1000000};
    for (size_t k = 0; k < sizeof flashes / sizeof flashes[0]; k++) {
      firmware_part t[FIRMWARE_MAX_PARTS], lfs;
      int n;
      lfsc_firmware_table(ctx, fw, flashes[k], t, &n);
      lfsc_firmware_lfs(ctx, fw, flashes[k], 0, &lfs);
      provision_opts po = {.flash_size = flashes[k], .set_lfs = (int)(k & 1),
                           .lfs_size = 0x20000u << k, .spiffs = (provision_spiffs)k};
      provision_plan plan;
      if (lfsc_provision_plan_table(ctx, fw, &po, &plan) == LFSC_OK) {
        static const unsigned char img[64];
        provision_piece pieces[3];
        int np;
        lfsc_provision_pieces(ctx, fw, &plan, (int)k, img, sizeof img, pieces, &np);
        unsigned char sector[FIRMWARE_RCR_BYTES];
        lfsc_firmware_rcr_write(ctx, fw, plan.table, plan.n, sector);
      }
    }
  }
  free(fw);
  lfsc_free(ctx);
out:
  free(copy[0]);
  free(copy[1]);
  return 0;
}
