/*
 * The ESP-IDF partition table, binary and CSV (the two forms ESP-IDF's
 * gen_esp32part.py converts between), and where LFS lives in it.
 *
 * Binary (esp_flash_partitions.h, gen_esp32part.py): at flash 0x8000,
 * 32-byte little-endian entries {u16 magic 0x50AA, u8 type, u8 subtype,
 * u32 offset, u32 size, char label[16], u32 flags}, optionally an MD5
 * entry (0xEBEB, 0xFF x 14, the MD5 of every entry before it), then an
 * end marker of 32 0xFF bytes; gen_esp32part.py pads the whole to 0xC00
 * bytes with 0xFF and refuses a table of 0xC00 bytes or more before the
 * padding. Partitions start after the table's 4 KiB sector (0x9000).
 *
 * NodeMCU's LFS partition is type 0xC2 subtype 0x01 (its partitions.csv);
 * the firmware maps it with spi_flash_mmap, which needs 64 KiB alignment,
 * while gen_esp32part.py places data partitions on 4 KiB.
 */
#ifndef LFSC_ESP32_PARTTABLE_H
#define LFSC_ESP32_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/sink.h"

#define ESP32PT_OFFSET        0x8000u   /* the table's flash offset (--offset default) */
#define ESP32PT_SECTOR        0x1000u   /* the table's sector; partitions start after it */
#define ESP32PT_MAX_LEN       0xC00u    /* the written table, padding included */
#define ESP32PT_ENTRY         32u
/* entries + MD5 entry must stay below ESP32PT_MAX_LEN: 94 with MD5, 95 without */
#define ESP32PT_MAX_ENTRIES   95
#define ESP32PT_LABEL         16        /* label bytes; a 16-byte label has no NUL */

#define ESP32PT_MAGIC         0x50AAu
#define ESP32PT_MAGIC_MD5     0xEBEBu

enum {                                  /* types gen_esp32part.py names */
  ESP32PT_APP = 0x00,
  ESP32PT_DATA = 0x01,
  ESP32PT_BOOTLOADER = 0x02,            /* IDF 5.3 and later */
  ESP32PT_PARTITION_TABLE = 0x03
};
enum {                                  /* subtypes the rules below name */
  ESP32PT_APP_FACTORY = 0x00,
  ESP32PT_APP_OTA_MIN = 0x10,           /* ota_0 .. ota_15 */
  ESP32PT_APP_TEST = 0x20,
  ESP32PT_DATA_OTA = 0x00,
  ESP32PT_DATA_NVS = 0x02,
  ESP32PT_DATA_COREDUMP = 0x03,
  ESP32PT_PRIMARY = 0x00                /* bootloader and partition_table */
};
enum {                                  /* flag bits (gen_esp32part.py FLAGS) */
  ESP32PT_FLAG_ENCRYPTED = 1u << 0,
  ESP32PT_FLAG_READONLY = 1u << 1
};

#define ESP32PT_APP_ALIGN     0x10000u  /* app offsets */
#define ESP32PT_DATA_ALIGN    0x1000u   /* every other type's offsets; app sizes */
#define ESP32PT_OTADATA_SIZE  0x2000u
#define ESP32PT_NVS_MIN       0x3000u   /* a smaller NVS must be readonly */

/* NodeMCU's LFS partition */
#define ESP32PT_LFS_TYPE      0xC2u
#define ESP32PT_LFS_SUBTYPE   0x01u
#define ESP32PT_LFS_ALIGN     0x10000u  /* spi_flash_mmap's page */
#define ESP32PT_LFS_SIZE      0x10000u  /* partitions.csv's size */
#define ESP32PT_LFS_LABEL     "lfs"

typedef struct esp32pt_entry {
  char label[ESP32PT_LABEL + 1];        /* NUL-terminated */
  uint8_t type, subtype;
  uint32_t offset, size;
  uint32_t flags;                       /* ESP32PT_FLAG_* (unknown bits kept) */
  unsigned line;                        /* CSV line it came from, 0 if binary */
} esp32pt_entry;

typedef struct esp32pt {
  int n;                                /* entries in e */
  int md5;                              /* read: had an MD5 entry; write: add one */
  uint32_t table_offset;                /* its flash offset (ESP32PT_OFFSET) */
  esp32pt_entry e[ESP32PT_MAX_ENTRIES];
} esp32pt;

/* What a buffer holds, by content: a binary table (it starts with an
 * entry, an MD5 entry or an end marker), a flash dump (a binary table at
 * table_offset), or text taken as CSV. */
typedef enum { ESP32PT_FORM_TABLE, ESP32PT_FORM_DUMP, ESP32PT_FORM_CSV } esp32pt_form;
esp32pt_form lfsc_esp32pt_form(const unsigned char *buf, size_t len, uint32_t table_offset);

