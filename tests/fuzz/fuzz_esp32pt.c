/*
 * libFuzzer harness over the ESP-IDF partition table (platform/esp32/
 * parttable.c, parttable_csv.c): the binary reader (a table, or a flash
 * dump holding one, told apart as lfsimg partitions does) and the CSV
 * reader. Input: one selector byte, then the file. Selector bit 0: CSV;
 * bit 1: the table at 0x10000 instead of 0x8000 (--offset); bits 2-3: the
 * flash size for the LFS helpers.
 *
 * Any input must give a clean error. What is read must survive every
 * round trip unchanged: binary write -> read gives the same table and
 * the same bytes again; when the CSV writer accepts the table, CSV
 * read gives the same partitions; an added LFS partition passes the
 * rules, on 64 KiB, within the flash. A difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"
#include "platform/esp32/parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const esp32pt *a, const esp32pt *b, const char *what)
{
  if (a->n != b->n)
    goto differ;
  for (int i = 0; i < a->n; i++) {
    const esp32pt_entry *x = &a->e[i], *y = &b->e[i];
    if (strcmp(x->label, y->label) || x->type != y->type || x->subtype != y->subtype ||
        x->offset != y->offset || x->size != y->size || x->flags != y->flags)
      goto differ;
  }
  return;
differ:
  fprintf(stderr, "round trip changed the table: %s\n", what);
  abort();
}

static void must(int ok, const char *what, lfsc_ctx *ctx)
{
  if (!ok) {
    fprintf(stderr, "%s: %s\n", what, lfsc_errmsg(ctx));
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  unsigned sel = data[0];
  size_t len = size - 1;
  /* a copy of exactly the file, so that ASan sees reads past its end */
  unsigned char *buf = malloc(len ? len : 1);
  lfsc_ctx *ctx = lfsc_new();
  esp32pt *pt = malloc(sizeof *pt), *back = malloc(sizeof *back);
  unsigned char *bin = malloc(ESP32PT_MAX_LEN), *bin2 = malloc(ESP32PT_MAX_LEN);
  if (!buf || !ctx || !pt || !back || !bin || !bin2)
    goto out;
  memcpy(buf, data + 1, len);
  uint32_t toff = sel & 2 ? 0x10000 : ESP32PT_OFFSET;
  static const uint32_t flashes[] = {0x100000, 0x400000, 0x1000000, 0x200000};
  uint32_t flash = flashes[(sel >> 2) & 3];
  int rc;
  if (sel & 1) {
    rc = lfsc_esp32pt_read_csv(ctx, "f.csv", (const char *)buf, len, toff, pt);
  } else {
    esp32pt_form f = lfsc_esp32pt_form(buf, len, toff);
    if (f == ESP32PT_FORM_CSV)
      goto out;
    if (f == ESP32PT_FORM_DUMP)
      rc = lfsc_esp32pt_read_at(ctx, "f.bin", buf + toff, len - toff, toff, pt);
    else
      rc = lfsc_esp32pt_read_at(ctx, "f.bin", buf, len, toff, pt);
  }
  if (rc != LFSC_OK) {
    must(*lfsc_errmsg(ctx) != 0, "an error without a message", ctx);
    goto out;
  }
  /* binary: write, read back, write again */
  int md5 = pt->md5;
  if (pt->n == ESP32PT_MAX_ENTRIES)
    pt->md5 = 0;                        /* 95 entries fit only without it */
  must(lfsc_esp32pt_write(ctx, pt, bin) == LFSC_OK, "write of a table just read", ctx);
  must(lfsc_esp32pt_read_at(ctx, "w.bin", bin, ESP32PT_MAX_LEN, toff, back) == LFSC_OK,
       "read of a table just written", ctx);
  same(pt, back, "binary");
  if (back->md5 != pt->md5)
    abort();
  must(lfsc_esp32pt_write(ctx, back, bin2) == LFSC_OK, "second write", ctx);
  if (memcmp(bin, bin2, ESP32PT_MAX_LEN))
    abort();
  pt->md5 = md5;
  /* CSV, when it can say the table */
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  if (lfsc_esp32pt_write_csv(ctx, pt, &s) == LFSC_OK) {
    must(lfsc_esp32pt_read_csv(ctx, "w.csv", (const char *)s.buf, s.len, toff, back) == LFSC_OK,
         "read of a CSV just written", ctx);
    same(pt, back, "CSV");
  }
  lfsc_sink_mem_free(&s);
  /* the LFS helpers */
  int apps[ESP32PT_MAX_ENTRIES];
  (void)lfsc_esp32pt_apps(pt, apps, ESP32PT_MAX_ENTRIES);
  int lfs = lfsc_esp32pt_find_lfs(pt);
  if (lfs >= 0) {
    (void)lfsc_esp32pt_check_lfs(ctx, pt, lfs);
  } else if (lfsc_esp32pt_check_flash(ctx, "f", pt, flash) == LFSC_OK) {
    uint32_t want = (uint32_t)(sel >> 4) * 0x3000 + 1;
    esp32pt_entry e;
    if (lfsc_esp32pt_suggest_lfs(ctx, pt, flash, want, &e) == LFSC_OK) {
      char line[80];
      lfsc_esp32pt_lfs_line(&e, line);
      if (e.offset % ESP32PT_LFS_ALIGN || e.size < want || (uint64_t)e.offset + e.size > flash)
        abort();
      if (lfsc_esp32pt_add_lfs(ctx, pt, flash, want) == LFSC_OK) {
        pt->md5 = 1;
        must(lfsc_esp32pt_find_lfs(pt) == pt->n - 1, "the added partition is found", ctx);
        must(lfsc_esp32pt_check_flash(ctx, "f", pt, flash) == LFSC_OK, "added within flash", ctx);
        must(lfsc_esp32pt_write(ctx, pt, bin) == LFSC_OK, "write with LFS added", ctx);
      }
    }
  }
out:
  free(buf);
  free(pt);
  free(back);
  free(bin);
  free(bin2);
  lfsc_free(ctx);
  return 0;
}
