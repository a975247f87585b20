/*
 * The ESP32 family's platforms (lfsc_platform_esp32 ... _esp32h2,
 * include/lfsc/platform.h): one table of numbers per chip (chips.c) and
 * the placement checks they share (limits.c). Only src/platform/esp32
 * includes this header.
 *
 * Where LFS lives on an ESP32 (shared/spec/esp32-lfs.md): in an IDF
 * partition of type 0xC2 subtype 0x01 that the firmware maps with
 * spi_flash_mmap wherever the MMU has a free 64 KiB page in the chip's
 * flash-data (DROM) range, or embedded in the app image (.rodata.embedded,
 * ALIGN 4096) at an address fixed by the link. So a mapped address is
 * only known from the device (node.LFS.config()) or the firmware's
 * symbols; what lfsc can check is that it lies in the chip's DROM range,
 * on a 4 KiB sector.
 */
#ifndef LFSC_ESP32_H
#define LFSC_ESP32_H

#include <stdint.h>

#include "lfsc/platform.h"

#define ESP32_SECTOR        0x1000u    /* flash erase sector; embedded LFS's ALIGN */
#define ESP32_MMU_PAGE      0x10000u   /* the page an LFS partition is mapped by */
/* NodeMCU's partitions.csv: lfs,0xC2,0x01,,0x10000 */
#define ESP32_LFS_SIZE      0x10000u
/* and its offset: gen_esp32part places it after the 0x180000-byte factory
 * app at 0x10000 (what the host runtime reports as lfs_base) */
#define ESP32_LFS_OFFSET    0x190000u

typedef struct esp32_chip {
  const char *label;            /* "ESP32-C3" */
  uint32_t drom_low, drom_high; /* mapped flash-data range [low, high) */
  uint32_t image_max;           /* largest image: the range, at most the format's */
} esp32_chip;

/* The checks of lfsc_platform for chip c (limits.c); chips.c binds them
 * to each chip's struct. */
int lfsc_esp32_check_addr(const esp32_chip *c, lfsc_ctx *ctx, uint32_t addr, unsigned flags);
int lfsc_esp32_check_maxsize(const esp32_chip *c, lfsc_ctx *ctx, uint64_t maxsize,
                             unsigned flags);
int lfsc_esp32_check_image(const esp32_chip *c, lfsc_ctx *ctx, int absolute, uint32_t addr,
                           uint64_t size, unsigned flags);
int lfsc_esp32_check_partition(const esp32_chip *c, lfsc_ctx *ctx, uint32_t off, uint32_t size,
                               unsigned flags);

/* ELF machines (e_machine) of the family's two instruction sets */
#define ESP32_EM_XTENSA 94
#define ESP32_EM_RISCV 243

typedef struct esp32_member {
  const lfsc_platform *pf;      /* its name, app_chip_id, mapped range */
  unsigned elf_machine;         /* ESP32_EM_XTENSA or ESP32_EM_RISCV */
} esp32_member;

#define ESP32_NCHIPS 6
extern const esp32_member lfsc_esp32_family[ESP32_NCHIPS];

/* The ESP32 luac.cross's nROsize: 2 << log2((int)(n * 1.3)) (NodeMCU
 * dev-esp32 host/lflashimg.c). */
uint32_t lfsc_esp32_ro_buckets(uint32_t nstrings);

#endif
