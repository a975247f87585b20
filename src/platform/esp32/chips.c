/*
 * The ESP32 family's platform instances, one per chip NodeMCU's CI builds
 * (shared/spec/esp32-lfs.md "Chips"). What differs between them is data:
 * the mapped flash-data range, the app image's chip id and where the
 * bootloader lives; the rules are limits.c's, bound to each chip's table
 * by the small functions CHIP() writes.
 *
 * Mapped flash-data (DROM) ranges, ESP-IDF components/soc/<chip>/include/
 * soc/soc.h, SOC_DROM_LOW..SOC_DROM_HIGH:
 *   esp32    0x3F400000..0x3F800000
 *   esp32s2  0x3F000000..0x3FF80000
 *   esp32s3  0x3C000000..0x3E000000
 *   esp32c3  0x3C000000..0x3C800000
 *   esp32c6  0x42000000..0x42000000 + (CONFIG_MMU_PAGE_SIZE << 8): data
 *            and code share one cache range; with 64 KiB pages 0x43000000
 *   esp32h2  as the C6 (its ext_mem_defs.h: DRAM0_CACHE_ADDRESS_LOW =
 *            IRAM0's 0x42000000, 256 MMU entries; the pre-production
 *            soc.h's 0x3C000000 range is gone)
 * On the C6 and H2 the page size is a build option: the range here is the
 * largest (64 KiB pages); a build with 32 KiB pages maps only its first
 * 8 MiB, 0x42000000..0x427FFFFF, which lfsc cannot tell from an address.
 * Devices report 0x3F430000 (ESP32, NodeMCU #3653) and 0x420C0000
 * (ESP32-H2, #3667) for an LFS partition, inside these ranges.
 *
 * App image chip ids: esp_app_format.h / esp_chip_id_t (ESP32 0x0000,
 * S2 0x0002, C3 0x0005, S3 0x0009, C6 0x000D, H2 0x0010). The second-stage
 * bootloader sits at flash 0x1000 on the ESP32 and ESP32-S2, at 0x0 on the
 * later chips (IDF's CONFIG_BOOTLOADER_OFFSET_IN_FLASH).
 *
 * lfs_mapped_default is where the host runtime takes a PI image to be
 * mapped (it has no address of its own): 0x3F430000 on the ESP32, the
 * address devices report and conformance-esp32 builds -a for; on the
 * other chips the same place in their range (DROM_LOW + 0x30000), and
 * 0x420C0000 on the C6 and H2, where code shares the range and a device
 * reported that address.
 */
#include "esp32.h"
#include "lfs51/reader.h"

/* an image must fit the range it is read through, and the format */
#define IMAGE_MAX(lo, hi) ((hi) - (lo) < READER_IMAGE_MAX ? (hi) - (lo) : READER_IMAGE_MAX)

/* NodeMCU dev-esp32's 5.1 firmware: float (packed 12-byte TValues) and
 * int (CONFIG_LUA_NUMBER_INTEGRAL), no float16; 5.3: the four number
 * combinations of its Kconfig */
#define ESP32_TARGETS                                                                   \
  (LFSC_PLATFORM_TARGET(LFSC_TARGET_FLOAT) | LFSC_PLATFORM_TARGET(LFSC_TARGET_INT) |    \
   LFSC_PLATFORM_TARGET(LFSC_TARGET_HOST) |                                             \
   LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT32_SINGLEFP) |                                \
   LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT64_DOUBLEFP) |                                \
   LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT32_DOUBLEFP) |                                \
   LFSC_PLATFORM_TARGET(LFSC_TARGET_53_INT64_SINGLEFP))

