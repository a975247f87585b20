/*
 * ESP32 firmware reader (firmware32.h): classify the files, then find the
 * chip, the variant and the embedded LFS region in them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "firmware32.h"
#include "base/file.h"
#include "base/sink.h"

#define LFS51_SIG_MASK 0xFFFFFFF0u
#define LFS51_SIG 0xFAFAA150u          /* | variant bits | absolute */
#define LFS53_SIG_MASK 0xFFFFFFFCu
#define LFS53_SIG 0xFAFAA250u          /* | 1 int64 | 2 double (ESP32) */
#define LFS_HEADER_MIN 32u

const char *lfsc_esp32fw_form_name(lfsc_esp32fw_form f)
{
  static const char *const n[] = {"app", "bootloader", "elf", "flash", "partition-table"};
  return (unsigned)f < sizeof n / sizeof n[0] ? n[f] : "?";
}

int lfsc_esp32fw_sig_variant(uint32_t sig, lfsc_target *t)
{
  if ((sig & LFS51_SIG_MASK) == LFS51_SIG) {
    switch (sig & 0xE) {
    case 0x4: *t = LFSC_TARGET_FLOAT; return 1;
    case 0x2: *t = LFSC_TARGET_INT; return 1;
    default: return 0;           /* 16-byte TValues: no ESP32 build has them */
    }
  }
  if ((sig & LFS53_SIG_MASK) == LFS53_SIG) {
    static const lfsc_target v[4] = {LFSC_TARGET_53_INT32_SINGLEFP, LFSC_TARGET_53_INT64_SINGLEFP,
                                     LFSC_TARGET_53_INT32_DOUBLEFP, LFSC_TARGET_53_INT64_DOUBLEFP};
    *t = v[sig & 3];
    return 1;
  }
  return 0;
}

/* an app image with its app description: the app, not a bootloader */
static int app_at(const unsigned char *buf, size_t len, int want_desc)
{
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 0;
  lfsc_esp32app app;
  if (want_desc && len > ESP32APP_MAX_LEN)   /* an app in a dump: the rest is not its */
    len = ESP32APP_MAX_LEN;
  int ok = lfsc_esp32app_read(ctx, "", buf, len, &app) == LFSC_OK &&
           lfsc_esp32app_chip_name(app.chip_id) && (!want_desc || app.desc.present);
  lfsc_free(ctx);
  return ok;
}

static int flash_dump(const unsigned char *buf, size_t len)
{
  return len > ESP32FW_TABLE_OFF + 32 &&
         (buf[ESP32FW_TABLE_OFF] | buf[ESP32FW_TABLE_OFF + 1] << 8) == ESP32FW_TABLE_MAGIC &&
         ((buf[0x1000] == ESP32APP_MAGIC && app_at(buf + 0x1000, ESP32FW_TABLE_OFF - 0x1000, 0)) ||
          (buf[0] == ESP32APP_MAGIC && app_at(buf, ESP32FW_TABLE_OFF, 0)));
}

/* a binary partition table alone: its first entry's magic at byte 0 */
static int table_alone(const unsigned char *buf, size_t len)
{
  return len >= 32 && len <= ESP32PT_OFFSET &&
         lfsc_esp32pt_form(buf, len, ESP32PT_OFFSET) == ESP32PT_FORM_TABLE &&
         (buf[0] | buf[1] << 8) == ESP32FW_TABLE_MAGIC;
}

int lfsc_esp32fw_sniff(const unsigned char *buf, size_t len)
{
  if (lfsc_esp32elf_sniff(buf, len) || table_alone(buf, len))
    return 1;
  if (flash_dump(buf, len))
    return 1;
  return len > 0 && buf[0] == ESP32APP_MAGIC && app_at(buf, len, 0);
}

int lfsc_esp32fw_file_is(const char *path)
{
  /* only a regular file within the input limit is looked into: reading a
   * pipe here would consume it, and a file too large is the reader's
   * error to give (once, in bounded memory) */
  struct stat st;
  if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
      (uint64_t)st.st_size > FILE_INPUT_MAX)
    return 0;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  int yes = 0;
  if (ctx &&
      lfsc_file_read(ctx, path, FILE_INPUT_MAX, &buf, &len) == LFSC_OK) {
    yes = lfsc_esp32fw_sniff(buf, len);
    free(buf);
  }
  lfsc_free(ctx);
  return yes;
}

