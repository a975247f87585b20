/*
 * luac.cross: the command-line front end. It parses arguments the way
 * luac 5.1 and NodeMCU's luac.cross do, turns library status codes into
 * "progname: message" lines and exit codes, and contains no compiler logic.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lfsc/build.h"
#include "lfsc/dialect.h"
#include "lfsc/platform.h"
#include "platform/esp8266/firmware.h"
#include "platform/esp32/firmware32.h"
#include "embed/embed.h"
#include "base/file.h"
#include "base/outfile.h"
#include "runtime/runtime.h"
#include "run53.h"
#include "base/file.h"
#include "lua53/compile.h"
#include "base/sink.h"
#include "opts.h"
#include "chip.h"

#define DEFAULT_OUTPUT "luac.out"

static const char *progname = "luac.cross";

typedef struct options {
  int listing;                  /* -l count */
  int dumping;                  /* 0 with -p */
  int stripping;                /* -s */
  int version;                  /* -v count */
  const char *output;           /* -o; NULL = stdout */
  const lfsc_dialect *dialect;  /* the Lua compiled: --lua, -t or the program's name */
  const char *lua;              /* --lua value */
  lfsc_target target;           /* -t */
  int compat_lineinfo;          /* --compat-lineinfo */
  int compat_loader;           /* --compat-loader */
  int compat_deflate;           /* --compat-deflate */
  int best;                     /* --best */
  int flash;                    /* -f, -a, -m, --firmware: write an LFS image (output_mode) */
  int lookup;                   /* -i, or an image: index function as main */
  int absolute;                 /* -a */
  uint32_t address;             /* -a value */
  uint64_t maxsize;             /* -m value */
  const char *timestamp;        /* --timestamp value */
  int have_seed;                /* --seed given */
  int64_t seed;                 /* --seed value (Lua 5.3 images) */
  const char *source_prefix;    /* --source-prefix value */
  int dashdash;                 /* "--" ended the options */
  int output_set;               /* -o given */
  const char *embed;            /* --embed kind */
  const char *prefix;           /* --prefix */
  const char *section;          /* --section */
  int split;                    /* --split */
  const char *execute;          /* -e: Lua file run on the host first */
  const char *lfs_image;        /* -F: LFS image loaded before -e runs */
  unsigned limits;              /* LFSC_PLATFORM_NO_WINDOW with --no-window-check */
  const lfsc_platform *platform; /* the chip: its limits, its mapped window */
  int have_chip;                /* --chip given */
  int have_maxsize;             /* -m given */
  int have_target;              /* -t given */
  const char *firmware[2];      /* --firmware: one file, or 0x00000.bin and 0x10000.bin */
  int nfirmware;
  const char *flash_size;       /* --flash-size */
  int flash_pi;                 /* -f given */
  uint32_t fw_partition;        /* --firmware: its LFS partition size, else 0 */
} options;

/* Exit statuses shared with lfsimg: 0 success, 1 failure, 2 usage error. */
#define EXIT_USAGE 2

static void usage_text(FILE *out)
{
  fprintf(out,
          "usage: %s [options] [filenames].\n"
          "Options come before file names. Available options are:\n"
          "  -        process stdin\n"
          "  -e file  run the Lua file 'file' first; a function it returns is compiled\n"
          "           as the first chunk\n"
          "  -F image load the LFS image 'image' (node.LFS) before -e runs\n"
          "  -f       output a flash image (position independent, gzip)\n"
          "  -a addr  output an absolute flash image for address 'addr'\n"
          "  -m size  maximum image size in bytes, a multiple of 4096 (default 0x40000)\n"
          "  -i       use the module index function as main (bytecode output)\n"
          "  -l       list (-l -l: also constants, locals and upvalues)\n"
          "  -o name  output to file 'name' (default is \"" DEFAULT_OUTPUT "\"; '-' is stdout)\n"
          "  -p       parse only\n"
          "  -s       strip debug information\n"
          "  -t name  target: float (default), float16, int, host; for Lua 5.3\n"
          "           5.3-int32-singlefp (default), 5.3-int64-doublefp,\n"
          "           5.3-int32-doublefp, 5.3-int64-singlefp, host\n"
          "  -v       show version information\n"
          "  -h, --help         show this help and exit\n"
          "  --version          show the version and exit\n"
          "  --lua V            the Lua of the firmware: 5.1 (default) or 5.3 (also\n"
          "                     chosen by a 5.3 -t, or the name luac.cross53)\n"
          "  --compat-lineinfo  reproduce the reference compiler's line-info bug\n"
          "  --compat-loader    Lua 5.3 images as the reference makes them, faults\n"
          "                     of the firmware's loader included: module order kept,\n"
          "                     modules it cannot find allowed (over 255, names over\n"
          "                     40 bytes, '__' names not first), -a its layout\n"
          "  --compat-deflate   -f images compressed as the reference does (its\n"
          "                     bytes; larger files)\n"
          "  --best             smallest -f image (slower)\n"
          "  --timestamp N      image timestamp (default: $SOURCE_DATE_EPOCH, else now)\n"
          "  --seed N           Lua 5.3 images: the string hash seed (default: one\n"
          "                     derived from the content, so builds are reproducible)\n"
          "  --source-prefix D  drop directory D from the front of source names\n"
          "  --embed c|elf      embed each module's chunk in firmware: C source and\n"
          "                     header, or an xtensa ELF object (see man luac.cross)\n"
          "  --prefix NAME      symbol prefix of --embed output (default lfsc_embedded)\n"
          "  --section NAME     section of --embed data (elf default .irom0.rodata)\n"
          "  --split            --embed: cut sources at --[[SPLIT name]] markers\n"
          "  --chip NAME        the chip: esp8266 (default), esp32, esp32s2, esp32s3,\n"
          "                     esp32c3, esp32c6, esp32h2 (its -a range, image size,\n"
          "                     5.1 bucket rule and -s, targets)\n"
          "  --no-window-check  allow -a/-m beyond the flash range the chip maps\n"
          "  --firmware FW      build for that firmware's LFS: -a and -m from it (with -f a\n"
          "                     PI image within its size). ESP8266: ELF or .bin, its LFS\n"
          "                     partition. ESP32: app .bin, ELF or flash dump: its\n"
          "                     embedded region, or its LFS partition (a PI image for\n"
          "                     node.LFS.reload()); chip and variant from the firmware\n"
          "  --flash-size S     the chip's flash for --firmware (default: boot header)\n"
          "  --       stop handling options\n",
          progname);
}