#define CHIP(id, lbl, lo, hi, mapped, chipid, boot)                                     \
  static const esp32_chip id##_tab = {lbl, lo, hi, IMAGE_MAX(lo, hi)};                     \
  static int id##_addr(lfsc_ctx *ctx, uint32_t addr, unsigned flags)                    \
  {                                                                                     \
    return lfsc_esp32_check_addr(&id##_tab, ctx, addr, flags);                         \
  }                                                                                     \
  static int id##_maxsize(lfsc_ctx *ctx, uint64_t maxsize, unsigned flags)              \
  {                                                                                     \
    return lfsc_esp32_check_maxsize(&id##_tab, ctx, maxsize, flags);                   \
  }                                                                                     \
  static int id##_image(lfsc_ctx *ctx, int absolute, uint32_t addr, uint64_t size,      \
                        unsigned flags)                                                 \
  {                                                                                     \
    return lfsc_esp32_check_image(&id##_tab, ctx, absolute, addr, size, flags);        \
  }                                                                                     \
  static int id##_partition(lfsc_ctx *ctx, uint32_t off, uint32_t size, unsigned flags) \
  {                                                                                     \
    return lfsc_esp32_check_partition(&id##_tab, ctx, off, size, flags);               \
  }                                                                                     \
  const lfsc_platform lfsc_platform_##id = {                                            \
    .name = #id,                                                                        \
    .window_base = 0,           /* no fixed window: mapped by the MMU at run time */    \
    .window_size = 0,                                                                   \
    .addr_min = lo,                                                                     \
    .ref_addr_max = 0xFFFFFFFCu,   /* the ESP32 luac.cross checks no -a */              \
    .sector = ESP32_SECTOR,                                                             \
    .image_max = IMAGE_MAX(lo, hi),                                                     \
    .format_max = READER_IMAGE_MAX,                                                     \
    .lfs_mapped_default = mapped,                                                       \
    .lfs_size_default = ESP32_LFS_SIZE,                                                 \
    .check_addr = id##_addr,                                                            \
    .check_maxsize = id##_maxsize,                                                      \
    .check_image = id##_image,                                                          \
    .check_partition = id##_partition,                                                  \
    .family = "esp32",                                                                  \
    .label = lbl,                                                                       \
    .map_low = lo,                                                                      \
    .map_high = hi,                                                                     \
    .partition_align = ESP32_MMU_PAGE,                                                  \
    .app_chip_id = chipid,                                                              \
    .boot_offset = boot,                                                                \
    .targets = ESP32_TARGETS,                                                           \
    .strip_keeps_source = 1,                                                            \
    .ro_buckets = lfsc_esp32_ro_buckets,                                                \
    .lfs_offset_default = ESP32_LFS_OFFSET,                                             \
  };

CHIP(esp32,   "ESP32",    0x3F400000u, 0x3F800000u, 0x3F430000u, 0x0000, 0x1000u)
CHIP(esp32s2, "ESP32-S2", 0x3F000000u, 0x3FF80000u, 0x3F030000u, 0x0002, 0x1000u)
CHIP(esp32s3, "ESP32-S3", 0x3C000000u, 0x3E000000u, 0x3C030000u, 0x0009, 0x0u)
CHIP(esp32c3, "ESP32-C3", 0x3C000000u, 0x3C800000u, 0x3C030000u, 0x0005, 0x0u)
CHIP(esp32c6, "ESP32-C6", 0x42000000u, 0x43000000u, 0x420C0000u, 0x000D, 0x0u)
CHIP(esp32h2, "ESP32-H2", 0x42000000u, 0x43000000u, 0x420C0000u, 0x0010, 0x0u)


/* The family in one list, with the instruction set each chip's code is
 * for (Xtensa LX6/LX7 on the ESP32, -S2, -S3; RISC-V on the -C3, -C6,
 * -H2): the app header's chip id and an ELF's machine are looked up here. */
const esp32_member lfsc_esp32_family[ESP32_NCHIPS] = {
  {&lfsc_platform_esp32, ESP32_EM_XTENSA},   {&lfsc_platform_esp32s2, ESP32_EM_XTENSA},
  {&lfsc_platform_esp32s3, ESP32_EM_XTENSA}, {&lfsc_platform_esp32c3, ESP32_EM_RISCV},
  {&lfsc_platform_esp32c6, ESP32_EM_RISCV},  {&lfsc_platform_esp32h2, ESP32_EM_RISCV},
};
