/*
 * NodeMCU ESP32 firmware, read offline: which file is which, the chip,
 * the Lua and number variant the firmware was built with, and where its
 * embedded LFS region is. Forms, told apart by content only:
 *   - an app image (0xE9 header with an app description: the .bin
 *     flashed at 0x10000),
 *   - a bootloader image (0xE9 header without one),
 *   - the app's ELF (needs libelf for its symbols),
 *   - a flash dump (a bootloader at 0x1000 or 0x0 and a partition table,
 *     0x50AA entries, at 0x8000; the app at a 64 KiB boundary after it).
 * The variant comes from the banner string lua-5.3/lua.c (which
 * lua-5.1/lua.c includes) prints at boot (NodeMCU
 * dev-esp32: "%s build %s powered by %s [%s] on IDF %s" with XLUA_OPT_STR,
 * "5.1-doublefp", "5.1-integral", "5.3-int32-singlefp", ...), or else
 * from the signature of an LFS image already in the region.
 */
#ifndef LFSC_ESP32_FIRMWARE32_H
#define LFSC_ESP32_FIRMWARE32_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "appimage.h"
#include "elf32.h"
#include "parttable.h"

#define ESP32FW_TABLE_OFF 0x8000u      /* the partition table's flash offset */
#define ESP32FW_TABLE_MAGIC 0x50AA     /* its entries' first half-word */
#define ESP32FW_APP_OFF 0x10000u       /* the factory app's default offset */

typedef enum {
  ESP32FW_APP = 0,
  ESP32FW_BOOTLOADER,
  ESP32FW_ELF,
  ESP32FW_FLASH,
  ESP32FW_TABLE                 /* a partition table alone (partition-table.bin) */
} lfsc_esp32fw_form;

typedef enum {
  ESP32FW_LFS_NONE = 0,
  ESP32FW_LFS_EMBEDDED,
  ESP32FW_LFS_PARTITION         /* the table's type 0xC2 subtype 0x01 */
} lfsc_esp32fw_lfs;

typedef struct lfsc_esp32fw_file {
  const char *name;
  const unsigned char *buf;
  size_t len;
  lfsc_esp32fw_form form;
} lfsc_esp32fw_file;

typedef struct lfsc_esp32fw {
  int nfiles;
  lfsc_esp32fw_file file[2];
  int app_file;                 /* index of the file holding the app image, or -1 */
  lfsc_esp32app app;            /* when app_file >= 0 */
  uint32_t app_off;             /* flash dump: the app's flash offset (else 0) */
  int elf_file;                 /* index of the ELF, or -1 */
  lfsc_esp32elf elf;
  int boot_off;                 /* flash dump: the bootloader's offset, else -1 */
  int table_off;                /* flash dump: the partition table's offset, else -1 */
  int chip_id;                  /* app header's, or -1 */
  const char *chip_from;        /* "app header", "ELF machine and addresses", NULL */
  /* the partition table (a flash dump's at 0x8000, or given alone) */
  int have_pt;
  esp32pt pt;
  uint32_t flash_size;          /* the dump's size, else 4 MiB: what a suggestion fits */
  int lfs_aligned;              /* partition LFS: on a 64 KiB boundary (mappable) */
  int have_suggest;             /* no LFS partition: the one to add */
  esp32pt_entry suggest;
  /* what the firmware was built with */
  int lua;                      /* 51, 53, or 0 when unknown */
  int have_variant;
  lfsc_target variant;          /* float/int (5.1), LFSC_TARGET_53_* */
  const char *banner;           /* the option string found ("5.1-doublefp"), or NULL */
  const char *variant_from;     /* "banner", "LFS signature" or NULL */
  /* the embedded LFS region (lfs_addr: its mapped address), or the LFS
   * partition (lfs_addr: its flash offset) */
  lfsc_esp32fw_lfs lfs;
  uint32_t lfs_addr, lfs_size;
  const char *lfs_from;         /* "ELF symbols ...", "--reserved", "LFS image in the app" */
  int lfs_size_known;           /* 0: found by its image's signature, size is the image's */
  uint32_t lfs_sig;             /* an image already there: its signature (else 0) */
  uint32_t lfs_image_size;      /* and its size */
} lfsc_esp32fw;

/* 1 when the file in buf looks like one of the ESP32 forms (so a caller
 * can choose between the ESP8266 and ESP32 readers before reading). */
int lfsc_esp32fw_sniff(const unsigned char *buf, size_t len);

/* 1 when the file at path (not "-") is one of the ESP32 forms. */
int lfsc_esp32fw_file_is(const char *path);

/* Read one or two files (an app .bin or flash dump, and/or the ELF) held
 * in memory; the buffers must outlive *fw. reserved_size 0: no
 * --reserved; else the region given by the user, which must agree with
 * the ELF's. Errors LFSC_EFORMAT/LFSC_EARG, "NAME: what is wrong". */
int lfsc_esp32fw_parse(lfsc_ctx *ctx, int nfiles, const char *const *names,
                       const unsigned char *const *bufs, const size_t *lens,
                       uint32_t reserved_addr, uint32_t reserved_size, lfsc_esp32fw *fw);

/* The same, reading the files (into ctx's arena). */
int lfsc_esp32fw_load(lfsc_ctx *ctx, int nfiles, const char *const *paths,
                      uint32_t reserved_addr, uint32_t reserved_size, lfsc_esp32fw *fw);

/* The variant of an LFS image signature on an ESP32 (5.1: 0xFAFAA15x,
 * float or int; 5.3: 0xFAFAA250 | 1 int64 | 2 double): 1 and *t, or 0. */
int lfsc_esp32fw_sig_variant(uint32_t sig, lfsc_target *t);

/* The form's name: "app", "bootloader", "elf", "flash", "partition-table". */
const char *lfsc_esp32fw_form_name(lfsc_esp32fw_form f);

#endif