static void usage(const char *message)
{
  if (*message == '-')
    fprintf(stderr, "%s: unrecognized option '%s'\n", progname, message);
  else
    fprintf(stderr, "%s: %s\n", progname, message);
  usage_text(stderr);
  exit(EXIT_USAGE);
}

static void fatal(const char *message)
{
  fprintf(stderr, "%s: %s\n", progname, message);
  exit(EXIT_FAILURE);
}

/* The value of option opt: an unsigned number in C notation (0x.., 0..),
 * at most max. Exits with a message naming opt otherwise. */
static uint64_t number_arg(const char *opt, const char *v, uint64_t max)
{
  char msg[64];
  if (v == NULL || *v == 0) {
    snprintf(msg, sizeof msg, "'%s' needs argument", opt);
    usage(msg);
  }
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 0);
  if (*v == '-' || *end != 0 || errno != 0 || n > max) {
    fprintf(stderr, "%s: '%s': bad number '%s'\n", progname, opt, v);
    exit(EXIT_USAGE);
  }
  return n;
}

/* luac.cross's options, read by lfsimg's parser in luac's forms (see
 * opts.h): one option an argument, values in the next one, options only
 * before the first file name. */
enum { OPT_COMPAT = 256, OPT_BEST, OPT_SOURCE_PREFIX, OPT_TIMESTAMP, OPT_EMBED, OPT_PREFIX,
       OPT_SECTION, OPT_SPLIT, OPT_FIRMWARE, OPT_FLASH_SIZE, OPT_NO_WINDOW, OPT_VERSION,
       OPT_LUA, OPT_SEED, OPT_COMPAT_LOADER, OPT_CHIP, OPT_COMPAT_DEFLATE };

static const cliopt luac_opts[] = {
  {'l', 'l', NULL, NULL},
  {'o', 'o', NULL, "name"},
  {'p', 'p', NULL, NULL},
  {'s', 's', NULL, NULL},
  {'t', 't', NULL, "name"},
  {'f', 'f', NULL, NULL},
  {'i', 'i', NULL, NULL},
  {'a', 'a', NULL, "addr"},
  {'m', 'm', NULL, "size"},
  {'e', 'e', NULL, "file"},
  {'F', 'F', NULL, "image"},
  {'v', 'v', NULL, NULL},
  {OPT_COMPAT, 0, "compat-lineinfo", NULL},
  {OPT_BEST, 0, "best", NULL},
  {OPT_TIMESTAMP, 0, "timestamp", "N"},
  {OPT_SOURCE_PREFIX, 0, "source-prefix", "D"},
  {OPT_EMBED, 0, "embed", "c|elf"},
  {OPT_PREFIX, 0, "prefix", "NAME"},
  {OPT_SECTION, 0, "section", "NAME"},
  {OPT_SPLIT, 0, "split", NULL},
  {OPT_NO_WINDOW, 0, "no-window-check", NULL},
  {OPT_FIRMWARE, 0, "firmware", "FW"},
  {OPT_FLASH_SIZE, 0, "flash-size", "S"},
  {OPT_VERSION, 0, "version", NULL},
  {OPT_LUA, 0, "lua", "V"},
  {OPT_SEED, 0, "seed", "N"},
  {OPT_COMPAT_LOADER, 0, "compat-loader", NULL},
  {OPT_CHIP, 0, "chip", "NAME"},
  {OPT_COMPAT_DEFLATE, 0, "compat-deflate", NULL},
  {0, 0, NULL, NULL},
};

/* The value of the option p just read; an empty one (or for -e and -F
 * one that looks like an option) is missing. */
static const char *value_of(const cliopt_parser *p, int no_dash)
{
  const char *v = p->value;
  if (*v == 0 || (no_dash && *v == '-')) {
    char msg[96];
    snprintf(msg, sizeof msg, "'%s' needs argument", p->opt);
    usage(msg);
  }
  return v;
}

/* What the options ask for, whatever their order: any of -f, -a, -m,
 * --firmware and --flash-size writes an LFS image, and an image (like -i)
 * has the module index function as its main function. */
static void output_mode(options *o)
{
  o->flash = o->flash_pi || o->absolute || o->have_maxsize || o->nfirmware || o->flash_size;
  o->lookup = o->lookup || o->flash;
}

