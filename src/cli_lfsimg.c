/*
 * lfsimg: inspect, disassemble, verify, relocate, extract and compare
 * NodeMCU LFS images. A thin front end: decoding is reader.c, checking is
 * verify.c, listings are listing.c and .lc output is lc_write.c; this file
 * parses arguments and formats results.
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
#include "cli_lfsimg_fw.h"
#include "json.h"
#include "lc.h"
#include "lfslimits.h"
#include "listing.h"
#include "outfile.h"
#include "reader.h"
#include "runtime.h"
#include "sink.h"
#include "verify.h"

#define EXIT_USAGE 2

static const char *progname = "lfsimg";

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *args;
  const char *help;
} command;

static const command *find_command(const char *name);

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
  fprintf(stderr, "%s: ", progname);
  if (cmd)
    fprintf(stderr, "%s: ", cmd);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry '%s %s%s--help'.\n", progname, cmd ? cmd : "", cmd ? " " : "");
  return EXIT_USAGE;
}

static int cmd_usage(const char *cmd)
{
  const command *c = find_command(cmd);
  printf("usage: %s %s %s\n\n%s", progname, c->name, c->args, c->help);
  return 0;
}

int lfsimg_fw_help(const char *cmd)
{
  return cmd_usage(cmd);
}

static int is_help(const char *a)
{
  return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

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

/* Load and decode one image; on failure print "lfsimg: FILE: why". */
static reader_image *load(lfsc_ctx *ctx, const char *path)
{
  unsigned char *buf;
  size_t len;
  reader_image *img;
  if (reader_readfile(ctx, path, &buf, &len) || reader_load(ctx, buf, len, &img)) {
    const char *m = lfsc_errmsg(ctx);
    if (strncmp(m, "cannot ", 7) == 0)
      fprintf(stderr, "%s: %s\n", progname, m);
    else
      fprintf(stderr, "%s: %s: %s\n", progname, path, m);
    return NULL;
  }
  return img;
}

/* load() for the commands that write from an image: it must pass the
 * verifier, or with --force it is used anyway after a warning. */
static reader_image *load_checked(lfsc_ctx *ctx, const char *path, int force)
{
  unsigned char *buf;
  size_t len;
  reader_image *img;
  int overridden;
  if (reader_readfile(ctx, path, &buf, &len)) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    return NULL;
  }
  if (verify_or_refuse(ctx, buf, len, NULL, force, &img, &overridden)) {
    fprintf(stderr, "%s: %s: invalid image: %s\n", progname, path, lfsc_errmsg(ctx));
    fprintf(stderr, "%s: '%s verify %s' lists every problem; --force writes anyway\n", progname,
            progname, path);
    return NULL;
  }
  if (overridden)
    fprintf(stderr, "%s: warning: %s: invalid image: %s (--force: writing anyway)\n", progname,
            path, lfsc_errmsg(ctx));
  return img;
}

static const char *kind_name(const reader_image *img)
{
  if (!img->absolute)
    return "PI";
  return img->sig_absolute ? "ABS" : "ABS (flash dump)";
}

static const char *variant_desc(lfsc_target t)
{
  switch (t) {
  case LFSC_TARGET_FLOAT:
    return "float (double numbers, 12-byte TValues)";
  case LFSC_TARGET_FLOAT16:
    return "float16 (double numbers, 16-byte TValues)";
  case LFSC_TARGET_INT:
    return "int (int32 numbers, 8-byte TValues)";
  default:
    return "?";
  }
}

/* Write bytes as a C/Lua-style escaped string body (JSON is json.c's). */
static void put_escaped(FILE *out, const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default:
      if (c < 32 || c >= 127)
        fprintf(out, "\\%03u", c);
      else
        fputc(c, out);
    }
  }
}

