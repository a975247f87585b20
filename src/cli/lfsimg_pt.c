/*
 * lfsimg partitions: show an ESP-IDF partition table (binary, CSV, or the
 * table inside a flash dump) and where LFS is in it, convert it between
 * its forms, and add the LFS partition. Formatting and arguments only:
 * the table itself is platform/esp32/parttable*.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lfsimg_fw.h"
#include "lfsimg_pt.h"
#include "opts.h"
#include "base/file.h"
#include "base/json.h"
#include "base/sink.h"
#include "platform/esp32/parttable.h"

#define usage cliopt_usage_error

#define FLASH_DEFAULT 0x400000u         /* NodeMCU's ESP32 builds assume 4 MB */

enum { O_JSON = 256, O_FLASH, O_ADD_LFS, O_OFFSET, O_NO_MD5 };

static const cliopt pt_opts[] = {
  {O_JSON, 0, "json", NULL},
  {O_FLASH, 0, "flash-size", "S"},
  {O_ADD_LFS, 0, "add-lfs", "SIZE"},
  {O_OFFSET, 0, "offset", "OFF"},
  {O_NO_MD5, 0, "no-md5", NULL},
  {'o', 'o', "output", "OUT"},
  {0, 0, NULL, NULL},
};

/* A size or offset: a number (0x..., decimal) with K or M, and for sizes
 * an optional B or iB ("4MB"). */
static int parse_amount(const char *s, uint32_t *out)
{
  char b[64];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof b)
    return -1;
  memcpy(b, s, n + 1);
  if (n > 2 && strcmp(b + n - 2, "iB") == 0)
    b[n -= 2] = 0;
  else if (n > 1 && (b[n - 1] == 'B' || b[n - 1] == 'b') && strchr("kKmM", b[n - 2]))
    b[--n] = 0;
  int64_t v;
  if (lfsc_esp32pt_parse_num(b, &v) || v < 0 || v > 0xFFFFFFFFll)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

static const char *form_name(esp32pt_form f)
{
  return f == ESP32PT_FORM_TABLE ? "partition-table" : f == ESP32PT_FORM_DUMP ? "flash" : "csv";
}

static void print_size(FILE *out, uint32_t n)
{
  if (n >= 0x100000 && n % 0x100000 == 0)
    fprintf(out, "%lu MiB", (unsigned long)(n >> 20));
  else if (n % 0x400 == 0)
    fprintf(out, "%lu KiB", (unsigned long)(n >> 10));
  else
    fprintf(out, "%lu bytes", (unsigned long)n);
}

static const char *flags_text(uint32_t f, char *b, size_t cap)
{
  snprintf(b, cap, "%s%s%s", f & ESP32PT_FLAG_ENCRYPTED ? "encrypted" : "",
           (f & 3) == 3 ? ":" : "", f & ESP32PT_FLAG_READONLY ? "readonly" : "");
  if (f & ~3u)
    snprintf(b + strlen(b), cap - strlen(b), "%s0x%lx", *b ? ":" : "", (unsigned long)(f & ~3u));
  return b;
}

static void print_table(const esp32pt *pt)
{
  printf("  %-16s %-15s %-9s %-10s %-10s %s\n", "Name", "Type", "SubType", "Offset", "Size",
         "Flags");
  for (int i = 0; i < pt->n; i++) {
    const esp32pt_entry *e = &pt->e[i];
    char t[16], s[16], f[40];
    const char *tn = lfsc_esp32pt_type_name(e->type), *sn = lfsc_esp32pt_subtype_name(e->type, e->subtype);
    if (!tn)
      snprintf(t, sizeof t, "0x%02x", (unsigned)e->type);
    if (!sn)
      snprintf(s, sizeof s, "0x%02x", (unsigned)e->subtype);
    printf("  %-16s %-15s %-9s 0x%08lx 0x%08lx %s\n", e->label, tn ? tn : t, sn ? sn : s,
           (unsigned long)e->offset, (unsigned long)e->size, flags_text(e->flags, f, sizeof f));
  }
}

