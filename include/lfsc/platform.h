/*
 * The platform interface: what lfsc needs to know about the chip an image
 * is for (how flash is mapped, where LFS may live, how large an image may
 * be), as one struct of data and functions per chip in the manner of QBE's
 * Target. The image format (src/lfs51) and the host runtime name no chip:
 * their callers hand them a platform, which the front ends pick by name.
 *
 * Today there is one platform, the ESP8266 (src/platform/esp8266); an
 * ESP32 sibling (src/platform/esp32) is another instance and one more
 * line in lfsc_platform_find's table, with no #ifdef anywhere else.
 *
 * Next steps, not yet reached through the struct: reading the platform's
 * partition table from a firmware build and provisioning a flash image
 * (for the ESP8266, lfsc_firmware_read/lfsc_firmware_lfs in firmware.c and
 * lfsc_provision_plan/lfsc_provision_write in provision.c).
 */
#ifndef LFSC_PLATFORM_H
#define LFSC_PLATFORM_H

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
  uint32_t window_base;         /* mapped address of flash offset 0 */
  uint32_t window_size;         /* bytes of flash mapped from window_base */
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
} lfsc_platform;

extern const lfsc_platform lfsc_platform_esp8266;

/* The platform called name, or NULL when there is none. */
const lfsc_platform *lfsc_platform_find(const char *name);

#endif