static void put_name(FILE *out, const lfsc_str *s)
{
  if (s)
    put_escaped(out, s->data, s->len);
  else
    fputs("?", out);
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

static int cmd_info(int argc, char **argv)
{
  int json = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i]))
      return cmd_usage("info");
    if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (argv[i][0] == '-' && argv[i][1])
      return usage_error("info", "unknown option '%s'", argv[i]);
    else if (!path)
      path = argv[i];
    else
      return usage_error("info", "unexpected argument '%s'", argv[i]);
  }
  if (!path)
    return usage_error("info", "%s", "missing image file");
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  reader_image *img = load(ctx, path);
  if (!img) {
    lfsc_free(ctx);
    return 1;
  }
  char date[64];
  format_date(img->has_timestamp ? img->timestamp : 0, date, sizeof date);
  uint32_t fs = img->flash_size;
  if (json) {
    lfsc_sink sk;
    json_writer w;
    char hex[16];
    sink_file_init(&sk, stdout);
    json_init(&w, &sk);
    json_object(&w, 1);
    json_key(&w, "file");
    json_cstr(&w, path);
    json_key(&w, "file_bytes");
    json_uint(&w, img->file_size);
    json_key(&w, "kind");
    json_cstr(&w, img->absolute ? "ABS" : "PI");
    json_key(&w, "base");
    snprintf(hex, sizeof hex, "0x%08x", (unsigned)img->base);
    json_cstr(&w, img->absolute ? hex : NULL);
    json_key(&w, "signature");
    snprintf(hex, sizeof hex, "0x%08x", (unsigned)img->sig);
    json_cstr(&w, hex);
    json_key(&w, "signature_absolute");
    json_bool(&w, img->sig_absolute);
    json_key(&w, "variant");
    json_cstr(&w, lfsc_target_name(img->variant));
    json_key(&w, "tvalue_bytes");
    json_int(&w, img->tvsize);
    json_key(&w, "version");
    json_uint(&w, (img->sig >> 8) & 15);
    json_key(&w, "timestamp");
    if (img->has_timestamp)
      json_double(&w, img->timestamp);
    else
      json_null(&w);
    json_key(&w, "date");
    json_cstr(&w, img->has_timestamp ? date : NULL);
    json_key(&w, "image_bytes");
    json_uint(&w, fs);
    json_key(&w, "bitmap_bytes");
    json_uint(&w, img->bitmap_bytes);
    json_key(&w, "compressed");
    json_bool(&w, img->compressed);
    json_key(&w, "uncompressed_bytes");
    json_uint(&w, img->data_size);
    json_key(&w, "strings");
    json_int(&w, img->nstrings);
    json_key(&w, "buckets");
    json_uint(&w, img->nrosize);
    json_key(&w, "string_bytes");
    json_uint(&w, string_bytes(img));
    json_key(&w, "protos");
    json_int(&w, img->nfuncs);
    json_key(&w, "modules");
    json_array(&w, 1);
    for (int i = 0; i < img->nmodules; i++) {
      const reader_module *m = &img->modules[i];
      json_object(&w, 0);
      json_key(&w, "name");
      if (m->name)
        json_text(&w, m->name->data, m->name->len);
      else
        json_null(&w);
      json_key(&w, "bytes");
      json_uint(&w, m->bytes);
      json_key(&w, "share");
      json_fixed(&w, fs ? (double)m->bytes / fs : 0, 4);
      json_close(&w);
    }
    json_close(&w);
    json_close(&w);
    json_end(&w);
  } else {
    printf("file        %s (%zu bytes%s)\n", path, img->file_size,
           img->compressed ? ", gzip" : "");
    if (img->absolute)
      printf("kind        absolute (ABS) at 0x%08x%s\n", (unsigned)img->base,
             img->sig_absolute ? "" : ", signature bit 0 clear (relocated flash dump)");
    else
      printf("kind        position-independent (PI)\n");
    printf("variant     %s\n", variant_desc(img->variant));
    printf("signature   0x%08x, format version %u\n", (unsigned)img->sig,
           (unsigned)((img->sig >> 8) & 15));
    if (img->has_timestamp)
      printf("timestamp   %.14g%s%s%s\n", img->timestamp, *date ? " (" : "", date, *date ? ")" : "");
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
    printf("strings     %d in %u buckets, %u bytes (%.1f%%)\n", img->nstrings,
           (unsigned)img->nrosize, (unsigned)string_bytes(img), 100.0 * string_bytes(img) / fs);
    printf("functions   %d Protos\n", img->nfuncs);
    printf("modules     %d\n", img->nmodules);
    int utf8 = utf8_terminal(), w = 4;
    double top = 0;             /* bars are scaled to the largest module */
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
      put_name(stdout, m->name);
      printf("%*s %8u %5.1f%% ", len < w ? w - len : 0, "", (unsigned)m->bytes, 100 * share);
      put_bar(stdout, top > 0 ? share / top : 0, utf8);
      printf("\n");
    }
  }
  lfsc_free(ctx);
  return ferror(stdout) ? 1 : 0;
}

/* ---- list, strings ---------------------------------------------------- */

static int one_image_args(const char *cmd, int argc, char **argv, const char **path, int *flag,
                          const char *flagname)
{
  *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i]))
      return cmd_usage(cmd), -1;
    if (flagname && strcmp(argv[i], flagname) == 0)
      *flag = 1;
    else if (argv[i][0] == '-' && argv[i][1])
      return usage_error(cmd, "unknown option '%s'", argv[i]);
    else if (!*path)
      *path = argv[i];
    else
      return usage_error(cmd, "unexpected argument '%s'", argv[i]);
  }
  if (!*path)
    return usage_error(cmd, "%s", "missing image file");
  return 0;
}

