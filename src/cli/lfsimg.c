/*
 * lfsimg: inspect, disassemble, verify, relocate, extract and compare
 * NodeMCU LFS images. A thin front end: decoding is reader.c, checking is
 * verify.c, comparing is imgdiff.c (with protodiff.c), listings are
 * listing.c and .lc output is lc_write.c; this file parses arguments and
 * prints each command's report as text or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lfsc/image.h"
#include "lfsc/lfsc.h"
#include "lfsc/opcodes.h"
#include "lfsimg_fw.h"
#include "lfsimg_pt.h"
#include "lfsimg53.h"
#include "opts.h"
#include "chip.h"
#include "base/escape.h"
#include "base/json.h"
#include "lua51/lc_write.h"
#include "lua51/listing.h"
#include "base/outfile.h"
#include "lfs51/imgdiff.h"
#include "lfs51/reader.h"
#include "runtime/runtime.h"
#include "base/sink.h"
#include "lfs51/verify.h"

#define EXIT_USAGE CLIOPT_EXIT_USAGE

static const char *progname = "lfsimg";
const lfsc_platform *lfsimg_platform;
const lfsc_platform *lfsimg_chip;

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *args;
  const char *help;
} command;

static const command *find_command(const char *name);
static int cmd_reloc(int argc, char **argv);
static void reloc_help(const lfsc_platform *pf);

#define usage_error cliopt_usage_error

static int cmd_usage(const char *cmd)
{
  const command *c = find_command(cmd);
  printf("usage: %s %s %s\n\n%s", progname, c->name, c->args, c->help);
  if (c->run == cmd_reloc)
    reloc_help(lfsimg_platform);
  return 0;
}

static int is_help(const char *a)
{
  return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* What a file operand is called in messages and listings: "-" is stdin. */
static const char *shown(const char *path)
{
  return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* 1 when a reader's message m already names the input path: it starts
 * with "cannot ", "stdin: " or "PATH: " (a file too large), so that the
 * name is not said twice. */
static int names_input(const char *m, const char *path)
{
  size_t n = strlen(shown(path));
  return strncmp(m, "cannot ", 7) == 0 || strncmp(m, "stdin: ", 7) == 0 ||
         (strncmp(m, shown(path), n) == 0 && strncmp(m + n, ": ", 2) == 0);
}

int lfsimg_write_file(const char *path, const void *buf, size_t n)
{
  outfile of;
  if (lfsc_outfile_open(&of, path) != 0) {
    fprintf(stderr, "%s: cannot open %s: %s\n", progname, path, strerror(errno));
    return 1;
  }
  if (fwrite(buf, 1, n, of.fp) != n) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, path, strerror(errno));
    lfsc_outfile_abort(&of);
    return 1;
  }
  if (lfsc_outfile_commit(&of) != 0) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, path, strerror(errno));
    return 1;
  }
  return 0;
}

int lfsimg_args_end(cliopt_parser *p, int c, int min, int max, const char *const *names)
{
  if (c == CLIOPT_HELP)
    return cmd_usage(p->cmd), -1;
  if (c == CLIOPT_ERROR)
    return EXIT_USAGE;
  return cliopt_operands(p, min, max, names);
}

#define args_end lfsimg_args_end

static const char *const image_operand[] = {"image file", "module name"};

/* Parse a number the way luac.cross parses -a and -m (strtol base 0). */
static int parse_u32(const char *s, uint32_t *out)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
    return -1;
  *out = (uint32_t)v;
  return 0;
}

static void load_failed(lfsc_ctx *ctx, const char *path)
{
  const char *m = lfsc_errmsg(ctx);
  if (names_input(m, path))
    fprintf(stderr, "%s: %s\n", progname, m);
  else
    fprintf(stderr, "%s: %s: %s\n", progname, shown(path), m);
}

/* Read an image file's bytes; on failure print "lfsimg: FILE: why". A
 * Lua 5.3 file (lfsimg53_is53) goes to lfsimg53.c's commands. */
static int read_input(lfsc_ctx *ctx, const char *path, unsigned char **buf, size_t *len)
{
  if (lfsc_reader_read_image(ctx, path, buf, len)) {
    load_failed(ctx, path);
    return -1;
  }
  return 0;
}

/* Load one image: 0 and a decoded 5.1 image in *img, 1 when the file is
 * Lua 5.3 (its bytes in *buf, *len, for lfsimg53.c), -1 after printing
 * "lfsimg: FILE: why". */
static int open_image(lfsc_ctx *ctx, const char *path, reader_image **img, unsigned char **buf,
                      size_t *len)
{
  if (read_input(ctx, path, buf, len))
    return -1;
  if (lfsimg53_is53(*buf, *len))
    return 1;
  if (lfsc_reader_load(ctx, *buf, *len, img)) {
    load_failed(ctx, path);
    return -1;
  }
  return 0;
}

/* The chip whose rules an input image is checked by: the one its address
 * belongs to when it is absolute outside the chosen chip's range (an
 * ESP32 image rebased for another chip, or read without --chip, is no
 * mistake), else the chosen one (--chip, or the default). */
static const lfsc_platform *input_platform(lfsc_ctx *ctx, const unsigned char *buf, size_t len)
{
  reader_image *img;
  if (lfsc_reader_load(ctx, buf, len, &img) != LFSC_OK || !img->absolute ||
      lfsc_platform_maps(lfsimg_platform, img->base, img->flash_size))
    return lfsimg_platform;
  cli_chipfit fit;
  cli_chip_infer(&fit, NULL, 1, img->base, img->flash_size, 0, 0, img->variant);
  return fit.nchips ? fit.chips[0] : lfsimg_platform;
}

/* load() for the commands that write from an image: it must pass the
 * verifier, or with --force it is used anyway after a warning. */
static reader_image *checked(lfsc_ctx *ctx, const char *path, unsigned char *buf, size_t len,
                             int force)
{
  reader_image *img;
  int overridden;
  if (lfsimg53_is53(buf, len)) {
    fprintf(stderr, "%s: %s: a Lua 5.3 file; a 5.3 flash image is made by luac.cross --lua 5.3 "
            "-F IMG -a ADDR\n", progname, shown(path));
    return NULL;
  }
  verify_opts vo = {.platform = input_platform(ctx, buf, len)};
  if (lfsc_verify_or_refuse(ctx, buf, len, &vo, force, &img, &overridden)) {
    fprintf(stderr, "%s: %s: invalid image: %s\n", progname, shown(path), lfsc_errmsg(ctx));
    fprintf(stderr, "%s: '%s verify %s' lists every problem; --force writes anyway\n", progname,
            progname, path);
    return NULL;
  }
  if (overridden)
    fprintf(stderr, "%s: warning: %s: invalid image: %s (--force: writing anyway)\n", progname,
            shown(path), lfsc_errmsg(ctx));
  return img;
}

static reader_image *load_checked(lfsc_ctx *ctx, const char *path, int force)
{
  unsigned char *buf;
  size_t len;
  if (lfsc_reader_read_image(ctx, path, &buf, &len)) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    return NULL;
  }
  return checked(ctx, path, buf, len, force);
}

static const char *kind_name(const reader_image *img)
{
  if (!img->absolute)
    return "PI";
  return img->sig_absolute ? "ABS" : "ABS (flash dump)";
}

/* "float (double numbers, 12 bytes a value)": the preset and what it is,
 * in words a user knows (the firmware calls a value slot a TValue). */
static void print_variant(lfsc_target t)
{
  lfsc_variant v = lfsc_target_variant(t);
  printf("variant     %s (%s numbers, %u bytes a value (TValue))\n", lfsc_target_name(t),
         v.numbers == LFSC_NUM_INT32 ? "int32" : "double", (unsigned)v.tvalue_size);
}

/* Text output goes through sinks, so that diff can format a difference
 * into memory (for --json) with the same code that prints it. */
static lfsc_sink *out_stdout(void)
{
  static lfsc_sink s;
  lfsc_sink_file_init(&s, stdout);
  return &s;
}

/* Write bytes as a C/Lua-style escaped string body (JSON is json.c's). */
static void put_escaped(lfsc_sink *out, const char *s, size_t len)
{
  lfsc_escape(out, s, len, LFSC_ESCAPE_TEXT);
}

static void put_name(lfsc_sink *out, const lfsc_str *s)
{
  if (s)
    put_escaped(out, s->data, s->len);
  else
    lfsc_sink_printf(out, "?");
}

/* A JSON document on stdout: an object, whose "file" member is first. */
typedef struct json_doc {
  lfsc_sink sk;
  json_writer w;
} json_doc;

static json_writer *json_begin(json_doc *d, const char *key, const char *path)
{
  lfsc_sink_file_init(&d->sk, stdout);
  lfsc_json_init(&d->w, &d->sk);
  lfsc_json_object(&d->w, 1);
  lfsc_json_key(&d->w, key);
  lfsc_json_cstr(&d->w, path);
  return &d->w;
}

