/*
 * The one table of LFS placement limits, shared by luac.cross (-a, -m),
 * lfsimg (verify, reloc, provision) and the firmware reader, so that every
 * tool accepts the same numbers and says the same thing about them.
 *
 * Where the numbers come from (shared/spec/nodemcu-flash-layout.md §1, §4):
 * the ESP8266 maps one 1 MiB window of flash at 0x40200000 and the firmware
 * reads LFS through it, so an LFS partition must lie wholly inside that
 * window; its first 64 KiB hold the boot image, so the firmware's own code
 * (and the earliest place LFS can start) is 0x40210000. Partitions start
 * and end on 4 KiB flash sectors.
 *
 * Largest image: LIMITS_IMAGE_MAX = 0xF0000 bytes (the window less the
 * boot area), for absolute AND position-independent images. A PI image is
 * relocated into a partition that must satisfy the same window rule, and
 * node.flashreload() refuses an image larger than its partition, so no PI
 * image bigger than the largest possible partition can ever be loaded.
 *
 * --no-window-check (LIMITS_NO_WINDOW) relaxes the firmware's placement
 * rules for experiments: -a then only needs to be word aligned inside the
 * reference luac.cross's range 0x40210000..0x40310000, and images may grow
 * to LIMITS_FORMAT_MAX, the largest multiple of 4 KiB whose image and
 * relocation bitmap still fit the reader's 4 MiB bound.
 */
#ifndef LFSC_LFSLIMITS_H
#define LFSC_LFSLIMITS_H

#include <stdint.h>

#include "lfsc/lfsc.h"

#define LIMITS_WINDOW_BASE  0x40200000u   /* mapped address of flash offset 0 */
#define LIMITS_WINDOW_SIZE  0x00100000u   /* 1 MiB mapped */
#define LIMITS_WINDOW_END   (LIMITS_WINDOW_BASE + LIMITS_WINDOW_SIZE)
#define LIMITS_ADDR_MIN     0x40210000u   /* after the 64 KiB boot area */
#define LIMITS_REF_ADDR_MAX 0x40310000u   /* the reference luac.cross's -a bound */
#define LIMITS_SECTOR       0x1000u       /* flash erase sector */
#define LIMITS_IMAGE_MAX    (LIMITS_WINDOW_END - LIMITS_ADDR_MIN)   /* 0xF0000 */
#define LIMITS_FORMAT_MAX   0x3E0000u

/* The largest image file: the largest image (even with --no-window-check)
 * and its relocation bitmap (a bit a word), uncompressed, or in a gzip
 * member that stores them without compression (18 bytes of header and
 * trailer, 5 a 64 KiB block). What lfsimg reads from stdin is bounded by
 * it, since a pipe has no size to check first. */
#define LIMITS_FILE_MAX \
  (LIMITS_FORMAT_MAX + LIMITS_FORMAT_MAX / 32 + 18 + 5 * (LIMITS_FORMAT_MAX / 65535 + 2))

enum { LIMITS_NO_WINDOW = 1 };        /* flags: --no-window-check */

/* An absolute image's start address (-a, reloc --base): word aligned,
 * and unless LIMITS_NO_WINDOW, on a flash sector inside the window. A
 * value below the window that looks like a flash offset gets "did you
 * mean 0x40200000 + offset?". LFSC_OK or LFSC_EARG. */
int lfsc_lfslimits_check_addr(lfsc_ctx *ctx, uint32_t addr, unsigned flags);

/* A maximum image size (-m): a multiple of the 4 KiB sector, at most the
 * largest image. LFSC_OK or LFSC_EARG. */
int lfsc_lfslimits_check_maxsize(lfsc_ctx *ctx, uint64_t maxsize, unsigned flags);

/* A built or loaded image of size bytes (flash_size, bitmap excluded):
 * at most the largest image; for an absolute image at addr also its end
 * inside the window. LFSC_OK or LFSC_ELIMIT. */
int lfsc_lfslimits_check_image(lfsc_ctx *ctx, int absolute, uint32_t addr, uint64_t size,
                       unsigned flags);

/* An LFS partition at flash offset off of size bytes: sector aligned and
 * inside the mapped window. LFSC_OK or LFSC_ELIMIT. */
int lfsc_lfslimits_check_partition(lfsc_ctx *ctx, uint32_t off, uint32_t size, unsigned flags);

#endif
