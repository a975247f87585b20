/*
 * lfsimg's firmware commands on ESP32 firmware: "firmware" (chip, Lua,
 * variant, where LFS is and the luac.cross line for it) and "provision"
 * (an LFS image written into the app image's embedded region). Options
 * and formatting only: reading is platform/esp32/firmware32.c, patching
 * provision32.c and appimage.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lfsimg_fw.h"
#include "lfsimg_fw32.h"
#include "opts.h"
#include "base/file.h"
#include "base/json.h"
#include "base/sink.h"
#include "lfs51/reader.h"
#include "lfs51/verify.h"
#include "lfs53/lfs53.h"
#include "lfsc/platform.h"
#include "platform/esp32/firmware32.h"
#include "platform/esp32/provision32.h"

#define usage cliopt_usage_error

static int fail(lfsc_ctx *ctx, const char *cmd)
{
  fprintf(stderr, "lfsimg: %s: %s\n", cmd, lfsc_errmsg(ctx));
  lfsc_free(ctx);
  return 1;
}

/* ---- which firmware ---------------------------------------------------- */

#define is_esp32_file lfsc_esp32fw_file_is

static int cmd_firmware(int argc, char **argv);
static int cmd_provision(int argc, char **argv);

int lfsimg_fw32_dispatch(int argc, char **argv, int *status)
{
  int provision = strcmp(argv[0], "provision") == 0;
  /* options of either command whose value is not a firmware file */
  static const char *const other[] = {"--lfs", "-o", "--output", "--split", "--flash-size",
                                      "--lfs-size", "--spiffs-size", "--reserved", "--chip",
                                      "--lfs-addr"};
  int found = 0;
  for (int i = 1; i < argc && !found; i++) {
    const char *a = argv[i], *file = NULL;
    if (strcmp(a, "--firmware") == 0 && i + 1 < argc)
      file = argv[++i];
    else if (strncmp(a, "--firmware=", 11) == 0)
      file = a + 11;
    else if (a[0] == '-') {
      for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
        if (strcmp(a, other[k]) == 0)
          i++;
      continue;
    } else if (!provision)
      file = a;
    found = file && is_esp32_file(file);
  }
  if (!found)
    return 0;
  *status = provision ? cmd_provision(argc, argv) : cmd_firmware(argc, argv);
  return 1;
}

int lfsimg_fw32_verify_opts(int nfw, const char *const *fws, verify_opts *o, int *status)
{
  int found = 0;
  for (int i = 0; i < nfw && !found; i++)
    found = is_esp32_file(fws[i]);
  if (!found)
    return 0;
  *status = 1;
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  lfsc_esp32fw *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw || lfsc_esp32fw_load(ctx, nfw, fws, 0, 0, fw)) {
    fail(ctx, "verify");
    return 1;
  }
  if (fw->lfs != ESP32FW_LFS_EMBEDDED) {
    fprintf(stderr, "lfsimg: verify: %s: no embedded LFS region known (give the app's ELF); "
            "for an LFS partition verify with --base ADDR --region-size N\n", fws[0]);
    lfsc_free(ctx);
    return 1;
  }
  *status = 0;
  if (fw->have_variant) {
    if (o->have_variant && o->variant != fw->variant) {
      fprintf(stderr, "lfsimg: verify: '--variant %s' contradicts the firmware's %s (%s)\n",
              lfsc_target_name(o->variant), lfsc_target_name(fw->variant), fws[0]);
      *status = CLIOPT_EXIT_USAGE;
    }
    o->have_variant = 1;
    o->variant = fw->variant;
  }
  if (o->have_base && o->base != fw->lfs_addr) {
    fprintf(stderr, "lfsimg: verify: '--base 0x%08lx' contradicts the firmware's embedded LFS "
            "region at 0x%08lx (%s)\n", (unsigned long)o->base, (unsigned long)fw->lfs_addr,
            fws[0]);
    *status = CLIOPT_EXIT_USAGE;
  }
  o->have_base = 1;
  o->base = fw->lfs_addr;
  if (fw->lfs_size_known && (!o->region_size || o->region_size > fw->lfs_size))
    o->region_size = fw->lfs_size;
  /* the app's chip's rules (its mapped range), not the ESP8266's window */
  const char *chip = fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id) : NULL;
  o->platform = chip ? lfsc_platform_find(chip) : NULL;
  lfsc_free(ctx);
  return 1;
}