/* ==== the banner ======================================================== */

static const struct {
  const char *s;
  int lua;
  lfsc_target t;
} options[] = {
  {"5.1-doublefp", 51, LFSC_TARGET_FLOAT},
  {"5.1-integral", 51, LFSC_TARGET_INT},
  {"5.3-int32-singlefp", 53, LFSC_TARGET_53_INT32_SINGLEFP},
  {"5.3-int64-singlefp", 53, LFSC_TARGET_53_INT64_SINGLEFP},
  {"5.3-int32-doublefp", 53, LFSC_TARGET_53_INT32_DOUBLEFP},
  {"5.3-int64-doublefp", 53, LFSC_TARGET_53_INT64_DOUBLEFP},
};

/* needle as a C string of its own: NUL after it, and not the tail of a
 * longer word before it */
static int find_cstr(const unsigned char *h, size_t hn, const char *needle)
{
  size_t nn = strlen(needle) + 1;  /* with its NUL */
  for (size_t i = 0; nn <= hn && i <= hn - nn; i++) {
    if (h[i] != (unsigned char)needle[0] || memcmp(h + i, needle, nn) != 0)
      continue;
    unsigned char c = i ? h[i - 1] : 0;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '.'))
      return 1;
  }
  return 0;
}

static void banner_in(lfsc_esp32fw *fw, const unsigned char *h, size_t n)
{
  for (size_t i = 0; i < sizeof options / sizeof options[0] && !fw->banner; i++)
    if (find_cstr(h, n, options[i].s)) {
      fw->banner = options[i].s;
      fw->lua = options[i].lua;
      fw->have_variant = 1;
      fw->variant = options[i].t;
      fw->variant_from = "banner";
    }
  if (!fw->lua)
    fw->lua = find_cstr(h, n, "Lua 5.1.4") ? 51 : find_cstr(h, n, "Lua 5.3.5") ? 53 : 0;
}

static void find_banner(lfsc_esp32fw *fw)
{
  if (fw->elf_file >= 0)
    for (int i = 0; i < fw->elf.nro && !fw->banner; i++)
      banner_in(fw, fw->elf.ro[i].data, fw->elf.ro[i].len);
  if (fw->app_file >= 0)
    for (unsigned i = 0; i < fw->app.nseg && !fw->banner; i++)
      banner_in(fw, fw->app.buf + fw->app.seg[i].off, fw->app.seg[i].len);
}

/* ==== the LFS region ==================================================== */

/* an LFS image header at p (n bytes there): its signature and size */
static int lfs_header(const unsigned char *p, size_t n, uint32_t *sig, uint32_t *size)
{
  if (n < LFS_HEADER_MIN)
    return 0;
  uint32_t s = rd_u32le(p), z = rd_u32le(p + 4);
  if ((s & LFS51_SIG_MASK) != LFS51_SIG && (s & LFS53_SIG_MASK) != LFS53_SIG)
    return 0;
  if (z < LFS_HEADER_MIN || z % 4 || z > n)
    return 0;
  *sig = s;
  *size = z;
  return 1;
}

/* the first 4 KiB-aligned mapped address in the app holding an LFS image */
static int scan_app(lfsc_esp32fw *fw)
{
  const lfsc_esp32app *a = &fw->app;
  for (unsigned i = 0; i < a->nseg; i++) {
    const lfsc_esp32app_seg *s = &a->seg[i];
    uint32_t first = (s->load_addr + ESP32ELF_LFS_ALIGN - 1) & ~(ESP32ELF_LFS_ALIGN - 1);
    for (uint64_t addr = first; addr < (uint64_t)s->load_addr + s->len;
         addr += ESP32ELF_LFS_ALIGN) {
      uint32_t off = s->off + (uint32_t)(addr - s->load_addr), got;
      uint32_t sig, size;
      if (!lfsc_esp32app_addr_of(a, off, &got) ||
          !lfs_header(a->buf + off, s->len - (off - s->off), &sig, &size))
        continue;
      fw->lfs = ESP32FW_LFS_EMBEDDED;
      fw->lfs_addr = (uint32_t)addr;
      fw->lfs_size = size;
      fw->lfs_size_known = 0;
      fw->lfs_from = "an LFS image found in the app";
      return 1;
    }
  }
  return 0;
}

