/*
 * Embedded-LFS provisioning into an ESP32 app image (provision32.h).
 */
#include <stdio.h>
#include <string.h>

#include "provision32.h"

uint32_t lfsc_provision32_flash_offset(const lfsc_esp32fw *fw)
{
  return fw->app_file >= 0 && fw->file[fw->app_file].form == ESP32FW_FLASH ? 0
                                                                          : ESP32FW_APP_OFF;
}

int lfsc_provision32_app(lfsc_ctx *ctx, const lfsc_esp32fw *fw, const unsigned char *img,
                         size_t n, unsigned char **out, size_t *outlen)
{
  if (fw->app_file < 0)
    return lfsc_seterr(ctx, LFSC_EARG, "no app image to write into: give the app .bin (the "
                       "file flashed at 0x10000) with --firmware, beside the ELF");
  const lfsc_esp32app *app = &fw->app;
  if (fw->lfs != ESP32FW_LFS_EMBEDDED)
    return lfsc_seterr(ctx, LFSC_EARG, "%s: no embedded LFS region known: give the app's ELF "
                       "(its _binary_lua_flash_store_reserved_start/_end symbols) or "
                       "--reserved ADDR:SIZE (from the build's map file); a firmware built "
                       "without CONFIG_NODEMCU_EMBED_LFS has none", app->name);
  if (n > fw->lfs_size)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "the LFS image is %zu bytes, larger than the "
                       "embedded region of %lu bytes at 0x%08lx (%s)%s", n,
                       (unsigned long)fw->lfs_size, (unsigned long)fw->lfs_addr, fw->lfs_from,
                       fw->lfs_size_known ? "" : "; the region may be larger: give the ELF or "
                       "--reserved ADDR:SIZE");
  unsigned char *region = lfsc_alloc(ctx, fw->lfs_size ? fw->lfs_size : 1);
  /* a flash dump is written whole: the bytes before and after the app kept */
  const lfsc_esp32fw_file *f = &fw->file[fw->app_file];
  size_t before = fw->app_off, after = f->len - before - app->len;
  unsigned char *o = lfsc_alloc(ctx, before + app->len + after);
  if (!region || !o)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  memcpy(region, img, n);       /* the rest stays zero */
  int rc = lfsc_esp32app_patch(ctx, app, fw->lfs_addr, region, fw->lfs_size, o + before);
  if (rc)
    return rc;
  memcpy(o, f->buf, before);
  memcpy(o + before + app->len, f->buf + before + app->len, after);
  *out = o;
  *outlen = f->len;
  return LFSC_OK;
}

void lfsc_provision32_luac_line(const lfsc_esp32fw *fw, char *buf, size_t cap)
{
  const char *chip = fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id) : NULL;
  char chipopt[32] = "", t[40] = "";
  if (chip)
    snprintf(chipopt, sizeof chipopt, " --chip %s", chip);
  if (fw->have_variant && fw->variant != LFSC_TARGET_FLOAT)
    snprintf(t, sizeof t, " -t %s", lfsc_target_name(fw->variant));
  const char *lua = fw->lua == 53 ? " --lua 5.3" : "";
  char m[24] = "";
  if (fw->lfs_size_known && fw->lfs_size >= 0x1000)
    snprintf(m, sizeof m, " -m 0x%lx", (unsigned long)(fw->lfs_size & ~0xFFFu));
  if (fw->lfs == ESP32FW_LFS_EMBEDDED)
    snprintf(buf, cap, "luac.cross%s%s%s -a 0x%08lx%s -o lfs.img *.lua", lua, chipopt, t,
             (unsigned long)fw->lfs_addr, m);
  else   /* a PI image, loaded with node.LFS.reload(): the partition's mapping is dynamic */
    snprintf(buf, cap, "luac.cross%s%s%s -f%s -o lfs.img *.lua", lua, chipopt, t,
             fw->lfs == ESP32FW_LFS_PARTITION ? m : "");
}
