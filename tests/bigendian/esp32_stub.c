/* Big-endian test build only: the ESP32 firmware readers use zlib (left
 * out here, see gzip_stub.c), and this build compares ESP8266 conformance
 * output only. luac.cross's --firmware asks them whether a file is ESP32
 * firmware: here it never is. */
#include "platform/esp32/firmware32.h"

int lfsc_esp32fw_file_is(const char *path)
{
  (void)path;
  return 0;
}

int lfsc_esp32fw_load(lfsc_ctx *ctx, int nfiles, const char *const *paths,
                      uint32_t reserved_addr, uint32_t reserved_size, lfsc_esp32fw *fw)
{
  (void)nfiles;
  (void)paths;
  (void)reserved_addr;
  (void)reserved_size;
  (void)fw;
  return lfsc_seterr(ctx, LFSC_EARG, "no ESP32 firmware reader in this build");
}

const char *lfsc_esp32app_chip_name(unsigned chip_id)
{
  (void)chip_id;
  return NULL;
}