static int cmd_list(int argc, char **argv)
{
  const char *path;
  int rc = one_image_args("list", argc, argv, &path, NULL, NULL);
  if (rc)
    return rc < 0 ? 0 : rc;
  lfsc_ctx *ctx = lfsc_new();
  reader_image *img = ctx ? load(ctx, path) : NULL;
  if (img)
    for (int i = 0; i < img->nmodules; i++) {
      put_name(stdout, img->modules[i].name);
      putchar('\n');
    }
  lfsc_free(ctx);
  return img && !ferror(stdout) ? 0 : 1;
}

static int cmd_strings(int argc, char **argv)
{
  const char *path;
  int offsets = 0;
  int rc = one_image_args("strings", argc, argv, &path, &offsets, "--offsets");
  if (rc)
    return rc < 0 ? 0 : rc;
  lfsc_ctx *ctx = lfsc_new();
  reader_image *img = ctx ? load(ctx, path) : NULL;
  if (img)
    for (int i = 0; i < img->nstrings; i++) {
      const reader_string *s = &img->strings[i];
      if (offsets)
        printf("0x%05x %08x ", (unsigned)s->off, (unsigned)s->hash);
      putchar('"');
      put_escaped(stdout, s->s->data, s->s->len);
      printf("\"\n");
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

static int cmd_dis(int argc, char **argv)
{
  const char *path = NULL, *mod = NULL;
  int full = 1;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i]))
      return cmd_usage("dis");
    if (strcmp(argv[i], "--short") == 0 || strcmp(argv[i], "-l") == 0)
      full = 0;
    else if (argv[i][0] == '-' && argv[i][1])
      return usage_error("dis", "unknown option '%s'", argv[i]);
    else if (!path)
      path = argv[i];
    else if (!mod)
      mod = argv[i];
    else
      return usage_error("dis", "unexpected argument '%s'", argv[i]);
  }
  if (!path)
    return usage_error("dis", "%s", "missing image file");
  lfsc_ctx *ctx = lfsc_new();
  reader_image *img = ctx ? load(ctx, path) : NULL;
  int rc = 1;
  if (img) {
    const lfsc_proto *p = img->main;
    if (mod) {
      const reader_module *m = find_module(img, mod);
      if (!m) {
        fprintf(stderr, "%s: %s: no module named '%s' (see '%s list %s')\n", progname, path, mod,
                progname, path);
        lfsc_free(ctx);
        return 1;
      }
      p = m->proto;
    }
    rc = listing_print(stdout, p, full, img->variant) ? 1 : 0;
  }
  lfsc_free(ctx);
  return rc;
}

/* ---- verify ----------------------------------------------------------- */