static void set_option(options *o, int c, const cliopt_parser *p)
{
  switch (c) {
  case 'l': ++o->listing; break;
  case 'o':
    o->output = strcmp(value_of(p, 0), "-") == 0 ? NULL : p->value;
    o->output_set = 1;
    break;
  case 'p': o->dumping = 0; break;
  case 's': o->stripping = 1; break;
  case 't':
    o->have_target = 1;
    if (lfsc_target_parse(value_of(p, 0), &o->target) != LFSC_OK) {
      fprintf(stderr, "%s: '-t': unknown target '%s' (float, float16, int, host, or for Lua "
              "5.3 5.3-int32-singlefp, 5.3-int64-doublefp, 5.3-int32-doublefp, "
              "5.3-int64-singlefp)\n", progname, p->value);
      exit(EXIT_USAGE);
    }
    break;
  case 'f': o->flash_pi = 1; break;
  case 'i': o->lookup = 1; break;
  case 'a':
    o->address = (uint32_t)number_arg("-a", p->value, UINT32_MAX);
    o->absolute = 1;
    break;
  case 'm':
    o->maxsize = number_arg("-m", p->value, UINT32_MAX);
    o->have_maxsize = 1;
    break;
  case 'e': o->execute = value_of(p, 1); break;
  case 'F': o->lfs_image = value_of(p, 1); break;
  case 'v': ++o->version; break;
  case OPT_COMPAT: o->compat_lineinfo = 1; break;
  case OPT_COMPAT_LOADER: o->compat_loader = 1; break;
  case OPT_COMPAT_DEFLATE: o->compat_deflate = 1; break;
  case OPT_BEST: o->best = 1; break;
  case OPT_TIMESTAMP: o->timestamp = value_of(p, 0); break;
  case OPT_SOURCE_PREFIX: o->source_prefix = value_of(p, 0); break;
  case OPT_EMBED: o->embed = value_of(p, 0); break;
  case OPT_PREFIX: o->prefix = value_of(p, 0); break;
  case OPT_SECTION: o->section = value_of(p, 0); break;
  case OPT_SPLIT: o->split = 1; break;
  case OPT_NO_WINDOW: o->limits |= LFSC_PLATFORM_NO_WINDOW; break;
  case OPT_FLASH_SIZE: o->flash_size = value_of(p, 0); break;
  case OPT_FIRMWARE:
    value_of(p, 0);
    if (o->nfirmware == 2)
      fatal("'--firmware': at most two files (0x00000.bin and 0x10000.bin)");
    o->firmware[o->nfirmware++] = p->value;
    break;
  case OPT_VERSION:
    printf("luac.cross (lfsc) %s\n", LFSC_VERSION);
    exit(EXIT_SUCCESS);
  case OPT_LUA: o->lua = value_of(p, 0); break;
  case OPT_CHIP:
    if (!(o->platform = cli_chip_find(progname, NULL, value_of(p, 0))))
      exit(EXIT_USAGE);
    o->have_chip = 1;
    break;
  case OPT_SEED: {
    /* the string hash seed of a 5.3 image: any lua_Integer of the variant
     * (negative ones too: the reference's int32 seeds often are) */
    const char *v = value_of(p, 0);
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 0);
    if (*end != 0 || errno != 0) {
      fprintf(stderr, "%s: '--seed': bad number '%s'\n", progname, v);
      exit(EXIT_USAGE);
    }
    o->seed = n;
    o->have_seed = 1;
    break;
  }
  }
}

/* The Lua and target the options ask for: --lua, else a 5.3 target (-t),
 * else the program's name (luac.cross53), else 5.1. A target of the other
 * Lua is an error; without -t each Lua has its default firmware. */
static void choose_dialect(options *o, int named53)
{
  lfsc_variant v = lfsc_target_variant(o->target);
  const char *want = o->lua;
  if (!want && o->have_target && v.format == LFSC_FORMAT_NODEMCU)
    want = v.lua == LFSC_LUA53 ? "5.3" : "5.1";
  if (!want && named53)
    want = "5.3";
  o->dialect = lfsc_dialect_find(want);
  if (!o->dialect) {
    fprintf(stderr, "%s: '--lua': unknown Lua version '%s' (5.1 or 5.3)\n", progname, want);
    exit(EXIT_USAGE);
  }
  if (!o->have_target) {
    if (o->dialect->lua == LFSC_LUA53 && v.lua != LFSC_LUA53 && v.format == LFSC_FORMAT_NODEMCU)
      o->target = LFSC_TARGET_53_INT32_SINGLEFP;
    return;
  }
  if (v.format == LFSC_FORMAT_NODEMCU && v.lua != o->dialect->lua) {
    fprintf(stderr, "%s: '-t %s' is a Lua %s firmware, not Lua %s (targets: %s)\n", progname,
            lfsc_target_name(o->target), v.lua == LFSC_LUA53 ? "5.3" : "5.1", o->dialect->name,
            o->dialect->lua == LFSC_LUA53 ? "5.3-int32-singlefp, 5.3-int64-doublefp, "
            "5.3-int32-doublefp, 5.3-int64-singlefp or host" : "float, float16, int or host");
    exit(EXIT_USAGE);
  }
}

/* Returns the index of the first file argument. Options are only
 * recognised before it, like luac. */
