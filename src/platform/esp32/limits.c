/*
 * The ESP32 family's placement limits (esp32.h): an absolute image's
 * address must lie in the chip's mapped flash-data range on a 4 KiB
 * sector, an image must fit that range, and an LFS partition must start
 * on the 64 KiB MMU page it is mapped by. Every message names the value,
 * the chip, the bound and the rule.
 */
#include <stdio.h>

#include "esp32.h"
#include "lfs51/reader.h"
#include "lfs51/strtab.h"

/* flash sizes the family supports go up to 32 MiB (ESP32-S3): a smaller
 * "address" outside every range is a flash offset copied by mistake */
#define FLASH_MAX 0x2000000u

uint32_t lfsc_esp32_ro_buckets(uint32_t nstrings)
{
  return lfsc_strtab_nbuckets_sparse(nstrings);
}

int lfsc_esp32_check_addr(const esp32_chip *c, lfsc_ctx *ctx, uint32_t addr, unsigned flags)
{
  /* NodeMCU's ESP32 luac.cross checks no -a address at all; word
   * alignment is what the image's own pointers need */
  if (!(flags & LFSC_PLATFORM_NO_WINDOW) &&
      (addr < c->drom_low || addr > c->drom_high - ESP32_SECTOR)) {
    if (addr < FLASH_MAX)
      return lfsc_seterr(ctx, LFSC_EARG,
                         "address 0x%08lx is a flash offset, not a mapped address (the %s "
                         "maps LFS in 0x%08lx..0x%08lx: node.LFS.config() says where; or "
                         "build a PI image, -f)", (unsigned long)addr, c->label,
                         (unsigned long)c->drom_low, (unsigned long)(c->drom_high - 1));
    return lfsc_seterr(ctx, LFSC_EARG,
                       "absolute address 0x%08lx is outside the %s's mapped flash-data range "
                       "0x%08lx..0x%08lx", (unsigned long)addr, c->label,
                       (unsigned long)c->drom_low, (unsigned long)(c->drom_high - ESP32_SECTOR));
  }
  if (addr % 4 != 0)
    return lfsc_seterr(ctx, LFSC_EARG, "absolute address 0x%08lx is not a multiple of 4",
                       (unsigned long)addr);
  if (!(flags & LFSC_PLATFORM_NO_WINDOW) && addr % ESP32_SECTOR != 0)
    return lfsc_seterr(ctx, LFSC_EARG,
                       "absolute address 0x%08lx is not on a 4096-byte flash sector, where the "
                       "%s's LFS starts (a partition on a 64 KiB MMU page, embedded LFS "
                       "4 KiB aligned; nearest 0x%08lx)", (unsigned long)addr, c->label,
                       (unsigned long)(addr & ~(ESP32_SECTOR - 1)));
  return LFSC_OK;
}

static uint32_t max_image(const esp32_chip *c, unsigned flags)
{
  return (flags & LFSC_PLATFORM_NO_WINDOW) ? READER_IMAGE_MAX : c->image_max;
}

static const char *max_why(const esp32_chip *c, unsigned flags, char *buf, size_t n)
{
  if ((flags & LFSC_PLATFORM_NO_WINDOW) || c->image_max == READER_IMAGE_MAX)
    return "the image format's limit";
  snprintf(buf, n, "the %s's mapped flash-data range", c->label);
  return buf;
}

int lfsc_esp32_check_maxsize(const esp32_chip *c, lfsc_ctx *ctx, uint64_t maxsize,
                             unsigned flags)
{
  char why[64];
  if (maxsize % ESP32_SECTOR != 0)
    return lfsc_seterr(ctx, LFSC_EARG, "maximum size must be a multiple of 4096");
  if (maxsize > max_image(c, flags))
    return lfsc_seterr(ctx, LFSC_EARG,
                       "maximum size 0x%llx is larger than any LFS image can be: 0x%lx bytes (%s)",
                       (unsigned long long)maxsize, (unsigned long)max_image(c, flags),
                       max_why(c, flags, why, sizeof why));
  return LFSC_OK;
}

int lfsc_esp32_check_image(const esp32_chip *c, lfsc_ctx *ctx, int absolute, uint32_t addr,
                           uint64_t size, unsigned flags)
{
  char why[64];
  uint32_t max = max_image(c, flags);
  if (size > max)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "image of %llu bytes is %llu bytes larger than any LFS image can be: "
                       "%lu bytes (%s)", (unsigned long long)size,
                       (unsigned long long)(size - max), (unsigned long)max,
                       max_why(c, flags, why, sizeof why));
  uint64_t end = (uint64_t)addr + size;
  if (absolute && !(flags & LFSC_PLATFORM_NO_WINDOW) && end > c->drom_high)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "image of %llu bytes at 0x%08lx ends at 0x%08llx, %llu bytes past the "
                       "%s's mapped flash-data range 0x%08lx..0x%08lx", (unsigned long long)size,
                       (unsigned long)addr, (unsigned long long)end,
                       (unsigned long long)(end - c->drom_high), c->label,
                       (unsigned long)c->drom_low, (unsigned long)(c->drom_high - 1));
  return LFSC_OK;
}

int lfsc_esp32_check_partition(const esp32_chip *c, lfsc_ctx *ctx, uint32_t off, uint32_t size,
                               unsigned flags)
{
  if (off % ESP32_MMU_PAGE)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "LFS partition at flash 0x%lx is not on a 64 KiB boundary: the %s's "
                       "firmware maps it by 64 KiB MMU pages (spi_flash_mmap) and fails "
                       "otherwise (nearest 0x%lx)", (unsigned long)off, c->label,
                       (unsigned long)((off + ESP32_MMU_PAGE - 1) & ~(ESP32_MMU_PAGE - 1)));
  if (size % ESP32_SECTOR)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "LFS partition 0x%lx+0x%lx is not a whole number of 4096-byte sectors",
                       (unsigned long)off, (unsigned long)size);
  if (!(flags & LFSC_PLATFORM_NO_WINDOW) && size > c->drom_high - c->drom_low)
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "LFS partition of 0x%lx bytes is larger than the %s's mapped flash-data "
                       "range (0x%lx bytes)", (unsigned long)size, c->label,
                       (unsigned long)(c->drom_high - c->drom_low));
  return LFSC_OK;
}