static void json_finish(json_doc *d)
{
  lfsc_json_close(&d->w);
  lfsc_json_end(&d->w);
}

static void json_name(json_writer *w, const lfsc_str *s)
{
  if (s)
    lfsc_json_text(w, s->data, s->len);
  else
    lfsc_json_null(w);
}

/* ---- info ------------------------------------------------------------- */

static int utf8_terminal(void)
{
  const char *v = getenv("LC_ALL");
  if (!v || !*v)
    v = getenv("LC_CTYPE");
  if (!v || !*v)
    v = getenv("LANG");
  return v && (strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") || strstr(v, "utf-8"));
}

/* A bar of share * 24 cells (share in 0..1), in eighths when the terminal can. */
static void put_bar(FILE *out, double share, int utf8)
{
  static const char *const eighths[] = {"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b",
                                        "\u258a", "\u2589"};
  int cells = (int)(share * 24 * 8 + 0.5);
  if (utf8) {
    for (int i = 0; i < cells / 8; i++)
      fputs("\u2588", out);
    fputs(eighths[cells % 8], out);
  } else {
    for (int i = 0; i < (cells + 4) / 8; i++)
      fputc('#', out);
  }
}

static void format_date(double ts, char *buf, size_t n)
{
  buf[0] = 0;
  if (!(ts >= -2147483648.0 && ts <= 253402300799.0))
    return;
  time_t t = (time_t)ts;
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static uint32_t string_bytes(const reader_image *img)
{
  return img->strings_end - img->strings_off;
}

enum { OPT_JSON = 256, OPT_OFFSETS, OPT_VARIANT, OPT_REGION, OPT_BASE, OPT_STRICT,
       OPT_NO_WINDOW, OPT_FIRMWARE, OPT_FLASH_SIZE, OPT_FORCE, OPT_NO_IMAGE, OPT_CHIP,
       OPT_HOST_PATH, OPT_MOCKS };

static const cliopt json_only[] = {
  {OPT_JSON, 0, "json", NULL},
  {0, 0, NULL, NULL},
};

static const cliopt info_opts[] = {
  {OPT_JSON, 0, "json", NULL},
  {OPT_CHIP, 0, "chip", "NAME"},
  {0, 0, NULL, NULL},
};

/* --chip NAME: the platform whose rules apply (lfsimg_platform) and which
 * info reports instead of inferring one. 0, or the usage status. */
static int set_chip(const char *cmd, const char *name)
{
  const lfsc_platform *pf = cli_chip_find(progname, cmd, name);
  if (!pf) {
    fprintf(stderr, "Try '%s %s --help'.\n", progname, cmd);
    return EXIT_USAGE;
  }
  lfsimg_platform = lfsimg_chip = pf;
  return 0;
}

/* What info shows, in either form: the decoded image and what is derived
 * from it. */
typedef struct info_report {
  const char *path;             /* as given; "-" is stdin */
  const reader_image *img;
  cli_chipfit chip;             /* the chip it fits: --chip, or inferred */
  char date[64];                /* the timestamp in UTC, or "" */
  unsigned version;             /* the signature's format version */
  uint32_t string_bytes;
} info_report;

static void info_fill(info_report *r, const char *path, const reader_image *img)
{
  r->path = path;
  r->img = img;
  format_date(img->has_timestamp ? img->timestamp : 0, r->date, sizeof r->date);
  r->version = (unsigned)((img->sig >> 8) & 15);
  r->string_bytes = string_bytes(img);
  cli_chip_infer(&r->chip, lfsimg_chip, img->absolute, img->base, img->flash_size,
                 (uint32_t)img->nstrings, img->nrosize, img->variant);
}

static void info_json(const info_report *r)
{
  const reader_image *img = r->img;
  uint32_t fs = img->flash_size;
  json_doc d;
  json_writer *w = json_begin(&d, "file", r->path);
  char hex[16];
  lfsc_json_key(w, "file_bytes");
  lfsc_json_uint(w, img->file_size);
  lfsc_json_key(w, "kind");
  lfsc_json_cstr(w, img->absolute ? "ABS" : "PI");
  lfsc_json_key(w, "base");
  snprintf(hex, sizeof hex, "0x%08x", (unsigned)img->base);
  lfsc_json_cstr(w, img->absolute ? hex : NULL);
  lfsc_json_key(w, "signature");
  snprintf(hex, sizeof hex, "0x%08x", (unsigned)img->sig);
  lfsc_json_cstr(w, hex);
  lfsc_json_key(w, "signature_absolute");
  lfsc_json_bool(w, img->sig_absolute);
  lfsc_json_key(w, "variant");
  lfsc_json_cstr(w, lfsc_target_name(img->variant));
  lfsc_json_key(w, "chip");
  cli_chip_json(w, &r->chip);
  lfsc_json_key(w, "tvalue_bytes");
  lfsc_json_int(w, img->tvsize);
  lfsc_json_key(w, "version");
  lfsc_json_uint(w, r->version);
  lfsc_json_key(w, "timestamp");
  if (img->has_timestamp)
    lfsc_json_double(w, img->timestamp);
  else
    lfsc_json_null(w);
  lfsc_json_key(w, "date");
  lfsc_json_cstr(w, img->has_timestamp ? r->date : NULL);
  lfsc_json_key(w, "image_bytes");
  lfsc_json_uint(w, fs);
  lfsc_json_key(w, "bitmap_bytes");
  lfsc_json_uint(w, img->bitmap_bytes);
  lfsc_json_key(w, "compressed");
  lfsc_json_bool(w, img->compressed);
  lfsc_json_key(w, "uncompressed_bytes");
  lfsc_json_uint(w, img->data_size);
  lfsc_json_key(w, "strings");
  lfsc_json_int(w, img->nstrings);
  lfsc_json_key(w, "buckets");
  lfsc_json_uint(w, img->nrosize);
  lfsc_json_key(w, "string_bytes");
  lfsc_json_uint(w, r->string_bytes);
  lfsc_json_key(w, "protos");
  lfsc_json_int(w, img->nfuncs);
  lfsc_json_key(w, "modules");
  lfsc_json_array(w, 1);
  for (int i = 0; i < img->nmodules; i++) {
    const reader_module *m = &img->modules[i];
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "name");
    if (m->name)
      lfsc_json_text(w, m->name->data, m->name->len);
    else
      lfsc_json_null(w);
    lfsc_json_key(w, "bytes");
    lfsc_json_uint(w, m->bytes);
    lfsc_json_key(w, "share");
    lfsc_json_fixed(w, fs ? (double)m->bytes / fs : 0, 4);
    lfsc_json_close(w);
  }
  lfsc_json_close(w);
  json_finish(&d);
}

/* What a user does with the image next: a PI image is a file the
 * firmware loads itself, an absolute one is flashed at its partition. */
static void info_next(const info_report *r)
{
  const reader_image *img = r->img;
  const char *name = shown(r->path);
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  if (!img->absolute) {
    printf("next        copy it to the device's file system (e.g. nodemcu-tool upload %s),\n"
           "            then run node.LFS.reload(\"%s\") on the device\n", name, base);
  } else if (r->chip.family && strcmp(r->chip.family, "esp32") == 0) {
    cli_chip_next_esp32(stdout, img->base);
  } else if (img->sig_absolute && img->base >= lfsimg_platform->window_base &&
             lfsimg_platform->window_size) {
    unsigned long off = (unsigned long)(img->base - lfsimg_platform->window_base);
    printf("next        flash it at its partition, offset 0x%lx:\n"
           "            esptool.py --chip esp8266 write_flash 0x%lx %s\n", off, off, name);
  }
}

static void info_text(const info_report *r)
{
  const reader_image *img = r->img;
  uint32_t fs = img->flash_size;
  printf("file        %s (%zu bytes%s)\n", shown(r->path), img->file_size,
         img->compressed ? ", gzip" : "");
  if (img->absolute)
    printf("kind        absolute (ABS) at 0x%08x%s\n", (unsigned)img->base,
           img->sig_absolute ? "" : ", signature bit 0 clear (relocated flash dump)");
  else
    printf("kind        position-independent (PI)\n");
  print_variant(img->variant);
  cli_chip_print(stdout, &r->chip);
  printf("signature   0x%08x, format version %u\n", (unsigned)img->sig, r->version);
  if (img->has_timestamp)
    printf("timestamp   %.14g%s%s%s\n", img->timestamp, *r->date ? " (" : "", r->date,
           *r->date ? ")" : "");
  else
    printf("timestamp   none\n");
  printf("image       %u bytes", (unsigned)fs);
  if (!img->absolute)
    printf(" + %u-byte relocation bitmap = %zu bytes uncompressed", (unsigned)img->bitmap_bytes,
           img->data_size);
  if (img->compressed)
    printf(", %zu compressed (%.1f%%)", img->file_size,
           img->data_size ? 100.0 * (double)img->file_size / (double)img->data_size : 0.0);
  printf("\n");
  printf("strings     %d in a %u-slot hash table, %u bytes (%.1f%%)\n", img->nstrings,
         (unsigned)img->nrosize, (unsigned)r->string_bytes, 100.0 * r->string_bytes / fs);
  printf("functions   %d (every Lua function, the modules' main chunks and the index)\n",
         img->nfuncs);
  printf("modules     %d\n", img->nmodules);
  int utf8 = utf8_terminal(), w = 4;
  double top = 0;               /* bars are scaled to the largest module */
  for (int i = 0; i < img->nmodules; i++)
    if ((double)img->modules[i].bytes / fs > top)
      top = (double)img->modules[i].bytes / fs;
  for (int i = 0; i < img->nmodules; i++)
    if (img->modules[i].name && (int)img->modules[i].name->len > w)
      w = (int)img->modules[i].name->len > 32 ? 32 : (int)img->modules[i].name->len;
  for (int i = 0; i < img->nmodules; i++) {
    const reader_module *m = &img->modules[i];
    double share = (double)m->bytes / fs;
    int len = m->name ? (int)m->name->len : 1;
    printf("  ");
    put_name(out_stdout(), m->name);
    printf("%*s %8u %5.1f%% ", len < w ? w - len : 0, "", (unsigned)m->bytes, 100 * share);
    put_bar(stdout, top > 0 ? share / top : 0, utf8);
    printf("\n");
  }
  info_next(r);
}

static int cmd_info(int argc, char **argv)
{
  int json = 0, c, rc;
  cliopt_parser p;
  cliopt_init(&p, "info", info_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0)
    if (c == OPT_JSON)
      json = 1;
    else if ((rc = set_chip("info", p.value)))
      return rc;
  if ((rc = args_end(&p, c, 1, 1, image_operand)))
    return rc < 0 ? 0 : rc;
  const char *path = p.operand[0];
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  unsigned char *buf;
  size_t len;
  reader_image *img = NULL;
  if ((rc = open_image(ctx, path, &img, &buf, &len)) == 1) {
    rc = lfsimg53_info(ctx, path, buf, len, json);
    lfsc_free(ctx);
    return rc;
  }
  if (!img) {
    lfsc_free(ctx);
    return 1;
  }
  info_report r;
  info_fill(&r, path, img);
  if (json)
    info_json(&r);
  else
    info_text(&r);
  lfsc_free(ctx);
  return ferror(stdout) ? 1 : 0;
}

/* ---- list, strings ---------------------------------------------------- */

static int cmd_list(int argc, char **argv)
{
  int json = 0, c, rc;
  cliopt_parser p;
  cliopt_init(&p, "list", json_only, argc, argv);
  while ((c = cliopt_next(&p)) > 0)
    json = 1;
  if ((rc = args_end(&p, c, 1, 1, image_operand)))
    return rc < 0 ? 0 : rc;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  reader_image *img = NULL;
  if (ctx && open_image(ctx, p.operand[0], &img, &buf, &len) == 1) {
    rc = lfsimg53_list(ctx, p.operand[0], buf, len, json);
    lfsc_free(ctx);
    return rc;
  }
  if (img && json) {
    json_doc d;
    json_writer *w = json_begin(&d, "file", p.operand[0]);
    lfsc_json_key(w, "modules");
    lfsc_json_array(w, 1);
    for (int i = 0; i < img->nmodules; i++)
      json_name(w, img->modules[i].name);
    lfsc_json_close(w);
    json_finish(&d);
  } else if (img) {
    for (int i = 0; i < img->nmodules; i++) {
      put_name(out_stdout(), img->modules[i].name);
      putchar('\n');
    }
  }
  lfsc_free(ctx);
  return img && !ferror(stdout) ? 0 : 1;
}

static const cliopt strings_opts[] = {
  {OPT_OFFSETS, 0, "offsets", NULL},
  {OPT_JSON, 0, "json", NULL},
  {0, 0, NULL, NULL},
};

static int cmd_strings(int argc, char **argv)
{
  int offsets = 0, json = 0, c, rc;
  cliopt_parser p;
  cliopt_init(&p, "strings", strings_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0)
    *(c == OPT_JSON ? &json : &offsets) = 1;
  if ((rc = args_end(&p, c, 1, 1, image_operand)))
    return rc < 0 ? 0 : rc;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  reader_image *img = NULL;
  if (ctx && open_image(ctx, p.operand[0], &img, &buf, &len) == 1) {
    rc = lfsimg53_strings(ctx, p.operand[0], buf, len, json, offsets);
    lfsc_free(ctx);
    return rc;
  }
  if (img && json) {
    json_doc d;
    json_writer *w = json_begin(&d, "file", p.operand[0]);
    lfsc_json_key(w, "strings");
    lfsc_json_array(w, 1);
    for (int i = 0; i < img->nstrings; i++) {
      const reader_string *s = &img->strings[i];
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "offset");
      lfsc_json_uint(w, s->off);
      lfsc_json_key(w, "hash");
      lfsc_json_uint(w, s->hash);
      lfsc_json_key(w, "text");
      lfsc_json_text(w, s->s->data, s->s->len);
      lfsc_json_close(w);
    }
    lfsc_json_close(w);
    json_finish(&d);
  } else if (img) {
    for (int i = 0; i < img->nstrings; i++) {
      const reader_string *s = &img->strings[i];
      if (offsets)
        printf("0x%05x %08x ", (unsigned)s->off, (unsigned)s->hash);
      putchar('"');
      put_escaped(out_stdout(), s->s->data, s->s->len);
      printf("\"\n");
    }
  }
  lfsc_free(ctx);
  return img && !ferror(stdout) ? 0 : 1;
}