/* ---- shared options ---------------------------------------------------- */

static int parse_num(const char *s, const char **end, uint64_t *v)
{
  char *e;
  errno = 0;
  if (!s || *s < '0' || *s > '9')
    return -1;
  unsigned long long n = strtoull(s, &e, 0);
  if (errno)
    return -1;
  if (*e == 'K' || *e == 'k')
    n *= 1024, e++;
  else if (*e == 'M' || *e == 'm')
    n *= 1024 * 1024, e++;
  *v = n;
  *end = e;
  return 0;
}

/* --reserved ADDR:SIZE */
static int reserved_arg(const char *cmd, const char *v, uint32_t *addr, uint32_t *size)
{
  uint64_t a, n;
  const char *e;
  if (parse_num(v, &e, &a) || *e != ':' || parse_num(e + 1, &e, &n) || *e || n == 0 ||
      a > 0xFFFFFFFFull || n > 0xFFFFFFFFull - a)
    return usage(cmd, "bad --reserved '%s' (ADDR:SIZE, e.g. 0x3f430000:0x20000, the embedded "
                 "LFS region from the build's map file)", v);
  *addr = (uint32_t)a;
  *size = (uint32_t)n;
  return 0;
}

static int chip_arg(const char *cmd, const char *v, int *chip)
{
  *chip = lfsc_esp32app_chip_id(v);
  if (*chip < 0)
    return usage(cmd, "unknown --chip '%s' (esp32, esp32s2, esp32s3, esp32c3, esp32c6, "
                 "esp32h2)", v);
  return 0;
}

/* the chip asked for must be the app header's */
static int check_chip(lfsc_ctx *ctx, lfsc_esp32fw *fw, int chip)
{
  if (chip < 0)
    return LFSC_OK;
  if (fw->chip_id >= 0 && fw->chip_id != chip)
    return lfsc_seterr(ctx, LFSC_EARG, "--chip %s contradicts %s, an app image for %s (chip id "
                       "0x%04x)", lfsc_esp32app_chip_name((unsigned)chip),
                       fw->app.name, lfsc_esp32app_chip_name((unsigned)fw->chip_id),
                       (unsigned)fw->chip_id);
  fw->chip_id = chip;
  return LFSC_OK;
}

static const char *variant_name(const lfsc_esp32fw *fw)
{
  return fw->have_variant ? lfsc_target_name(fw->variant) : NULL;
}

static void print_hex(FILE *f, const unsigned char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%02x", p[i]);
}

/* ---- firmware ---------------------------------------------------------- */

enum { F_RESERVED = 256, F_CHIP };

static const cliopt firmware_opts[] = {
  {'j', 0, "json", NULL},
  {F_RESERVED, 0, "reserved", "ADDR:SIZE"},
  {F_CHIP, 0, "chip", "CHIP"},
  {0, 0, NULL, NULL},
};