/* Read a binary table (buf: its first entry; len: at least up to its end
 * marker, the 0xC00 bytes or more) into out and validate it (the entry
 * rules, the MD5 when present, then lfsc_esp32pt_validate). Errors are
 * LFSC_EFORMAT "NAME: entry N at 0xOFF: what is wrong" (OFF counted from
 * buf). read assumes the table at ESP32PT_OFFSET. */
int lfsc_esp32pt_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                      esp32pt *out);
int lfsc_esp32pt_read_at(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                         uint32_t table_offset, esp32pt *out);

/* The rules gen_esp32part.py verifies on every table: offsets aligned
 * (app 64 KiB, others 4 KiB), app sizes on 4 KiB, nothing ending past
 * 4 GiB or starting below the table's sector (but the primary bootloader
 * and partition_table entries), no overlaps, unique labels, at most one
 * otadata of 0x2000 bytes, NVS below 0x3000 only readonly, otadata and
 * coredump never readonly. LFSC_EFORMAT naming the entry (CSV: NAME:LINE). */
int lfsc_esp32pt_validate(lfsc_ctx *ctx, const char *name, const esp32pt *pt);
/* Every partition ends within flash_size bytes. LFSC_ELIMIT. */
int lfsc_esp32pt_check_flash(lfsc_ctx *ctx, const char *name, const esp32pt *pt,
                             uint32_t flash_size);

/* The ESP32PT_MAX_LEN bytes gen_esp32part.py writes for pt (its entries in
 * order, the MD5 entry when pt->md5, 0xFF to the end). Validates pt first;
 * LFSC_ELIMIT when the entries do not fit. */
int lfsc_esp32pt_write(lfsc_ctx *ctx, const esp32pt *pt, unsigned char out[ESP32PT_MAX_LEN]);

/* Read the CSV that gen_esp32part.py reads (parttable_csv.c): names or
 * numbers, K/M suffixes, empty offsets placed after the previous
 * partition as the tool places them. Errors "NAME:LINE: what is wrong". */
int lfsc_esp32pt_read_csv(lfsc_ctx *ctx, const char *name, const char *text, size_t len,
                          uint32_t table_offset, esp32pt *out);
/* The CSV gen_esp32part.py writes for a binary table (its own header
 * comments, type and subtype names, offsets in hex, sizes in K/M when
 * whole). LFSC_EARG when a label or flag bit cannot be said in CSV. */
int lfsc_esp32pt_write_csv(lfsc_ctx *ctx, const esp32pt *pt, lfsc_sink *out);
/* A number as gen_esp32part.py's parse_int takes it: decimal, 0x, 0o or
 * 0b, a sign, K and M suffixes (either case). 0 on success, -1 if not. */
int lfsc_esp32pt_parse_num(const char *s, int64_t *v);

/* Names of types and subtypes as the CSV spells them; NULL when none. */
const char *lfsc_esp32pt_type_name(unsigned type);
const char *lfsc_esp32pt_subtype_name(unsigned type, unsigned subtype);

/* The first entry of type/subtype, or -1. */
int lfsc_esp32pt_find(const esp32pt *pt, unsigned type, unsigned subtype);
/* The LFS partition (0xC2/0x01), or -1. */
int lfsc_esp32pt_find_lfs(const esp32pt *pt);
/* The app partitions (factory, ota_N, test), in table order: their
 * indexes into idx (at most max), and how many there are. */
int lfsc_esp32pt_apps(const esp32pt *pt, int *idx, int max);
/* Whether the firmware can map entry i as LFS: LFSC_ELIMIT when it is not
 * on a 64 KiB boundary (the message says where it could go). */
int lfsc_esp32pt_check_lfs(lfsc_ctx *ctx, const esp32pt *pt, int i);

/* For a table without an LFS partition: one of lfs_size bytes (rounded up
 * to 4 KiB) at the first 64 KiB boundary after the last partition, within
 * flash_size. LFSC_ELIMIT when it does not fit, LFSC_EARG when the table
 * has one already or no room for an entry. */
int lfsc_esp32pt_suggest_lfs(lfsc_ctx *ctx, const esp32pt *pt, uint32_t flash_size,
                             uint32_t lfs_size, esp32pt_entry *out);
/* The CSV line to add for e: "lfs, 0xC2, 0x01, 0x150000, 0x10000". */
void lfsc_esp32pt_lfs_line(const esp32pt_entry *e, char buf[80]);
/* Append the suggested partition to pt (then validated). */
int lfsc_esp32pt_add_lfs(lfsc_ctx *ctx, esp32pt *pt, uint32_t flash_size, uint32_t lfs_size);

#endif