/* ---- dis -------------------------------------------------------------- */

static const reader_module *find_module(const reader_image *img, const char *name)
{
  size_t n = strlen(name);
  for (int i = 0; i < img->nmodules; i++) {
    const lfsc_str *s = img->modules[i].name;
    if (s && s->len == n && memcmp(s->data, name, n) == 0)
      return &img->modules[i];
  }
  return NULL;
}

static const cliopt dis_opts[] = {
  {'l', 'l', "short", NULL},
  {0, 0, NULL, NULL},
};

static int cmd_dis(int argc, char **argv)
{
  int full = 1, c, rc;
  cliopt_parser p;
  cliopt_init(&p, "dis", dis_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0)
    full = 0;
  if ((rc = args_end(&p, c, 1, 2, image_operand)))
    return rc < 0 ? 0 : rc;
  const char *path = p.operand[0], *mod = p.operand[1];
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  reader_image *img = NULL;
  if (ctx && open_image(ctx, path, &img, &buf, &len) == 1) {
    rc = lfsimg53_dis(ctx, path, buf, len, mod, full);
    lfsc_free(ctx);
    return rc;
  }
  rc = 1;
  if (img) {
    const lfsc_proto *f = img->main;
    if (mod) {
      const reader_module *m = find_module(img, mod);
      if (!m) {
        fprintf(stderr, "%s: %s: no module named '%s' (see '%s list %s')\n", progname,
                shown(path), mod, progname, path);
        lfsc_free(ctx);
        return 1;
      }
      f = m->proto;
    }
    rc = lfsc_listing_print(out_stdout(), f, full, img->variant) ? 1 : 0;
  }
  lfsc_free(ctx);
  return rc;
}

/* ---- verify ----------------------------------------------------------- */

static const cliopt verify_opts_table[] = {
  {OPT_VARIANT, 0, "variant", "V"},
  {OPT_REGION, 0, "region-size", "N"},
  {OPT_BASE, 0, "base", "ADDR"},
  {OPT_STRICT, 0, "strict", NULL},
  {OPT_NO_WINDOW, 0, "no-window-check", NULL},
  {OPT_FIRMWARE, 0, "firmware", "FW"},
  {OPT_FLASH_SIZE, 0, "flash-size", "S"},
  {OPT_CHIP, 0, "chip", "NAME"},
  {'q', 'q', "quiet", NULL},
  {OPT_JSON, 0, "json", NULL},
  {0, 0, NULL, NULL},
};

static const char *const where_name[] = {"none", "image", "file"};

/* What verify found, for either form: the verifier's report, or when the
 * check could not run (unreadable file, no image) one error, failure, and
 * no image. */
typedef struct verify_result {
  const char *path;             /* as given; "-" is stdin */
  verify_report rep;
  verify_problem failed;        /* the one problem when failure is set */
  const char *failure;          /* its message (may be longer than a problem's) */
} verify_result;

