/*
 * lfsimg's firmware commands: "firmware" (what a firmware build expects of
 * LFS), "provision" (one ready-to-flash image, or its pieces) and the
 * --firmware option of "verify". Formatting and argument parsing only:
 * reading the firmware is firmware.c, planning and assembling is
 * provision.c, checking images is verify.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lfsc/lfsc.h"
#include "lfsimg_fw.h"
#include "lfsimg_fw32.h"
#include "opts.h"
#include "platform/esp8266/firmware.h"
#include "base/json.h"
#include "base/outfile.h"
#include "base/port.h"
#include "platform/esp8266/provision.h"
#include "lfs51/reader.h"
#include "base/sink.h"
#include "lfs51/verify.h"

#define EXIT_USAGE CLIOPT_EXIT_USAGE
#define usage cliopt_usage_error

static int fail(lfsc_ctx *ctx)
{
  fprintf(stderr, "lfsimg: %s\n", lfsc_errmsg(ctx));
  lfsc_free(ctx);
  return 1;
}

static const char *form_name(firmware_form f)
{
  static const char *const n[] = {"ELF", "0x10000.bin", "0x00000.bin + 0x10000.bin",
                                  "combined image"};
  return n[f];
}

static const char *build_name(int t)
{
  return t == LFSC_TARGET_FLOAT ? "float" : t == LFSC_TARGET_INT ? "integer" : NULL;
}

static void print_size(FILE *out, uint32_t n)
{
  if (n >= 0x100000 && n % 0x100000 == 0)
    fprintf(out, "%lu MiB", (unsigned long)(n >> 20));
  else
    fprintf(out, "%lu KiB", (unsigned long)(n >> 10));
}

static void print_table(const firmware_part *t, int n)
{
  for (int i = 0; i < n; i++) {
    const char *name = lfsc_firmware_type_name(t[i].type);
    char b[24];
    if (!name) {
      snprintf(b, sizeof b, "type %lu", (unsigned long)t[i].type);
      name = b;
    }
    printf("  %3lu %-17s 0x%06lx  0x%06lx\n", (unsigned long)t[i].type, name,
           (unsigned long)t[i].addr, (unsigned long)t[i].size);
  }
}

static void json_table(json_writer *w, const firmware_part *t, int n)
{
  lfsc_json_array(w, 1);
  for (int i = 0; i < n; i++) {
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "type");
    lfsc_json_uint(w, t[i].type);
    lfsc_json_key(w, "name");
    lfsc_json_cstr(w, lfsc_firmware_type_name(t[i].type));
    lfsc_json_key(w, "addr");
    lfsc_json_uint(w, t[i].addr);
    lfsc_json_key(w, "size");
    lfsc_json_uint(w, t[i].size);
    lfsc_json_close(w);
  }
  lfsc_json_close(w);
}

/* Collect up to two firmware file names from repeated --firmware options
 * or positional arguments. */
static int add_fw(const char **fws, int *n, const char *cmd, const char *v)
{
  if (*n == 2)
    return usage(cmd, "too many firmware files ('%s'): one, or 0x00000.bin and 0x10000.bin", v);
  fws[(*n)++] = v;
  return 0;
}

/* ---- firmware ---------------------------------------------------------- */

static const cliopt firmware_opts[] = {
  {'f', 0, "flash-size", "S"},
  {'j', 0, "json", NULL},
  {0, 0, NULL, NULL},
};