static int cmd_verify(int argc, char **argv)
{
  const char *path = NULL;
  verify_opts o;
  memset(&o, 0, sizeof o);
  int quiet = 0, nfw = 0;
  const char *fws[2], *flash_size = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_help(a))
      return cmd_usage("verify");
    if (strcmp(a, "--variant") == 0 || strcmp(a, "--region-size") == 0 || strcmp(a, "--base") == 0) {
      if (i + 1 >= argc)
        return usage_error("verify", "'%s' needs an argument", a);
      const char *val = argv[++i];
      if (a[2] == 'v') {
        if (lfsc_target_parse(val, &o.variant) || o.variant == LFSC_TARGET_HOST)
          return usage_error("verify", "unknown variant '%s' (float, float16 or int)", val);
        o.have_variant = 1;
      } else if (a[2] == 'r') {
        if (parse_u32(val, &o.region_size) || o.region_size == 0)
          return usage_error("verify", "bad region size '%s'", val);
      } else {
        if (parse_u32(val, &o.base))
          return usage_error("verify", "bad address '%s'", val);
        o.have_base = 1;
      }
    } else if (strcmp(a, "--strict") == 0) {
      o.strict_loader = 1;
    } else if (strcmp(a, "--no-window-check") == 0) {
      o.limits |= LIMITS_NO_WINDOW;
    } else if (strcmp(a, "--firmware") == 0 || strcmp(a, "--flash-size") == 0) {
      if (i + 1 >= argc)
        return usage_error("verify", "'%s' needs an argument", a);
      if (a[3] == 'l')
        flash_size = argv[++i];
      else if (nfw == 2)
        return usage_error("verify", "%s", "at most two --firmware files");
      else
        fws[nfw++] = argv[++i];
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("verify", "unknown option '%s'", a);
    } else if (!path) {
      path = a;
    } else {
      return usage_error("verify", "unexpected argument '%s'", a);
    }
  }
  if (!path)
    return usage_error("verify", "%s", "missing image file");
  if (nfw) {
    int rc = lfsimg_fw_verify_opts(nfw, fws, flash_size, &o);
    if (rc)
      return rc;
  }
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  unsigned char *buf;
  size_t len;
  if (reader_readfile(ctx, path, &buf, &len)) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  verify_report rep;
  if (verify_image(ctx, buf, len, &o, &rep)) {
    fprintf(stderr, "%s: %s: %s\n", progname, path, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  if (!quiet)
    for (int i = 0; i < rep.nproblems; i++) {
      const verify_problem *p = &rep.problems[i];
      const char *sev = p->severity == VERIFY_ERROR ? "error" : "warning";
      if (p->where == VERIFY_AT_IMAGE)
        printf("%s:0x%05x: %s: %s\n", path, (unsigned)p->offset, sev, p->msg);
      else if (p->where == VERIFY_AT_FILE)
        printf("%s: file offset 0x%x: %s: %s\n", path, (unsigned)p->offset, sev, p->msg);
      else
        printf("%s: %s: %s\n", path, sev, p->msg);
    }
  int shown = rep.nproblems, total = rep.errors + rep.warnings;
  if (!quiet && total > shown)
    printf("%s: ... and %d more problems not shown\n", path, total - shown);
  if (rep.errors == 0) {
    const reader_image *img = rep.img;
    printf("%s: valid %s %s image, %d modules", path, lfsc_target_name(img->variant),
           kind_name(img), img->nmodules);
    if (rep.warnings)
      printf(", %d warning%s", rep.warnings, rep.warnings == 1 ? "" : "s");
    printf("\n");
  } else {
    printf("%s: INVALID: %d error%s, %d warning%s\n", path, rep.errors, rep.errors == 1 ? "" : "s",
           rep.warnings, rep.warnings == 1 ? "" : "s");
  }
  lfsc_free(ctx);
  return rep.errors ? 1 : 0;
}

/* ---- reloc ------------------------------------------------------------ */

static int cmd_reloc(int argc, char **argv)
{
  const char *in = NULL, *outp = NULL;
  uint32_t base = 0;
  int have_base = 0, force = 0;
  const char *basearg = NULL;
  unsigned limits = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_help(a))
      return cmd_usage("reloc");
    if (strcmp(a, "--no-window-check") == 0) {
      limits |= LIMITS_NO_WINDOW;
      continue;
    }
    if (strcmp(a, "--base") == 0 || strcmp(a, "-a") == 0) {
      if (i + 1 >= argc)
        return usage_error("reloc", "'%s' needs an address", a);
      basearg = argv[++i];
      if (parse_u32(basearg, &base))
        return usage_error("reloc", "bad address '%s'", basearg);
      have_base = 1;
    } else if (strcmp(a, "--force") == 0) {
      force = 1;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("reloc", "unknown option '%s'", a);
    } else if (!in) {
      in = a;
    } else if (!outp) {
      outp = a;
    } else {
      return usage_error("reloc", "unexpected argument '%s'", a);
    }
  }
  if (!have_base)
    return usage_error("reloc", "%s", "missing --base ADDR");
  if (!in || !outp)
    return usage_error("reloc", "%s", "needs an input and an output file");
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return 1;
  if (lfslimits_check_addr(ctx, base, limits)) {
    fprintf(stderr, "%s: reloc: --base: %s\n", progname, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return EXIT_USAGE;
  }
  reader_image *img = load_checked(ctx, in, force);
  if (!img) {
    lfsc_free(ctx);
    return 1;
  }
  if (lfslimits_check_image(ctx, 1, base, img->flash_size, limits)) {
    fprintf(stderr, "%s: reloc: %s: %s\n", progname, in, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return 1;
  }
  unsigned char *outb;
  if (reader_relocate(ctx, img, base, &outb)) {
    fprintf(stderr, "%s: %s: %s (run '%s verify')\n", progname, in, lfsc_errmsg(ctx), progname);
    lfsc_free(ctx);
    return 1;
  }
  outfile of;
  int rc = 1;
  if (outfile_open(&of, outp) != 0) {
    fprintf(stderr, "%s: cannot open %s: %s\n", progname, outp, strerror(errno));
  } else if (fwrite(outb, 1, img->flash_size, of.fp) != img->flash_size) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
    outfile_abort(&of);
  } else if (outfile_commit(&of) != 0) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
  } else {
    rc = 0;
  }
  lfsc_free(ctx);
  return rc;
}

/* ---- extract ---------------------------------------------------------- */