static void verify_failed(verify_result *r, const char *msg)
{
  memset(&r->rep, 0, sizeof r->rep);
  memset(&r->failed, 0, sizeof r->failed);
  r->failed.severity = VERIFY_ERROR;
  r->failed.where = VERIFY_AT_NONE;
  r->rep.problems = &r->failed;
  r->rep.nproblems = r->rep.errors = 1;
  r->failure = msg;
}

/* verify --json: the verdict, every kept problem and the image's kind. */
static void verify_json(const verify_result *r)
{
  const verify_report *rep = &r->rep;
  json_doc d;
  json_writer *w = json_begin(&d, "file", r->path);
  lfsc_json_key(w, "ok");
  lfsc_json_bool(w, rep->errors == 0);
  lfsc_json_key(w, "errors");
  lfsc_json_int(w, rep->errors);
  lfsc_json_key(w, "warnings");
  lfsc_json_int(w, rep->warnings);
  lfsc_json_key(w, "problems");
  lfsc_json_array(w, 1);
  for (int i = 0; i < rep->nproblems; i++) {
    const verify_problem *p = &rep->problems[i];
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "severity");
    lfsc_json_cstr(w, p->severity == VERIFY_ERROR ? "error" : "warning");
    lfsc_json_key(w, "where");
    lfsc_json_cstr(w, where_name[p->where]);
    lfsc_json_key(w, "offset");
    if (p->where != VERIFY_AT_NONE)
      lfsc_json_uint(w, p->offset);
    else
      lfsc_json_null(w);
    lfsc_json_key(w, "message");
    lfsc_json_cstr(w, r->failure ? r->failure : p->msg);
    lfsc_json_close(w);
  }
  lfsc_json_close(w);
  lfsc_json_key(w, "problems_not_shown");
  lfsc_json_int(w, rep->errors + rep->warnings - rep->nproblems);
  lfsc_json_key(w, "run_safe");
  if (rep->img)
    lfsc_json_bool(w, rep->run_unsafe == 0);
  else
    lfsc_json_null(w);
  lfsc_json_key(w, "run_unsafe");
  if (rep->run_unsafe) {
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "functions");
    lfsc_json_int(w, rep->run_unsafe);
    lfsc_json_key(w, "offset");
    lfsc_json_uint(w, rep->unsafe_off);
    lfsc_json_key(w, "message");
    lfsc_json_cstr(w, rep->unsafe_msg);
    lfsc_json_close(w);
  } else {
    lfsc_json_null(w);
  }
  lfsc_json_key(w, "image");
  const reader_image *img = rep->img;
  if (img) {
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "variant");
    lfsc_json_cstr(w, lfsc_target_name(img->variant));
    lfsc_json_key(w, "kind");
    lfsc_json_cstr(w, img->absolute ? "ABS" : "PI");
    lfsc_json_key(w, "signature_absolute");
    lfsc_json_bool(w, img->sig_absolute);
    lfsc_json_key(w, "modules");
    lfsc_json_int(w, img->nmodules);
    lfsc_json_close(w);
  } else {
    lfsc_json_null(w);
  }
  json_finish(&d);
}

/* verify as text: each problem (unless quiet), then the verdict. A check
 * that could not run has said why on stderr and prints nothing here. */
static void verify_text(const verify_result *r, int quiet)
{
  const verify_report *rep = &r->rep;
  const char *path = shown(r->path);
  if (r->failure)
    return;
  if (!quiet)
    for (int i = 0; i < rep->nproblems; i++) {
      const verify_problem *q = &rep->problems[i];
      const char *sev = q->severity == VERIFY_ERROR ? "error" : "warning";
      if (q->where == VERIFY_AT_IMAGE)
        printf("%s:0x%05x: %s: %s\n", path, (unsigned)q->offset, sev, q->msg);
      else if (q->where == VERIFY_AT_FILE)
        printf("%s: file offset 0x%x: %s: %s\n", path, (unsigned)q->offset, sev, q->msg);
      else
        printf("%s: %s: %s\n", path, sev, q->msg);
    }
  int shown_n = rep->nproblems, total = rep->errors + rep->warnings;
  if (!quiet && total > shown_n)
    printf("%s: ... and %d more problems not shown\n", path, total - shown_n);
  if (rep->errors == 0) {
    const reader_image *img = rep->img;
    printf("%s: valid %s %s image, %d module%s", path, lfsc_target_name(img->variant),
           kind_name(img), img->nmodules, img->nmodules == 1 ? "" : "s");
    if (rep->warnings)
      printf(", %d warning%s", rep->warnings, rep->warnings == 1 ? "" : "s");
    printf("\n");
    /* the run-safe level: its own line, not part of the device's verdict */
    if (rep->run_unsafe)
      printf("%s:0x%05x: not run-safe (%d function%s; 'lfsimg run' refuses it): %s\n", path,
             (unsigned)rep->unsafe_off, rep->run_unsafe, rep->run_unsafe == 1 ? "" : "s",
             rep->unsafe_msg);
  } else {
    printf("%s: INVALID: %d error%s, %d warning%s\n", path, rep->errors,
           rep->errors == 1 ? "" : "s", rep->warnings, rep->warnings == 1 ? "" : "s");
  }
}

static int cmd_verify(int argc, char **argv)
{
  verify_opts o;
  memset(&o, 0, sizeof o);
  o.platform = lfsimg_platform;
  int quiet = 0, json = 0, nfw = 0, c, rc;
  const char *fws[2], *flash_size = NULL;
  cliopt_parser p;
  cliopt_init(&p, "verify", verify_opts_table, argc, argv);
  while ((c = cliopt_next(&p)) > 0) {
    const char *val = p.value;
    switch (c) {
    case OPT_VARIANT:
      /* a 5.3 variant is checked against the file below */
      if (lfsc_target_parse(val, &o.variant) ||
          lfsc_target_variant(o.variant).format != LFSC_FORMAT_NODEMCU)
        return usage_error("verify", "unknown variant '%s' (float, float16 or int)", val);
      o.have_variant = 1;
      break;
    case OPT_REGION:
      if (parse_u32(val, &o.region_size) || o.region_size == 0)
        return usage_error("verify", "bad region size '%s'", val);
      break;
    case OPT_BASE:
      if (parse_u32(val, &o.base))
        return usage_error("verify", "bad address '%s'", val);
      o.have_base = 1;
      break;
    case OPT_STRICT: o.strict_loader = 1; break;
    case OPT_NO_WINDOW: o.limits |= LFSC_PLATFORM_NO_WINDOW; break;
    case OPT_FLASH_SIZE: flash_size = val; break;
    case OPT_FIRMWARE:
      if (nfw == 2)
        return usage_error("verify", "%s", "at most two --firmware files");
      fws[nfw++] = val;
      break;
    case 'q': quiet = 1; break;
    case OPT_CHIP:
      if ((rc = set_chip("verify", val)))
        return rc;
      o.platform = lfsimg_platform;
      break;
    default: json = 1; break;
    }
  }
  if ((rc = args_end(&p, c, 1, 1, image_operand)))
    return rc < 0 ? 0 : rc;
  verify_result r = {.path = p.operand[0]};
  if (nfw && !lfsimg_platform->window_size)
    return usage_error("verify", "'--firmware' reads NodeMCU ESP8266 firmware, not the %s's",
                       lfsimg_platform->label);
  if (nfw) {
    rc = lfsimg_fw_verify_opts(nfw, fws, flash_size, &o);
    if (rc)
      return rc;
  }
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  unsigned char *buf;
  size_t len;
  int read_failed = lfsc_reader_read_image(ctx, r.path, &buf, &len);
  if (!read_failed && lfsimg53_is53(buf, len)) {
    rc = lfsimg53_verify(ctx, r.path, buf, len, o.have_variant, o.variant, quiet, json);
    lfsc_free(ctx);
    return rc;
  }
  if (o.have_variant && lfsc_target_variant(o.variant).lua != LFSC_LUA51) {
    lfsc_free(ctx);
    return usage_error("verify", "unknown variant '%s' (float, float16 or int)",
                       lfsc_target_name(o.variant));
  }
  int verified = !read_failed && lfsc_verify_image(ctx, buf, len, &o, &r.rep) == LFSC_OK;
  const reader_image *vi = verified ? r.rep.img : NULL;
  if (vi && vi->absolute && !lfsimg_chip && o.platform &&
      !lfsc_platform_maps(o.platform, vi->base, vi->flash_size)) {
    /* no --chip: an absolute image is checked by the chip its address
     * belongs to (0x3F430000 is an ESP32's, not a mistake) */
    cli_chipfit fit;
    cli_chip_infer(&fit, NULL, 1, vi->base, vi->flash_size, 0, 0, vi->variant);
    if (fit.nchips) {
      o.platform = fit.chips[0];
      if (!json)
        fprintf(stderr, "%s: note: %s: checked by the %s's rules (its address; --chip to "
                "choose)\n", progname, shown(r.path), o.platform->label);
      verified = lfsc_verify_image(ctx, buf, len, &o, &r.rep) == LFSC_OK;
    }
  }
  if (!verified) {
    const char *m = lfsc_errmsg(ctx);
    int named = names_input(m, r.path);
    fprintf(stderr, "%s: %s%s%s\n", progname, named ? "" : shown(r.path), named ? "" : ": ", m);
    verify_failed(&r, m);
  }
  if (json)
    verify_json(&r);
  else
    verify_text(&r, quiet);
  rc = r.rep.errors ? 1 : json && ferror(stdout) ? 1 : 0;
  lfsc_free(ctx);
  return rc;
}