/* the region's current bytes: an image already there? */
static void region_content(lfsc_ctx *ctx, lfsc_esp32fw *fw)
{
  const unsigned char *p = NULL;
  uint32_t off;
  if (fw->app_file >= 0 && lfsc_esp32app_map(ctx, &fw->app, fw->lfs_addr, fw->lfs_size, &off) == 0)
    p = fw->app.buf + off;
  else if (fw->elf_file >= 0)
    p = lfsc_esp32elf_at(&fw->elf, fw->lfs_addr, fw->lfs_size);
  uint32_t sig, size;
  if (p && lfs_header(p, fw->lfs_size, &sig, &size)) {
    fw->lfs_sig = sig;
    fw->lfs_image_size = size;
  }
}

/* The table's LFS partition, and an image already in it when the dump
 * holds it. 1 when there is one. */
static int partition_lfs(lfsc_ctx *ctx, lfsc_esp32fw *fw)
{
  for (int i = 0; i < fw->nfiles; i++)
    if (fw->file[i].form == ESP32FW_FLASH) {
      /* the flash a suggestion must fit: the dump's, when a chip's size */
      size_t n = fw->file[i].len;
      if (n >= 0x100000 && n <= 0x1000000 && (n & (n - 1)) == 0)
        fw->flash_size = (uint32_t)n;
    }
  int k = lfsc_esp32pt_find_lfs(&fw->pt);
  if (k < 0)
    return 0;
  const esp32pt_entry *e = &fw->pt.e[k];
  fw->lfs = ESP32FW_LFS_PARTITION;
  fw->lfs_addr = e->offset;
  fw->lfs_size = e->size;
  fw->lfs_size_known = 1;
  fw->lfs_from = "partition table";
  fw->lfs_aligned = lfsc_esp32pt_check_lfs(ctx, &fw->pt, k) == LFSC_OK;
  for (int i = 0; i < fw->nfiles; i++) {
    const lfsc_esp32fw_file *f = &fw->file[i];
    uint32_t sig, size;
    if (f->form == ESP32FW_FLASH && e->offset < f->len &&
        lfs_header(f->buf + e->offset, f->len - e->offset < e->size ? f->len - e->offset : e->size,
                   &sig, &size)) {
      fw->lfs_sig = sig;
      fw->lfs_image_size = size;
    }
  }
  return 1;
}

/* An ELF alone names no chip; its instruction set and where its embedded
 * region (or read-only data) is mapped do, when one chip fits both. */
static void elf_chip(lfsc_esp32fw *fw)
{
  uint32_t addr = fw->elf.have_lfs ? fw->elf.lfs_addr : fw->elf.nro ? fw->elf.ro[0].addr : 0;
  int found = -1, n = 0;
  for (int i = 0; i < ESP32_NCHIPS; i++) {
    const lfsc_platform *pf = lfsc_esp32_family[i].pf;
    if (lfsc_esp32_family[i].elf_machine == fw->elf.machine && addr >= pf->map_low &&
        addr < pf->map_high) {
      found = pf->app_chip_id;
      n++;
    }
  }
  if (n == 1) {
    fw->chip_id = found;
    fw->chip_from = "ELF machine and addresses";
  }
}

/* ==== forms ============================================================= */

static int read_app(lfsc_ctx *ctx, lfsc_esp32fw *fw, int i, uint32_t off)
{
  lfsc_esp32fw_file *f = &fw->file[i];
  size_t len = f->len - off;
  /* in a dump, what follows the app is other partitions: an app
   * partition holds at most 16 MiB (the bootloader's bound) */
  if (f->form == ESP32FW_FLASH && len > ESP32APP_MAX_LEN)
    len = ESP32APP_MAX_LEN;
  int rc = lfsc_esp32app_read(ctx, f->name, f->buf + off, len, &fw->app);
  if (rc)
    return rc;
  fw->app_file = i;
  fw->app_off = off;
  fw->chip_id = fw->app.chip_id;
  return LFSC_OK;
}

