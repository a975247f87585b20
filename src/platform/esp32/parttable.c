/*
 * The binary ESP-IDF partition table: reading with every rule checked,
 * writing the bytes gen_esp32part.py writes, and the LFS partition's
 * place in it (parttable.h). The CSV form is parttable_csv.c.
 */
#include <stdio.h>
#include <string.h>

#include "base/sink.h"
#include "platform/esp32/md5.h"
#include "platform/esp32/parttable.h"

static uint16_t rd16(const unsigned char *p)
{
  return (uint16_t)(p[0] | p[1] << 8);
}

static int all_ff(const unsigned char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0xFF)
      return 0;
  return 1;
}

/* The first bytes of a binary table: an entry or an MD5 entry (a table
 * of no partitions with its MD5); with empty, an end marker too (an
 * empty table, or an erased sector). */
static int is_table(const unsigned char *p, size_t len, int empty)
{
  if (len < 2)
    return 0;
  unsigned m = rd16(p);
  return m == ESP32PT_MAGIC || m == ESP32PT_MAGIC_MD5 ||
         (empty && len >= ESP32PT_ENTRY && all_ff(p, ESP32PT_ENTRY));
}

/* A dump starts erased (0xFF up to the bootloader at 0x1000 on the ESP32
 * and -S2), so a table at table_offset is looked for before an empty
 * table at 0. */
esp32pt_form lfsc_esp32pt_form(const unsigned char *buf, size_t len, uint32_t table_offset)
{
  int dump = len > table_offset;
  if (is_table(buf, len, 0))
    return ESP32PT_FORM_TABLE;
  if (dump && is_table(buf + table_offset, len - table_offset, 0))
    return ESP32PT_FORM_DUMP;
  if (is_table(buf, len, 1))
    return dump && is_table(buf + table_offset, len - table_offset, 1) ? ESP32PT_FORM_DUMP
                                                                     : ESP32PT_FORM_TABLE;
  return ESP32PT_FORM_CSV;
}

/* ==== names ============================================================ */

static const char *const type_names[] = {"app", "data", "bootloader", "partition_table"};

static const struct {
  uint8_t type, subtype;
  const char *name;
} subtype_names[] = {
  {ESP32PT_APP, 0x00, "factory"}, {ESP32PT_APP, 0x20, "test"},
  {ESP32PT_APP, 0x10, "ota_0"}, {ESP32PT_APP, 0x11, "ota_1"},
  {ESP32PT_APP, 0x12, "ota_2"}, {ESP32PT_APP, 0x13, "ota_3"},
  {ESP32PT_APP, 0x14, "ota_4"}, {ESP32PT_APP, 0x15, "ota_5"},
  {ESP32PT_APP, 0x16, "ota_6"}, {ESP32PT_APP, 0x17, "ota_7"},
  {ESP32PT_APP, 0x18, "ota_8"}, {ESP32PT_APP, 0x19, "ota_9"},
  {ESP32PT_APP, 0x1A, "ota_10"}, {ESP32PT_APP, 0x1B, "ota_11"},
  {ESP32PT_APP, 0x1C, "ota_12"}, {ESP32PT_APP, 0x1D, "ota_13"},
  {ESP32PT_APP, 0x1E, "ota_14"}, {ESP32PT_APP, 0x1F, "ota_15"},
  {ESP32PT_APP, 0x30, "tee_0"}, {ESP32PT_APP, 0x31, "tee_1"},
  {ESP32PT_DATA, 0x00, "ota"}, {ESP32PT_DATA, 0x01, "phy"},
  {ESP32PT_DATA, 0x02, "nvs"}, {ESP32PT_DATA, 0x03, "coredump"},
  {ESP32PT_DATA, 0x04, "nvs_keys"}, {ESP32PT_DATA, 0x05, "efuse"},
  {ESP32PT_DATA, 0x06, "undefined"}, {ESP32PT_DATA, 0x80, "esphttpd"},
  {ESP32PT_DATA, 0x81, "fat"}, {ESP32PT_DATA, 0x82, "spiffs"},
  {ESP32PT_DATA, 0x83, "littlefs"}, {ESP32PT_DATA, 0x90, "tee_ota"},
  {ESP32PT_BOOTLOADER, 0x00, "primary"}, {ESP32PT_BOOTLOADER, 0x01, "ota"},
  {ESP32PT_BOOTLOADER, 0x02, "recovery"},
  {ESP32PT_PARTITION_TABLE, 0x00, "primary"}, {ESP32PT_PARTITION_TABLE, 0x01, "ota"},
};

