/*
 * Provisioning offline: plan the partition table a firmware will use on a
 * chip with the user's LFS and SPIFFS sizes (by the firmware's own rules,
 * spec §4.1), and assemble the flash contents: boot image, irom0 segment
 * with its RCR sector updated by spec §3 when the plan differs from what
 * the firmware would compute itself, and the LFS image at its partition.
 */
#ifndef LFSC_PROVISION_H
#define LFSC_PROVISION_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "firmware.h"

typedef enum {
  PROVISION_SPIFFS_KEEP = 0,    /* as the firmware has it */
  PROVISION_SPIFFS_NONE,        /* --spiffs-size 0 */
  PROVISION_SPIFFS_MAX,         /* --spiffs-size max: all the rest */
  PROVISION_SPIFFS_SIZE         /* --spiffs-size N */
} provision_spiffs;

typedef struct provision_opts {
  uint32_t flash_size;          /* the chip (resolved by the caller) */
  int set_lfs;                  /* --lfs-size given */
  uint32_t lfs_size;
  provision_spiffs spiffs;
  uint32_t spiffs_size;
  unsigned limits;              /* LFSC_PLATFORM_NO_WINDOW */
} provision_opts;

typedef struct provision_plan {
  firmware_part table[FIRMWARE_MAX_PARTS];
  int n;
  int new_record;               /* differs from the firmware's own table */
  uint32_t lfs_off, lfs_size;   /* the LFS0 partition */
} provision_plan;

/* Plan the table. Errors (with the numbers): no LFS partition and no
 * --lfs-size, a partition the firmware would halt on (flash too small,
 * overlaps), an LFS partition outside the mapped window. */
int lfsc_provision_plan_table(lfsc_ctx *ctx, const firmware *fw, const provision_opts *o,
                         provision_plan *plan);

/* One piece of flash content: len bytes at flash offset off. */
typedef struct provision_piece {
  uint32_t off;
  const unsigned char *data;
  size_t len;
} provision_piece;

/* The pieces to flash, in flash order: boot image (if fw has one; its
 * flash-size nibble set when nibble >= 0), irom0 segment (RCR sector
 * rewritten when plan->new_record), LFS image (lfs, lfs_len bytes, already
 * absolute for the partition). Buffers in ctx's arena. Returns the count
 * in *n (2 or 3). */
int lfsc_provision_pieces(lfsc_ctx *ctx, const firmware *fw, const provision_plan *plan, int nibble,
                     const unsigned char *lfs, size_t lfs_len, provision_piece *pieces, int *n);

#endif
