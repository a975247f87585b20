/*
 * The ESP8266 platform, lfsc_platform_esp8266: its LFS placement limits
 * (see lfslimits.h for the numbers and why). Every message names the
 * value, the bound and the rule, identically for every tool that calls
 * these through the struct.
 */
#include "lfslimits.h"
#include "lfs51/strtab.h"

#define WINDOW_TEXT "the 1 MiB flash window the ESP8266 maps at 0x40200000..0x402fffff"

static int check_addr(lfsc_ctx *ctx, uint32_t addr, unsigned flags)
{
  uint32_t hi = (flags & LFSC_PLATFORM_NO_WINDOW) ? LIMITS_REF_ADDR_MAX : LIMITS_WINDOW_END - LIMITS_SECTOR;
  if (addr < LIMITS_ADDR_MIN || addr > hi) {
    /* A user who copied a partition's flash offset (node.info, a map
     * file, esptool) meant the mapped address of that offset. */
    if (addr >= LIMITS_ADDR_MIN - LIMITS_WINDOW_BASE && addr < LIMITS_WINDOW_SIZE)
      return lfsc_seterr(ctx, LFSC_EARG,
                         "address 0x%08lx is a flash offset, not a mapped address: "
                         "did you mean 0x%08lx?", (unsigned long)addr,
                         (unsigned long)(addr + LIMITS_WINDOW_BASE));
    return lfsc_seterr(ctx, LFSC_EARG,
                       "absolute address 0x%08lx is outside the flash window 0x%08lx..0x%08lx",
                       (unsigned long)addr, (unsigned long)LIMITS_ADDR_MIN, (unsigned long)hi);
  }
  if (addr % 4 != 0)
    return lfsc_seterr(ctx, LFSC_EARG, "absolute address 0x%08lx is not a multiple of 4",
                       (unsigned long)addr);
  if (!(flags & LFSC_PLATFORM_NO_WINDOW) && addr % LIMITS_SECTOR != 0)
    return lfsc_seterr(ctx, LFSC_EARG,
                       "absolute address 0x%08lx is not on a 4096-byte flash sector, where "
                       "every partition starts (nearest 0x%08lx)", (unsigned long)addr,
                       (unsigned long)(addr & ~(LIMITS_SECTOR - 1)));
  return LFSC_OK;
}

static uint32_t max_image(unsigned flags)
{
  return (flags & LFSC_PLATFORM_NO_WINDOW) ? LIMITS_FORMAT_MAX : LIMITS_IMAGE_MAX;
}

static const char *max_why(unsigned flags)
{
  return (flags & LFSC_PLATFORM_NO_WINDOW) ? "the image format's limit"
                                    : "the 1 MiB mapped window less the 64 KiB boot area";
}

static int check_maxsize(lfsc_ctx *ctx, uint64_t maxsize, unsigned flags)
{
  if (maxsize % LIMITS_SECTOR != 0)
    return lfsc_seterr(ctx, LFSC_EARG, "maximum size must be a multiple of 4096");
  if (maxsize > max_image(flags))
    return lfsc_seterr(ctx, LFSC_EARG,
                       "maximum size 0x%llx is larger than any LFS image can be: 0x%lx bytes (%s)",
                       (unsigned long long)maxsize, (unsigned long)max_image(flags),
                       max_why(flags));
  return LFSC_OK;
}

static int check_image(lfsc_ctx *ctx, int absolute, uint32_t addr, uint64_t size,
                       unsigned flags)
{
  if (size > max_image(flags))
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "image of %llu bytes is %llu bytes larger than any LFS image can be: "
                       "%lu bytes (%s)", (unsigned long long)size,
                       (unsigned long long)(size - max_image(flags)),
                       (unsigned long)max_image(flags), max_why(flags));
  uint64_t end = (uint64_t)addr + size;
  if (absolute && !(flags & LFSC_PLATFORM_NO_WINDOW) && end > LIMITS_WINDOW_END)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "image of %llu bytes at 0x%08lx ends at 0x%08llx, %llu bytes past "
                       WINDOW_TEXT, (unsigned long long)size, (unsigned long)addr,
                       (unsigned long long)end, (unsigned long long)(end - LIMITS_WINDOW_END));
  return LFSC_OK;
}

static int check_partition(lfsc_ctx *ctx, uint32_t off, uint32_t size, unsigned flags)
{
  if (off % LIMITS_SECTOR || size % LIMITS_SECTOR)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "LFS partition 0x%lx+0x%lx is not aligned to 4096-byte flash sectors",
                       (unsigned long)off, (unsigned long)size);
  uint64_t end = (uint64_t)off + size;
  if (!(flags & LFSC_PLATFORM_NO_WINDOW) &&
      (off < LIMITS_ADDR_MIN - LIMITS_WINDOW_BASE || end > LIMITS_WINDOW_SIZE))
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "LFS partition at flash 0x%lx+0x%lx (mapped 0x%08llx..0x%08llx) leaves "
                       WINDOW_TEXT "%s", (unsigned long)off, (unsigned long)size,
                       (unsigned long long)(LIMITS_WINDOW_BASE + off),
                       (unsigned long long)(LIMITS_WINDOW_BASE + end - 1),
                       end > LIMITS_WINDOW_SIZE ? "" : " (below the firmware)");
  return LFSC_OK;
}

const lfsc_platform lfsc_platform_esp8266 = {
  .name = "esp8266",
  .window_base = LIMITS_WINDOW_BASE,
  .window_size = LIMITS_WINDOW_SIZE,
  .addr_min = LIMITS_ADDR_MIN,
  .ref_addr_max = LIMITS_REF_ADDR_MAX,
  .sector = LIMITS_SECTOR,
  .image_max = LIMITS_IMAGE_MAX,
  .format_max = LIMITS_FORMAT_MAX,
  .lfs_mapped_default = LIMITS_LFS_MAPPED,
  .lfs_size_default = LIMITS_LFS_SIZE,
  .check_addr = check_addr,
  .check_maxsize = check_maxsize,
  .check_image = check_image,
  .check_partition = check_partition,
  .family = "esp8266",
  .label = "ESP8266",
  .map_low = LIMITS_WINDOW_BASE,
  .map_high = LIMITS_WINDOW_END,
  .partition_align = LIMITS_SECTOR,
  .app_chip_id = -1,            /* the ESP8266's image header has no chip id */
  .boot_offset = 0,
  /* dev's 5.1 builds, and its 5.3 ones (LUA_NUMBER_64BITS or not; the
   * mixed variants are the ESP32's Kconfig). Checked only against an
   * explicit --chip, so luac.cross -t keeps accepting every preset. */
  .targets = LFSC_PLATFORM_TARGET(LFSC_TARGET_FLOAT) | LFSC_PLATFORM_TARGET(LFSC_TARGET_FLOAT16) |
             LFSC_PLATFORM_TARGET(LFSC_TARGET_INT) | LFSC_PLATFORM_TARGET(LFSC_TARGET_HOST) |
             LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT32_SINGLEFP) |
             LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT64_DOUBLEFP),
  .strip_keeps_source = 0,      /* lfsc's -s: "=?" (the reference ignores -s) */
  .ro_buckets = lfsc_strtab_nbuckets,   /* 2 << log2(n), dev's lflash.c */
  .lfs_offset_default = LIMITS_LFS_MAPPED - LIMITS_WINDOW_BASE,
};