const char *lfsc_esp32pt_type_name(unsigned type)
{
  return type < sizeof type_names / sizeof type_names[0] ? type_names[type] : NULL;
}

const char *lfsc_esp32pt_subtype_name(unsigned type, unsigned subtype)
{
  for (size_t i = 0; i < sizeof subtype_names / sizeof subtype_names[0]; i++)
    if (subtype_names[i].type == type && subtype_names[i].subtype == subtype)
      return subtype_names[i].name;
  return NULL;
}

/* ==== validation ======================================================= */

/* Where entry i is, for messages: "NAME:LINE" for CSV, else
 * "NAME: entry N at 0xOFF" (the entry's offset in the table). */
static const char *where(char *b, size_t cap, const char *name, const esp32pt *pt, int i)
{
  if (pt->e[i].line)
    snprintf(b, cap, "%s:%u", name, pt->e[i].line);
  else
    snprintf(b, cap, "%s: entry %d at 0x%x", name, i, (unsigned)(i * ESP32PT_ENTRY));
  return b;
}

#define WHERE(i) where(wb, sizeof wb, name, pt, (i))

static uint32_t offset_align(unsigned type)
{
  return type == ESP32PT_APP ? ESP32PT_APP_ALIGN : ESP32PT_DATA_ALIGN;
}

/* the primary bootloader and partition table entries (IDF 5.3) describe
 * what lies below the partitions, so they may */
static int is_primary_boot(const esp32pt_entry *e)
{
  return (e->type == ESP32PT_BOOTLOADER || e->type == ESP32PT_PARTITION_TABLE) &&
         e->subtype == ESP32PT_PRIMARY;
}

static int check_entry(lfsc_ctx *ctx, const char *name, const esp32pt *pt, int i)
{
  char wb[300];
  const esp32pt_entry *e = &pt->e[i];
  uint32_t a = offset_align(e->type);
  for (const char *c = e->label; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7F)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: label has the control byte 0x%02x", WHERE(i),
                         (unsigned)(unsigned char)*c);
  if (e->offset % a)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: '%s' offset 0x%x is not aligned to 0x%x (%s partitions)", WHERE(i),
                       e->label, (unsigned)e->offset, (unsigned)a,
                       e->type == ESP32PT_APP ? "app" : "non-app");
  if (e->type == ESP32PT_APP && e->size % ESP32PT_DATA_ALIGN)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: '%s' size 0x%x is not aligned to 0x%x (app partitions)", WHERE(i),
                       e->label, (unsigned)e->size, (unsigned)ESP32PT_DATA_ALIGN);
  if ((uint64_t)e->offset + e->size > 0x100000000ull)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: '%s' at 0x%x of 0x%x bytes ends beyond 4 GiB",
                       WHERE(i), e->label, (unsigned)e->offset, (unsigned)e->size);
  if (e->offset < pt->table_offset + ESP32PT_SECTOR && !is_primary_boot(e))
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: '%s' offset 0x%x is below 0x%x (the partition table's sector "
                       "ends there)", WHERE(i), e->label, (unsigned)e->offset,
                       (unsigned)(pt->table_offset + ESP32PT_SECTOR));
  if (e->type == ESP32PT_DATA && (e->flags & ESP32PT_FLAG_READONLY) &&
      (e->subtype == ESP32PT_DATA_OTA || e->subtype == ESP32PT_DATA_COREDUMP))
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: '%s' (data, %s) is always read-write and "
                       "cannot be readonly", WHERE(i), e->label,
                       lfsc_esp32pt_subtype_name(e->type, e->subtype));
  if (e->type == ESP32PT_DATA && e->subtype == ESP32PT_DATA_NVS && e->size < ESP32PT_NVS_MIN &&
      !(e->flags & ESP32PT_FLAG_READONLY))
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: '%s' (data, nvs) of 0x%x bytes must be readonly "
                       "(a read/write NVS needs at least 0x%x)", WHERE(i), e->label,
                       (unsigned)e->size, (unsigned)ESP32PT_NVS_MIN);
  return LFSC_OK;
}