static void json_entry(json_writer *w, const esp32pt_entry *e)
{
  lfsc_json_object(w, 0);
  lfsc_json_key(w, "name");
  lfsc_json_cstr(w, e->label);
  lfsc_json_key(w, "type");
  lfsc_json_uint(w, e->type);
  lfsc_json_key(w, "type_name");
  lfsc_json_cstr(w, lfsc_esp32pt_type_name(e->type));
  lfsc_json_key(w, "subtype");
  lfsc_json_uint(w, e->subtype);
  lfsc_json_key(w, "subtype_name");
  lfsc_json_cstr(w, lfsc_esp32pt_subtype_name(e->type, e->subtype));
  lfsc_json_key(w, "offset");
  lfsc_json_uint(w, e->offset);
  lfsc_json_key(w, "size");
  lfsc_json_uint(w, e->size);
  lfsc_json_key(w, "flags");
  lfsc_json_uint(w, e->flags);
  lfsc_json_close(w);
}

/* Write pt to path as CSV or binary (by the name's ending) through
 * lfsimg_write_file: nothing appears under path unless all of it is written. */
static int write_out(lfsc_ctx *ctx, const esp32pt *pt, const char *path, int csv)
{
  lfsc_sink mem;
  unsigned char bin[ESP32PT_MAX_LEN];
  lfsc_sink_mem_init(&mem);
  int rc = csv ? lfsc_esp32pt_write_csv(ctx, pt, &mem) : lfsc_esp32pt_write(ctx, pt, bin);
  if (rc)
    fprintf(stderr, "lfsimg: %s: %s\n", path, lfsc_errmsg(ctx));
  else
    rc = csv ? lfsimg_write_file(path, mem.buf, mem.len) : lfsimg_write_file(path, bin, sizeof bin);
  lfsc_sink_mem_free(&mem);
  return rc ? 1 : 0;
}

static int ends_with(const char *s, const char *suf)
{
  size_t n = strlen(s), k = strlen(suf);
  if (n < k)
    return 0;
  for (size_t i = 0; i < k; i++)
    if ((s[n - k + i] | 0x20) != suf[i])
      return 0;
  return 1;
}

