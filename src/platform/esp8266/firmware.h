/*
 * NodeMCU ESP8266 firmware, read offline: what a host tool needs to put an
 * LFS image where the firmware will look for it (shared/spec/
 * nodemcu-flash-layout.md). Accepted forms, told apart by content only:
 *   - the firmware ELF (eagle.app.v6.out; needs libelf, LFSC_WITH_LIBELF),
 *   - 0x10000.bin (the irom0 segment; its first 4 KiB is the RCR sector),
 *   - 0x00000.bin + 0x10000.bin (in either order),
 *   - a combined image (0x00000.bin padded to 0x10000, then 0x10000.bin).
 * The .bin forms never touch libelf, so builds without it still read them.
 */
#ifndef LFSC_FIRMWARE_H
#define LFSC_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"

/* Partition types (spec §4) */
enum {
  FIRMWARE_PT_END = 0,          /* end marker of a default table */
  FIRMWARE_PT_RF_CAL = 4,
  FIRMWARE_PT_PHY_DATA = 5,
  FIRMWARE_PT_SYSTEM_PARAMETER = 6,
  FIRMWARE_PT_EAGLEROM = 101,
  FIRMWARE_PT_IROM0TEXT = 102,
  FIRMWARE_PT_LFS0 = 103,
  FIRMWARE_PT_LFS1 = 104,
  FIRMWARE_PT_TLSCERT = 105,
  FIRMWARE_PT_SPIFFS0 = 106,
  FIRMWARE_PT_SPIFFS1 = 107
};

/* RCR record ids (spec §3) */
enum {
  FIRMWARE_RCR_DELETED = 0x00,
  FIRMWARE_RCR_PT = 0x01,
  FIRMWARE_RCR_FREE = 0xFF
};

#define FIRMWARE_OFFSET     0x10000u      /* flash offset of the irom0 segment */
#define FIRMWARE_RCR_BYTES  0x1000u       /* the RCR sector */
#define FIRMWARE_RCR_WORDS  (FIRMWARE_RCR_BYTES / 4)
#define FIRMWARE_SYSPARAM   0x3000u       /* SYSTEM_PARAMETER size */
#define FIRMWARE_MAX_PARTS  32

typedef struct firmware_part {
  uint32_t type, addr, size;
} firmware_part;

typedef struct firmware_rcr {
  unsigned id, len;             /* header fields */
  unsigned word;                /* index of the header word in the sector */
} firmware_rcr;

typedef enum {
  FIRMWARE_FORM_ELF = 0,
  FIRMWARE_FORM_IROM,           /* 0x10000.bin alone */
  FIRMWARE_FORM_PAIR,           /* 0x00000.bin + 0x10000.bin */
  FIRMWARE_FORM_COMBINED
} firmware_form;

typedef struct firmware {
  firmware_form form;
  const unsigned char *boot;    /* boot image (0x00000.bin), NULL if none */
  size_t boot_len;              /* bytes of it, padding to 0x10000 excluded */
  const unsigned char *irom;    /* irom0 segment (0x10000.bin) */
  size_t irom_len;
  uint32_t irom0_start;         /* mapped: _irom0_text_start (0x40210000) */
  uint32_t irom0_end;           /* _irom0_text_end, from the ELF or the end marker */
  uint32_t boot_flash_size;     /* from the boot header, 0 if no boot image */
  unsigned boot_size_nibble;    /* byte 3 >> 4 of the boot header */
  int build_type;               /* LFSC_TARGET_FLOAT / _INT, -1 if no banner */
  uint32_t banner_lfs;          /* "LFS: 0x... bytes total capacity", 0 if absent */
  firmware_rcr rcr[FIRMWARE_RCR_WORDS];
  int nrcr;                     /* records before the first free word */
  unsigned rcr_free;            /* word index of the first free word */
  int pt_rec;                   /* index in rcr[] of the live PT record */
  firmware_part pt[FIRMWARE_MAX_PARTS];
  int npt;                      /* the live PT as stored (end marker included) */
  int pt_default;               /* ends with an end marker: computed at first boot */
} firmware;

/* Parse firmware files held in memory: one (ELF, 0x10000.bin or combined)
 * or two (the pair, either order). names[] name the files in messages.
 * The buffers must outlive *fw. LFSC_OK, or LFSC_EFORMAT with a one-line
 * "NAME: what is wrong" message; LFSC_EARG for the ELF form in a build
 * without libelf. */
int lfsc_firmware_parse(lfsc_ctx *ctx, int nfiles, const char *const *names,
                   const unsigned char *const *bufs, const size_t *lens, firmware *fw);

/* Read one or two files and parse them (buffers in ctx's arena). */
int lfsc_firmware_load(lfsc_ctx *ctx, int nfiles, const char *const *paths, firmware *fw);

/* "4M", "4MB", "1MiB", "512K", "0x400000", "4194304": a power of two from
 * 256 KiB to 16 MiB. LFSC_OK or LFSC_EARG (message names the value). */
int lfsc_firmware_parse_size(lfsc_ctx *ctx, const char *s, uint32_t *bytes);

/* The boot header's flash-size nibble for a size (esptool's encoding), or
 * -1 when there is none. */
int lfsc_firmware_size_nibble(uint32_t bytes);

/* The firmware's first-boot rules (spec §4.1) applied to in[0..n) for a
 * chip of flash_size bytes with an irom0 segment of irom0_size bytes:
 * writes the table the firmware registers to out (at most n entries) and
 * its length to *nout. A table that makes the firmware halt is an error
 * (LFSC_EFORMAT) naming the partition. in[] excludes any end marker. */
int lfsc_firmware_layout(lfsc_ctx *ctx, const firmware_part *in, int n, uint32_t irom0_size,
                    uint32_t flash_size, firmware_part *out, int *nout);

/* The table the firmware uses on a chip of flash_size bytes: computed by
 * lfsc_firmware_layout from a default table, or the stored final table checked
 * against the chip. */
int lfsc_firmware_table(lfsc_ctx *ctx, const firmware *fw, uint32_t flash_size,
                   firmware_part *out, int *nout);

/* The chip to plan for: given (--flash-size) if not 0, else the boot
 * header's, else 4 MiB. *from (may be NULL) says which: "--flash-size",
 * "boot header" or "default". */
uint32_t lfsc_firmware_chip_size(const firmware *fw, uint32_t given, const char **from);

/* The LFS0 partition the firmware uses on a chip of flash_size bytes
 * (lfsc_firmware_chip_size), checked against the mapped window unless limits
 * has LFSC_PLATFORM_NO_WINDOW. No LFS partition is LFSC_EARG, saying how to get
 * one. */
int lfsc_firmware_lfs(lfsc_ctx *ctx, const firmware *fw, uint32_t flash_size, unsigned limits,
                 firmware_part *lfs);

/* The partition of the given type in t[0..n), or NULL. */
const firmware_part *lfsc_firmware_find(const firmware_part *t, int n, uint32_t type);

/* Name of a partition type ("LFS0"), or NULL if unknown. */
const char *lfsc_firmware_type_name(uint32_t type);

/* Write the RCR sector of fw with t[0..n) as the live PT record, by the
 * firmware's own rule (spec §3): the new record at the first free word
 * with at least one free word after it, the old PT record's id set to
 * deleted; a full sector is compacted (live records kept, in order).
 * sector receives FIRMWARE_RCR_BYTES bytes. LFSC_OK or LFSC_ELIMIT. */
int lfsc_firmware_rcr_write(lfsc_ctx *ctx, const firmware *fw, const firmware_part *t, int n,
                       unsigned char *sector);

#endif