int lfsc_esp32pt_validate(lfsc_ctx *ctx, const char *name, const esp32pt *pt)
{
  char wb[300];
  int rc, order[ESP32PT_MAX_ENTRIES], otadata = -1;
  if (pt->n < 0 || pt->n > ESP32PT_MAX_ENTRIES)
    return lfsc_seterr(ctx, LFSC_EARG, "%s: %d entries (at most %d)", name, pt->n,
                       ESP32PT_MAX_ENTRIES);
  for (int i = 0; i < pt->n; i++)
    if ((rc = check_entry(ctx, name, pt, i)))
      return rc;
  for (int i = 0; i < pt->n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(pt->e[i].label, pt->e[j].label) == 0) {
        char wj[300];
        where(wj, sizeof wj, name, pt, j);
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: label '%s' is used again (first at %s): "
                           "partition names must be unique", WHERE(i), pt->e[i].label, wj);
      }
  /* overlaps: by offset, table order among equals (insertion sort) */
  for (int i = 0; i < pt->n; i++) {
    int j = i;
    for (; j > 0 && pt->e[order[j - 1]].offset > pt->e[i].offset; j--)
      order[j] = order[j - 1];
    order[j] = i;
  }
  for (int k = 1; k < pt->n; k++) {
    const esp32pt_entry *p = &pt->e[order[k - 1]], *e = &pt->e[order[k]];
    if (e->offset < (uint64_t)p->offset + p->size) {
      char wj[300];
      where(wj, sizeof wj, name, pt, order[k - 1]);
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: '%s' at 0x%x overlaps '%s' at 0x%x-0x%x (%s)",
                         WHERE(order[k]), e->label, (unsigned)e->offset, p->label,
                         (unsigned)p->offset, (unsigned)(p->offset + p->size - 1), wj);
    }
  }
  for (int i = 0; i < pt->n; i++) {
    const esp32pt_entry *e = &pt->e[i];
    if (e->type != ESP32PT_DATA || e->subtype != ESP32PT_DATA_OTA)
      continue;
    if (otadata >= 0)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: '%s' is a second otadata partition (data, ota): "
                         "there may be only one", WHERE(i), e->label);
    if (e->size != ESP32PT_OTADATA_SIZE)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: otadata partition '%s' is 0x%x bytes: it must "
                         "be 0x%x", WHERE(i), e->label, (unsigned)e->size,
                         (unsigned)ESP32PT_OTADATA_SIZE);
    otadata = i;
  }
  return LFSC_OK;
}

int lfsc_esp32pt_check_flash(lfsc_ctx *ctx, const char *name, const esp32pt *pt,
                             uint32_t flash_size)
{
  char wb[300];
  for (int i = 0; i < pt->n; i++)
    if ((uint64_t)pt->e[i].offset + pt->e[i].size > flash_size)
      return lfsc_seterr(ctx, LFSC_ELIMIT, "%s: '%s' at 0x%x of 0x%x bytes ends at 0x%llx, "
                         "beyond the flash's 0x%x bytes", WHERE(i), pt->e[i].label,
                         (unsigned)pt->e[i].offset, (unsigned)pt->e[i].size,
                         (unsigned long long)pt->e[i].offset + pt->e[i].size,
                         (unsigned)flash_size);
  return LFSC_OK;
}

/* ==== reading ========================================================== */

int lfsc_esp32pt_read_at(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                         uint32_t table_offset, esp32pt *out)
{
  md5_ctx m;
  size_t lim = len < ESP32PT_MAX_LEN ? len : ESP32PT_MAX_LEN;
  memset(out, 0, sizeof *out);
  out->table_offset = table_offset;
  lfsc_md5_init(&m);
  for (size_t o = 0;; o += ESP32PT_ENTRY) {
    int i = (int)(o / ESP32PT_ENTRY);
    const unsigned char *p = buf + o;
    if (o + ESP32PT_ENTRY > lim) {
      if (lim == ESP32PT_MAX_LEN)
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: no end marker (32 0xFF bytes) within the "
                           "table's 0x%x bytes", name, (unsigned)ESP32PT_MAX_LEN);
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: the input ends (%lu bytes) "
                         "before the table's end marker", name, i, (unsigned)o,
                         (unsigned long)len);
    }
    unsigned magic = rd16(p);
    if (magic == 0xFFFF) {
      if (!all_ff(p, ESP32PT_ENTRY))
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: magic 0xFFFF but not an end "
                           "marker (32 0xFF bytes)", name, i, (unsigned)o);
      break;
    }
    if (magic == ESP32PT_MAGIC_MD5) {
      unsigned char d[16];
      if (!all_ff(p + 2, 14))
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: MD5 entry: bytes 2..15 are "
                           "not 0xFF", name, i, (unsigned)o);
      lfsc_md5_final(&m, d);
      if (memcmp(d, p + 16, 16)) {
        char hc[33], hs[33];
        for (int k = 0; k < 16; k++) {
          snprintf(hc + 2 * k, 3, "%02x", d[k]);
          snprintf(hs + 2 * k, 3, "%02x", p[16 + k]);
        }
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: MD5 mismatch: the table "
                           "says %s, its %d entries give %s", name, i, (unsigned)o, hs, i, hc);
      }
      out->md5 = 1;
      if (o + 2 * ESP32PT_ENTRY > lim || !all_ff(p + ESP32PT_ENTRY, ESP32PT_ENTRY))
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: the MD5 entry is not "
                           "followed by the end marker (32 0xFF bytes)", name, i + 1,
                           (unsigned)(o + ESP32PT_ENTRY));
      break;
    }
    if (magic != ESP32PT_MAGIC)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: bad magic 0x%04x (an entry "
                         "starts 0x50AA, the MD5 entry 0xEBEB, the end marker 0xFFFF)", name, i,
                         (unsigned)o, magic);
    if (out->n == ESP32PT_MAX_ENTRIES)   /* the end marker could not follow */
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: entry %d at 0x%x: more than %d entries: no room "
                         "for the end marker within the table's 0x%x bytes", name, i, (unsigned)o,
                         ESP32PT_MAX_ENTRIES, (unsigned)ESP32PT_MAX_LEN);
    esp32pt_entry *e = &out->e[out->n++];
    e->type = p[2];
    e->subtype = p[3];
    e->offset = rd_u32le(p + 4);
    e->size = rd_u32le(p + 8);
    /* the label ends at its first NUL, or fills all 16 bytes (ESP-IDF
     * copies 16 bytes into a 17-byte string) */
    memcpy(e->label, p + 12, ESP32PT_LABEL);
    e->label[ESP32PT_LABEL] = 0;
    e->flags = rd_u32le(p + 28);
    lfsc_md5_update(&m, p, ESP32PT_ENTRY);
  }
  return lfsc_esp32pt_validate(ctx, name, out);
}