static int classify(lfsc_ctx *ctx, lfsc_esp32fw *fw, int i)
{
  lfsc_esp32fw_file *f = &fw->file[i];
  if (f->len >= 4 && memcmp(f->buf, "\177ELF", 4) == 0) {
    f->form = ESP32FW_ELF;
    if (fw->elf_file >= 0)
      return lfsc_seterr(ctx, LFSC_EARG, "%s, %s: two ELF files: give one ELF and/or one app "
                         ".bin", fw->file[fw->elf_file].name, f->name);
    int rc = lfsc_esp32elf_read(ctx, f->name, f->buf, f->len, &fw->elf);
    if (rc)
      return rc;
    fw->elf_file = i;
    return LFSC_OK;
  }
  if (table_alone(f->buf, f->len)) {
    f->form = ESP32FW_TABLE;
    if (fw->have_pt)
      return lfsc_seterr(ctx, LFSC_EARG, "%s: a second partition table", f->name);
    int rc = lfsc_esp32pt_read(ctx, f->name, f->buf, f->len, &fw->pt);
    if (rc)
      return rc;
    fw->have_pt = 1;
    fw->table_off = ESP32FW_TABLE_OFF;
    return LFSC_OK;
  }
  if (fw->app_file >= 0)
    return lfsc_seterr(ctx, LFSC_EARG, "%s, %s: two app images: give one app .bin (or flash "
                       "dump) and/or its ELF", fw->file[fw->app_file].name, f->name);
  if (flash_dump(f->buf, f->len)) {
    f->form = ESP32FW_FLASH;
    fw->boot_off = f->buf[0x1000] == ESP32APP_MAGIC ? 0x1000 : 0;
    fw->table_off = ESP32FW_TABLE_OFF;
    int rc = lfsc_esp32pt_read_at(ctx, f->name, f->buf + ESP32FW_TABLE_OFF,
                                  f->len - ESP32FW_TABLE_OFF, ESP32FW_TABLE_OFF, &fw->pt);
    if (rc)
      return rc;
    fw->have_pt = 1;
    /* the app: the table's first app partition (factory, else ota_0),
     * where the bootloader starts it when there is no OTA data */
    int apps[ESP32PT_MAX_ENTRIES];
    int napps = lfsc_esp32pt_apps(&fw->pt, apps, ESP32PT_MAX_ENTRIES);
    for (int k = 0; k < napps; k++) {
      uint32_t off = fw->pt.e[apps[k]].offset;
      if (off < f->len && f->buf[off] == ESP32APP_MAGIC && app_at(f->buf + off, f->len - off, 1))
        return read_app(ctx, fw, i, off);
    }
    /* else the first 64 KiB-aligned app image after the table */
    for (size_t off = ESP32FW_APP_OFF; off + ESP32APP_HEADER_LEN <= f->len;
         off += ESP32APP_MMU_PAGE)
      if (f->buf[off] == ESP32APP_MAGIC && app_at(f->buf + off, f->len - off, 1))
        return read_app(ctx, fw, i, (uint32_t)off);
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: a flash dump (bootloader at 0x%x, partition "
                       "table at 0x8000) with no app image at a 64 KiB boundary after 0x10000",
                       f->name, fw->boot_off);
  }
  int rc = read_app(ctx, fw, i, 0);
  if (rc)
    return rc;
  if (!fw->app.desc.present) {
    f->form = ESP32FW_BOOTLOADER;
    return lfsc_seterr(ctx, LFSC_EARG, "%s: an image without an app description (magic "
                       "0xABCD5432): a bootloader, not the app (give the .bin flashed at "
                       "0x10000)", f->name);
  }
  f->form = ESP32FW_APP;
  return LFSC_OK;
}