static void json_out(const lfsc_esp32fw *fw, const char *command)
{
  lfsc_sink sk;
  json_writer w;
  lfsc_sink_file_init(&sk, stdout);
  lfsc_json_init(&w, &sk);
  lfsc_json_object(&w, 1);
  lfsc_json_key(&w, "files");
  lfsc_json_array(&w, 0);
  for (int i = 0; i < fw->nfiles; i++)
    lfsc_json_cstr(&w, fw->file[i].name);
  lfsc_json_close(&w);
  lfsc_json_key(&w, "chip");
  lfsc_json_cstr(&w, fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id) : NULL);
  lfsc_json_key(&w, "chip_from");
  lfsc_json_cstr(&w, fw->chip_from);
  lfsc_json_key(&w, "form");
  int main_file = fw->app_file >= 0 ? fw->app_file : fw->elf_file >= 0 ? fw->elf_file : 0;
  lfsc_json_cstr(&w, lfsc_esp32fw_form_name(fw->file[main_file].form));
  lfsc_json_key(&w, "lua");
  lfsc_json_cstr(&w, fw->lua == 51 ? "5.1" : fw->lua == 53 ? "5.3" : NULL);
  lfsc_json_key(&w, "variant");
  lfsc_json_cstr(&w, variant_name(fw));
  lfsc_json_key(&w, "variant_from");
  lfsc_json_cstr(&w, fw->variant_from);
  lfsc_json_key(&w, "lfs");
  lfsc_json_object(&w, 0);
  lfsc_json_key(&w, "kind");
  lfsc_json_cstr(&w, fw->lfs == ESP32FW_LFS_EMBEDDED ? "embedded"
                     : fw->lfs == ESP32FW_LFS_PARTITION ? "partition" : "none");
  if (fw->lfs == ESP32FW_LFS_PARTITION) {
    lfsc_json_key(&w, "offset");
    lfsc_json_uint(&w, fw->lfs_addr);
    lfsc_json_key(&w, "size");
    lfsc_json_uint(&w, fw->lfs_size);
    lfsc_json_key(&w, "mmap_aligned");
    lfsc_json_bool(&w, fw->lfs_aligned);
    lfsc_json_key(&w, "image_size");
    if (fw->lfs_sig)
      lfsc_json_uint(&w, fw->lfs_image_size);
    else
      lfsc_json_null(&w);
  } else if (fw->lfs == ESP32FW_LFS_NONE && fw->have_suggest) {
    char line[80];
    lfsc_esp32pt_lfs_line(&fw->suggest, line);
    lfsc_json_key(&w, "suggest");
    lfsc_json_cstr(&w, line);
  }
  if (fw->lfs == ESP32FW_LFS_EMBEDDED) {
    lfsc_json_key(&w, "address");
    lfsc_json_uint(&w, fw->lfs_addr);
    lfsc_json_key(&w, "size");
    lfsc_json_uint(&w, fw->lfs_size);
    lfsc_json_key(&w, "size_known");
    lfsc_json_bool(&w, fw->lfs_size_known);
    lfsc_json_key(&w, "from");
    lfsc_json_cstr(&w, fw->lfs_from);
    lfsc_json_key(&w, "image_size");
    if (fw->lfs_sig)
      lfsc_json_uint(&w, fw->lfs_image_size);
    else
      lfsc_json_null(&w);
  }
  lfsc_json_close(&w);
  lfsc_json_key(&w, "command");
  lfsc_json_cstr(&w, command);
  if (fw->app_file >= 0) {
    const lfsc_esp32app *a = &fw->app;
    lfsc_json_key(&w, "app");
    lfsc_json_object(&w, 1);
    lfsc_json_key(&w, "offset");
    lfsc_json_uint(&w, fw->app_off);
    lfsc_json_key(&w, "chip_id");
    lfsc_json_uint(&w, a->chip_id);
    lfsc_json_key(&w, "segments");
    lfsc_json_array(&w, 0);
    for (unsigned i = 0; i < a->nseg; i++) {
      lfsc_json_object(&w, 0);
      lfsc_json_key(&w, "load_addr");
      lfsc_json_uint(&w, a->seg[i].load_addr);
      lfsc_json_key(&w, "len");
      lfsc_json_uint(&w, a->seg[i].len);
      lfsc_json_key(&w, "offset");
      lfsc_json_uint(&w, a->seg[i].off);
      lfsc_json_close(&w);
    }
    lfsc_json_close(&w);
    lfsc_json_key(&w, "checksum_ok");
    lfsc_json_bool(&w, a->checksum == a->checksum_calc);
    lfsc_json_key(&w, "hash_appended");
    lfsc_json_bool(&w, a->hash_appended);
    lfsc_json_key(&w, "hash_ok");
    lfsc_json_bool(&w, a->hash_ok);
    lfsc_json_key(&w, "signed");
    lfsc_json_cstr(&w, a->sig == ESP32APP_SIGNED_V1 ? "v1" : a->sig == ESP32APP_SIGNED_V2
                   ? "v2" : NULL);
    if (a->desc.present) {
      lfsc_json_key(&w, "project");
      lfsc_json_cstr(&w, a->desc.project_name);
      lfsc_json_key(&w, "version");
      lfsc_json_cstr(&w, a->desc.version);
      lfsc_json_key(&w, "idf");
      lfsc_json_cstr(&w, a->desc.idf_ver);
    }
    lfsc_json_close(&w);
  }
  if (fw->elf_file >= 0) {
    lfsc_json_key(&w, "elf_arch");
    lfsc_json_cstr(&w, lfsc_esp32elf_arch(fw->elf.machine));
  }
  if (fw->table_off >= 0) {
    lfsc_json_key(&w, "bootloader_offset");
    lfsc_json_uint(&w, (unsigned)fw->boot_off);
    lfsc_json_key(&w, "table_offset");
    lfsc_json_uint(&w, (unsigned)fw->table_off);
  }
  lfsc_json_close(&w);
  lfsc_json_end(&w);
}