int lfsc_esp32pt_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                      esp32pt *out)
{
  return lfsc_esp32pt_read_at(ctx, name, buf, len, ESP32PT_OFFSET, out);
}

/* ==== writing ========================================================== */

int lfsc_esp32pt_write(lfsc_ctx *ctx, const esp32pt *pt, unsigned char out[ESP32PT_MAX_LEN])
{
  int rc = lfsc_esp32pt_validate(ctx, "table", pt);
  if (rc)
    return rc;
  size_t need = (size_t)(pt->n + (pt->md5 != 0)) * ESP32PT_ENTRY;
  if (need >= ESP32PT_MAX_LEN)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "%d partitions%s need 0x%x bytes; the table holds "
                       "less than 0x%x (at most %d partitions with the MD5 entry)", pt->n,
                       pt->md5 ? " and the MD5 entry" : "", (unsigned)need,
                       (unsigned)ESP32PT_MAX_LEN, ESP32PT_MAX_ENTRIES - 1);
  memset(out, 0xFF, ESP32PT_MAX_LEN);
  for (int i = 0; i < pt->n; i++) {
    const esp32pt_entry *e = &pt->e[i];
    unsigned char *p = out + i * ESP32PT_ENTRY;
    p[0] = ESP32PT_MAGIC & 0xFF;
    p[1] = ESP32PT_MAGIC >> 8;
    p[2] = e->type;
    p[3] = e->subtype;
    wr_u32le(p + 4, e->offset);
    wr_u32le(p + 8, e->size);
    memset(p + 12, 0, ESP32PT_LABEL);     /* struct '16s' pads with NULs */
    memcpy(p + 12, e->label, strnlen(e->label, ESP32PT_LABEL));
    wr_u32le(p + 28, e->flags);
  }
  if (pt->md5) {
    unsigned char *p = out + pt->n * ESP32PT_ENTRY;
    p[0] = ESP32PT_MAGIC_MD5 & 0xFF;
    p[1] = ESP32PT_MAGIC_MD5 >> 8;            /* bytes 2..15 stay 0xFF */
    lfsc_md5(out, (size_t)pt->n * ESP32PT_ENTRY, p + 16);
  }
  return LFSC_OK;
}

/* ==== where LFS lives ================================================== */

int lfsc_esp32pt_find(const esp32pt *pt, unsigned type, unsigned subtype)
{
  for (int i = 0; i < pt->n; i++)
    if (pt->e[i].type == type && pt->e[i].subtype == subtype)
      return i;
  return -1;
}

int lfsc_esp32pt_find_lfs(const esp32pt *pt)
{
  return lfsc_esp32pt_find(pt, ESP32PT_LFS_TYPE, ESP32PT_LFS_SUBTYPE);
}

int lfsc_esp32pt_apps(const esp32pt *pt, int *idx, int max)
{
  int n = 0;
  for (int i = 0; i < pt->n; i++)
    if (pt->e[i].type == ESP32PT_APP) {
      if (n < max)
        idx[n] = i;
      n++;
    }
  return n;
}