static int doargs(int argc, char **argv, options *o, int named53)
{
  cliopt_parser p;
  int c;
  cliopt_init(&p, progname, luac_opts, argc, argv);
  p.stop_at_operand = 1;
  p.forms = CLIOPT_LUAC;
  while ((c = cliopt_next(&p)) > 0)
    set_option(o, c, &p);
  if (c == CLIOPT_HELP) {
    usage_text(stdout);
    exit(EXIT_SUCCESS);
  }
  if (c == CLIOPT_ERROR) {
    char msg[96];
    if (p.error == CLIOPT_E_NEEDS_VALUE)
      snprintf(msg, sizeof msg, "'%s' needs argument", p.opt);
    usage(p.error == CLIOPT_E_NEEDS_VALUE ? msg : p.word);
  }
  o->dashdash = p.no_more_options;
  output_mode(o);
  choose_dialect(o, named53);
  /* a chip named outright must have the firmware asked for */
  if (o->have_chip && !cli_chip_has_target(progname, o->platform, o->target))
    exit(EXIT_USAGE);
  if (o->version) {
    /* "--" counts as an option here: "-v --" prints the version only, and
     * so do the options that choose what it names (--lua, -t, --chip) */
    o->version += o->dashdash + (o->lua ? 2 : 0) + (o->have_target ? 2 : 0) +
                  (o->have_chip ? 2 : 0);
    printf("lfsc %s luac.cross -- Lua %s for NodeMCU LFS (target %s, chip %s)\n",
           LFSC_VERSION, o->dialect->name, lfsc_target_name(o->target), o->platform->name);
    if (o->version == argc - 1)
      exit(EXIT_SUCCESS);
  }
  return p.i;
}

/* luac's "malformed number near '0.0625'" is right for the integer
 * firmware, but the reason is not obvious: add it when stock Lua would have
 * read the numeral. */
static void int_hint(lfsc_target t, const char *msg)
{
  static const char pat[] = "malformed number near '";
  const char *q = strstr(msg, pat);
  if (lfsc_target_variant(t).numbers != LFSC_NUM_INT32 || !q)
    return;
  q += sizeof pat - 1;
  char num[64];
  size_t n = strcspn(q, "'");
  if (n == 0 || n >= sizeof num)
    return;
  memcpy(num, q, n);
  num[n] = 0;
  char *end;
  strtod(num, &end);
  if (*end == 0)
    fprintf(stderr, "%s: note: the integer firmware (-t int) has only whole numbers, written "
            "without a fraction or exponent ('%s')\n", progname, num);
}

/* Seconds since the epoch for the image: --timestamp, else
 * SOURCE_DATE_EPOCH (reproducible builds), else the clock. */
static int64_t image_time(lfsc_ctx *ctx, const options *o)
{
  int64_t t;
  if (lfsc_image_time(ctx, o->timestamp, &t) != LFSC_OK) {
    fprintf(stderr, "%s: %s%s\n", progname, o->timestamp ? "--timestamp: " : "",
            lfsc_errmsg(ctx));
    exit(o->timestamp ? EXIT_USAGE : EXIT_FAILURE);
  }
  return t;
}

static const char *basename_of(const char *path)
{
  const char *s = strrchr(path, '/');
#if defined(_WIN32)
  const char *b = strrchr(path, '\\');
  if (b && (!s || b > s))
    s = b;
#endif
  return s ? s + 1 : path;
}

/* The program's name without its directory and a Windows ".exe"/".EXE",
 * in buf. */
static const char *plain_name(const char *progname, char *buf, size_t size)
{
  const char *b = basename_of(progname);
  size_t n = strlen(b);
  if (n >= 4 && (strcmp(b + n - 4, ".exe") == 0 || strcmp(b + n - 4, ".EXE") == 0))
    n -= 4;
  snprintf(buf, size, "%.*s", (int)n, b);
  return buf;
}

/* The target a program name asks for, as NodeMCU names its builds:
 * luac.cross.int (the 5.1 integer firmware), luac.cross53 (Lua 5.3), and a
 * 5.3 variant name NodeMCU prints at the end of the name
 * (luac.cross.5.3-int64-doublefp, luac.cross-5.3-int64-doublefp).
 * *named53 says whether the name chose Lua 5.3. */
static void named_target(const char *progname, options *o, int *named53)
{
  char buf[256];
  const char *b = plain_name(progname, buf, sizeof buf);
  size_t n = strlen(b);
  *named53 = 0;
  if (strcmp(b, "luac.cross.int") == 0) {
    o->target = LFSC_TARGET_INT;
    return;
  }
  if (strcmp(b, "luac.cross53") == 0) {
    *named53 = 1;
    return;
  }
  for (int t = 0; t < LFSC_TARGET_COUNT; t++) {
    const char *v = lfsc_target_name((lfsc_target)t);
    size_t m = strlen(v);
    if (lfsc_target_variant((lfsc_target)t).lua == LFSC_LUA53 && n >= m &&
        strcmp(b + n - m, v) == 0 && (n == m || b[n - m - 1] == '.' || b[n - m - 1] == '-')) {
      o->target = (lfsc_target)t;
      *named53 = 1;
      return;
    }
  }
}

/* --firmware: the image options from the firmware's LFS partition. An
 * explicit -t, -a or -m that contradicts the firmware is an error naming
 * both values; -f keeps the image position independent, limited in size. */
/* --firmware with an ESP32 app .bin, ELF or flash dump: the chip from the
 * app header (or the ELF), the variant from the banner; an embedded LFS
 * region gives -a and -m; an LFS partition is mapped where the MMU has
 * room, so it gives -m and a PI image (-f) for node.LFS.reload(). */