int lfsimg_cmd_firmware(int argc, char **argv)
{
  static const char *const names[] = {"firmware file"};
  int json = 0, c, rc;
  uint32_t flash = 0;
  cliopt_parser p;
  if (lfsimg_fw32_dispatch(argc, argv, &rc))   /* ESP32 firmware: lfsimg_fw32.c */
    return rc;
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  cliopt_init(&p, "firmware", firmware_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0) {
    if (c == 'j') {
      json = 1;
    } else if (lfsc_firmware_parse_size(ctx, p.value, &flash)) {
      c = CLIOPT_ERROR;
      usage("firmware", "%s", lfsc_errmsg(ctx));
      break;
    }
  }
  if ((rc = lfsimg_args_end(&p, c, 1, 2, names))) {
    lfsc_free(ctx);
    return rc < 0 ? 0 : rc;
  }
  int nfw = p.noperands;
  const char *const *fws = p.operand;
  firmware *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw || lfsc_firmware_load(ctx, nfw, fws, fw))
    return fail(ctx);
  const char *from;
  uint32_t chip = lfsc_firmware_chip_size(fw, flash, &from);
  firmware_part t[FIRMWARE_MAX_PARTS];
  int n;
  if (lfsc_firmware_table(ctx, fw, chip, t, &n))
    return fail(ctx);
  const firmware_part *lfs = lfsc_firmware_find(t, n, FIRMWARE_PT_LFS0);
  int window_ok = !lfs || lfsimg_platform->check_partition(ctx, lfs->addr, lfs->size, 0) == LFSC_OK;
  const char *window_msg = window_ok ? NULL : lfsc_errmsg(ctx);
  if (json) {
    lfsc_sink sk;
    json_writer w;
    lfsc_sink_file_init(&sk, stdout);
    lfsc_json_init(&w, &sk);
    lfsc_json_object(&w, 1);
    lfsc_json_key(&w, "files");
    lfsc_json_array(&w, 0);
    for (int i = 0; i < nfw; i++)
      lfsc_json_cstr(&w, fws[i]);
    lfsc_json_close(&w);
    lfsc_json_key(&w, "form");
    lfsc_json_cstr(&w, (const char *const[]){"elf", "irom", "pair", "combined"}[fw->form]);
    lfsc_json_key(&w, "build_type");
    lfsc_json_cstr(&w, build_name(fw->build_type));
    lfsc_json_key(&w, "irom0_start");
    lfsc_json_uint(&w, fw->irom0_start);
    lfsc_json_key(&w, "irom0_end");
    lfsc_json_uint(&w, fw->irom0_end);
    lfsc_json_key(&w, "boot_flash_size");
    if (fw->boot_flash_size)
      lfsc_json_uint(&w, fw->boot_flash_size);
    else
      lfsc_json_null(&w);
    lfsc_json_key(&w, "lfs_capacity");
    if (fw->banner_lfs)
      lfsc_json_uint(&w, fw->banner_lfs);
    else
      lfsc_json_null(&w);
    lfsc_json_key(&w, "rcr");
    lfsc_json_array(&w, 1);
    for (int i = 0; i < fw->nrcr; i++) {
      lfsc_json_object(&w, 0);
      lfsc_json_key(&w, "offset");
      lfsc_json_uint(&w, 4u * fw->rcr[i].word);
      lfsc_json_key(&w, "id");
      lfsc_json_uint(&w, fw->rcr[i].id);
      lfsc_json_key(&w, "len");
      lfsc_json_uint(&w, fw->rcr[i].len);
      lfsc_json_close(&w);
    }
    lfsc_json_close(&w);
    lfsc_json_key(&w, "stored_table");
    json_table(&w, fw->pt, fw->npt);
    lfsc_json_key(&w, "computed_at_first_boot");
    lfsc_json_bool(&w, fw->pt_default);
    lfsc_json_key(&w, "flash_size");
    lfsc_json_uint(&w, chip);
    lfsc_json_key(&w, "flash_size_from");
    lfsc_json_cstr(&w, from);
    lfsc_json_key(&w, "table");
    json_table(&w, t, n);
    lfsc_json_key(&w, "lfs");
    if (lfs) {
      lfsc_json_object(&w, 0);
      lfsc_json_key(&w, "offset");
      lfsc_json_uint(&w, lfs->addr);
      lfsc_json_key(&w, "size");
      lfsc_json_uint(&w, lfs->size);
      lfsc_json_key(&w, "address");
      lfsc_json_uint(&w, lfsimg_platform->window_base + lfs->addr);
      lfsc_json_key(&w, "in_window");
      lfsc_json_bool(&w, window_ok);
      lfsc_json_close(&w);
    } else {
      lfsc_json_null(&w);
    }
    lfsc_json_close(&w);
    lfsc_json_end(&w);
    lfsc_free(ctx);
    return ferror(stdout) ? 1 : 0;
  }
  printf("firmware:    ");
  for (int i = 0; i < nfw; i++)
    printf("%s%s", i ? " + " : "", fws[i]);
  printf(" (%s)\n", form_name(fw->form));
  if (build_name(fw->build_type))
    printf("build type:  %s (images for it: luac.cross -t %s)\n", build_name(fw->build_type),
           lfsc_target_name((lfsc_target)fw->build_type));
  else
    printf("build type:  unknown (no 'build type:' banner)\n");
  printf("irom0:       0x%08lx..0x%08lx (0x%lx bytes)\n", (unsigned long)fw->irom0_start,
         (unsigned long)fw->irom0_end, (unsigned long)(fw->irom0_end - fw->irom0_start));
  if (fw->banner_lfs)
    printf("LFS banner:  0x%lx bytes total capacity\n", (unsigned long)fw->banner_lfs);
  if (fw->boot) {
    printf("boot header: flash size ");
    if (fw->boot_flash_size)
      print_size(stdout, fw->boot_flash_size);
    else
      printf("code %u (unknown)", fw->boot_size_nibble);
    printf(" (esptool.py write_flash usually rewrites this with the chip's size)\n");
  }
  printf("partition table as stored (RCR record at offset 0x%x)%s:\n",
         4 * fw->rcr[fw->pt_rec].word,
         fw->pt_default ? ", a default the firmware completes at first boot" : ", final");
  print_table(fw->pt, fw->npt);
  printf("partition table the firmware uses on a ");
  print_size(stdout, chip);
  printf(" chip (%s%s):\n", strcmp(from, "default") == 0 ? "no boot header: default; give "
         "--flash-size" : from, strcmp(from, "boot header") == 0 ? "; give --flash-size for "
         "your chip" : "");
  print_table(t, n);
  if (lfs) {
    printf("LFS:         flash offset 0x%lx, 0x%lx bytes, mapped at 0x%08lx\n",
           (unsigned long)lfs->addr, (unsigned long)lfs->size,
           (unsigned long)(lfsimg_platform->window_base + lfs->addr));
    if (window_ok) {
      printf("build with:  luac.cross%s -a 0x%08lx -m 0x%lx  (or luac.cross",
             fw->build_type == LFSC_TARGET_INT ? " -t int" : "",
             (unsigned long)(lfsimg_platform->window_base + lfs->addr), (unsigned long)lfs->size);
      for (int i = 0; i < nfw; i++)
        printf(" --firmware %s", fws[i]);
      printf(")\n");
    } else {
      printf("warning:     %s: the firmware cannot map this LFS\n", window_msg);
    }
  } else {
    printf("LFS:         none: this firmware has no LFS partition. Rebuild it with\n"
           "             LUA_FLASH_STORE set (app/include/user_config.h), or add one with\n"
           "             lfsimg provision --lfs-size N\n");
  }
  lfsc_free(ctx);
  return 0;
}