/* The end of the last partition (0 for none) */
static uint64_t table_end(const esp32pt *pt)
{
  uint64_t end = 0;
  for (int i = 0; i < pt->n; i++)
    if ((uint64_t)pt->e[i].offset + pt->e[i].size > end)
      end = (uint64_t)pt->e[i].offset + pt->e[i].size;
  return end;
}

static uint64_t align_up(uint64_t v, uint32_t a)
{
  return (v + a - 1) / a * a;
}

int lfsc_esp32pt_check_lfs(lfsc_ctx *ctx, const esp32pt *pt, int i)
{
  const esp32pt_entry *e = &pt->e[i];
  if (e->offset % ESP32PT_LFS_ALIGN == 0)
    return LFSC_OK;
  return lfsc_seterr(ctx, LFSC_ELIMIT, "LFS partition '%s' at 0x%x is not on a 64 KiB boundary: "
                     "the firmware maps LFS with spi_flash_mmap, which needs one (gen_esp32part.py "
                     "aligns data partitions only to 4 KiB); give it an offset such as 0x%llx",
                     e->label, (unsigned)e->offset,
                     (unsigned long long)align_up(e->offset, ESP32PT_LFS_ALIGN));
}

int lfsc_esp32pt_suggest_lfs(lfsc_ctx *ctx, const esp32pt *pt, uint32_t flash_size,
                             uint32_t lfs_size, esp32pt_entry *out)
{
  int have = lfsc_esp32pt_find_lfs(pt);
  if (have >= 0)
    return lfsc_seterr(ctx, LFSC_EARG, "the table has an LFS partition already: '%s' at 0x%x "
                       "of 0x%x bytes", pt->e[have].label, (unsigned)pt->e[have].offset,
                       (unsigned)pt->e[have].size);
  if (pt->n >= ESP32PT_MAX_ENTRIES - 1)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "the table has %d partitions: no room for one more "
                       "with its MD5 entry", pt->n);
  if (lfs_size == 0)
    return lfsc_seterr(ctx, LFSC_EARG, "an LFS partition of 0 bytes");
  uint64_t size = align_up(lfs_size, ESP32PT_DATA_ALIGN);
  uint64_t end = table_end(pt), first = pt->table_offset + (uint64_t)ESP32PT_SECTOR;
  uint64_t off = align_up(end > first ? end : first, ESP32PT_LFS_ALIGN);
  if (off + size > flash_size)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "no room for a 0x%llx-byte LFS partition: the "
                       "partitions end at 0x%llx, the next 64 KiB boundary is 0x%llx, and "
                       "0x%llx bytes from there pass the end of the 0x%x-byte flash",
                       (unsigned long long)size, (unsigned long long)end,
                       (unsigned long long)off, (unsigned long long)size, (unsigned)flash_size);
  memset(out, 0, sizeof *out);
  strcpy(out->label, ESP32PT_LFS_LABEL);
  out->type = ESP32PT_LFS_TYPE;
  out->subtype = ESP32PT_LFS_SUBTYPE;
  out->offset = (uint32_t)off;
  out->size = (uint32_t)size;
  return LFSC_OK;
}

void lfsc_esp32pt_lfs_line(const esp32pt_entry *e, char buf[80])
{
  snprintf(buf, 80, "%s, 0x%02X, 0x%02X, 0x%X, 0x%X", e->label, (unsigned)e->type,
           (unsigned)e->subtype, (unsigned)e->offset, (unsigned)e->size);
}

int lfsc_esp32pt_add_lfs(lfsc_ctx *ctx, esp32pt *pt, uint32_t flash_size, uint32_t lfs_size)
{
  esp32pt_entry e;
  int rc = lfsc_esp32pt_suggest_lfs(ctx, pt, flash_size, lfs_size, &e);
  if (rc)
    return rc;
  for (int i = 0; i < pt->n; i++)
    if (strcmp(pt->e[i].label, e.label) == 0)
      return lfsc_seterr(ctx, LFSC_EARG, "the table has a partition called '%s' already (%s "
                         "0x%x at 0x%x): rename it to add the LFS partition", e.label,
                         lfsc_esp32pt_type_name(pt->e[i].type) ? lfsc_esp32pt_type_name(pt->e[i].type)
                                                               : "type",
                         (unsigned)pt->e[i].type, (unsigned)pt->e[i].offset);
  pt->e[pt->n++] = e;
  return lfsc_esp32pt_validate(ctx, "table", pt);
}
