/*
 * The platform interface: what lfsc needs to know about the chip an image
 * is for (how flash is mapped, where LFS may live, how large an image may
 * be), as one struct of data and functions per chip in the manner of QBE's
 * Target. The image format (src/lfs51) and the host runtime name no chip:
 * their callers hand them a platform, which the front ends pick by name.
 *
 * The platforms: the ESP8266 (src/platform/esp8266) and the ESP32 family
 * (src/platform/esp32: esp32, esp32s2, esp32s3, esp32c3, esp32c6,
 * esp32h2), each one instance and one line in lfsc_platform_find's table,
 * with no #ifdef anywhere else.
 *
 * Next steps, not yet reached through the struct: reading the platform's
 * partition table from a firmware build and provisioning a flash image
 * (for the ESP8266, lfsc_firmware_read/lfsc_firmware_lfs in firmware.c and
 * lfsc_provision_plan/lfsc_provision_write in provision.c).
 */
#ifndef LFSC_PLATFORM_H
#define LFSC_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"

/* flags for the checks: --no-window-check relaxes the firmware's placement
 * rules for experiments (addresses then only need to be word aligned in
 * the reference luac.cross's range, and images may grow to format_max) */
enum { LFSC_PLATFORM_NO_WINDOW = 1 };

/* What the front ends use when the user names no platform. */
#define LFSC_PLATFORM_DEFAULT "esp8266"

typedef struct lfsc_platform {
  const char *name;             /* "esp8266", as lfsc_platform_find knows it */
  /* A fixed window maps flash offset 0 at window_base (the ESP8266's
   * 1 MiB). window_size 0: the chip has no fixed window (the ESP32 maps
   * flash pages wherever its MMU has room, so "mapped = window_base +
   * offset" means nothing there: callers show no mapped address). */
  uint32_t window_base;         /* mapped address of flash offset 0 */
  uint32_t window_size;         /* bytes of flash mapped from window_base; 0: none */
  uint32_t addr_min;            /* lowest mapped address an LFS image may start at */
  uint32_t ref_addr_max;        /* highest -a with NO_WINDOW (the reference luac.cross's) */
  uint32_t sector;              /* flash erase sector: partitions start and end on one */
  uint32_t image_max;           /* largest image (bytes, bitmap excluded) */
  uint32_t format_max;          /* largest image with NO_WINDOW: the image format's bound */
  uint32_t lfs_mapped_default;  /* where a PI image is taken to be mapped on the host */
  uint32_t lfs_size_default;    /* the firmware's default LFS partition size */

  /* Each check returns LFSC_OK or sets ctx's error (the message names the
   * value, the bound and the rule) and returns the code given. flags are
   * LFSC_PLATFORM_* bits. */
  /* An absolute image's start address (-a, reloc --base). LFSC_EARG. */
  int (*check_addr)(lfsc_ctx *ctx, uint32_t addr, unsigned flags);
  /* A maximum image size (-m). LFSC_EARG. */
  int (*check_maxsize)(lfsc_ctx *ctx, uint64_t maxsize, unsigned flags);
  /* A built or loaded image of size bytes, absolute at addr or not.
   * LFSC_ELIMIT. */
  int (*check_image)(lfsc_ctx *ctx, int absolute, uint32_t addr, uint64_t size,
                     unsigned flags);
  /* An LFS partition at flash offset off of size bytes. LFSC_ELIMIT. */
  int (*check_partition)(lfsc_ctx *ctx, uint32_t off, uint32_t size, unsigned flags);

  /* ---- added for the ESP32 family (issue #20); data others read ---- */
  const char *family;           /* the firmware port: "esp8266" or "esp32" */
  const char *label;            /* the chip as messages name it: "ESP32-C3" */
  /* The mapped flash-data range [map_low, map_high): where the firmware
   * can read an LFS image through the cache (ESP8266: its window; ESP32:
   * the chip's DROM range, soc.h SOC_DROM_LOW..SOC_DROM_HIGH). Tells an
   * absolute image's chip family from its address. */
  uint32_t map_low, map_high;
  uint32_t partition_align;     /* an LFS partition's flash offset alignment
                                   (ESP32: the 64 KiB MMU page it is mapped by) */
  int app_chip_id;              /* esp_chip_id_t in an ESP app image header;
                                   -1: the chip has no such field */
  uint32_t boot_offset;         /* flash offset of the second-stage bootloader */
  unsigned targets;             /* bit 1u << t for each lfsc_target the port's
                                   firmware builds (ESP32 5.1: float and int,
                                   no float16) */
  int strip_keeps_source;       /* -s on a 5.1 image keeps source names (the
                                   ESP32 luac.cross) rather than "=?" */
  /* The 5.1 image's ROstrt bucket count (nROsize) for nstrings strings, as
   * this port's luac.cross sizes it: a power of two greater than nstrings
   * (the firmware takes any power of two). */
  uint32_t (*ro_buckets)(uint32_t nstrings);
  /* The flash offset the host runtime reports for the LFS partition
   * (node.info('lfs').lfs_base): with a fixed window that of
   * lfs_mapped_default; without one the firmware's default table's. */
  uint32_t lfs_offset_default;
} lfsc_platform;

/* The flash offset of LFS mapped at mapped on pf: with a fixed window
 * mapped - window_base, else (the mapping is dynamic) pf's default. */
static inline uint32_t lfsc_platform_lfs_offset(const lfsc_platform *pf, uint32_t mapped)
{
  return pf->window_size ? mapped - pf->window_base : pf->lfs_offset_default;
}

#define LFSC_PLATFORM_TARGET(t) (1u << (unsigned)(t))

extern const lfsc_platform lfsc_platform_esp8266;
extern const lfsc_platform lfsc_platform_esp32, lfsc_platform_esp32s2, lfsc_platform_esp32s3,
    lfsc_platform_esp32c3, lfsc_platform_esp32c6, lfsc_platform_esp32h2;

/* The platform called name, or NULL when there is none. */
const lfsc_platform *lfsc_platform_find(const char *name);

/* The i-th platform lfsc knows (0, 1, ...; the default first), or NULL
 * past the last: for listing the names and for inference. */
const lfsc_platform *lfsc_platform_at(size_t i);

/* "esp8266, esp32, esp32s2, ...": every name, for messages (a static
 * string). */
const char *lfsc_platform_names(void);

/* Whether pf can map an image of size bytes at mapped address addr
 * (inside [map_low, map_high)): for telling a chip by an image's address. */
int lfsc_platform_maps(const lfsc_platform *pf, uint32_t addr, uint64_t size);

#endif