static int cmd_extract(int argc, char **argv)
{
  const char *path = NULL, *mod = NULL, *outp = NULL, *tname = NULL;
  int strip = 0, force = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_help(a))
      return cmd_usage("extract");
    if (strcmp(a, "-t") == 0 || strcmp(a, "--target") == 0 || strcmp(a, "-o") == 0) {
      if (i + 1 >= argc)
        return usage_error("extract", "'%s' needs an argument", a);
      if (a[1] == 'o')
        outp = argv[++i];
      else
        tname = argv[++i];
    } else if (strcmp(a, "-s") == 0) {
      strip = 1;
    } else if (strcmp(a, "--force") == 0) {
      force = 1;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("extract", "unknown option '%s'", a);
    } else if (!path) {
      path = a;
    } else if (!mod) {
      mod = a;
    } else {
      return usage_error("extract", "unexpected argument '%s'", a);
    }
  }
  if (!path || !mod)
    return usage_error("extract", "%s", "needs an image and a module name");
  if (!outp)
    return usage_error("extract", "%s", "missing -o FILE");
  lfsc_target t = LFSC_TARGET_FLOAT;
  if (tname && lfsc_target_parse(tname, &t))
    return usage_error("extract", "unknown target '%s' (float, float16, int or host)", tname);
  lfsc_ctx *ctx = lfsc_new();
  reader_image *img = ctx ? load_checked(ctx, path, force) : NULL;
  if (!img) {
    lfsc_free(ctx);
    return 1;
  }
  if (!tname)
    t = img->variant;
  const reader_module *m = find_module(img, mod);
  if (!m) {
    fprintf(stderr, "%s: %s: no module named '%s' (see '%s list %s')\n", progname, path, mod,
            progname, path);
    lfsc_free(ctx);
    return 1;
  }
  outfile of;
  if (outfile_open(&of, outp) != 0) {
    fprintf(stderr, "%s: cannot open %s: %s\n", progname, outp, strerror(errno));
    lfsc_free(ctx);
    return 1;
  }
  lfsc_sink sk;
  sink_file_init(&sk, of.fp);
  int rc = lc_write(ctx, m->proto, t, strip, &sk);
  if (rc == LFSC_OK)
    rc = sk.status;
  if (rc != LFSC_OK) {
    if (rc == LFSC_EIO)
      fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
    else
      fprintf(stderr, "%s: %s: module '%s' cannot be written for %s: %s\n", progname, path, mod,
              lfsc_target_name(t), lfsc_errmsg(ctx));
    outfile_abort(&of);
    lfsc_free(ctx);
    return 1;
  }
  if (outfile_commit(&of) != 0) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
    lfsc_free(ctx);
    return 1;
  }
  lfsc_free(ctx);
  return 0;
}

/* ---- diff ------------------------------------------------------------- */

static void put_const(FILE *out, const lfsc_const *k, lfsc_target v)
{
  switch (k->type) {
  case LFSC_K_NIL: fputs("nil", out); break;
  case LFSC_K_BOOL: fputs(k->u.b ? "true" : "false", out); break;
  case LFSC_K_NUM:
    if (v == LFSC_TARGET_INT)
      fprintf(out, "%d", (int)k->u.n);
    else
      fprintf(out, "%.14g", k->u.n);
    break;
  case LFSC_K_STR:
    fputc('"', out);
    put_escaped(out, k->u.s->data, k->u.s->len);
    fputc('"', out);
    break;
  }
}

static int const_eq(const lfsc_const *a, const lfsc_const *b)
{
  if (a->type != b->type)
    return 0;
  switch (a->type) {
  case LFSC_K_BOOL: return a->u.b == b->u.b;
  /* bit-exact: -0.0 and 0 differ in behaviour (1/x) */
  case LFSC_K_NUM: return memcmp(&a->u.n, &b->u.n, sizeof a->u.n) == 0 || (a->u.n != a->u.n && b->u.n != b->u.n);
  case LFSC_K_STR: return a->u.s == b->u.s;   /* interned in one ctx */
  default: return 1;
  }
}

static void put_ins(FILE *out, uint32_t i)
{
  int op = INS_OP(i);
  if (op >= OP__COUNT) {
    fprintf(out, "0x%08x (invalid opcode %d)", (unsigned)i, op);
    return;
  }
  /* operands as luac -l prints them: constants as -1 - index */
  int b = INS_B(i), c = INS_C(i);
  if (opcodes_bmode[op] == OPARG_K && (b & LFSC_BITRK))
    b = -1 - (b & 0xFF);
  if (opcodes_cmode[op] == OPARG_K && (c & LFSC_BITRK))
    c = -1 - (c & 0xFF);
  fprintf(out, "%s", opcodes_name[op]);
  switch (opcodes_format[op]) {
  case OPFMT_ABC: fprintf(out, " %d %d %d", INS_A(i), b, c); break;
  case OPFMT_ABx:
    fprintf(out, " %d %d", INS_A(i), opcodes_bmode[op] == OPARG_K ? -1 - INS_Bx(i) : INS_Bx(i));
    break;
  default: fprintf(out, " %d %d", INS_A(i), INS_sBx(i)); break;
  }
}