static void from_esp32(lfsc_ctx *ctx, options *o)
{
  lfsc_esp32fw *fw = lfsc_alloc(ctx, sizeof *fw);
  if (!fw)
    fatal("not enough memory");
  if (lfsc_esp32fw_load(ctx, o->nfirmware, o->firmware, 0, 0, fw) != LFSC_OK)
    fatal(lfsc_errmsg(ctx));
  const char *chip = fw->chip_id >= 0 ? lfsc_esp32app_chip_name((unsigned)fw->chip_id) : NULL;
  if (chip) {
    const lfsc_platform *pf = lfsc_platform_find(chip);
    if (o->have_chip && pf != o->platform) {
      fprintf(stderr, "%s: '--chip %s' contradicts the firmware's chip %s (%s)\n", progname,
              o->platform->name, chip, o->firmware[0]);
      exit(EXIT_FAILURE);
    }
    o->platform = pf;
  } else if (o->platform->window_size) {
    fprintf(stderr, "%s: %s: the firmware does not say its chip (an ELF alone): give --chip\n",
            progname, o->firmware[0]);
    exit(EXIT_USAGE);
  }
  int lua = o->dialect->lua == LFSC_LUA53 ? 53 : 51;
  if (fw->lua && fw->lua != lua) {
    fprintf(stderr, "%s: the firmware runs Lua %s (%s): build with%s\n", progname,
            fw->lua == 53 ? "5.3" : "5.1", o->firmware[0],
            fw->lua == 53 ? " --lua 5.3" : "out --lua 5.3");
    exit(EXIT_FAILURE);
  }
  if (fw->have_variant) {
    if (o->have_target && o->target != fw->variant) {
      fprintf(stderr, "%s: '-t %s' contradicts the firmware's %s (%s)\n", progname,
              lfsc_target_name(o->target), lfsc_target_name(fw->variant), o->firmware[0]);
      exit(EXIT_FAILURE);
    }
    o->target = fw->variant;
    o->have_target = 1;
  }
  if (fw->lfs == ESP32FW_LFS_NONE && o->flash_pi && !o->absolute)
    return;                     /* -f: a PI image for the chip and variant */
  if (fw->lfs == ESP32FW_LFS_NONE) {
    fprintf(stderr, "%s: %s: no LFS in this firmware that the file shows (no embedded region, "
            "no partition table): give the app's ELF, or build a PI image (-f)\n", progname,
            o->firmware[0]);
    exit(EXIT_FAILURE);
  }
  if (fw->lfs_size_known) {
    if (o->have_maxsize && o->maxsize > fw->lfs_size) {
      fprintf(stderr, "%s: '-m 0x%llx' contradicts the firmware's 0x%lx-byte LFS %s (%s)\n",
              progname, (unsigned long long)o->maxsize, (unsigned long)fw->lfs_size,
              fw->lfs == ESP32FW_LFS_PARTITION ? "partition" : "region", o->firmware[0]);
      exit(EXIT_FAILURE);
    }
    if (!o->have_maxsize)
      o->maxsize = fw->lfs_size & ~0xFFFu;
    o->have_maxsize = 1;
    o->fw_partition = fw->lfs_size;
  }
  if (fw->lfs == ESP32FW_LFS_PARTITION) {
    if (!o->absolute)
      o->flash_pi = 1;          /* for node.LFS.reload(): the mapping is the MMU's */
    return;
  }
  if (o->absolute && o->address != fw->lfs_addr) {
    fprintf(stderr, "%s: '-a 0x%08lx' contradicts the firmware's embedded LFS region at "
            "0x%08lx (%s)\n", progname, (unsigned long)o->address, (unsigned long)fw->lfs_addr,
            o->firmware[0]);
    exit(EXIT_FAILURE);
  }
  if (!o->flash_pi) {
    o->absolute = 1;
    o->address = fw->lfs_addr;
  }
}

static void from_firmware(lfsc_ctx *ctx, options *o)
{
  firmware fw;
  firmware_part lfs;
  uint32_t flash = 0;
  if (o->nfirmware && lfsc_esp32fw_file_is(o->firmware[0])) {
    from_esp32(ctx, o);
    return;
  }
  if (o->platform->window_size == 0) {
    /* the reader and the partition arithmetic below are the ESP8266's */
    fprintf(stderr, "%s: '--firmware %s' is not an ESP32 app, ELF or flash dump (the %s's "
            "forms); as NodeMCU ESP8266 firmware it contradicts --chip %s\n", progname,
            o->firmware[0], o->platform->label, o->platform->name);
    exit(EXIT_USAGE);
  }
  if (o->flash_size && lfsc_firmware_parse_size(ctx, o->flash_size, &flash) != LFSC_OK) {
    fprintf(stderr, "%s: '--flash-size': %s\n", progname, lfsc_errmsg(ctx));
    exit(EXIT_USAGE);
  }
  if (lfsc_firmware_load(ctx, o->nfirmware, o->firmware, &fw) != LFSC_OK)
    fatal(lfsc_errmsg(ctx));
  if (lfsc_firmware_lfs(ctx, &fw, lfsc_firmware_chip_size(&fw, flash, NULL), o->limits, &lfs) != LFSC_OK) {
    fprintf(stderr, "%s: %s: %s\n", progname, o->firmware[0], lfsc_errmsg(ctx));
    exit(EXIT_FAILURE);
  }
  /* the build type names a 5.1 variant; a 5.3 image takes only the
   * partition from the firmware */
  if (fw.build_type >= 0 && o->dialect->lua == LFSC_LUA51) {
    lfsc_target fwt = (lfsc_target)fw.build_type;
    /* ESP8266 float builds pack TValues in 12 bytes: "float" is -t float,
     * and a float16 image would fail its signature check too */
    int fw_int = lfsc_target_variant(fwt).numbers == LFSC_NUM_INT32;
    if (o->have_target && o->target != fwt) {
      fprintf(stderr, "%s: '-t %s' contradicts the firmware's build type %s (%s)\n", progname,
              lfsc_target_name(o->target), fw_int ? "integer" : "float", o->firmware[0]);
      exit(EXIT_FAILURE);
    }
    if (!o->have_target)
      o->target = fwt;
  }
  uint32_t addr = o->platform->window_base + lfs.addr;
  if (o->absolute && o->address != addr) {
    fprintf(stderr, "%s: '-a 0x%08lx' contradicts the firmware's LFS partition at 0x%08lx "
            "(flash 0x%lx, %s)\n", progname, (unsigned long)o->address, (unsigned long)addr,
            (unsigned long)lfs.addr, o->firmware[0]);
    exit(EXIT_FAILURE);
  }
  if (o->have_maxsize && o->maxsize > lfs.size) {
    fprintf(stderr, "%s: '-m 0x%llx' contradicts the firmware's 0x%lx-byte LFS partition (%s)\n",
            progname, (unsigned long long)o->maxsize, (unsigned long)lfs.size, o->firmware[0]);
    exit(EXIT_FAILURE);
  }
  if (!o->have_maxsize)
    o->maxsize = lfs.size;
  /* -f alone keeps a PI image; otherwise the absolute image for the partition */
  if (!(o->flash_pi && !o->absolute)) {
    o->absolute = 1;
    o->address = addr;
  }
  o->fw_partition = lfs.size;
}