int lfsc_esp32fw_parse(lfsc_ctx *ctx, int nfiles, const char *const *names,
                       const unsigned char *const *bufs, const size_t *lens,
                       uint32_t reserved_addr, uint32_t reserved_size, lfsc_esp32fw *fw)
{
  memset(fw, 0, sizeof *fw);
  fw->app_file = fw->elf_file = -1;
  fw->boot_off = fw->table_off = -1;
  fw->chip_id = -1;
  fw->flash_size = 0x400000;    /* NodeMCU's usual 4 MiB */
  if (nfiles < 1 || nfiles > 2)
    return lfsc_seterr(ctx, LFSC_EARG, "an ESP32 firmware is one file (app .bin, ELF or flash "
                       "dump) or two (the app .bin and its ELF)");
  fw->nfiles = nfiles;
  for (int i = 0; i < nfiles; i++) {
    fw->file[i].name = names[i];
    fw->file[i].buf = bufs[i];
    fw->file[i].len = lens[i];
    int rc = classify(ctx, fw, i);
    if (rc)
      return rc;
  }
  find_banner(fw);
  if (fw->chip_id >= 0)
    fw->chip_from = "app header";
  else if (fw->elf_file >= 0)
    elf_chip(fw);
  if (fw->elf_file >= 0 && fw->elf.have_lfs) {
    fw->lfs = ESP32FW_LFS_EMBEDDED;
    fw->lfs_addr = fw->elf.lfs_addr;
    fw->lfs_size = fw->elf.lfs_size;
    fw->lfs_size_known = 1;
    fw->lfs_from = fw->elf.lfs_from;
    if (reserved_size && (reserved_addr != fw->lfs_addr || reserved_size != fw->lfs_size))
      return lfsc_seterr(ctx, LFSC_EARG, "--reserved 0x%08lx:0x%lx contradicts the ELF's "
                         "embedded LFS region 0x%08lx:0x%lx (%s, %s)",
                         (unsigned long)reserved_addr, (unsigned long)reserved_size,
                         (unsigned long)fw->lfs_addr, (unsigned long)fw->lfs_size,
                         fw->file[fw->elf_file].name, fw->lfs_from);
  } else if (reserved_size) {
    if (reserved_addr % ESP32ELF_LFS_ALIGN)
      return lfsc_seterr(ctx, LFSC_EARG, "--reserved 0x%08lx: the embedded LFS region starts "
                         "on a 4096-byte boundary (embedded_lfs.lf's ALIGN(4096))",
                         (unsigned long)reserved_addr);
    fw->lfs = ESP32FW_LFS_EMBEDDED;
    fw->lfs_addr = reserved_addr;
    fw->lfs_size = reserved_size;
    fw->lfs_size_known = 1;
    fw->lfs_from = "--reserved";
  } else if (fw->have_pt && partition_lfs(ctx, fw)) {
    /* the table's LFS partition (with no embedded region) */
  } else if (fw->app_file >= 0) {
    scan_app(fw);
  }
  if (fw->have_pt && fw->lfs == ESP32FW_LFS_NONE)
    fw->have_suggest = lfsc_esp32pt_suggest_lfs(ctx, &fw->pt, fw->flash_size, ESP32PT_LFS_SIZE,
                                                &fw->suggest) == LFSC_OK;
  if (fw->lfs == ESP32FW_LFS_EMBEDDED) {
    if (fw->app_file >= 0) {
      uint32_t off;
      int rc = lfsc_esp32app_map(ctx, &fw->app, fw->lfs_addr, fw->lfs_size, &off);
      if (rc)
        return lfsc_seterr(ctx, LFSC_EARG, "the embedded LFS region 0x%08lx:0x%lx (%s) is not "
                           "in the app image: %s", (unsigned long)fw->lfs_addr,
                           (unsigned long)fw->lfs_size, fw->lfs_from, lfsc_errmsg(ctx));
    }
    region_content(ctx, fw);
  }
  if (!fw->have_variant && fw->lfs_sig && lfsc_esp32fw_sig_variant(fw->lfs_sig, &fw->variant)) {
    fw->have_variant = 1;
    fw->lua = lfsc_target_variant(fw->variant).lua == LFSC_LUA53 ? 53 : 51;
    fw->variant_from = "LFS signature";
  }
  return LFSC_OK;
}

int lfsc_esp32fw_load(lfsc_ctx *ctx, int nfiles, const char *const *paths,
                      uint32_t reserved_addr, uint32_t reserved_size, lfsc_esp32fw *fw)
{
  const unsigned char *bufs[2] = {NULL, NULL};
  size_t lens[2] = {0, 0};
  if (nfiles < 1 || nfiles > 2)
    return lfsc_esp32fw_parse(ctx, nfiles, paths, bufs, lens, reserved_addr, reserved_size, fw);
  for (int i = 0; i < nfiles; i++) {
    unsigned char *b;
    int rc = lfsc_file_read_arena(ctx, paths[i], FILE_INPUT_MAX, &b, &lens[i]);
    if (rc)
      return rc;
    bufs[i] = b;
  }
  return lfsc_esp32fw_parse(ctx, nfiles, paths, bufs, lens, reserved_addr, reserved_size, fw);
}