typedef struct differ {
  const reader_image *a, *b;
  const lfsc_str *name;         /* module whose "~ name" line is still due */
  char path[512];
  int debug_differs;            /* line info / names only */
} differ;

/* Where a difference is described: the module's "~ name (changed)" line
 * goes first, printed when its first detail is. */
static FILE *dout(differ *d)
{
  if (d->name) {
    printf("~ ");
    put_name(stdout, d->name);
    printf(" (changed)\n");
    d->name = NULL;
  }
  return stdout;
}

static int line_of(const lfsc_proto *p, int pc)
{
  return p->lineinfo && pc < p->sizelineinfo ? p->lineinfo[pc] : 0;
}

/* Compare two functions; print the first semantic difference and return 1. */
static int diff_proto(differ *d, const lfsc_proto *x, const lfsc_proto *y, int depth)
{
  const char *where = d->path;
  if (x->numparams != y->numparams || x->is_vararg != y->is_vararg || x->nups != y->nups ||
      x->maxstacksize != y->maxstacksize) {
    fprintf(dout(d), "    %s: header differs: params %d/%d, vararg %d/%d, upvalues %d/%d, stack %d/%d\n",
           where, x->numparams, y->numparams, x->is_vararg, y->is_vararg, x->nups, y->nups,
           x->maxstacksize, y->maxstacksize);
    return 1;
  }
  int n = x->sizecode < y->sizecode ? x->sizecode : y->sizecode;
  for (int pc = 0; pc <= n; pc++) {
    if (pc == n) {
      if (x->sizecode != y->sizecode) {
        fprintf(dout(d), "    %s: %d instructions vs %d\n", where, x->sizecode, y->sizecode);
        return 1;
      }
      break;
    }
    if (x->code[pc] != y->code[pc]) {
      fprintf(dout(d), "    %s: instruction %d", where, pc + 1);
      if (line_of(x, pc) || line_of(y, pc))
        fprintf(dout(d), " (line %d / %d)", line_of(x, pc), line_of(y, pc));
      fprintf(dout(d), ": ");
      put_ins(dout(d), x->code[pc]);
      fprintf(dout(d), "  vs  ");
      put_ins(dout(d), y->code[pc]);
      fprintf(dout(d), "\n");
      return 1;
    }
  }
  n = x->sizek < y->sizek ? x->sizek : y->sizek;
  for (int i = 0; i < n; i++)
    if (!const_eq(&x->k[i], &y->k[i])) {
      fprintf(dout(d), "    %s: constant %d: ", where, i);
      put_const(dout(d), &x->k[i], d->a->variant);
      fprintf(dout(d), "  vs  ");
      put_const(dout(d), &y->k[i], d->b->variant);
      fprintf(dout(d), "\n");
      return 1;
    }
  if (x->sizek != y->sizek) {
    fprintf(dout(d), "    %s: %d constants vs %d\n", where, x->sizek, y->sizek);
    return 1;
  }
  if (x->sizep != y->sizep) {
    fprintf(dout(d), "    %s: %d nested functions vs %d\n", where, x->sizep, y->sizep);
    return 1;
  }
  if (x->sizepackedli != y->sizepackedli ||
      (x->sizepackedli && memcmp(x->packedli, y->packedli, x->sizepackedli) != 0) ||
      x->linedefined != y->linedefined || x->lastlinedefined != y->lastlinedefined ||
      x->source != y->source || x->sizelocvars != y->sizelocvars ||
      x->sizeupvalues != y->sizeupvalues)
    d->debug_differs = 1;
  size_t len = strlen(d->path);
  for (int i = 0; i < x->sizep; i++) {
    snprintf(d->path + len, sizeof d->path - len, " > function[%d] (line %d)", i,
             x->p[i]->linedefined);
    if (depth < READER_MAX_DEPTH && diff_proto(d, x->p[i], y->p[i], depth + 1))
      return 1;
  }
  d->path[len] = 0;
  return 0;
}