static void text_out(const lfsc_esp32fw *fw, const char *command)
{
  printf("firmware:    ");
  for (int i = 0; i < fw->nfiles; i++)
    printf("%s%s (%s)", i ? " + " : "", fw->file[i].name,
           lfsc_esp32fw_form_name(fw->file[i].form));
  printf("\n");
  const char *chip = fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id) : NULL;
  if (chip)
    printf("chip:        %s (%s, chip id 0x%04x)\n", chip, fw->chip_from, (unsigned)fw->chip_id);
  else if (fw->elf_file >= 0)
    printf("chip:        unknown (%s ELF whose addresses more than one chip maps, and no app "
           ".bin: give the .bin)\n", lfsc_esp32elf_arch(fw->elf.machine));
  else
    printf("chip:        unknown (a partition table alone)\n");
  if (fw->table_off >= 0)
    printf("flash dump:  bootloader at 0x%x, partition table at 0x%x (lfsimg partitions "
           "reads it), app at 0x%lx\n", (unsigned)fw->boot_off, (unsigned)fw->table_off,
           (unsigned long)fw->app_off);
  if (fw->app_file >= 0) {
    const lfsc_esp32app *a = &fw->app;
    if (a->desc.present)
      printf("app:         %s %s, IDF %s, built %s %s\n", a->desc.project_name,
             a->desc.version, a->desc.idf_ver, a->desc.date, a->desc.time);
    printf("image:       %u segments, checksum 0x%02x (%s), SHA-256 %s, %s\n", a->nseg,
           a->checksum, a->checksum == a->checksum_calc ? "ok" : "WRONG",
           !a->hash_appended ? "not appended" : a->hash_ok ? "appended (ok)"
           : "appended (WRONG)", a->sig == ESP32APP_UNSIGNED ? "not signed"
           : a->sig == ESP32APP_SIGNED_V1 ? "signed (secure boot v1)"
           : "signed (secure boot v2)");
    for (unsigned i = 0; i < a->nseg; i++)
      printf("  segment %2u  0x%08lx  0x%06lx bytes  at file offset 0x%06lx\n", i,
             (unsigned long)a->seg[i].load_addr, (unsigned long)a->seg[i].len,
             (unsigned long)a->seg[i].off);
  }
  if (fw->have_variant)
    printf("Lua:         %s, variant %s (from the %s%s%s)\n", fw->lua == 53 ? "5.3" : "5.1",
           variant_name(fw), fw->variant_from, fw->banner ? " " : "",
           fw->banner ? fw->banner : "");
  else
    printf("Lua:         %s, variant unknown (no banner string; images for it: luac.cross -t "
           "...)\n", fw->lua == 53 ? "5.3" : fw->lua == 51 ? "5.1" : "version unknown");
  if (fw->lfs == ESP32FW_LFS_EMBEDDED) {
    printf("LFS:         embedded at 0x%08lx, %s0x%lx bytes (%s)\n", (unsigned long)fw->lfs_addr,
           fw->lfs_size_known ? "" : "at least ", (unsigned long)fw->lfs_size, fw->lfs_from);
    if (fw->lfs_sig)
      printf("             holds an image of %lu bytes (signature 0x%08lx)\n",
             (unsigned long)fw->lfs_image_size, (unsigned long)fw->lfs_sig);
    else
      printf("             holds no LFS image yet\n");
  } else if (fw->lfs == ESP32FW_LFS_PARTITION) {
    printf("LFS:         partition at flash 0x%lx, 0x%lx bytes (%s)%s\n",
           (unsigned long)fw->lfs_addr, (unsigned long)fw->lfs_size, fw->lfs_from,
           fw->lfs_aligned ? "" : " -- NOT on a 64 KiB boundary: the firmware cannot map it");
    if (fw->lfs_sig)
      printf("             holds a loaded image of %lu bytes (signature 0x%08lx)\n",
             (unsigned long)fw->lfs_image_size, (unsigned long)fw->lfs_sig);
    printf("             the firmware maps it where the MMU has room, so build a PI image,\n"
           "             upload it and load it with node.LFS.reload(\"lfs.img\")\n");
  } else if (fw->have_pt) {
    printf("LFS:         no LFS partition (type 0xC2, subtype 0x01) in the table\n");
    if (fw->have_suggest) {
      char line[80];
      lfsc_esp32pt_lfs_line(&fw->suggest, line);
      printf("             add this line to partitions.csv and rebuild the table:\n"
             "               %s\n", line);
    }
  } else {
    printf("LFS:         none embedded that this file shows: give the app's ELF or --reserved\n"
           "             ADDR:SIZE for an embedded region; for an LFS partition (type 0xC2,\n"
           "             subtype 0x01, 64 KiB aligned) build a PI image and load it with\n"
           "             node.LFS.reload()\n");
  }
  printf("build with:  %s\n", command);
  if (fw->lfs == ESP32FW_LFS_EMBEDDED && fw->app_file >= 0) {
    printf("provision:   lfsimg provision");
    for (int i = 0; i < fw->nfiles; i++)
      printf(" --firmware %s", fw->file[i].name);
    if (fw->elf_file < 0 && fw->lfs_size_known)
      printf(" --reserved 0x%08lx:0x%lx", (unsigned long)fw->lfs_addr,
             (unsigned long)fw->lfs_size);
    printf(" --lfs lfs.img -o app-lfs.bin\n");
  }
  if (fw->app_file >= 0 && fw->app.desc.present) {
    printf("ELF SHA-256: ");
    print_hex(stdout, fw->app.desc.elf_sha256, 32);
    printf(" (app description)\n");
  }
}

