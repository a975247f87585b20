/*
 * ESP-IDF app image reader and patcher (appimage.h). Field offsets are
 * esp_app_format.h's; what the bootloader checks is esp_image_format.c's
 * (header, segments, checksum, appended hash, signature); the signature
 * blocks are the secure boot v1 and v2 documents'.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "appimage.h"
#include "esp32.h"
#include "base/sink.h"

#define SIG_V1_LEN 68            /* u32 version 0, 64-byte ECDSA signature */
#define SIG_V2_MAGIC 0xE7
#define SIG_V2_LEN 1216          /* the block; its CRC32 covers bytes 0..1195 */
#define SIG_V2_CRC_AT 1196
#define SECTOR 0x1000u

/* the chip ids are the platforms' (chips.c), one table for the family */
const char *lfsc_esp32app_chip_name(unsigned chip_id)
{
  for (int i = 0; i < ESP32_NCHIPS; i++)
    if (lfsc_esp32_family[i].pf->app_chip_id == (int)chip_id)
      return lfsc_esp32_family[i].pf->name;
  return NULL;
}

int lfsc_esp32app_chip_id(const char *name)
{
  for (int i = 0; i < ESP32_NCHIPS; i++)
    if (strcmp(lfsc_esp32_family[i].pf->name, name) == 0)
      return lfsc_esp32_family[i].pf->app_chip_id;
  return -1;
}

static uint16_t rd_u16le(const unsigned char *p)
{
  return (uint16_t)(p[0] | p[1] << 8);
}

/* a text field of the app description: up to n bytes, cut at NUL */
static void desc_text(char *dst, const unsigned char *src, size_t n)
{
  size_t i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i] >= 0x20 && src[i] < 0x7F ? (char)src[i] : '?';
  dst[i] = 0;
}

static void read_desc(lfsc_esp32app *app)
{
  for (unsigned i = 0; i < app->nseg; i++) {
    const lfsc_esp32app_seg *s = &app->seg[i];
    if (s->len < ESP32APP_DESC_LEN || rd_u32le(app->buf + s->off) != ESP32APP_DESC_MAGIC)
      continue;
    const unsigned char *d = app->buf + s->off;
    lfsc_esp32app_desc *o = &app->desc;
    o->present = 1;
    o->off = s->off;
    o->secure_version = rd_u32le(d + 4);
    desc_text(o->version, d + 16, 32);
    desc_text(o->project_name, d + 48, 32);
    desc_text(o->time, d + 80, 16);
    desc_text(o->date, d + 96, 16);
    desc_text(o->idf_ver, d + 112, 32);
    memcpy(o->elf_sha256, d + 144, 32);
    return;
  }
}

static unsigned checksum_of(const lfsc_esp32app *app, const unsigned char *buf)
{
  unsigned x = ESP32APP_CHECKSUM_SEED;
  for (unsigned i = 0; i < app->nseg; i++) {
    const unsigned char *p = buf + app->seg[i].off;
    for (uint32_t k = 0; k < app->seg[i].len; k++)
      x ^= p[k];
  }
  return x;
}

/* What follows the image: a v2 signature block (magic and CRC, as the
 * bootloader tells a valid block) at the next 4 KiB boundary, or exactly
 * a v1 signature (a zero version word and 64 bytes). */
static void find_signature(lfsc_esp32app *app)
{
  size_t end = app->image_len;
  size_t at = (end + SECTOR - 1) & ~(size_t)(SECTOR - 1);
  if (at <= app->len && app->len - at >= SIG_V2_LEN && app->buf[at] == SIG_V2_MAGIC &&
      crc32(0, app->buf + at, SIG_V2_CRC_AT) == rd_u32le(app->buf + at + SIG_V2_CRC_AT)) {
    app->sig = ESP32APP_SIGNED_V2;
    app->sig_off = (uint32_t)at;
    app->sig_version = app->buf[at + 1];
  } else if (app->len - end == SIG_V1_LEN && rd_u32le(app->buf + end) == 0) {
    app->sig = ESP32APP_SIGNED_V1;
    app->sig_off = (uint32_t)end;
  }
}