/* Write f as bytecode, or (-f/-a/-m) as the LFS image whose index function
 * it is, through a temporary file renamed into place only on success.
 * Image builds report their size like the reference: on stdout, or on
 * stderr when the image itself goes to stdout. */
static int write_output(lfsc_ctx *ctx, const options *o, const lfsc_proto *f)
{
  outfile out;
  uint32_t size = 0;
  const char *name = o->output ? o->output : "-";
  if (lfsc_outfile_open(&out, name) != 0) {
    fprintf(stderr, "%s: cannot open %s: %s\n", progname, name, strerror(errno));
    return EXIT_FAILURE;
  }
  lfsc_sink sink;
  lfsc_sink_file_buffered_init(&sink, out.fp);
  int rc;
  errno = 0;
  if (o->flash) {
    lfsc_image_opts io = {.target = o->target, .absolute = o->absolute, .addr = o->address,
                          .maxsize = o->maxsize, .strip = o->stripping, .best = o->best,
                          .no_window_check = (o->limits & LFSC_PLATFORM_NO_WINDOW) != 0,
                          .platform = o->platform, .have_seed = o->have_seed,
                          .seed = o->seed, .compat_loader = o->compat_loader,
                          .compat_deflate = o->compat_deflate};
    /* NodeMCU's 5.3 luac.cross has no default size limit: -m only */
    if (o->dialect->lua == LFSC_LUA53 && !o->have_maxsize && !o->fw_partition)
      io.maxsize = 0;
    rc = o->dialect->image_write(ctx, f, &io, &sink, &size);
    if (rc == LFSC_ELIMIT && o->fw_partition && size > o->maxsize)
      lfsc_seterr(ctx, rc, "image of %" PRIu32 " bytes does not fit the firmware's %s by %llu "
                  "bytes", size, o->maxsize == o->fw_partition ? "LFS partition" : "-m limit",
                  (unsigned long long)(size - o->maxsize));
  } else {
    rc = o->dialect->write_chunk(ctx, f, o->target, o->stripping, &sink);
  }
  int frc = lfsc_sink_file_flush(&sink);
  int werr = errno;             /* why a write failed (the sink keeps no errno) */
  if (rc == LFSC_OK)
    rc = frc;
  if (rc != LFSC_OK) {
    lfsc_outfile_abort(&out);
    if (rc == LFSC_EIO)
      fprintf(stderr, "%s: cannot write %s%s%s\n", progname, o->output ? name : "stdout",
              werr ? ": " : "", werr ? strerror(werr) : "");
    else
      fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    return EXIT_FAILURE;
  }
  if (lfsc_outfile_commit(&out) != 0) {
    fprintf(stderr, "%s: cannot write %s: %s\n", progname, name, strerror(errno));
    return EXIT_FAILURE;
  }
  /* Only a complete image is reported (as the reference does: on stdout,
   * or on stderr when the image itself went to stdout). */
  if (size)
    fprintf(o->output ? stdout : stderr, "Image size: %" PRIu32 "\n", size);
  return EXIT_SUCCESS;
}

/* -F IMG with -a (or -f, -m) and nothing else: IMG's modules, seed and
 * timestamp written as the image the options ask for. */
static int image_from_image(lfsc_ctx *ctx, const options *o)
{
  unsigned char *buf;
  size_t len;
  lfsc_image_info info;
  if (lfsc_file_read(ctx, o->lfs_image, FILE_INPUT_MAX, &buf, &len) != LFSC_OK) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    return EXIT_FAILURE;
  }
  int rc = o->dialect->image_read(ctx, buf, len, &info);
  free(buf);
  if (rc != LFSC_OK) {
    fprintf(stderr, "%s: %s: %s\n", progname, o->lfs_image, lfsc_errmsg(ctx));
    return EXIT_FAILURE;
  }
  if (info.target != o->target && o->have_target) {
    fprintf(stderr, "%s: %s is a %s image, not %s\n", progname, o->lfs_image,
            lfsc_target_name(info.target), lfsc_target_name(o->target));
    return EXIT_FAILURE;
  }
  options io = *o;
  io.target = info.target;
  return write_output(ctx, &io, info.index);
}