static int cmd_firmware(int argc, char **argv)
{
  static const char *const names[] = {"firmware file"};
  int json = 0, c, rc, chip = -1;
  uint32_t raddr = 0, rsize = 0;
  cliopt_parser p;
  cliopt_init(&p, "firmware", firmware_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0) {
    if (c == 'j')
      json = 1;
    else if (c == F_RESERVED ? reserved_arg("firmware", p.value, &raddr, &rsize)
                             : chip_arg("firmware", p.value, &chip))
      return CLIOPT_EXIT_USAGE;
  }
  if ((rc = lfsimg_args_end(&p, c, 1, 2, names)))
    return rc < 0 ? 0 : rc;
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  lfsc_esp32fw *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw || lfsc_esp32fw_load(ctx, p.noperands, p.operand, raddr, rsize, fw) ||
      check_chip(ctx, fw, chip))
    return fail(ctx, "firmware");
  char command[256];
  lfsc_provision32_luac_line(fw, command, sizeof command);
  if (json)
    json_out(fw, command);
  else
    text_out(fw, command);
  /* described, but an app the bootloader would not start is a failure */
  int damaged = 0;
  if (fw->app_file >= 0) {
    const lfsc_esp32app *a = &fw->app;
    if (a->checksum != a->checksum_calc)
      damaged = fprintf(stderr, "lfsimg: firmware: %s: damaged app image: checksum 0x%02x, its "
                        "segments give 0x%02x; the bootloader will not start it\n",
                        fw->file[fw->app_file].name, a->checksum, a->checksum_calc) > 0;
    else if (a->hash_appended && !a->hash_ok)
      damaged = fprintf(stderr, "lfsimg: firmware: %s: damaged app image: the appended SHA-256 "
                        "does not match; the bootloader will not start it\n",
                        fw->file[fw->app_file].name) > 0;
  }
  lfsc_free(ctx);
  return ferror(stdout) || damaged ? 1 : 0;
}

/* ---- provision --------------------------------------------------------- */

enum { P_FIRMWARE = 256, P_LFS, P_RESERVED, P_CHIP, P_FORCE, P_LFS_ADDR };

static const cliopt provision_opts[] = {
  {P_FIRMWARE, 0, "firmware", "FW"},
  {P_LFS, 0, "lfs", "IMG"},
  {'o', 'o', "output", "APP.bin"},
  {P_RESERVED, 0, "reserved", "ADDR:SIZE"},
  {P_CHIP, 0, "chip", "CHIP"},
  {P_FORCE, 0, "force", NULL},
  {P_LFS_ADDR, 0, "lfs-addr", "ADDR"},
  {0, 0, NULL, NULL},
};

/* what lfs_addr is, in messages */
static const char *region_word(const lfsc_esp32fw *fw)
{
  return fw->lfs == ESP32FW_LFS_PARTITION ? "the LFS partition (--lfs-addr)" : "the embedded region";
}