int lfsimg_cmd_partitions(int argc, char **argv)
{
  static const char *const names[] = {"partition table"};
  int json = 0, no_md5 = 0, c, rc;
  uint32_t flash = 0, add = 0, table_off = ESP32PT_OFFSET;
  const char *outp = NULL;
  cliopt_parser p;
  cliopt_init(&p, "partitions", pt_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0) {
    if (c == O_JSON) {
      json = 1;
    } else if (c == O_NO_MD5) {
      no_md5 = 1;
    } else if (c == 'o') {
      outp = p.value;
    } else if (c == O_FLASH) {
      if (parse_amount(p.value, &flash) || flash < 0x40000 || flash > 0x8000000 ||
          (flash & (flash - 1))) {
        c = CLIOPT_ERROR;
        usage("partitions", "bad flash size '%s' (a power of two from 256K to 128M: 4M, 4MB, "
              "0x400000)", p.value);
        break;
      }
    } else if (c == O_ADD_LFS) {
      if (parse_amount(p.value, &add) || add == 0) {
        c = CLIOPT_ERROR;
        usage("partitions", "bad LFS size '%s' (bytes: 0x10000, 64K, 1M)", p.value);
        break;
      }
    } else if (c == O_OFFSET) {
      if (parse_amount(p.value, &table_off) || table_off % ESP32PT_SECTOR ||
          table_off > 0xFFFFFFFFu - 2 * ESP32PT_SECTOR) {
        c = CLIOPT_ERROR;
        usage("partitions", "bad table offset '%s' (a 4 KiB multiple, like 0x8000)", p.value);
        break;
      }
    }
  }
  if ((rc = lfsimg_args_end(&p, c, 1, 1, names)))
    return rc < 0 ? 0 : rc;
  const char *path = p.operand[0];
  int out_csv = 0;
  if (outp) {
    if (ends_with(outp, ".csv"))
      out_csv = 1;
    else if (!ends_with(outp, ".bin"))
      return usage("partitions", "-o %s: the output's name ends in .csv or .bin (its form)", outp);
  }

  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  unsigned char *buf;
  size_t len;
  esp32pt *pt = lfsc_alloc(ctx, sizeof *pt);
  if (!pt || lfsc_file_read_arena(ctx, path, FILE_INPUT_MAX, &buf, &len)) {
    fprintf(stderr, "lfsimg: %s\n", pt ? lfsc_errmsg(ctx) : "out of memory");
    lfsc_free(ctx);
    return 1;
  }
  const char *shown = strcmp(path, "-") ? path : "stdin";
  esp32pt_form form = lfsc_esp32pt_form(buf, len, table_off);
  char dumpname[4200];
  if (form == ESP32PT_FORM_TABLE) {
    rc = lfsc_esp32pt_read_at(ctx, shown, buf, len, table_off, pt);
  } else if (form == ESP32PT_FORM_DUMP) {
    snprintf(dumpname, sizeof dumpname, "%s (table at 0x%lx)", shown, (unsigned long)table_off);
    rc = lfsc_esp32pt_read_at(ctx, dumpname, buf + table_off, len - table_off, table_off, pt);
  } else {
    rc = lfsc_esp32pt_read_csv(ctx, shown, (const char *)buf, len, table_off, pt);
  }
  if (rc) {
    fprintf(stderr, "lfsimg: %s\n", lfsc_errmsg(ctx));
    if (form == ESP32PT_FORM_CSV && len > 0 && !memchr(buf, '\n', len < 256 ? len : 256) &&
        memchr(buf, 0, len))
      fprintf(stderr, "lfsimg: %s is not a partition table: no 0x50AA entry at 0 or at 0x%lx, "
              "and not text\n", shown, (unsigned long)table_off);
    lfsc_free(ctx);
    return 1;
  }
  const char *flash_from = "option";
  if (!flash && form == ESP32PT_FORM_DUMP && len >= 0x100000 && !(len & (len - 1)) &&
      len <= 0x8000000) {
    flash = (uint32_t)len;
    flash_from = "dump";
  }
  if (flash && lfsc_esp32pt_check_flash(ctx, shown, pt, flash)) {
    fprintf(stderr, "lfsimg: %s\n", lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  if (!flash) {
    flash = FLASH_DEFAULT;
    flash_from = "default";
  }
  if (add && lfsc_esp32pt_add_lfs(ctx, pt, flash, add)) {
    fprintf(stderr, "lfsimg: %s: --add-lfs: %s\n", shown, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  if (no_md5)
    pt->md5 = 0;
  else if (form == ESP32PT_FORM_CSV || add)
    pt->md5 = 1;                        /* gen_esp32part.py's default */

  /* where LFS is, or what to add */
  int lfs = lfsc_esp32pt_find_lfs(pt);
  const char *align_msg = NULL;
  char alignbuf[512], line[80] = "", why[512] = "";
  esp32pt_entry sug;
  int have_sug = 0;
  if (lfs >= 0 && lfsc_esp32pt_check_lfs(ctx, pt, lfs)) {
    snprintf(alignbuf, sizeof alignbuf, "%s", lfsc_errmsg(ctx));
    align_msg = alignbuf;
  } else if (lfs < 0) {
    if (lfsc_esp32pt_suggest_lfs(ctx, pt, flash, ESP32PT_LFS_SIZE, &sug) == LFSC_OK) {
      have_sug = 1;
      lfsc_esp32pt_lfs_line(&sug, line);
    } else {
      snprintf(why, sizeof why, "%s", lfsc_errmsg(ctx));
    }
  }
  int apps[ESP32PT_MAX_ENTRIES];
  int napps = lfsc_esp32pt_apps(pt, apps, ESP32PT_MAX_ENTRIES);

  if (outp && (rc = write_out(ctx, pt, outp, out_csv))) {
    lfsc_free(ctx);
    return rc;
  }
  if (align_msg)
    fprintf(stderr, "lfsimg: warning: %s\n", align_msg);

  if (json) {
    lfsc_sink sk;
    json_writer w;
    lfsc_sink_file_init(&sk, stdout);
    lfsc_json_init(&w, &sk);
    lfsc_json_object(&w, 1);
    lfsc_json_key(&w, "file");
    lfsc_json_cstr(&w, shown);
    lfsc_json_key(&w, "form");
    lfsc_json_cstr(&w, form_name(form));
    lfsc_json_key(&w, "table_offset");
    lfsc_json_uint(&w, pt->table_offset);
    lfsc_json_key(&w, "md5");
    lfsc_json_bool(&w, pt->md5);
    lfsc_json_key(&w, "flash_size");
    lfsc_json_uint(&w, flash);
    lfsc_json_key(&w, "flash_size_from");
    lfsc_json_cstr(&w, flash_from);
    lfsc_json_key(&w, "partitions");
    lfsc_json_array(&w, 1);
    for (int i = 0; i < pt->n; i++)
      json_entry(&w, &pt->e[i]);
    lfsc_json_close(&w);
    lfsc_json_key(&w, "apps");
    lfsc_json_array(&w, 0);
    for (int i = 0; i < napps; i++)
      lfsc_json_cstr(&w, pt->e[apps[i]].label);
    lfsc_json_close(&w);
    lfsc_json_key(&w, "lfs");
    lfsc_json_object(&w, 0);
    lfsc_json_key(&w, "kind");
    lfsc_json_cstr(&w, lfs >= 0 ? "partition" : "none");
    if (lfs >= 0) {
      lfsc_json_key(&w, "name");
      lfsc_json_cstr(&w, pt->e[lfs].label);
      lfsc_json_key(&w, "offset");
      lfsc_json_uint(&w, pt->e[lfs].offset);
      lfsc_json_key(&w, "size");
      lfsc_json_uint(&w, pt->e[lfs].size);
      lfsc_json_key(&w, "mmap_aligned");
      lfsc_json_bool(&w, align_msg == NULL);
    } else if (have_sug) {
      lfsc_json_key(&w, "suggest");
      lfsc_json_object(&w, 0);
      lfsc_json_key(&w, "offset");
      lfsc_json_uint(&w, sug.offset);
      lfsc_json_key(&w, "size");
      lfsc_json_uint(&w, sug.size);
      lfsc_json_key(&w, "line");
      lfsc_json_cstr(&w, line);
      lfsc_json_close(&w);
    } else {
      lfsc_json_key(&w, "no_room");
      lfsc_json_cstr(&w, why);
    }
    lfsc_json_close(&w);
    lfsc_json_close(&w);
    lfsc_json_end(&w);
  } else if (!outp || strcmp(outp, "-")) {
    printf("%s: ESP-IDF partition table", shown);
    if (form == ESP32PT_FORM_DUMP)
      printf(" in a flash dump at 0x%lx", (unsigned long)pt->table_offset);
    else if (form == ESP32PT_FORM_CSV)
      printf(" (CSV)");
    else
      printf(" (binary%s)", pt->md5 ? ", MD5 checked" : ", no MD5 entry");
    printf(", %d partition%s%s\n", pt->n, pt->n == 1 ? "" : "s",
           add ? " with the LFS partition added" : "");
    print_table(pt);
    if (form == ESP32PT_FORM_DUMP && pt->n == 0)
      printf("  (the table's sector is erased: --offset OFF reads a table elsewhere)\n");
    printf("flash: ");
    print_size(stdout, flash);
    printf(" (%s)\n", strcmp(flash_from, "option") == 0 ? "--flash-size" :
           strcmp(flash_from, "dump") == 0 ? "the dump's size" : "assumed; --flash-size sets it");
    if (lfs >= 0) {
      printf("LFS: partition '%s' at 0x%lx, ", pt->e[lfs].label, (unsigned long)pt->e[lfs].offset);
      print_size(stdout, pt->e[lfs].size);
      printf("%s\n", align_msg ? " (not 64 KiB aligned: the firmware cannot map it)" : "");
    } else if (have_sug) {
      printf("LFS: no partition (type 0xC2, subtype 0x01). Add this line to partitions.csv\n"
             "(or run with --add-lfs SIZE):\n  %s\n", line);
    } else {
      printf("LFS: no partition (type 0xC2, subtype 0x01), and %s\n", why);
    }
  }
  lfsc_free(ctx);
  return 0;
}