/* ---- reloc ------------------------------------------------------------ */

static const cliopt reloc_opts[] = {
  {OPT_BASE, 'a', "base", "ADDR"},
  {OPT_FORCE, 0, "force", NULL},
  {OPT_NO_WINDOW, 0, "no-window-check", NULL},
  {OPT_CHIP, 0, "chip", "NAME"},
  {0, 0, NULL, NULL},
};

static int cmd_reloc(int argc, char **argv)
{
  static const char *const names[] = {"input image", "output file"};
  uint32_t base = 0;
  int have_base = 0, force = 0, c, rc;
  unsigned limits = 0;
  cliopt_parser p;
  cliopt_init(&p, "reloc", reloc_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0) {
    if (c == OPT_NO_WINDOW)
      limits |= LFSC_PLATFORM_NO_WINDOW;
    else if (c == OPT_FORCE)
      force = 1;
    else if (c == OPT_CHIP) {
      if ((rc = set_chip("reloc", p.value)))
        return rc;
    }
    else if (parse_u32(p.value, &base))
      return usage_error("reloc", "bad address '%s'", p.value);
    else
      have_base = 1;
  }
  if ((rc = args_end(&p, c, 2, 2, names)))
    return rc < 0 ? 0 : rc;
  if (!have_base)
    return usage_error("reloc", "%s", "missing --base ADDR");
  const char *in = p.operand[0], *outp = p.operand[1];
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  if (lfsimg_platform->check_addr(ctx, base, limits)) {
    fprintf(stderr, "%s: reloc: --base: %s\n", progname, lfsc_errmsg(ctx));
    cli_chip_hint(stderr, progname, lfsimg_platform, base);
    lfsc_free(ctx);
    return EXIT_USAGE;
  }
  reader_image *img = load_checked(ctx, in, force);
  if (!img) {
    lfsc_free(ctx);
    return 1;
  }
  if (lfsimg_platform->check_image(ctx, 1, base, img->flash_size, limits)) {
    fprintf(stderr, "%s: reloc: %s: %s\n", progname, shown(in), lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  unsigned char *outb;
  if (lfsc_reader_relocate(ctx, img, base, &outb)) {
    fprintf(stderr, "%s: %s: %s (run '%s verify')\n", progname, shown(in), lfsc_errmsg(ctx),
            progname);
    lfsc_free(ctx);
    return 1;
  }
  rc = lfsimg_write_file(outp, outb, img->flash_size);
  lfsc_free(ctx);
  return rc;
}

/* ---- extract ---------------------------------------------------------- */

static const cliopt extract_opts[] = {
  {'t', 't', "target", "TARGET"},
  {'o', 'o', "output", "FILE"},
  {'s', 's', "strip", NULL},
  {OPT_FORCE, 0, "force", NULL},
  {0, 0, NULL, NULL},
};

static int cmd_extract(int argc, char **argv)
{
  const char *outp = NULL, *tname = NULL;
  int strip = 0, force = 0, c, rc;
  cliopt_parser p;
  cliopt_init(&p, "extract", extract_opts, argc, argv);
  while ((c = cliopt_next(&p)) > 0) {
    if (c == 'o')
      outp = p.value;
    else if (c == 't')
      tname = p.value;
    else if (c == 's')
      strip = 1;
    else
      force = 1;
  }
  if ((rc = args_end(&p, c, 2, 2, image_operand)))
    return rc < 0 ? 0 : rc;
  const char *path = p.operand[0], *mod = p.operand[1];
  if (!outp)
    return usage_error("extract", "%s", "missing -o FILE");
  lfsc_target t = LFSC_TARGET_FLOAT;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  if (!ctx)
    return 1;
  if (lfsc_reader_read_image(ctx, path, &buf, &len)) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  if (lfsimg53_is53(buf, len)) {
    rc = lfsimg53_extract(ctx, path, buf, len, mod, outp, tname, strip, force);
    lfsc_free(ctx);
    return rc;
  }
  if (tname && (lfsc_target_parse(tname, &t) || lfsc_target_variant(t).lua != LFSC_LUA51)) {
    lfsc_free(ctx);
    return usage_error("extract", "unknown target '%s' (float, float16, int or host)", tname);
  }
  reader_image *img = checked(ctx, path, buf, len, force);
  if (!img) {
    lfsc_free(ctx);
    return 1;
  }
  if (!tname)
    t = img->variant;
  const reader_module *m = find_module(img, mod);
  if (!m) {
    fprintf(stderr, "%s: %s: no module named '%s' (see '%s list %s')\n", progname, shown(path),
            mod, progname, path);
    lfsc_free(ctx);
    return 1;
  }
  outfile of;
  if (lfsc_outfile_open(&of, outp) != 0) {
    fprintf(stderr, "%s: cannot open %s: %s\n", progname, outp, strerror(errno));
    lfsc_free(ctx);
    return 1;
  }
  lfsc_sink sk;
  lfsc_sink_file_init(&sk, of.fp);
  rc = lfsc_lc_write(ctx, m->proto, t, strip, &sk);
  if (rc == LFSC_OK)
    rc = sk.status;
  if (rc != LFSC_OK) {
    if (rc == LFSC_EIO)
      fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
    else
      fprintf(stderr, "%s: %s: module '%s' cannot be written for %s: %s\n", progname,
              shown(path), mod, lfsc_target_name(t), lfsc_errmsg(ctx));
    lfsc_outfile_abort(&of);
    lfsc_free(ctx);
    return 1;
  }
  if (lfsc_outfile_commit(&of) != 0) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
    lfsc_free(ctx);
    return 1;
  }
  lfsc_free(ctx);
  return 0;
}

/* ---- diff ------------------------------------------------------------- */

static void put_const(lfsc_sink *out, const lfsc_const *k, lfsc_target v)
{
  switch (k->type) {
  case LFSC_K_NIL: lfsc_sink_printf(out, "nil"); break;
  case LFSC_K_BOOL: lfsc_sink_printf(out, "%s", k->u.b ? "true" : "false"); break;
  case LFSC_K_NUM:
    if (lfsc_target_variant(v).numbers == LFSC_NUM_INT32)
      lfsc_sink_printf(out, "%d", (int)k->u.n);
    else
      lfsc_sink_printf(out, "%.14g", k->u.n);
    break;
  case LFSC_K_STR:
    lfsc_sink_printf(out, "\"");
    put_escaped(out, k->u.s->data, k->u.s->len);
    lfsc_sink_printf(out, "\"");
    break;
  case LFSC_K_INT:
    lfsc_sink_printf(out, "%" PRId64, k->u.i);
    break;
  }
}

/* Where a difference is, as "main chunk > function[0] (line 3) > ...". */
static void diff_where(char *path, size_t n, const lfsc_proto *root, const lfsc_protodiff *d)
{
  snprintf(path, n, "main chunk");
  const lfsc_proto *p = root;
  for (int k = 0; k < d->depth; k++) {
    size_t len = strlen(path);
    p = p->p[d->path[k]];
    snprintf(path + len, n - len, " > function[%d] (line %d)", d->path[k], p->linedefined);
  }
}

static int line_of(const lfsc_proto *p, int pc)
{
  return p->lineinfo && pc < p->sizelineinfo ? p->lineinfo[pc] : 0;
}

/* What the difference is, one line (va and vb: the images' variants, for
 * numbers). */
static void diff_detail(lfsc_sink *o, const lfsc_protodiff *d, lfsc_target va, lfsc_target vb)
{
  const lfsc_proto *x = d->x, *y = d->y;
  int pc = d->at;
  switch (d->what) {
  case LFSC_PROTODIFF_HEADER:
    lfsc_sink_printf(o, "header differs: params %d/%d, vararg %d/%d, upvalues %d/%d, stack %d/%d",
         x->numparams, y->numparams, x->is_vararg, y->is_vararg, x->nups, y->nups,
         x->maxstacksize, y->maxstacksize);
    break;
  case LFSC_PROTODIFF_SIZECODE:
    lfsc_sink_printf(o, "%d instructions vs %d", x->sizecode, y->sizecode);
    break;
  case LFSC_PROTODIFF_CODE:
    lfsc_sink_printf(o, "instruction %d", pc + 1);
    if (line_of(x, pc) || line_of(y, pc))
      lfsc_sink_printf(o, " (line %d / %d)", line_of(x, pc), line_of(y, pc));
    lfsc_sink_printf(o, ": ");
    lfsc_listing_instr(o, x, pc, LFSC_INSTR_FIELDS, va, 1);
    lfsc_sink_printf(o, "  vs  ");
    lfsc_listing_instr(o, y, pc, LFSC_INSTR_FIELDS, vb, 1);
    break;
  case LFSC_PROTODIFF_CONST:
    lfsc_sink_printf(o, "constant %d: ", d->at);
    put_const(o, &x->k[d->at], va);
    lfsc_sink_printf(o, "  vs  ");
    put_const(o, &y->k[d->at], vb);
    break;
  case LFSC_PROTODIFF_SIZEK:
    lfsc_sink_printf(o, "%d constants vs %d", x->sizek, y->sizek);
    break;
  case LFSC_PROTODIFF_SIZEP:
    lfsc_sink_printf(o, "%d nested functions vs %d", x->sizep, y->sizep);
    break;
  case LFSC_PROTODIFF_SAME:
    break;
  }
}

/* One module of the report, as text or as a member of the JSON "modules"
 * array. */
static void diff_module(json_writer *w, const lfsc_imgdiff_module *m, const reader_image *a,
                        const reader_image *b, const char *pa, const char *pb,
                        lfsc_sink *detail)
{
  static const char *const change_name[] = {"only_in_a", "only_in_b", "changed", "debug_only"};
  int changed = m->change == LFSC_IMGDIFF_CHANGED;
  char where[512];
  detail->len = 0;
  if (changed) {
    diff_where(where, sizeof where, m->a->proto, &m->where);
    diff_detail(detail, &m->where, a->variant, b->variant);
  }
  if (w) {
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "name");
    json_name(w, m->name);
    lfsc_json_key(w, "change");
    lfsc_json_cstr(w, change_name[m->change]);
    lfsc_json_key(w, "where");
    lfsc_json_cstr(w, changed ? where : NULL);
    lfsc_json_key(w, "detail");
    if (changed)
      lfsc_json_text(w, detail->buf, detail->len);
    else
      lfsc_json_null(w);
    lfsc_json_close(w);
    return;
  }
  lfsc_sink *o = out_stdout();
  lfsc_sink_printf(o, "%s", (const char *const[]){"- ", "+ ", "~ ", "  "}[m->change]);
  put_name(o, m->name);
  if (changed) {
    lfsc_sink_printf(o, " (changed)\n    %s: ", where);
    lfsc_sink_write(o, detail->buf, detail->len);
    lfsc_sink_printf(o, "\n");
  } else if (m->change == LFSC_IMGDIFF_DEBUG_ONLY) {
    lfsc_sink_printf(o, " (same code; line info or debug names differ)\n");
  } else {
    lfsc_sink_printf(o, " (only in %s)\n", shown(m->change == LFSC_IMGDIFF_ONLY_IN_A ? pa : pb));
  }
}