/* --embed: each file (or SPLIT piece) becomes one embedded chunk. */
static int embed_main(const options *o, char **files, int nfiles)
{
  if (o->flash || o->lookup) {
    fprintf(stderr, "%s: '--embed' cannot be combined with '-f', '-a', '-m' or '-i'\n", progname);
    return EXIT_USAGE;
  }
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    fatal("not enough memory");
  embed_kind kind;
  embed_opts eo = {.dialect = o->dialect, .target = o->target, .strip = o->stripping,
                   .compat_lineinfo = o->compat_lineinfo, .split = o->split,
                   .prefix = o->prefix, .section = o->section,
                   .source_prefix = o->source_prefix};
  embed_set set = {0};
  /* option values are checked before any input is read: usage errors */
  int rc = lfsc_embed_kind_parse(ctx, o->embed, &kind);
  if (rc == LFSC_OK && o->prefix)
    rc = lfsc_embed_check_ident(ctx, "--prefix", o->prefix);
  if (rc == LFSC_OK && kind == EMBED_C && o->output_set && !o->output)
    rc = lfsc_seterr(ctx, LFSC_EARG,
                     "--embed c writes a source and a header: '-o -' is not possible");
  if (rc == LFSC_OK && o->dumping)
    rc = lfsc_embed_check_output(ctx, &eo, kind,
                                 o->output_set ? (o->output ? o->output : "-") : NULL);
  if (rc != LFSC_OK) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
    lfsc_free(ctx);
    return EXIT_USAGE;
  }
  for (int k = 0; rc == LFSC_OK && k < nfiles; k++)
    rc = lfsc_embed_add_file(ctx, &set, &eo, files[k]);
  if (rc == LFSC_OK)
    rc = lfsc_embed_finish(ctx, &set);
  if (rc == LFSC_OK && o->dumping)
    rc = lfsc_embed_write(ctx, &set, &eo, kind,
                     o->output_set ? (o->output ? o->output : "-") : NULL);
  if (rc != LFSC_OK)
    fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
  lfsc_embed_free(&set);
  lfsc_free(ctx);
  return rc == LFSC_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* -F and -e: run the script on the host's Lua VM (runtime.c) with the
 * image as its LFS. *fn receives the function the script returns, if any.
 * Exits on failure, before any output is opened. */
static void run_script53(lfsc_ctx *ctx, const options *o, lfsc_proto **fn)
{
#ifdef LFSC_HAVE_RUNTIME53
  runtime53 *rt = run53_new(progname, o->platform);
  if (!rt)
    fatal("not enough memory");
  unsigned char *img = NULL, *chunk = NULL;
  size_t len = 0;
  int rc = 0;
  if (o->lfs_image) {
    if (lfsc_file_read(ctx, o->lfs_image, FILE_INPUT_MAX, &img, &len) != LFSC_OK)
      rc = lfsc_runtime53_fail(rt, "%s", lfsc_errmsg(ctx));
    else
      rc = run53_load(rt, o->platform, o->lfs_image, img, len);
    free(img);
  }
  if (rc == 0 && o->execute)
    rc = lfsc_runtime53_exec(rt, o->execute, &chunk, &len);
  if (rc) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_runtime53_error(rt));
    lfsc_runtime53_free(rt);
    exit(EXIT_FAILURE);
  }
  lfsc_runtime53_free(rt);
  /* the function the script returned, as a stock chunk from the VM */
  if (chunk && lfsc_lua53_read_host(ctx, chunk, len, o->execute, fn) != LFSC_OK) {
    free(chunk);
    fatal(lfsc_errmsg(ctx));
  }
  free(chunk);
#else
  (void)ctx;
  (void)fn;
  fatal(o->execute ? "'-e': not available for Lua 5.3 in this build (no liblua5.3)"
                   : "'-F': not available for Lua 5.3 in this build (no liblua5.3)");
#endif
}

static void run_script(lfsc_ctx *ctx, const options *o, lfsc_proto **fn)
{
  *fn = NULL;
  if (o->dialect->lua == LFSC_LUA53) {
    run_script53(ctx, o, fn);
    return;
  }
#ifdef LFSC_HAVE_RUNTIME
  runtime *rt = lfsc_runtime_new(progname, o->platform);
  if (!rt)
    fatal(lfsc_runtime_unavailable() ? lfsc_runtime_unavailable() : "not enough memory");
  if ((o->lfs_image && lfsc_runtime_load_image(rt, o->lfs_image)) ||
      (o->execute && lfsc_runtime_exec(rt, o->execute, ctx, fn))) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_runtime_error(rt));
    lfsc_runtime_free(rt);
    exit(EXIT_FAILURE);
  }
  lfsc_runtime_free(rt);
#else
  (void)ctx;
  fatal(o->execute ? "'-e': not available in this build (no liblua5.1)"
                   : "'-F': not available in this build (no liblua5.1)");
#endif
}