static int cmd_diff(int argc, char **argv)
{
  const char *pa = NULL, *pb = NULL;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i]))
      return cmd_usage("diff");
    if (argv[i][0] == '-' && argv[i][1])
      return usage_error("diff", "unknown option '%s'", argv[i]);
    else if (!pa)
      pa = argv[i];
    else if (!pb)
      pb = argv[i];
    else
      return usage_error("diff", "unexpected argument '%s'", argv[i]);
  }
  if (!pa || !pb)
    return usage_error("diff", "%s", "needs two image files");
  /* One context for both, so equal strings are equal pointers. */
  lfsc_ctx *ctx = lfsc_new();
  reader_image *a = ctx ? load(ctx, pa) : NULL;
  reader_image *b = a ? load(ctx, pb) : NULL;
  if (!b) {
    lfsc_free(ctx);
    return EXIT_USAGE;
  }
  int differ_count = 0;
  if (a->variant != b->variant) {
    printf("variant: %s vs %s\n", lfsc_target_name(a->variant), lfsc_target_name(b->variant));
    differ_count++;
  }
  for (int i = 0; i < a->nmodules; i++) {
    const reader_module *m = &a->modules[i];
    const reader_module *o = NULL;
    for (int j = 0; j < b->nmodules && !o; j++)
      if (b->modules[j].name == m->name)
        o = &b->modules[j];
    if (!o) {
      printf("- ");
      put_name(stdout, m->name);
      printf(" (only in %s)\n", pa);
      differ_count++;
      continue;
    }
    differ d;
    memset(&d, 0, sizeof d);
    d.a = a;
    d.b = b;
    d.name = m->name;
    snprintf(d.path, sizeof d.path, "main chunk");
    if (diff_proto(&d, m->proto, o->proto, 0)) {
      dout(&d);                 /* the header, had no detail printed it */
      differ_count++;
    } else if (d.debug_differs) {
      printf("  ");
      put_name(stdout, m->name);
      printf(" (same code; line info or debug names differ)\n");
    }
  }
  for (int j = 0; j < b->nmodules; j++) {
    const reader_module *m = &b->modules[j];
    int found = 0;
    for (int i = 0; i < a->nmodules && !found; i++)
      found = a->modules[i].name == m->name;
    if (!found) {
      printf("+ ");
      put_name(stdout, m->name);
      printf(" (only in %s)\n", pb);
      differ_count++;
    }
  }
  int same_order = a->nmodules == b->nmodules;
  for (int i = 0; same_order && i < a->nmodules; i++)
    same_order = a->modules[i].name == b->modules[i].name;
  if (!same_order && !differ_count)
    printf("module order differs\n");
  if (differ_count)
    printf("%d difference%s\n", differ_count, differ_count == 1 ? "" : "s");
  else
    printf("equivalent: %d modules, same code and constants\n", a->nmodules);
  lfsc_free(ctx);
  return differ_count ? 1 : 0;
}

/* ---- run ------------------------------------------------------------- */

/* lfsimg run IMAGE [lua5.1-style options] [script [args]]: the command
 * line after IMAGE is runtime.c's. */
static int cmd_run(int argc, char **argv)
{
  if (argc > 1 && is_help(argv[1]))
    return cmd_usage("run");
  if (argc < 2)
    return usage_error("run", "%s", "missing image file (or --no-image)");
#ifdef LFSC_HAVE_RUNTIME
  runtime *rt = runtime_new(progname);
  if (!rt) {
    fprintf(stderr, "%s: not enough memory\n", progname);
    return 1;
  }
  if (strcmp(argv[1], "--no-image") != 0 && runtime_load_image(rt, argv[1])) {
    fprintf(stderr, "%s: %s\n", progname, runtime_error(rt));
    runtime_free(rt);
    return 1;
  }
  int rc = runtime_main(rt, argc - 1, argv + 1);
  runtime_free(rt);
  return rc;
#else
  fprintf(stderr, "%s: run: not available in this build (no liblua5.1)\n", progname);
  return 1;
#endif
}

/* ---- dispatch --------------------------------------------------------- */

static int cmd_help(int argc, char **argv);