static int refuse(lfsc_ctx *ctx, const char *fmt, const char *a, const char *b)
{
  fprintf(stderr, "lfsimg: provision: ");
  fprintf(stderr, fmt, a, b);
  fprintf(stderr, "; nothing written\n");
  lfsc_free(ctx);
  return 1;
}

#define LFS53_SIG_MASK 0xFFFFFFFCu
#define LFS53_SIG 0xFAFAA250u

/* The LFS image as absolute bytes for the region: a 5.1 image verified
 * (variant) then relocated (PI) or taken as it is (absolute at the
 * region's address); a 5.3 image must be the absolute image for the
 * address (NodeMCU's 5.3 device builds it; luac.cross -F -a on the host). */
static int lfs_bytes(lfsc_ctx *ctx, const char *path, const lfsc_esp32fw *fw, int force,
                     unsigned char **out, size_t *len)
{
  unsigned char *buf;
  size_t n;
  char line[256], msg[512];
  if (lfsc_reader_read_image(ctx, path, &buf, &n))
    return fail(ctx, "provision");
  if (strcmp(path, "-") == 0)
    path = "stdin";
  const char *want53 = fw->lua == 53 && fw->have_variant ? lfsc_target_name(fw->variant) : NULL;
  if (n >= 5 && memcmp(buf, "\033Lua\123", 5) == 0) {
    snprintf(line, sizeof line, "luac.cross --lua 5.3%s%s -F %s -a 0x%08lx -o lfs.abs",
             want53 ? " -t " : "", want53 ? want53 : "", path, (unsigned long)fw->lfs_addr);
    snprintf(msg, sizeof msg, "%%s: a Lua 5.3 image file (-f): embedded LFS needs the absolute "
             "image for 0x%08lx; make it with: %%s", (unsigned long)fw->lfs_addr);
    return refuse(ctx, msg, path, line);
  }
  if (n >= 8 && (rd_u32le(buf) & LFS53_SIG_MASK) == LFS53_SIG) {
    lfsc_lfs53_image img;
    uint32_t at;
    if (lfsc_lfs53_abs_read(ctx, buf, n, path, NULL, &img, &at))
      return refuse(ctx, "%s%s", lfsc_errmsg(ctx), "");
    if (fw->lua == 51)
      return refuse(ctx, "%s: a Lua 5.3 image, but %s is a Lua 5.1 firmware", path,
                    fw->file[fw->app_file].name);
    if (at != fw->lfs_addr) {
      snprintf(line, sizeof line, "luac.cross --lua 5.3%s%s -F IMG.img -a 0x%08lx -o lfs.abs",
               want53 ? " -t " : "", want53 ? want53 : "", (unsigned long)fw->lfs_addr);
      snprintf(msg, sizeof msg, "%%s: an absolute Lua 5.3 image for 0x%08lx, but %s is at "
               "0x%08lx: rebuild it with: %%s", (unsigned long)at, region_word(fw),
               (unsigned long)fw->lfs_addr);
      return refuse(ctx, msg, path, line);
    }
    uint32_t want = fw->have_variant && fw->lua == 53
                  ? lfsc_lfs53_signature(lfsc_target_variant(fw->variant), 1) : 0;
    if (want && rd_u32le(buf) != want && !force) {
      snprintf(msg, sizeof msg, "%%s: signature 0x%08lx, the firmware (%%s) loads 0x%08lx",
               (unsigned long)rd_u32le(buf), (unsigned long)want);
      return refuse(ctx, msg, path, want53);
    }
    uint32_t size = rd_u32le(buf + 4);
    *out = buf;
    *len = size < n ? size : n;
    return 0;
  }
  if (fw->lua == 53)
    return refuse(ctx, "%s: not a Lua 5.3 absolute image, which %s (a Lua 5.3 firmware) needs",
                  path, fw->file[fw->app_file].name);
  verify_opts vo;
  memset(&vo, 0, sizeof vo);
  vo.have_variant = fw->have_variant;
  vo.variant = fw->variant;
  reader_image *img;
  int overridden;
  if (lfsc_verify_or_refuse(ctx, buf, n, &vo, force, &img, &overridden))
    return refuse(ctx, "%s: not an LFS image for this firmware: %s", path, lfsc_errmsg(ctx));
  if (overridden)
    fprintf(stderr, "lfsimg: provision: warning: %s: %s (--force: writing anyway)\n", path,
            lfsc_errmsg(ctx));
  if (img->absolute && img->base != fw->lfs_addr) {
    snprintf(msg, sizeof msg, "%%s: an absolute image for 0x%08lx, but %s is at 0x%08lx: give "
             "the PI image (-f) or rebuild: %%s", (unsigned long)img->base, region_word(fw),
             (unsigned long)fw->lfs_addr);
    lfsc_provision32_luac_line(fw, line, sizeof line);
    return refuse(ctx, msg, path, line);
  }
  if (lfsc_reader_relocate(ctx, img, fw->lfs_addr, out))
    return fail(ctx, "provision");
  *len = img->flash_size;
  return 0;
}