/* ---- verify --firmware ------------------------------------------------- */

int lfsimg_fw_verify_opts(int nfw, const char *const *fws, const char *flash_size,
                          verify_opts *o)
{
  int st;
  if (lfsimg_fw32_verify_opts(nfw, fws, o, &st))   /* ESP32 firmware: lfsimg_fw32.c */
    return st;
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  firmware *fw = lfsc_alloc(ctx, sizeof *fw);
  uint32_t flash = 0;
  firmware_part lfs;
  if (flash_size && lfsc_firmware_parse_size(ctx, flash_size, &flash)) {
    lfsc_free(ctx);
    return usage("verify", "%s", "bad --flash-size (1M, 4MB, 0x400000 ...)");
  }
  if (!fw || lfsc_firmware_load(ctx, nfw, fws, fw))
    return fail(ctx);
  if (lfsc_firmware_lfs(ctx, fw, lfsc_firmware_chip_size(fw, flash, NULL), o->limits, &lfs)) {
    fprintf(stderr, "lfsimg: %s: %s\n", fws[0], lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  uint32_t base = lfsimg_platform->window_base + lfs.addr;
  int rc = 0;
  if (fw->build_type >= 0) {
    int fw_int = lfsc_target_variant((lfsc_target)fw->build_type).numbers == LFSC_NUM_INT32;
    if (o->have_variant && o->variant != (lfsc_target)fw->build_type) {
      fprintf(stderr, "lfsimg: verify: '--variant %s' contradicts the firmware's build type %s "
              "(%s)\n", lfsc_target_name(o->variant), fw_int ? "integer" : "float", fws[0]);
      rc = EXIT_USAGE;
    } else if (!o->have_variant) {
      o->have_variant = 1;
      o->variant = (lfsc_target)fw->build_type;
    }
  }
  if (o->have_base && o->base != base) {
    fprintf(stderr, "lfsimg: verify: '--base 0x%08lx' contradicts the firmware's LFS partition "
            "at 0x%08lx (%s)\n", (unsigned long)o->base, (unsigned long)base, fws[0]);
    rc = EXIT_USAGE;
  }
  if (o->region_size && o->region_size > lfs.size) {
    fprintf(stderr, "lfsimg: verify: '--region-size %lu' contradicts the firmware's %lu-byte "
            "LFS partition (%s)\n", (unsigned long)o->region_size, (unsigned long)lfs.size,
            fws[0]);
    rc = EXIT_USAGE;
  }
  o->have_base = 1;
  o->base = base;
  if (!o->region_size)
    o->region_size = lfs.size;
  lfsc_free(ctx);
  return rc;
}

/* ---- provision --------------------------------------------------------- */

static const char *esptool_size(uint32_t n)
{
  switch (n) {
  case 0x40000: return "256KB";
  case 0x80000: return "512KB";
  case 0x100000: return "1MB";
  case 0x200000: return "2MB";
  case 0x400000: return "4MB";
  case 0x800000: return "8MB";
  default: return "16MB";
  }
}

/* N, or with max/0 for SPIFFS; sizes accept the same forms as --flash-size
 * plus plain byte counts. */
static int size_arg(const char *v, uint32_t *out)
{
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 0);
  unsigned long long unit = 1;
  if (end != v && (*end == 'K' || *end == 'k'))
    unit = 1024, end++;
  else if (end != v && (*end == 'M' || *end == 'm'))
    unit = 1024 * 1024, end++;
  if (unit > 1 && (*end == 'B' || (end[0] == 'i' && end[1] == 'B')))
    end += *end == 'B' ? 1 : 2;
  if (end == v || *end || errno || v[0] == '-' || n * unit > UINT32_MAX)
    return -1;
  *out = (uint32_t)(n * unit);
  return 0;
}

/* The LFS image as absolute bytes for the partition, once the verifier
 * has accepted it for this firmware (variant, size, address), or with
 * --force after a warning. */
static int lfs_bytes(lfsc_ctx *ctx, const char *path, const firmware *fw,
                     const provision_plan *plan, unsigned limits, int force, unsigned char **out,
                     size_t *len)
{
  unsigned char *buf;
  size_t n;
  if (lfsc_reader_read_image(ctx, path, &buf, &n))
    return fail(ctx);
  if (strcmp(path, "-") == 0)
    path = "stdin";             /* as the messages below name it */
  verify_opts vo;
  memset(&vo, 0, sizeof vo);
  vo.have_variant = fw->build_type >= 0;
  vo.variant = (lfsc_target)(fw->build_type >= 0 ? fw->build_type : 0);
  vo.region_size = plan->lfs_size;
  vo.have_base = 1;
  vo.base = lfsimg_platform->window_base + plan->lfs_off;
  vo.limits = limits;
  vo.platform = lfsimg_platform;
  reader_image *img;
  int overridden;
  if (lfsc_verify_or_refuse(ctx, buf, n, &vo, force, &img, &overridden)) {
    fprintf(stderr, "lfsimg: provision: %s: not an LFS image for this firmware's partition "
            "(0x%lx bytes at 0x%08lx): %s; nothing written\n", path,
            (unsigned long)plan->lfs_size, (unsigned long)vo.base, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  if (overridden)
    fprintf(stderr, "lfsimg: provision: warning: %s: %s (--force: writing anyway)\n", path,
            lfsc_errmsg(ctx));
  if (lfsc_reader_relocate(ctx, img, vo.base, out)) {
    fprintf(stderr, "lfsimg: %s: %s\n", path, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  *len = img->flash_size;
  return 0;
}

static int write_pieces(const provision_piece *p, int n, const char *outp, const char *dir,
                        char names[][4096])
{
  outfile of[3];
  int opened = 0, rc = 0;
  for (int i = 0; i < (outp ? 1 : n) && !rc; i++) {
    if (!outp)
      snprintf(names[i], 4096, "%s/0x%05lx.bin", dir, (unsigned long)p[i].off);
    const char *name = outp ? outp : names[i];
    if (lfsc_outfile_open(&of[i], name) != 0) {
      fprintf(stderr, "lfsimg: cannot open %s: %s\n", name, strerror(errno));
      rc = 1;
      break;
    }
    opened++;
    FILE *fp = of[i].fp;
    if (outp) {
      /* one image from offset 0: gaps erased (0xFF), as esptool would leave them */
      uint64_t at = 0;
      for (int k = 0; k < n; k++) {
        for (; at < p[k].off; at++)
          putc(0xFF, fp);
        fwrite(p[k].data, 1, p[k].len, fp);
        at = p[k].off + p[k].len;
      }
    } else {
      fwrite(p[i].data, 1, p[i].len, fp);
    }
    if (ferror(fp)) {
      fprintf(stderr, "lfsimg: cannot write %s: %s\n", name, strerror(errno));
      rc = 1;
    }
  }
  for (int i = 0; i < opened; i++) {
    const char *name = outp ? outp : names[i];
    if (rc)
      lfsc_outfile_abort(&of[i]);
    else if (lfsc_outfile_commit(&of[i]) != 0) {
      fprintf(stderr, "lfsimg: cannot write %s: %s\n", name, strerror(errno));
      rc = 1;
    }
  }
  return rc;
}

enum { P_FIRMWARE = 256, P_LFS, P_SPLIT, P_FLASH, P_LFS_SIZE, P_SPIFFS, P_FORCE, P_NO_WINDOW };

static const cliopt provision_table[] = {
  {P_FIRMWARE, 0, "firmware", "FW"},
  {P_LFS, 0, "lfs", "IMG"},
  {'o', 'o', "output", "FLASH.bin"},
  {P_SPLIT, 0, "split", "DIR"},
  {P_FLASH, 0, "flash-size", "S"},
  {P_LFS_SIZE, 0, "lfs-size", "N"},
  {P_SPIFFS, 0, "spiffs-size", "N|max|0"},
  {P_FORCE, 0, "force", NULL},
  {P_NO_WINDOW, 0, "no-window-check", NULL},
  {0, 0, NULL, NULL},
};

int lfsimg_cmd_provision(int argc, char **argv)
{
  const char *fws[2], *lfsp = NULL, *outp = NULL, *dir = NULL;
  int nfw = 0, force = 0, c = 0, rc = 0;
  uint32_t flash = 0;
  provision_opts po;
  memset(&po, 0, sizeof po);
  cliopt_parser p;
  if (lfsimg_fw32_dispatch(argc, argv, &rc))   /* ESP32 firmware: lfsimg_fw32.c */
    return rc;
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  cliopt_init(&p, "provision", provision_table, argc, argv);
  while (!rc && (c = cliopt_next(&p)) > 0) {
    const char *v = p.value;
    switch (c) {
    case P_NO_WINDOW: po.limits |= LFSC_PLATFORM_NO_WINDOW; break;
    case P_FORCE: force = 1; break;
    case P_FIRMWARE: rc = add_fw(fws, &nfw, "provision", v); break;
    case P_LFS: lfsp = v; break;
    case 'o': outp = v; break;
    case P_SPLIT: dir = v; break;
    case P_FLASH:
      if (lfsc_firmware_parse_size(ctx, v, &flash))
        rc = usage("provision", "%s", lfsc_errmsg(ctx));
      break;
    case P_LFS_SIZE:
      po.set_lfs = 1;
      if (size_arg(v, &po.lfs_size))
        rc = usage("provision", "bad --lfs-size '%s'", v);
      break;
    default:
      if (strcmp(v, "max") == 0)
        po.spiffs = PROVISION_SPIFFS_MAX;
      else if (size_arg(v, &po.spiffs_size))
        rc = usage("provision", "bad --spiffs-size '%s' (N, max or 0)", v);
      else
        po.spiffs = po.spiffs_size ? PROVISION_SPIFFS_SIZE : PROVISION_SPIFFS_NONE;
      break;
    }
  }
  if (rc || (rc = lfsimg_args_end(&p, c, 0, 0, NULL))) {
    lfsc_free(ctx);
    return rc < 0 ? 0 : rc;
  }
  const char *missing = !nfw ? "missing --firmware FW" : !lfsp ? "missing --lfs IMG"
                      : !outp && !dir ? "missing -o FILE or --split DIR"
                      : outp && dir ? "give -o FILE or --split DIR, not both" : NULL;
  if (missing) {
    lfsc_free(ctx);
    return usage("provision", "%s", missing);
  }
  firmware *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw || lfsc_firmware_load(ctx, nfw, fws, fw))
    return fail(ctx);
  if (outp && !fw->boot) {
    fprintf(stderr, "lfsimg: provision: %s has no boot image (0x00000.bin) for a whole flash "
            "image: give it too (--firmware 0x00000.bin --firmware 0x10000.bin), or use "
            "--split DIR\n", fws[0]);
    lfsc_free(ctx);
    return 1;
  }
  const char *from;
  po.flash_size = lfsc_firmware_chip_size(fw, flash, &from);
  provision_plan plan;
  if (lfsc_provision_plan_table(ctx, fw, &po, &plan)) {
    fprintf(stderr, "lfsimg: provision: %s (%s flash of 0x%lx bytes)\n", lfsc_errmsg(ctx),
            from, (unsigned long)po.flash_size);
    lfsc_free(ctx);
    return 1;
  }
  unsigned char *lfs;
  size_t lfs_len;
  if (lfs_bytes(ctx, lfsp, fw, &plan, po.limits, force, &lfs, &lfs_len))
    return 1;
  provision_piece pieces[3];
  int np;
  int nib = flash ? lfsc_firmware_size_nibble(flash) : -1;
  if (lfsc_provision_pieces(ctx, fw, &plan, nib, lfs, lfs_len, pieces, &np)) {
    fprintf(stderr, "lfsimg: provision: %s\n", lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  if (dir) {
    /* a missing folder is made (its parent must exist), as users expect
     * of an output folder; an existing non-folder is refused */
    struct stat st;
    if (stat(dir, &st) != 0 && errno == ENOENT && lfsc_port_mkdir(dir) != 0) {
      fprintf(stderr, "lfsimg: provision: --split %s: cannot create the folder: %s\n", dir,
              strerror(errno));
      lfsc_free(ctx);
      return 1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
      fprintf(stderr, "lfsimg: provision: --split %s: not a directory\n", dir);
      lfsc_free(ctx);
      return 1;
    }
  }
  static char names[3][4096];
  if (write_pieces(pieces, np, outp, dir, names)) {
    lfsc_free(ctx);
    return 1;
  }
  printf("LFS partition: flash 0x%lx, 0x%lx bytes (mapped 0x%08lx), image %zu bytes\n",
         (unsigned long)plan.lfs_off, (unsigned long)plan.lfs_size,
         (unsigned long)(lfsimg_platform->window_base + plan.lfs_off), lfs_len);
  printf("partition table: %s\n", plan.new_record
         ? "new record appended to the RCR sector (the firmware uses it as it is)"
         : "the firmware's own (computed at first boot; no new record)");
  printf("esptool.py --chip esp8266 write_flash");
  if (flash)
    printf(" --flash_size %s", esptool_size(flash));
  if (outp)
    printf(" 0x0 %s\n", outp);
  else {
    int boot = 0;
    for (int i = 0; i < np; i++) {
      printf(" 0x%05lx %s", (unsigned long)pieces[i].off, names[i]);
      boot |= pieces[i].off == 0;
    }
    printf("\n");
    if (!boot)
      printf("note: no boot image (0x00000.bin) was given, so the line above leaves it out: "
             "the device must already run this firmware (give 0x00000.bin as a second FW "
             "to include it)\n");
  }
  lfsc_free(ctx);
  return 0;
}