static const command commands[] = {
  {"info", cmd_info, "[--json] IMG",
   "Describe an image: kind (PI or absolute and its base), firmware variant, format\n"
   "version, timestamp, sizes (image, bitmap, compressed, strings and buckets) and the\n"
   "modules with each one's share of the image.\n"
   "  --json   machine-readable output\n"},
  {"list", cmd_list, "IMG", "Print the module names, one a line (what node.flashindex() lists).\n"},
  {"dis", cmd_dis, "[-l] IMG [MODULE]",
   "Disassemble the whole image (index function first) or one module, as\n"
   "luac -l -l does: code with line numbers, constants, locals and upvalues.\n"
   "  -l, --short   code only, like luac -l\n"},
  {"strings", cmd_strings, "[--offsets] IMG",
   "Print the read-only string table in image order, one quoted string a line\n"
   "(\\\" \\\\ \\n \\r \\t and \\ddd escapes).\n"
   "  --offsets   prefix each with its image offset and stored hash\n"},
  {"verify", cmd_verify,
   "[--firmware FW [--flash-size S]] [--variant V] [--region-size N] [--base ADDR]\n"
   "       [--strict] [--no-window-check] [-q] IMG",
   "Check an image thoroughly without trusting any field. Prints every problem\n"
   "with its offset; exit status 0 when the image is valid, 1 otherwise.\n"
   "  --firmware FW      the firmware it is for (ELF or .bin, see 'firmware'): sets\n"
   "                     --variant, --base and --region-size from its LFS partition\n"
   "  --flash-size S     the chip, for --firmware (default: the boot header's)\n"
   "  --variant V        the firmware variant it must suit: float, float16 or int\n"
   "  --region-size N    the LFS partition size in bytes\n"
   "  --base ADDR        the mapped address it must be linked at (absolute images)\n"
   "  --strict           treat what the stock loader would refuse as errors\n"
   "  --no-window-check  do not require the 1 MiB mapped flash window (-a, size)\n"
   "  -q, --quiet        print only the verdict\n"},
  {"reloc", cmd_reloc, "[--force] [--no-window-check] --base ADDR IN OUT",
   "Write IN (a PI image, or an absolute one to rebase) as an absolute image at\n"
   "ADDR, the same bytes as luac.cross -a ADDR, with the same limits: ADDR on a\n"
   "4 KiB sector and the whole image inside the 1 MiB flash window the ESP8266\n"
   "maps at 0x40200000 (from 0x40210000, after the boot area).\n"
   "IN must pass 'verify'.\n"
   "  --force            write even from an image that 'verify' rejects (with a warning)\n"
   "  --no-window-check  only require ADDR word aligned in 0x40210000..0x40310000\n"},
  {"extract", cmd_extract, "[-t TARGET] [-s] [--force] IMG MODULE -o FILE",
   "Write one module as a bytecode file: a NodeMCU .lc for the image's variant\n"
   "(or TARGET float/int), or with -t host a chunk that stock lua5.1 loads.\n"
   "IMG must pass 'verify'.\n"
   "  -s        strip debug information\n"
   "  --force   write even from an image that 'verify' rejects (with a warning)\n"},
  {"diff", cmd_diff, "A B",
   "Compare two images: modules only in A (-), only in B (+), and changed (~) with\n"
   "the first differing function and instruction or constant. Timestamps, string\n"
   "order and addresses are ignored. Exit status 0 when equivalent, 1 when not.\n"},
  {"run", cmd_run, "IMG|--no-image [-e STAT] [-l MOD] [-i] [SCRIPT [ARGS]]",
   "Run Lua on the host (the real Lua 5.1 VM) with IMG loaded as the LFS: node.LFS,\n"
   "node.flashindex, node.flashreload, node.info('lfs') and debug.getstrings('ROM')\n"
   "answer as on the device. The rest is lua5.1's command line; without a SCRIPT\n"
   "(or with -i) a prompt reads statements (readline, history in ~/.lfsimg_history;\n"
   "LFSIMG_HISTORY=FILE moves it, LFSIMG_HISTORY= keeps none). Exit status 1 when\n"
   "the script fails, with the error on stderr.\n"
   "  --no-image   run with no LFS loaded (instead of IMG)\n"
   "  -e STAT      run the statement STAT\n"
   "  -l MOD       require the module MOD (from LUA_PATH, e.g. mocks)\n"
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
   "  --json           machine-readable output\n"},
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
   "  --no-window-check     allow an LFS partition outside the 1 MiB mapped window\n"},
  {"help", cmd_help, "[COMMAND]", "Show the commands, or one command's options.\n"},
};

static const command *find_command(const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static int cmd_help(int argc, char **argv)
{
  if (argc > 1 && find_command(argv[1]))
    return cmd_usage(argv[1]);
  if (argc > 1)
    return usage_error(NULL, "unknown command '%s'", argv[1]);
  printf("usage: %s COMMAND [ARGS]\n\n"
         "Inspect and transform NodeMCU Lua Flash Store (LFS) images.\n\ncommands:\n", progname);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    printf("  %-8s %s\n", commands[i].name, commands[i].args);
  printf("\n'%s COMMAND --help' describes one command. Exit status: 0 success, 1 failure\n"
         "(invalid image, differences found), 2 usage error.\n", progname);
  return 0;
}

int main(int argc, char **argv)
{
  outfile_catch_signals();
  if (argc < 2)
    return cmd_help(1, argv), EXIT_USAGE;
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