int main(int argc, char **argv)
{
  if (argv[0] && argv[0][0])
    progname = argv[0];
#if defined(_WIN32)
  /* Windows passes the full path of the .exe: messages name the program
   * as users type it (luac.cross, luac.cross.int) */
  static char shortname[256];
  progname = plain_name(progname, shortname, sizeof shortname);
#endif
  lfsc_outfile_catch_signals();
  options o = {.dumping = 1, .output = DEFAULT_OUTPUT, .dialect = lfsc_dialect_find(NULL),
               .target = LFSC_TARGET_FLOAT, .maxsize = LFSC_IMAGE_MAXSIZE,
               .platform = lfsc_platform_find(LFSC_PLATFORM_DEFAULT)};
  int named53;
  named_target(progname, &o, &named53);
  int i = doargs(argc, argv, &o, named53);
  char *default_input[] = {DEFAULT_OUTPUT, NULL};
  char **files = argv + i;
  int nfiles = argc - i;
  int scripted = o.execute || o.lfs_image;
  if (nfiles == 0 && !scripted && (o.listing || !o.dumping)) {
    files = default_input;      /* luac lists or checks luac.out by default */
    nfiles = 1;
    o.dumping = 0;
  }
  if (nfiles == 0 && !scripted)
    usage("no input files given");
  /* "luac.cross -f a.lua -o x.img": luac reads options only before the
   * first file name, so say so rather than "cannot open -o". */
  for (int k = 1; k < nfiles && !o.dashdash; k++)
    if (files[k][0] == '-' && files[k][1]) {
      fprintf(stderr, "%s: '%s' after file name '%s': options must come before file names\n",
              progname, files[k], files[0]);
      return EXIT_USAGE;
    }

  if (o.embed)
    return embed_main(&o, files, nfiles);
  if (o.split || o.prefix || o.section) {
    fprintf(stderr, "%s: '--split', '--prefix' and '--section' need '--embed'\n", progname);
    return EXIT_USAGE;
  }
  /* options that would otherwise be silently without effect */
  if (o.flash_size && !o.nfirmware) {
    fprintf(stderr, "%s: '--flash-size' needs '--firmware' (it sizes that firmware's flash)\n",
            progname);
    return EXIT_USAGE;
  }
  if (o.best && !o.flash_pi) {
    fprintf(stderr, "%s: '--best' applies to '-f' images only\n", progname);
    return EXIT_USAGE;
  }
  if (o.compat_deflate && (!o.flash_pi || o.absolute || o.dialect->lua != LFSC_LUA51 || o.best)) {
    fprintf(stderr, "%s: '--compat-deflate' applies to Lua 5.1 '-f' images only, without "
            "'--best'\n", progname);
    return EXIT_USAGE;
  }

  lfsc_ctx *ctx = lfsc_new();
  /* one more slot for the function -e returns */
  lfsc_proto **chunks = calloc((size_t)nfiles + 1, sizeof *chunks);
  if (!ctx || !chunks)
    fatal("not enough memory");
  if (o.nfirmware)
    from_firmware(ctx, &o);
  /* image options are checked before any input is read */
  if (o.flash && lfsc_target_variant(o.target).format == LFSC_FORMAT_HOST)
    fatal("'-t host' has no flash image format (use float, float16 or int)");
  const char *badopt = NULL;
  if (o.absolute && o.platform->check_addr(ctx, o.address, o.limits) != LFSC_OK)
    badopt = "-a";
  else if (o.have_maxsize && o.platform->check_maxsize(ctx, o.maxsize, o.limits) != LFSC_OK)
    badopt = "-m";
  if (badopt) {
    /* a bad option value, as lfsimg's: a usage error */
    fprintf(stderr, "%s: '%s': %s\n", progname, badopt, lfsc_errmsg(ctx));
    if (*badopt == '-' && badopt[1] == 'a')
      cli_chip_hint(stderr, progname, o.platform, o.address);
    free(chunks);               /* LeakSanitizer counts what main's return drops */
    lfsc_free(ctx);
    return EXIT_USAGE;
  }
  int64_t timestamp = o.lookup ? image_time(ctx, &o) : 0;
  if (o.lfs_image && o.flash && nfiles == 0 && !o.execute) {
    /* -F IMG -a ADDR: the image, laid out as the device would lay it out
     * (the only way NodeMCU's 5.3 luac.cross makes an absolute image) */
    int st = image_from_image(ctx, &o);
    free(chunks);
    lfsc_free(ctx);
    return st;
  }
  lfsc_proto *pre = NULL;
  if (scripted)
    run_script(ctx, &o, &pre);
  if (!pre && nfiles == 0) {
    /* the script ran; with nothing to compile there is no output */
    free(chunks);
    lfsc_free(ctx);
    return EXIT_SUCCESS;
  }
  lfsc_input_opts io = {o.target, o.compat_lineinfo, o.source_prefix};
  for (int k = 0; k < nfiles; k++) {
    if (o.dialect->load(ctx, &io, files[k], &chunks[k]) != LFSC_OK) {
      fprintf(stderr, "%s: %s\n", progname, lfsc_errmsg(ctx));
      int_hint(o.target, lfsc_errmsg(ctx));
      exit(EXIT_FAILURE);
    }
  }
  if (pre) {
    /* the reference places it before the input files, as chunk 0 */
    memmove(chunks + 1, chunks, (size_t)nfiles * sizeof *chunks);
    chunks[0] = pre;
    nfiles++;
  }
  lfsc_proto *f;
  if (o.lookup) {
    /* files name the chunks in messages; stdin is named by its source */
    const char **names = calloc((size_t)nfiles, sizeof *names);
    if (!names)
      fatal("not enough memory");
    int off = pre ? 1 : 0;      /* -e's function is named by its source */
    for (int k = off; k < nfiles; k++)
      names[k] = strcmp(files[k - off], "-") == 0 ? NULL : files[k - off];
    int rc = o.dialect->image_index(ctx, chunks, names, (size_t)nfiles, o.target, timestamp, &f);
    free(names);
    if (rc != LFSC_OK)
      fatal(lfsc_errmsg(ctx));
  } else {
    f = o.dialect->combine(ctx, chunks, nfiles, o.target);
    if (!f)
      fatal("not enough memory");
  }
  if (o.listing) {
    lfsc_sink out;
    lfsc_sink_file_buffered_init(&out, stdout);
    o.dialect->list(&out, f, o.listing > 1, o.target);
    lfsc_sink_file_flush(&out);
  }
  int status = EXIT_SUCCESS;
  if (o.dumping)
    status = write_output(ctx, &o, f);
  free(chunks);
  lfsc_free(ctx);
  return status;
}