/* A flash dump whose table has an LFS partition: the image goes into the
 * partition, linked for the address the firmware maps it at. That address
 * is the MMU's choice at boot (spi_flash_mmap), so only the device can say
 * it (node.LFS.config()); the user gives it with --lfs-addr. */
static int provision_partition(lfsc_ctx *ctx, const lfsc_esp32fw *fw, const char *lfsp,
                               const char *outp, int force, int have_addr, uint32_t addr)
{
  const char *chipname = fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id)
                                          : "esp32";
  const lfsc_platform *pf = lfsc_platform_find(chipname);
  int dump = -1;
  for (int i = 0; i < fw->nfiles; i++)
    if (fw->file[i].form == ESP32FW_FLASH)
      dump = i;
  if (dump < 0)
    return refuse(ctx, "%s%s", "the LFS is a partition of the table: give the flash dump "
                  "(bootloader, table, app) to write it into", "");
  if (!have_addr) {
    fprintf(stderr, "lfsimg: provision: the firmware maps its LFS partition (flash 0x%lx) "
            "wherever the MMU has room, so the image must be linked for the address the device "
            "reports: give --lfs-addr ADDR (node.LFS.config() on the device), or upload a PI "
            "image and load it with node.LFS.reload(); nothing written\n",
            (unsigned long)fw->lfs_addr);
    lfsc_free(ctx);
    return 1;
  }
  if (!fw->lfs_aligned)
    return refuse(ctx, "%s%s", "the LFS partition is not on a 64 KiB boundary: the firmware "
                  "cannot map it (lfsimg partitions shows the table)", "");
  if (pf && pf->check_addr(ctx, addr, 0))
    return refuse(ctx, "--lfs-addr: %s%s", lfsc_errmsg(ctx), "");
  if (addr % ESP32PT_LFS_ALIGN)
    return refuse(ctx, "--lfs-addr: %s%s", "a partition is mapped on a 64 KiB MMU page, so its "
                  "address is a multiple of 0x10000", "");
  lfsc_esp32fw at = *fw;        /* the image's bytes for the mapped address */
  at.lfs_addr = addr;
  unsigned char *lfs = NULL;
  size_t n = 0;
  if (lfs_bytes(ctx, lfsp, &at, force, &lfs, &n))
    return 1;
  if (n > fw->lfs_size) {
    fprintf(stderr, "lfsimg: provision: the LFS image is %zu bytes, larger than the LFS "
            "partition of %lu bytes at flash 0x%lx; nothing written\n", n,
            (unsigned long)fw->lfs_size, (unsigned long)fw->lfs_addr);
    lfsc_free(ctx);
    return 1;
  }
  /* the dump, grown to hold the partition; the partition erased (0xFF)
   * after the image, as flash is */
  const lfsc_esp32fw_file *f = &fw->file[dump];
  size_t end = (size_t)fw->lfs_addr + fw->lfs_size, len = f->len > end ? f->len : end;
  unsigned char *out = lfsc_alloc(ctx, len);
  if (!out) {
    fprintf(stderr, "lfsimg: provision: out of memory\n");
    lfsc_free(ctx);
    return 1;
  }
  memset(out, 0xFF, len);
  memcpy(out, f->buf, f->len);
  memset(out + fw->lfs_addr, 0xFF, fw->lfs_size);
  memcpy(out + fw->lfs_addr, lfs, n);
  if (lfsimg_write_file(outp, out, len)) {
    lfsc_free(ctx);
    return 1;
  }
  printf("LFS partition: flash 0x%lx, 0x%lx bytes; image %zu bytes linked for 0x%08lx\n",
         (unsigned long)fw->lfs_addr, (unsigned long)fw->lfs_size, n, (unsigned long)addr);
  printf("esptool.py --chip %s write_flash 0x0 %s\n", chipname, outp);
  printf("note: if node.LFS.config() later reports another address (a new app can move the "
         "mapping), load a PI image with node.LFS.reload() instead\n");
  lfsc_free(ctx);
  return 0;
}