/* The diff report, as text or JSON. */
static void diff_print(const lfsc_imgdiff *r, const reader_image *a, const reader_image *b,
                       const char *pa, const char *pb, int json)
{
  json_doc doc;
  json_writer *w = NULL;
  if (json) {
    w = json_begin(&doc, "a", pa);
    lfsc_json_key(w, "b");
    lfsc_json_cstr(w, pb);
    lfsc_json_key(w, "variant");
    if (r->variant_differs) {
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "a");
      lfsc_json_cstr(w, lfsc_target_name(a->variant));
      lfsc_json_key(w, "b");
      lfsc_json_cstr(w, lfsc_target_name(b->variant));
      lfsc_json_close(w);
    } else {
      lfsc_json_null(w);
    }
    lfsc_json_key(w, "modules");
    lfsc_json_array(w, 1);
  } else if (r->variant_differs) {
    printf("variant: %s vs %s\n", lfsc_target_name(a->variant), lfsc_target_name(b->variant));
  }
  lfsc_sink detail;
  lfsc_sink_mem_init(&detail);
  for (int i = 0; i < r->nmods; i++)
    diff_module(w, &r->mods[i], a, b, pa, pb, &detail);
  lfsc_sink_mem_free(&detail);
  if (json) {
    lfsc_json_close(w);
    lfsc_json_key(w, "order_differs");
    lfsc_json_bool(w, r->order_differs);
    lfsc_json_key(w, "differences");
    lfsc_json_int(w, r->differences);
    lfsc_json_key(w, "equivalent");
    lfsc_json_bool(w, !r->differences);
    json_finish(&doc);
  } else {
    /* order alone is no difference (modules are found by name), but it
     * is said, as the JSON's order_differs does */
    if (r->order_differs)
      printf("module order differs\n");
    if (r->differences)
      printf("%d difference%s\n", r->differences, r->differences == 1 ? "" : "s");
    else
      printf("equivalent: %d module%s, same code and constants\n", a->nmodules,
             a->nmodules == 1 ? "" : "s");
  }
}

static int cmd_diff(int argc, char **argv)
{
  static const char *const names[] = {"image file A", "image file B"};
  int json = 0, c, rc;
  cliopt_parser p;
  cliopt_init(&p, "diff", json_only, argc, argv);
  while ((c = cliopt_next(&p)) > 0)
    json = 1;
  if ((rc = args_end(&p, c, 2, 2, names)))
    return rc < 0 ? 0 : rc;
  const char *pa = p.operand[0], *pb = p.operand[1];
  if (strcmp(pa, "-") == 0 && strcmp(pb, "-") == 0)
    return usage_error("diff", "%s", "only one of the two images can be '-' (stdin)");
  /* One context for both, so equal strings are equal pointers. */
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *ba, *bb;
  size_t la, lb;
  reader_image *a = NULL, *b = NULL;
  int ka = ctx ? open_image(ctx, pa, &a, &ba, &la) : -1;
  int kb = ka >= 0 ? open_image(ctx, pb, &b, &bb, &lb) : -1;
  if (ka >= 0 && kb >= 0 && (ka == 1 || kb == 1)) {
    /* a 5.3 pair, or 5.1 against 5.3 */
    rc = lfsimg53_diff(ctx, pa, ba, la, pb, bb, lb, json);
    lfsc_free(ctx);
    return rc;
  }
  if (!b) {
    lfsc_free(ctx);
    return EXIT_USAGE;
  }
  lfsc_imgdiff r;
  if (lfsc_imgdiff_compare(ctx, a, b, &r) != LFSC_OK) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  diff_print(&r, a, b, pa, pb, json);
  lfsc_free(ctx);
  return r.differences ? 1 : 0;
}

/* ---- run ------------------------------------------------------------- */

/* lfsimg run IMAGE [lua5.1-style options] [script [args]]: lfsimg's
 * options before IMAGE, lua5.1's after it (lua_args); runtime.c runs
 * what they ask for. */
static const cliopt run_opts[] = {
  {OPT_NO_IMAGE, 0, "no-image", NULL},
  {OPT_HOST_PATH, 0, "host-path", NULL},
  {OPT_MOCKS, 0, "mocks", "FILE"},
  {OPT_CHIP, 0, "chip", "NAME"},
  {0, 0, NULL, NULL},
};

#if defined(LFSC_HAVE_RUNTIME) || defined(LFSC_HAVE_RUNTIME53)
/* lua5.1's options after IMG: whole arguments, -e and -l with their
 * value attached or next; "-" and "--" as lua5.1; mistakes in its words. */
static const cliopt lua_opts[] = {
  {'e', 'e', NULL, "STAT"},
  {'l', 'l', NULL, "MOD"},
  {'i', 'i', NULL, NULL},
  {0, 0, NULL, NULL},
};

/* Parse argv[1..] (argv[0] is IMG) into ra; 0, or 2 after a usage error. */
int lfsimg_lua_args(int argc, char **argv, runtime_args *ra, runtime_action *acts)
{
  cliopt_parser p;
  int c;
  cliopt_init(&p, "run", lua_opts, argc, argv);
  p.stop_at_operand = 1;
  p.forms = CLIOPT_LUA51;
  while ((c = cliopt_next(&p)) > 0) {
    if (c == 'i') {
      ra->interactive = 1;
    } else {
      acts[ra->nactions].what = (char)c;
      acts[ra->nactions++].value = p.value;
    }
  }
  if (c == CLIOPT_ERROR) {
    if (p.error == CLIOPT_E_NEEDS_VALUE)
      fprintf(stderr, "%s: run: '%s' needs an argument\n", progname, p.opt);
    else
      fprintf(stderr, "%s: run: unknown option %s\n", progname, p.word);
    fprintf(stderr, "Try '%s run --help'.\n", progname);
    return EXIT_USAGE;
  }
  ra->script = p.i < argc ? p.i : 0;
  return 0;
}
#endif