int lfsc_esp32app_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                       lfsc_esp32app *app)
{
  memset(app, 0, sizeof *app);
  app->name = name;
  app->buf = buf;
  app->len = len;
  if (len < ESP32APP_HEADER_LEN)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x0: truncated: %zu bytes, an app image "
                       "header is %d", name, len, ESP32APP_HEADER_LEN);
  if (buf[0] != ESP32APP_MAGIC)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x0: magic byte 0x%02x, not 0xE9: not an "
                       "ESP app image", name, buf[0]);
  if (len > ESP32APP_MAX_LEN)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x0: %zu bytes: an app image is at most 16 "
                       "MiB", name, len);
  app->nseg = buf[1];
  app->spi_mode = buf[2];
  app->spi_speed = buf[3] & 0xF;
  app->spi_size = buf[3] >> 4;
  app->entry = rd_u32le(buf + 4);
  app->wp_pin = buf[8];
  app->chip_id = rd_u16le(buf + 12);
  app->min_chip_rev = buf[14];
  app->min_rev_full = rd_u16le(buf + 15);
  app->max_rev_full = rd_u16le(buf + 17);
  app->hash_appended = buf[23] != 0;
  if (app->nseg == 0 || app->nseg > ESP32APP_MAX_SEGMENTS)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x1: segment count %u (an app image has 1 "
                       "to %d)", name, app->nseg, ESP32APP_MAX_SEGMENTS);
  if (buf[23] > 1)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x17: hash_appended is %u, not 0 or 1",
                       name, buf[23]);
  size_t at = ESP32APP_HEADER_LEN;
  for (unsigned i = 0; i < app->nseg; i++) {
    if (len - at < ESP32APP_SEGHDR_LEN)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%zx: truncated: segment %u's header "
                         "runs past the end of the file (%zu bytes)", name, at, i, len);
    lfsc_esp32app_seg *s = &app->seg[i];
    s->load_addr = rd_u32le(buf + at);
    s->len = rd_u32le(buf + at + 4);
    if (s->len % 4 || s->len >= ESP32APP_MAX_LEN)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%zx: segment %u's length 0x%lx is %s",
                         name, at + 4, i, (unsigned long)s->len,
                         s->len % 4 ? "not a multiple of 4" : "16 MiB or more");
    at += ESP32APP_SEGHDR_LEN;
    s->off = (uint32_t)at;
    if (len - at < s->len)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%zx: truncated: segment %u (0x%lx bytes "
                         "at 0x%08lx) runs past the end of the file (%zu bytes)", name, at, i,
                         (unsigned long)s->len, (unsigned long)s->load_addr, len);
    at += s->len;
  }
  /* the checksum is the last byte of the padding to 16 */
  size_t padded = (at + 1 + 15) & ~(size_t)15;
  if (padded > len)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%zx: truncated: no checksum byte (it "
                       "belongs at 0x%zx)", name, at, padded - 1);
  app->checksum_off = (uint32_t)(padded - 1);
  app->checksum = buf[padded - 1];
  app->checksum_calc = checksum_of(app, buf);
  app->image_len = (uint32_t)padded;
  app->hash_ok = 1;
  if (app->hash_appended) {
    if (len - padded < SHA256_LEN)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%zx: truncated: hash_appended is set "
                         "but the file ends %zu bytes into the SHA-256", name, padded,
                         len - padded);
    unsigned char h[SHA256_LEN];
    lfsc_sha256(buf, padded, h);
    app->hash_ok = memcmp(h, buf + padded, SHA256_LEN) == 0;
    app->image_len += SHA256_LEN;
  }
  find_signature(app);
  read_desc(app);
  return LFSC_OK;
}

int lfsc_esp32app_check(lfsc_ctx *ctx, const lfsc_esp32app *app)
{
  if (app->checksum != app->checksum_calc)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%lx: checksum 0x%02x, the segments give "
                       "0x%02x: the image is corrupt", app->name,
                       (unsigned long)app->checksum_off, app->checksum, app->checksum_calc);
  if (!app->hash_ok)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: at 0x%lx: the appended SHA-256 is not the "
                       "image's: the image is corrupt", app->name,
                       (unsigned long)app->checksum_off + 1);
  return LFSC_OK;
}