static int cmd_provision(int argc, char **argv)
{
  const char *fws[2], *lfsp = NULL, *outp = NULL;
  int nfw = 0, force = 0, c, rc = 0, chip = -1, have_addr = 0;
  uint32_t raddr = 0, rsize = 0, lfs_addr = 0;
  cliopt_parser p;
  cliopt_init(&p, "provision", provision_opts, argc, argv);
  while (!rc && (c = cliopt_next(&p)) > 0) {
    const char *v = p.value;
    switch (c) {
    case P_FIRMWARE:
      if (nfw == 2)
        rc = usage("provision", "too many firmware files ('%s'): the app .bin and its ELF", v);
      else
        fws[nfw++] = v;
      break;
    case P_LFS: lfsp = v; break;
    case 'o': outp = v; break;
    case P_RESERVED: rc = reserved_arg("provision", v, &raddr, &rsize); break;
    case P_CHIP: rc = chip_arg("provision", v, &chip); break;
    case P_LFS_ADDR: {
      uint64_t a;
      const char *e;
      if (parse_num(v, &e, &a) || *e || a > 0xFFFFFFFFu)
        rc = usage("provision", "bad --lfs-addr '%s'", v);
      lfs_addr = (uint32_t)a;
      have_addr = 1;
      break;
    }
    default: force = 1; break;
    }
  }
  if (rc || (rc = lfsimg_args_end(&p, c, 0, 0, NULL)))
    return rc < 0 ? 0 : rc;
  const char *missing = !lfsp ? "missing --lfs IMG" : !outp ? "missing -o APP.bin" : NULL;
  if (missing)
    return usage("provision", "%s", missing);
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  lfsc_esp32fw *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw || lfsc_esp32fw_load(ctx, nfw, fws, raddr, rsize, fw) || check_chip(ctx, fw, chip))
    return fail(ctx, "provision");
  if (fw->lfs == ESP32FW_LFS_PARTITION)
    return provision_partition(ctx, fw, lfsp, outp, force, have_addr, lfs_addr);
  if (have_addr)
    return usage("provision", "%s", "--lfs-addr is for an LFS partition; this firmware has none");
  if (fw->app_file < 0 || fw->lfs != ESP32FW_LFS_EMBEDDED) {
    unsigned char *o;
    size_t ol;
    lfsc_provision32_app(ctx, fw, NULL, 0, &o, &ol);  /* for its message */
    return refuse(ctx, "%s%s", lfsc_errmsg(ctx), "");
  }
  if (lfsc_esp32app_patchable(ctx, &fw->app))
    return refuse(ctx, "%s%s", lfsc_errmsg(ctx), "");
  unsigned char *lfs = NULL, *out = NULL;
  size_t lfs_len = 0, out_len = 0;
  if (lfs_bytes(ctx, lfsp, fw, force, &lfs, &lfs_len))
    return 1;
  if (lfsc_provision32_app(ctx, fw, lfs, lfs_len, &out, &out_len))
    return refuse(ctx, "%s%s", lfsc_errmsg(ctx), "");
  if (lfsimg_write_file(outp, out, out_len)) {
    lfsc_free(ctx);
    return 1;
  }
  const char *chipname = fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id)
                                          : "esp32";
  printf("embedded LFS: 0x%08lx, 0x%lx bytes (%s), image %zu bytes\n",
         (unsigned long)fw->lfs_addr, (unsigned long)fw->lfs_size, fw->lfs_from, lfs_len);
  printf("app image: checksum%s made anew; the app description's ELF SHA-256 still names "
         "the ELF before (the bootloader does not check it)\n",
         fw->app.hash_appended ? " and SHA-256" : "");
  uint32_t at = lfsc_provision32_flash_offset(fw);
  printf("esptool.py --chip %s write_flash 0x%lx %s\n", chipname, (unsigned long)at, outp);
  if (at)
    printf("note: 0x%lx is the factory app's usual offset; your partition table's app "
           "partition decides\n", (unsigned long)at);
  lfsc_free(ctx);
  return 0;
}