static int cmd_run(int argc, char **argv)
{
  static const char *const names[] = {"image file (or --no-image)"};
  cliopt_parser p;
  int c, rc;
  cliopt_init(&p, "run", run_opts, argc, argv);
  p.stop_at_operand = 1;        /* what follows IMG is lua5.1's command line */
  runtime_args opts = {0};
  /* --chip: the chip whose default mapped address a PI image gets */
  while ((c = cliopt_next(&p)) == OPT_HOST_PATH || c == OPT_MOCKS || c == OPT_CHIP) {
    if (c == OPT_HOST_PATH)
      opts.host_path = 1;
    else if (c == OPT_MOCKS)
      opts.mocks = p.value;
    else if ((rc = set_chip("run", p.value)))
      return rc;
  }
  if (c == OPT_NO_IMAGE)
    p.i--;                      /* lfsc_runtime_main sees it where IMG would be */
  else if (c == CLIOPT_END && p.i < argc)
    p.noperands = 1;
  else if ((rc = args_end(&p, c, 1, 1, names)))
    return rc < 0 ? 0 : rc;
  argc -= p.i;
  argv += p.i;
  if (strcmp(argv[0], "-") == 0)
    for (int i = 1; i < argc; i++)
      if (strcmp(argv[i], "-") == 0)
        return usage_error("run", "%s", "the image and the script cannot both come from stdin");
  if (strcmp(argv[0], "--no-image") != 0 && strcmp(argv[0], "-") != 0) {
    /* a 5.3 image runs on the 5.3 runtime (from a file: stdin is 5.1's) */
    lfsc_ctx *ctx = lfsc_new();
    unsigned char *buf;
    size_t len;
    if (!ctx)
      return 1;
    int read = lfsc_reader_read_image(ctx, argv[0], &buf, &len) == 0;
    if (read && lfsimg53_is53(buf, len)) {
      rc = lfsimg53_run(argc, argv, buf, len, &opts);
      lfsc_free(ctx);
      return rc;
    }
    /* an absolute image runs on the chip its address belongs to */
    if (read && !lfsimg_chip)
      lfsimg_platform = input_platform(ctx, buf, len);
    lfsc_free(ctx);
  }
#ifdef LFSC_HAVE_RUNTIME
  runtime *rt = lfsc_runtime_new(progname, lfsimg_platform);
  runtime_action *acts = malloc((size_t)argc * sizeof *acts);
  if (!rt || !acts) {
    fprintf(stderr, "%s: %s\n", progname,
            lfsc_runtime_unavailable() ? lfsc_runtime_unavailable() : "not enough memory");
    lfsc_runtime_free(rt);
    free(acts);
    return 1;
  }
  /* the image is loaded before the rest of the command line is read */
  if (strcmp(argv[0], "--no-image") != 0 && lfsc_runtime_load_image(rt, argv[0])) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_runtime_error(rt));
    rc = 1;
  } else {
    runtime_args ra = {.argc = argc, .argv = argv, .actions = acts,
                       .host_path = opts.host_path, .mocks = opts.mocks};
    rc = lfsimg_lua_args(argc, argv, &ra, acts);
    if (rc == 0)
      rc = lfsc_runtime_main(rt, &ra);
  }
  free(acts);
  lfsc_runtime_free(rt);
  return rc;
#else
  fprintf(stderr, "%s: run: not available in this build (no liblua5.1)\n", progname);
  return 1;
#endif
}

/* ---- dispatch --------------------------------------------------------- */

static int cmd_help(int argc, char **argv);

/* The rest of reloc's help, which names the platform's window. */
static void reloc_help(const lfsc_platform *pf)
{
  if (!pf->window_size)         /* the text goes on about the ESP8266's window */
    pf = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  printf("maps at 0x%08lx (from 0x%08lx, after the boot area).\n"
         "IN must pass 'verify'.\n"
         "  --chip NAME        the chip ADDR is for: esp8266 (default), esp32, esp32s2,\n"
         "                     esp32s3, esp32c3, esp32c6, esp32h2\n"
         "  --force            write even from an image that 'verify' rejects (with a warning)\n"
         "  --no-window-check  only require ADDR word aligned in 0x%08lx..0x%08lx\n"
         "                     (for an ESP32 chip: anywhere)\n",
         (unsigned long)pf->window_base, (unsigned long)pf->addr_min,
         (unsigned long)pf->addr_min, (unsigned long)pf->ref_addr_max);
}

