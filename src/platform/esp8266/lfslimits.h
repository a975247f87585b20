/*
 * The ESP8266 platform (lfsc_platform_esp8266, include/lfsc/platform.h):
 * the one table of LFS placement limits, shared by luac.cross (-a, -m),
 * lfsimg (verify, reloc, provision) and the firmware reader, so that every
 * tool accepts the same numbers and says the same thing about them. Only
 * src/platform/esp8266 includes this header; the rest of lfsc reads these
 * numbers from the platform struct.
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
 * --no-window-check (LFSC_PLATFORM_NO_WINDOW) relaxes the firmware's placement
 * rules for experiments: -a then only needs to be word aligned inside the
 * reference luac.cross's range 0x40210000..0x40310000, and images may grow
 * to the image format's bound (READER_IMAGE_MAX, lfs51/reader.h).
 */
#ifndef LFSC_LFSLIMITS_H
#define LFSC_LFSLIMITS_H

#include "lfsc/platform.h"
#include "lfs51/reader.h"
#include "firmware.h"

#define LIMITS_WINDOW_BASE  0x40200000u   /* mapped address of flash offset 0 */
#define LIMITS_WINDOW_SIZE  0x00100000u   /* 1 MiB mapped */
#define LIMITS_WINDOW_END   (LIMITS_WINDOW_BASE + LIMITS_WINDOW_SIZE)
/* after the 64 KiB boot area, where the firmware's irom0 segment starts */
#define LIMITS_ADDR_MIN     (LIMITS_WINDOW_BASE + FIRMWARE_OFFSET)   /* 0x40210000 */
#define LIMITS_REF_ADDR_MAX 0x40310000u   /* the reference luac.cross's -a bound */
#define LIMITS_SECTOR       0x1000u       /* flash erase sector */
#define LIMITS_IMAGE_MAX    (LIMITS_WINDOW_END - LIMITS_ADDR_MIN)   /* 0xF0000 */
#define LIMITS_FORMAT_MAX   READER_IMAGE_MAX

/* Where the host runtime takes a PI image to be mapped (it has no address
 * of its own): flash offset 0x80000, the address luac.cross -a and the
 * conformance vectors use. */
#define LIMITS_LFS_MAPPED   (LIMITS_WINDOW_BASE + 0x80000u)   /* 0x40280000 */
#define LIMITS_LFS_SIZE     0x40000u      /* NodeMCU's default LFS partition size */

#endif
