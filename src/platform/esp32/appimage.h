/*
 * ESP-IDF app images (the .bin esptool elf2image writes and the second
 * stage bootloader loads), as ESP-IDF's esp_app_format.h and
 * esp_image_format.c define them:
 *   24-byte header: magic 0xE9, segment count, SPI mode, speed/size,
 *     entry, WP pin, pin drive settings, chip id, chip revisions,
 *     hash_appended (byte 23);
 *   segments {u32 load_addr, u32 data_len, data} (data_len % 4 == 0, at
 *     most 16 segments);
 *   padding to 16 bytes whose last byte is the checksum: the XOR of every
 *     segment data byte, starting from 0xEF;
 *   when hash_appended: the SHA-256 of everything up to and including the
 *     checksum byte;
 *   optionally a secure boot signature (v1: 68 bytes right after; v2: a
 *     1216-byte block, magic 0xE7, at the next 4 KiB boundary).
 * The first flash-data segment starts with the app description
 * (esp_app_desc_t, magic 0xABCD5432): version, project, build time, IDF
 * version, the ELF's SHA-256.
 */
#ifndef LFSC_ESP32_APPIMAGE_H
#define LFSC_ESP32_APPIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "sha256.h"

#define ESP32APP_MAGIC 0xE9
#define ESP32APP_HEADER_LEN 24
#define ESP32APP_SEGHDR_LEN 8
#define ESP32APP_MAX_SEGMENTS 16     /* ESP_IMAGE_MAX_SEGMENTS */
#define ESP32APP_CHECKSUM_SEED 0xEF  /* ESP_ROM_CHECKSUM_INITIAL */
#define ESP32APP_DESC_MAGIC 0xABCD5432u
#define ESP32APP_DESC_LEN 256        /* sizeof(esp_app_desc_t) */
#define ESP32APP_MMU_PAGE 0x10000u   /* flash is mapped in 64 KiB pages */
#define ESP32APP_MAX_LEN 0x1000000u  /* the bootloader's bound on an app (and a segment) */

typedef enum {
  ESP32APP_UNSIGNED = 0,
  ESP32APP_SIGNED_V1,           /* ECDSA, 68 bytes after the image (ESP32 secure boot v1) */
  ESP32APP_SIGNED_V2            /* a signature block at the next 4 KiB boundary */
} lfsc_esp32app_sig;

typedef struct lfsc_esp32app_seg {
  uint32_t load_addr;           /* where the bootloader loads or maps it */
  uint32_t len;                 /* data bytes */
  uint32_t off;                 /* file offset of the data (its header is 8 before) */
} lfsc_esp32app_seg;

/* esp_app_desc_t's text fields, cut at their NUL, non-printable bytes as '?' */
typedef struct lfsc_esp32app_desc {
  int present;
  uint32_t off;                 /* file offset */
  uint32_t secure_version;
  char version[33], project_name[33], time[17], date[17], idf_ver[33];
  unsigned char elf_sha256[32]; /* the ELF's digest at build time */
} lfsc_esp32app_desc;

typedef struct lfsc_esp32app {
  const char *name;             /* for messages */
  const unsigned char *buf;     /* the file, as read */
  size_t len;
  /* header */
  unsigned nseg;
  unsigned spi_mode, spi_speed, spi_size;
  uint32_t entry;
  unsigned wp_pin;
  uint16_t chip_id;
  unsigned min_chip_rev;
  uint16_t min_rev_full, max_rev_full;
  int hash_appended;
  lfsc_esp32app_seg seg[ESP32APP_MAX_SEGMENTS];
  /* the footer */
  uint32_t checksum_off;        /* file offset of the checksum byte */
  unsigned checksum, checksum_calc;
  uint32_t image_len;           /* header to checksum, and the hash if appended */
  int hash_ok;                  /* the appended SHA-256 matches (1 if none) */
  lfsc_esp32app_sig sig;
  uint32_t sig_off;             /* file offset of the signature, when signed */
  unsigned sig_version;         /* v2: the block's version byte (2 RSA, 3 ECDSA) */
  lfsc_esp32app_desc desc;
} lfsc_esp32app;

/* The chip's name ("esp32c3") for an app-header chip id, or NULL. */
const char *lfsc_esp32app_chip_name(unsigned chip_id);
/* The app-header chip id of a chip name, or -1. */
int lfsc_esp32app_chip_id(const char *name);

/* Read an app image from buf[0..len) (the buffer must outlive *app).
 * Trusts no field: the segment count, every length and offset are
 * checked against the file. A wrong checksum or SHA-256 is not an error
 * here (checksum_calc, hash_ok say it; lfsc_esp32app_check refuses it).
 * Errors: LFSC_EFORMAT "NAME: at 0xOFF: what is wrong". */
int lfsc_esp32app_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                       lfsc_esp32app *app);

/* LFSC_OK when the stored checksum and SHA-256 are the ones the image
 * has, else LFSC_EFORMAT naming the offset, stored and computed values. */
int lfsc_esp32app_check(lfsc_ctx *ctx, const lfsc_esp32app *app);

/* The file offset of the mapped range [addr, addr+size): it must lie
 * wholly in one segment that is mapped from flash (file offset and
 * address agree modulo 64 KiB). LFSC_EARG naming the range otherwise. */
int lfsc_esp32app_map(lfsc_ctx *ctx, const lfsc_esp32app *app, uint32_t addr, uint32_t size,
                      uint32_t *off);

/* The mapped address of file offset off, when it lies in a segment
 * mapped from flash: 1 and *addr, else 0. */
int lfsc_esp32app_addr_of(const lfsc_esp32app *app, uint32_t off, uint32_t *addr);

/* LFSC_OK when the image may be patched: not signed (else LFSC_EARG,
 * saying that the signing key is needed) and with the right checksum and
 * SHA-256 (else LFSC_EFORMAT). */
int lfsc_esp32app_patchable(lfsc_ctx *ctx, const lfsc_esp32app *app);

/* The image with bytes[0..n) written at mapped address addr: out receives
 * app->len bytes (the input's, trailing bytes kept), with the checksum
 * and, when appended, the SHA-256 made anew. A signed image is refused
 * (LFSC_EARG: only the signing key can sign the new bytes), as is an
 * image whose checksum or SHA-256 is already wrong (LFSC_EFORMAT) and a
 * range outside a flash-mapped segment (LFSC_EARG). The app description's
 * ELF SHA-256 then names the ELF before the patch: the bootloader does
 * not check it (esp_image_format.c verifies only the checksum, the
 * appended SHA-256 and a signature), it is informational. */
int lfsc_esp32app_patch(lfsc_ctx *ctx, const lfsc_esp32app *app, uint32_t addr,
                        const unsigned char *bytes, size_t n, unsigned char *out);

#endif