static const command commands[] = {
  {"info", cmd_info, "[--chip NAME] [--json] IMG",
   "Describe an image: kind (PI or absolute and its base), firmware variant, the chip\n"
   "it fits, format version, timestamp, sizes (image, bitmap, compressed, strings and\n"
   "buckets) and the modules with each one's share of the image. NodeMCU Lua 5.3 files\n"
   "(an LFS image, a -a flash image or a .lc) are read by their header: every command\n"
   "but reloc takes them; info says the 5.3 variant, seed and timestamp.\n"
   "  --chip NAME   the chip (esp8266, esp32, esp32s2, esp32s3, esp32c3, esp32c6,\n"
   "                esp32h2); else inferred from an absolute image's address, a 5.1\n"
   "                string table sized by the ESP32 rule or a variant only one family\n"
   "                has, and said how\n"
   "  --json        machine-readable output\n"},
  {"list", cmd_list, "[--json] IMG",
   "Print the module names, one a line (what node.flashindex() lists).\n"
   "  --json   machine-readable output\n"},
  {"dis", cmd_dis, "[-l] IMG [MODULE]",
   "Disassemble the whole image (index function first) or one module, as\n"
   "luac -l -l does: code with line numbers, constants, locals and upvalues.\n"
   "  -l, --short   code only, like luac -l\n"},
  {"strings", cmd_strings, "[--offsets] [--json] IMG",
   "Print the read-only string table in image order, one quoted string a line\n"
   "(\\\" \\\\ \\n \\r \\t and \\ddd escapes).\n"
   "  --offsets   prefix each with its image offset and stored hash\n"
   "  --json      machine-readable output (offsets and hashes included)\n"},
  {"verify", cmd_verify,
   "[--firmware FW [--flash-size S]] [--chip NAME] [--variant V] [--region-size N]\n"
   "       [--base ADDR] [--strict] [--no-window-check] [-q] [--json] IMG",
   "Check an image thoroughly without trusting any field. Prints every problem\n"
   "with its offset; exit status 0 when the image is valid, 1 otherwise. A valid\n"
   "image whose code the host VM could not run safely (open results or for loops\n"
   "used as no compiler emits them) is also reported as not run-safe: 'run' and\n"
   "luac.cross -F refuse it; the device's loader would not.\n"
   "  --firmware FW      the firmware it is for (ELF or .bin, see 'firmware'): sets\n"
   "                     --variant, --base and --region-size from its LFS partition\n"
   "  --flash-size S     the chip, for --firmware (default: the boot header's)\n"
   "  --chip NAME        the chip whose limits apply (esp8266, esp32, esp32s2, ...);\n"
   "                     default: the chip an absolute image's address belongs to,\n"
   "                     else esp8266. Either 5.1 bucket rule (ESP8266's or ESP32's)\n"
   "                     verifies without a warning\n"
   "  --variant V        the firmware variant it must suit: float, float16 or int\n"
   "                     (a Lua 5.3 file: 5.3-int32-singlefp, 5.3-int64-doublefp, ...)\n"
   "  --region-size N    the LFS partition size in bytes\n"
   "  --base ADDR        the mapped address it must be linked at (absolute images)\n"
   "  --strict           treat what the stock loader would refuse as errors\n"
   "  --no-window-check  do not require the chip's mapped flash range (-a, size)\n"
   "  -q, --quiet        print only the verdict\n"
   "  --json             machine-readable output: verdict and every problem\n"},
  {"reloc", cmd_reloc, "[--force] [--no-window-check] [--chip NAME] --base ADDR IN OUT",
   "Write IN (a PI image, or an absolute one of any chip to rebase) as an absolute\n"
   "image at ADDR, the same bytes as luac.cross -a ADDR, with the same limits: ADDR\n"
   "on a 4 KiB sector and the whole image inside the chip's mapped range (--chip\n"
   "NAME, default esp8266; an ESP32 maps flash data in 0x3F400000..0x3F7FFFFF).\n"
   "For the ESP8266: the 1 MiB flash window it\n"},
  {"extract", cmd_extract, "[-t TARGET] [-s] [--force] IMG MODULE -o FILE",
   "Write one module as a bytecode file: a NodeMCU .lc for the image's variant\n"
   "(or TARGET float/int), or with -t host a chunk that stock lua5.1 loads.\n"
   "From a Lua 5.3 file: a format-10 .lc of its variant (or TARGET 5.3-...), with\n"
   "-t host a chunk that stock lua5.3 loads; -s is implied by a stripped image.\n"
   "IMG must pass 'verify'.\n"
   "  -s        strip debug information\n"
   "  --force   write even from an image that 'verify' rejects (with a warning)\n"},
  {"diff", cmd_diff, "[--json] A B",
   "Compare two images: modules only in A (-), only in B (+), and changed (~) with\n"
   "the first differing function and instruction or constant. Timestamps, string\n"
   "order and addresses are ignored. Exit status 0 when equivalent, 1 when not.\n"
   "  --json   machine-readable output\n"},
  {"run", cmd_run, "[--chip NAME] [--host-path] [--mocks FILE] IMG|--no-image [-e STAT]\n"
   "       [-l MOD] [-i] [SCRIPT [ARGS]]",
   "Run Lua on the host (the real Lua 5.1 VM) with IMG loaded as the LFS: node.LFS,\n"
   "node.flashindex, node.flashreload, node.info('lfs') and debug.getstrings('ROM')\n"
   "answer as on the device. The rest is lua5.1's command line; without a SCRIPT\n"
   "(or with -i) a prompt reads statements (readline, history in ~/.lfsimg_history;\n"
   "LFSIMG_HISTORY=FILE moves it, LFSIMG_HISTORY= keeps none). Exit status 1 when\n"
   "the script fails, with the error on stderr. A Lua 5.3 image (a file, by its\n"
   "header) runs on the real Lua 5.3 VM with the same node.LFS API.\n"
   "require looks as the firmware does once _init has run: ?.lc and ?.lua in the\n"
   "current directory (its file system), then the image; the host's LUA_PATH (after\n"
   "the image) and C modules only with --host-path. Image code carries no local or\n"
   "upvalue names (NodeMCU's compiler drops them), so tracebacks name them '?'.\n"
   "  --chip NAME  the chip, for where a PI image is taken to be mapped (esp32:\n"
   "               0x3F430000; default esp8266, 0x40280000)\n"
   "  --host-path  also search the host's package.path (after the image) and cpath\n"
   "  --mocks FILE run FILE first: stand-ins for the firmware's C modules (tmr,\n"
   "               gpio, ...); node.LFS and the flash functions are kept\n"
   "  --no-image   run with no LFS loaded (instead of IMG)\n"
   "  -e STAT      run the statement STAT\n"
   "  -l MOD       require the module MOD\n"
   "  -i           enter the prompt after the script\n"
   "  -            read the script from stdin\n"},
  {"firmware", lfsimg_cmd_firmware, "[--flash-size S] [--json] FW [FW2]",
   "What a NodeMCU ESP8266 firmware expects of LFS: its build type, the partition\n"
   "table as stored and as the firmware computes it at first boot for the chip, and\n"
   "the LFS address and size to build for. FW is the firmware ELF, its 0x10000.bin,\n"
   "0x00000.bin and 0x10000.bin (FW FW2, either order), or a combined image;\n"
   "told apart by content.\n"
   "  --flash-size S   the chip's flash (4M, 1MB, 0x400000); default: the boot\n"
   "                   header's (esptool usually rewrites it), else 4M\n"
   "  --json           machine-readable output\n\n"
   "ESP32 (an app .bin, its ELF, both, or a flash dump): chip, Lua and number\n"
   "variant (banner), checksum/SHA-256/signature, the embedded LFS region and the\n"
   "luac.cross line for it.\n"
   "  --reserved A:S   ESP32: the embedded LFS region (address:size, map file)\n"
   "  --chip CHIP      ESP32: the chip (must agree with the app header)\n"},
  {"provision", lfsimg_cmd_provision,
   "--firmware FW [--firmware FW2] --lfs IMG (-o FLASH.bin | --split DIR)\n"
   "       [--flash-size S] [--lfs-size N] [--spiffs-size N|max|0] [--force]\n"
   "       [--no-window-check]",
   "Write what to flash for a firmware with an LFS image in place: one image for\n"
   "'esptool.py write_flash 0x0 FLASH.bin' (boot image, irom0 segment, LFS image;\n"
   "gaps 0xFF), or with --split the pieces as DIR/0xOFFSET.bin and the matching\n"
   "esptool.py command line. The image is verified first (variant, size, address);\n"
   "a PI image is relocated to the partition, an absolute one must be built for it.\n"
   "When the sizes asked for change the table, the firmware's own first-boot rules\n"
   "place the partitions and a new partition-table record is appended to the RCR\n"
   "sector as the firmware writes one (the old one marked deleted).\n"
   "  --flash-size S        the chip (4M, 1MB, 0x400000); also sets the boot header\n"
   "  --lfs-size N          grow, shrink or create the LFS partition (0x20000, 128K)\n"
   "  --spiffs-size N|max|0 SPIFFS of N bytes, all the rest, or none\n"
   "  --force               write even an image that 'verify' rejects (with a warning)\n"
   "  --no-window-check     allow an LFS partition outside the 1 MiB mapped window\n\n"
   "ESP32: --firmware APP.bin [--firmware APP.elf] [--reserved A:S] --lfs IMG\n"
   "-o APP-LFS.bin writes the image into the app's embedded LFS region (from the\n"
   "ELF's symbols or --reserved), fixes the checksum and SHA-256 and prints the\n"
   "esptool.py line; a signed app, an image larger than the region or linked for\n"
   "another address is refused.\n"
   "  --reserved A:S        ESP32: the embedded LFS region (address:size)\n"
   "  --chip CHIP           ESP32: the chip (must agree with the app header)\n"
   "  --lfs-addr ADDR       ESP32 flash dump with an LFS partition: the address the\n"
   "                        device maps it at (node.LFS.config()); the image goes\n"
   "                        into the partition, linked there\n"},
  {"partitions", lfsimg_cmd_partitions,
   "[--json] [--flash-size S] [--add-lfs SIZE] [--offset OFF] [--no-md5]\n"
   "       [-o OUT.bin|OUT.csv] TABLE",
   "Show an ESP32 (ESP-IDF) partition table and where LFS is in it: TABLE is the\n"
   "binary table, a flash dump holding it at 0x8000, or the CSV gen_esp32part.py\n"
   "reads (told apart by content). Every rule of the table is checked (MD5, magic,\n"
   "alignment, overlaps). A table without an LFS partition (type 0xC2, subtype\n"
   "0x01) gets the CSV line to add, at the next 64 KiB boundary (the firmware\n"
   "maps LFS only there) after the last partition.\n"
   "  --flash-size S   the chip's flash (4M, 4MB, 0x400000): partitions must fit;\n"
   "                   default: a dump's size, else 4M\n"
   "  --add-lfs SIZE   add the LFS partition of SIZE bytes (64K, 0x40000)\n"
   "  --offset OFF     the table's flash offset (default 0x8000)\n"
   "  --no-md5         write no MD5 entry (gen_esp32part.py --disable-md5sum)\n"
   "  -o OUT           write the table as CSV or binary (by OUT's ending: .csv, .bin)\n"
   "  --json           machine-readable output\n"},
  {"help", cmd_help, "[COMMAND]", "Show the commands, or one command's options.\n"},
};

static const command *find_command(const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* The list of commands: on stdout when asked for, on stderr (with exit
 * status 2) when lfsimg was run without a command. */
static void commands_text(FILE *out)
{
  fprintf(out, "usage: %s COMMAND [ARGS]\n\n"
          "Inspect and transform NodeMCU Lua Flash Store (LFS) images.\n\ncommands:\n", progname);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].args);
  fprintf(out, "\n'%s COMMAND --help' describes one command. IMG '-' reads the image from\n"
          "stdin. Exit status: 0 success, 1 failure (invalid image, differences found),\n"
          "2 usage error.\n", progname);
}

static int cmd_help(int argc, char **argv)
{
  if (argc > 1 && find_command(argv[1]))
    return cmd_usage(argv[1]);
  if (argc > 1 && !is_help(argv[1]))   /* 'help --help' is the list itself */
    return usage_error(NULL, "unknown command '%s'", argv[1]);
  commands_text(stdout);
  return 0;
}

int main(int argc, char **argv)
{
  lfsimg_platform = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  lfsc_outfile_catch_signals();
  if (argc < 2) {
    commands_text(stderr);
    return EXIT_USAGE;
  }
  if (is_help(argv[1]))
    return cmd_help(1, argv);
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0) {
    printf("lfsimg (lfsc) %s\n", LFSC_VERSION);
    return 0;
  }
  const command *c = find_command(argv[1]);
  if (!c)
    return usage_error(NULL, "unknown command '%s'", argv[1]);
  return c->run(argc - 1, argv + 1);
}