/* flash-mapped: the bootloader requires a mapped segment's flash offset
 * and address to agree modulo the MMU page (verify_segment_header), and
 * app partitions start on a page, so the file offset does too */
static int mapped(const lfsc_esp32app_seg *s)
{
  return s->len > 0 && s->off % ESP32APP_MMU_PAGE == s->load_addr % ESP32APP_MMU_PAGE;
}

int lfsc_esp32app_addr_of(const lfsc_esp32app *app, uint32_t off, uint32_t *addr)
{
  for (unsigned i = 0; i < app->nseg; i++) {
    const lfsc_esp32app_seg *s = &app->seg[i];
    if (mapped(s) && off >= s->off && off - s->off < s->len) {
      *addr = s->load_addr + (off - s->off);
      return 1;
    }
  }
  return 0;
}

int lfsc_esp32app_map(lfsc_ctx *ctx, const lfsc_esp32app *app, uint32_t addr, uint32_t size,
                      uint32_t *off)
{
  uint64_t end = (uint64_t)addr + size;
  for (unsigned i = 0; i < app->nseg; i++) {
    const lfsc_esp32app_seg *s = &app->seg[i];
    uint64_t send = (uint64_t)s->load_addr + s->len;
    if (addr < s->load_addr || addr >= send)
      continue;
    if (end > send)
      return lfsc_seterr(ctx, LFSC_EARG, "%s: 0x%08lx..0x%08llx runs past the end of segment "
                         "%u (0x%08lx..0x%08llx)", app->name, (unsigned long)addr,
                         (unsigned long long)end, i, (unsigned long)s->load_addr,
                         (unsigned long long)send);
    if (!mapped(s))
      return lfsc_seterr(ctx, LFSC_EARG, "%s: 0x%08lx is in segment %u (0x%08lx at file "
                         "offset 0x%lx), which is loaded into RAM, not mapped from flash",
                         app->name, (unsigned long)addr, i, (unsigned long)s->load_addr,
                         (unsigned long)s->off);
    *off = s->off + (addr - s->load_addr);
    return LFSC_OK;
  }
  return lfsc_seterr(ctx, LFSC_EARG, "%s: no segment holds address 0x%08lx (%u segments)",
                     app->name, (unsigned long)addr, app->nseg);
}

int lfsc_esp32app_patchable(lfsc_ctx *ctx, const lfsc_esp32app *app)
{
  if (app->sig != ESP32APP_UNSIGNED)
    return lfsc_seterr(ctx, LFSC_EARG, "%s: at 0x%lx: the image is signed (secure boot %s "
                       "signature): changed bytes need a new signature, which only the "
                       "signing key can make; provision the unsigned app and sign the result "
                       "(espsecure.py sign_data)", app->name, (unsigned long)app->sig_off,
                       app->sig == ESP32APP_SIGNED_V1 ? "v1" : "v2");
  return lfsc_esp32app_check(ctx, app);
}

int lfsc_esp32app_patch(lfsc_ctx *ctx, const lfsc_esp32app *app, uint32_t addr,
                        const unsigned char *bytes, size_t n, unsigned char *out)
{
  int rc = lfsc_esp32app_patchable(ctx, app);
  if (rc)
    return rc;
  if (n > UINT32_MAX)
    return lfsc_seterr(ctx, LFSC_EARG, "%s: %zu bytes to write: too many", app->name, n);
  uint32_t off;
  if ((rc = lfsc_esp32app_map(ctx, app, addr, (uint32_t)n, &off)))
    return rc;
  memcpy(out, app->buf, app->len);
  memcpy(out + off, bytes, n);
  out[app->checksum_off] = (unsigned char)checksum_of(app, out);
  if (app->hash_appended)
    lfsc_sha256(out, app->checksum_off + 1, out + app->checksum_off + 1);
  return LFSC_OK;
}
