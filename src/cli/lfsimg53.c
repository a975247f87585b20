/*
 * lfsimg on NodeMCU Lua 5.3 files: a format-11 LFS image (luac.cross -f),
 * a -a flash image (what the device builds) or a format-10 .lc, each read
 * by its lfs53/lua53 reader (which trusts no field) into one view -- a
 * list of named top-level functions -- that every command prints. The
 * reports have the 5.1 commands' form and, in JSON, their keys where the
 * fact exists for 5.3. lfsimg.c decides by the header and calls in here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lfsimg53.h"
#include "chip.h"
#include "lfsc/dialect.h"
#include "lfsimg_fw.h"
#include "lfsc/opcodes.h"
#include "lfsc/opcodes53.h"
#include "base/escape.h"
#include "base/json.h"
#include "base/protowalk.h"
#include "base/sink.h"
#include "lfs53/lfs53.h"
#include "lua51/protodiff.h"
#include "lua53/compile.h"
#include "lua53/nlc.h"
#ifdef LFSC_HAVE_RUNTIME53
#include "run53.h"
#endif

static const char *const progname = "lfsimg";

/* The flash signature of -a images; the ESP32 keeps the variant in bits 0-1. */
#define ABS_SIGNATURE 0xFAFAA250u

enum { KIND_LC, KIND_IMG, KIND_ABS };

/* A 5.3 file as the commands see it. */
typedef struct view53 {
  const char *path;             /* as given; "-" is stdin */
  int kind;
  lfsc_variant variant;
  lfsc_target target;           /* its preset */
  uint32_t signature;           /* KIND_ABS: header word 0 */
  uint32_t address;             /* KIND_ABS: where it was built for */
  int64_t seed, timestamp;      /* not for KIND_LC */
  int nmodules;
  const lfsc_str **names;
  lfsc_proto **protos;          /* as the file has them (image: top-level form) */
  int strip;
  int nstrings;
  const lfsc_str **strings;
  size_t file_size, size;       /* bytes given, bytes read */
} view53;

static uint32_t get_u32(const unsigned char *b)
{
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int is_abs(const unsigned char *buf, size_t len)
{
  return len >= 4 && (get_u32(buf) & ~3u) == ABS_SIGNATURE;
}

int lfsimg53_is53(const unsigned char *buf, size_t len)
{
  int format;
  lfsc_variant v;
  return is_abs(buf, len) || lfsc_nlc_sniff(buf, len, &format, &v);
}

static const char *shown(const char *path)
{
  return strcmp(path, "-") == 0 ? "stdin" : path;
}

static const char *kind_word(int kind)
{
  return (const char *const[]){"LC", "PI", "ABS"}[kind];
}

/* The strings of a .lc, first use first (a .lc has no string list). */
static void collect(lfsc_ctx *ctx, const lfsc_proto *f, const lfsc_str ***list, int *n, int *cap,
                    int depth)
{
  for (int i = 0; i <= f->sizek; i++) {
    const lfsc_str *s = i == f->sizek ? (depth == 0 ? f->source : NULL)
                                      : f->k[i].type == LFSC_K_STR ? f->k[i].u.s : NULL;
    if (!s)
      continue;
    int seen = 0;
    for (int j = 0; j < *n && !seen; j++)
      seen = (*list)[j] == s;
    if (seen)
      continue;
    if (*n == *cap) {
      int nc = *cap ? *cap * 2 : 16;
      const lfsc_str **q = lfsc_alloc(ctx, (size_t)nc * sizeof *q);
      if (!q)
        return;
      if (*n)
        memcpy(q, *list, (size_t)*n * sizeof *q);
      *list = q;
      *cap = nc;
    }
    (*list)[(*n)++] = s;
  }
  if (depth < NLC_MAX_DEPTH)
    for (int i = 0; i < f->sizep; i++)
      collect(ctx, f->p[i], list, n, cap, depth + 1);
}

/* Read path's bytes as a 5.3 file; on failure the message is printed
 * ("lfsimg: FILE: why") and 0 returned. */
static int read_view(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                     view53 *v)
{
  memset(v, 0, sizeof *v);
  v->path = path;
  v->file_size = len;
  int format = 0, rc;
  lfsc_variant var;
  lfsc_lfs53_image img;
  if (is_abs(buf, len)) {
    v->kind = KIND_ABS;
    v->signature = get_u32(buf);
    rc = lfsc_lfs53_abs_read(ctx, buf, len, shown(path), NULL, &img, &v->address);
  } else if (lfsc_nlc_sniff(buf, len, &format, &var) && format == NLC_FORMAT_IMG) {
    v->kind = KIND_IMG;
    rc = lfsc_lfs53_read(ctx, buf, len, shown(path), NULL, &img);
  } else {
    v->kind = KIND_LC;
    lfsc_proto *main = NULL;
    rc = lfsc_nlc_read(ctx, buf, len, shown(path), NULL, &main, &v->variant);
    if (rc == LFSC_OK) {
      /* the module it would be in an image: named after its source file */
      char name[256];
      const lfsc_str *src = main->source;
      const char *file = src && src->len > 1 && (src->data[0] == '@' || src->data[0] == '=')
                         ? src->data + 1 : shown(path);
      size_t nl = lfsc_lfs53_module_name(file, name, sizeof name);
      v->nmodules = 1;
      v->names = lfsc_alloc(ctx, sizeof *v->names);
      v->protos = lfsc_alloc(ctx, sizeof *v->protos);
      if (!v->names || !v->protos || !(v->names[0] = lfsc_intern(ctx, name, nl))) {
        rc = lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
      } else {
        v->protos[0] = main;
        v->strip = main->sizelineinfo == 0 && main->sizelocvars == 0 && !main->source;
        int cap = 0;
        collect(ctx, main, &v->strings, &v->nstrings, &cap, 0);
        v->size = len;
      }
    }
  }
  if (rc == LFSC_OK && v->kind != KIND_LC) {
    v->variant = img.variant;
    v->seed = img.seed;
    v->timestamp = img.timestamp;
    v->nmodules = img.nmodules;
    v->names = img.names;
    v->protos = img.protos;
    v->strip = img.strip;
    v->nstrings = img.nstrings;
    v->strings = img.strings;
    v->size = v->kind == KIND_ABS ? len : img.size;
  }
  nlc_sizes s;
  if (rc == LFSC_OK && (rc = lfsc_nlc_sizes(ctx, v->variant, &s)) == LFSC_OK)
    v->target = lfsc_nlc_target(s);
  if (rc != LFSC_OK) {
    const char *m = lfsc_errmsg(ctx);
    size_t n = strlen(shown(path));
    if (strncmp(m, shown(path), n) == 0 && strncmp(m + n, ": ", 2) == 0)
      fprintf(stderr, "%s: %s\n", progname, m);
    else
      fprintf(stderr, "%s: %s: %s\n", progname, shown(path), m);
    return 0;
  }
  return 1;
}

/* A module as a chunk of its own (upvalue 0 on the stack, as compiled). */
static lfsc_proto *standalone(lfsc_ctx *ctx, const view53 *v, int i)
{
  return v->kind == KIND_LC ? v->protos[i] : lfsc_nlc_standalone(ctx, v->protos[i]);
}

static int find_module(const view53 *v, const char *name)
{
  size_t n = strlen(name);
  for (int i = 0; i < v->nmodules; i++)
    if (v->names[i]->len == n && memcmp(v->names[i]->data, name, n) == 0)
      return i;
  return -1;
}

static int no_module(const view53 *v, const char *name)
{
  fprintf(stderr, "%s: %s: no module named '%s' (see '%s list %s')\n", progname, shown(v->path),
          name, progname, v->path);
  return 1;
}

static lfsc_sink *out_stdout(void)
{
  static lfsc_sink s;
  lfsc_sink_file_init(&s, stdout);
  return &s;
}

static void put_name(lfsc_sink *out, const lfsc_str *s)
{
  lfsc_escape(out, s->data, s->len, LFSC_ESCAPE_TEXT);
}

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

/* ---- info ------------------------------------------------------------- */

/* The bytes of module i as a .lc of the file's variant and strip: what
 * a module costs, the same measure for every kind of file. */
static size_t module_bytes(lfsc_ctx *ctx, const view53 *v, int i)
{
  lfsc_proto *f = standalone(ctx, v, i);
  lfsc_sink mem;
  lfsc_sink_mem_init(&mem);
  size_t n = f && lfsc_nlc_write(ctx, f, v->variant, v->strip, &mem) == LFSC_OK ? mem.len : 0;
  lfsc_sink_mem_free(&mem);
  return n;
}

static void numbers_words(lfsc_variant var, const char **ints, const char **nums)
{
  int i64 = var.numbers == LFSC_NUM_I64_F64 || var.numbers == LFSC_NUM_I64_F32;
  int f64 = var.numbers == LFSC_NUM_I64_F64 || var.numbers == LFSC_NUM_I32_F64;
  *ints = i64 ? "int64" : "int32";
  *nums = f64 ? "double" : "float32";
}

static void format_date(int64_t ts, char *buf, size_t n)
{
  buf[0] = 0;
  if (ts < -2147483648LL || ts > 253402300799LL)
    return;
  time_t t = (time_t)ts;
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static const char *format_name(const view53 *v)
{
  return (const char *const[]){".lc (format 10)", "LFS image (format 11)",
                               "flash image (-a)"}[v->kind];
}

int lfsimg53_info(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                  int json)
{
  view53 v;
  if (!read_view(ctx, path, buf, len, &v))
    return 1;
  size_t *bytes = lfsc_alloc(ctx, (size_t)(v.nmodules + 1) * sizeof *bytes);
  if (!bytes)
    return 1;
  size_t total = 0;
  int nfuncs = 0;
  for (int i = 0; i < v.nmodules; i++) {
    total += bytes[i] = module_bytes(ctx, &v, i);
    nfuncs += lfsc_proto_count(v.protos[i]);
  }
  const char *ints, *nums;
  numbers_words(v.variant, &ints, &nums);
  char date[64] = "";
  if (v.kind != KIND_LC)
    format_date(v.timestamp, date, sizeof date);
  /* the chip: --chip, else by an absolute image's address, else by a
   * variant only one family's firmware has */
  cli_chipfit fit;
  cli_chip_infer(&fit, lfsimg_chip, v.kind == KIND_ABS, v.address, v.size, 0, 0, v.target);
  if (json) {
    json_doc d;
    char hex[16];
    json_writer *w = json_begin(&d, "file", path);
    lfsc_json_key(w, "file_bytes");
    lfsc_json_uint(w, v.file_size);
    lfsc_json_key(w, "lua");
    lfsc_json_cstr(w, "5.3");
    lfsc_json_key(w, "kind");
    lfsc_json_cstr(w, kind_word(v.kind));
    lfsc_json_key(w, "format");
    if (v.kind == KIND_ABS)
      lfsc_json_null(w);
    else
      lfsc_json_int(w, v.kind == KIND_LC ? NLC_FORMAT_LC : NLC_FORMAT_IMG);
    lfsc_json_key(w, "base");
    snprintf(hex, sizeof hex, "0x%08x", (unsigned)v.address);
    lfsc_json_cstr(w, v.kind == KIND_ABS ? hex : NULL);
    lfsc_json_key(w, "signature");
    snprintf(hex, sizeof hex, "0x%08x", (unsigned)v.signature);
    lfsc_json_cstr(w, v.kind == KIND_ABS ? hex : NULL);
    lfsc_json_key(w, "signature_absolute");
    lfsc_json_bool(w, v.kind == KIND_ABS);
    lfsc_json_key(w, "compressed");
    lfsc_json_bool(w, 0);
    lfsc_json_key(w, "variant");
    lfsc_json_cstr(w, lfsc_target_name(v.target));
    lfsc_json_key(w, "chip");
    cli_chip_json(w, &fit);
    lfsc_json_key(w, "integers");
    lfsc_json_cstr(w, ints);
    lfsc_json_key(w, "floats");
    lfsc_json_cstr(w, nums);
    lfsc_json_key(w, "tvalue_bytes");
    lfsc_json_int(w, v.variant.tvalue_size);
    lfsc_json_key(w, "seed");
    if (v.kind == KIND_LC)
      lfsc_json_null(w);
    else
      lfsc_json_int(w, v.seed);
    lfsc_json_key(w, "timestamp");
    if (v.kind == KIND_LC)
      lfsc_json_null(w);
    else
      lfsc_json_int(w, v.timestamp);
    lfsc_json_key(w, "date");
    lfsc_json_cstr(w, *date ? date : NULL);
    lfsc_json_key(w, "image_bytes");
    lfsc_json_uint(w, v.size);
    lfsc_json_key(w, "stripped");
    lfsc_json_bool(w, v.strip);
    lfsc_json_key(w, "strings");
    lfsc_json_int(w, v.nstrings);
    lfsc_json_key(w, "protos");
    lfsc_json_int(w, nfuncs);
    lfsc_json_key(w, "modules");
    lfsc_json_array(w, 1);
    for (int i = 0; i < v.nmodules; i++) {
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "name");
      lfsc_json_text(w, v.names[i]->data, v.names[i]->len);
      lfsc_json_key(w, "bytes");
      lfsc_json_uint(w, bytes[i]);
      lfsc_json_key(w, "share");
      lfsc_json_fixed(w, total ? (double)bytes[i] / (double)total : 0, 4);
      lfsc_json_close(w);
    }
    lfsc_json_close(w);
    json_finish(&d);
    return ferror(stdout) ? 1 : 0;
  }
  printf("file        %s (%zu bytes)\n", shown(path), v.file_size);
  printf("lua         5.3 (NodeMCU), %s\n", format_name(&v));
  if (v.kind == KIND_ABS)
    printf("kind        absolute (ABS) at 0x%08x, signature 0x%08x\n", (unsigned)v.address,
           (unsigned)v.signature);
  else if (v.kind == KIND_IMG)
    printf("kind        position-independent (PI)\n");
  printf("variant     %s (%s integers, %s floats, %u bytes a value (TValue))\n",
         lfsc_target_name(v.target), ints, nums, (unsigned)v.variant.tvalue_size);
  cli_chip_print(stdout, &fit);
  if (v.kind != KIND_LC) {
    printf("seed        %" PRId64 " (the string hash seed)\n", v.seed);
    printf("timestamp   %" PRId64 "%s%s%s\n", v.timestamp, *date ? " (" : "", date,
           *date ? ")" : "");
  }
  printf("%s %zu bytes%s\n", v.kind == KIND_LC ? "chunk      " : "image      ", v.size,
         v.strip ? ", stripped (no debug information)" : "");
  printf("strings     %d\n", v.nstrings);
  printf("functions   %d (every Lua function, the modules' main chunks included)\n", nfuncs);
  printf("modules     %d (bytes: each as a .lc)\n", v.nmodules);
  int w = 4;
  for (int i = 0; i < v.nmodules; i++)
    if ((int)v.names[i]->len > w)
      w = v.names[i]->len > 32 ? 32 : (int)v.names[i]->len;
  for (int i = 0; i < v.nmodules; i++) {
    int nl = (int)v.names[i]->len;
    printf("  ");
    put_name(out_stdout(), v.names[i]);
    printf("%*s %8zu %5.1f%%\n", nl < w ? w - nl : 0, "", bytes[i],
           total ? 100.0 * (double)bytes[i] / (double)total : 0.0);
  }
  const char *base = strrchr(shown(path), '/');
  base = base ? base + 1 : shown(path);
  if (v.kind == KIND_IMG) {
    printf("next        copy it to the device's file system (e.g. nodemcu-tool upload %s),\n"
           "            then run node.LFS.reload(\"%s\") on the device\n", shown(path), base);
  } else if (v.kind == KIND_LC) {
    printf("next        copy it to the device's file system, then run dofile(\"%s\")\n", base);
  } else if (fit.family && strcmp(fit.family, "esp32") == 0) {
    cli_chip_next_esp32(stdout, v.address);
  } else if (v.address >= lfsimg_platform->window_base && lfsimg_platform->window_size) {
    unsigned long off = (unsigned long)(v.address - lfsimg_platform->window_base);
    printf("next        flash it at its partition, offset 0x%lx:\n"
           "            esptool.py --chip esp8266 write_flash 0x%lx %s\n", off, off,
           shown(path));
  }
  return ferror(stdout) ? 1 : 0;
}

/* ---- list, strings, dis ----------------------------------------------- */

int lfsimg53_list(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                  int json)
{
  view53 v;
  if (!read_view(ctx, path, buf, len, &v))
    return 1;
  if (json) {
    json_doc d;
    json_writer *w = json_begin(&d, "file", path);
    lfsc_json_key(w, "modules");
    lfsc_json_array(w, 1);
    for (int i = 0; i < v.nmodules; i++)
      lfsc_json_text(w, v.names[i]->data, v.names[i]->len);
    lfsc_json_close(w);
    json_finish(&d);
  } else {
    for (int i = 0; i < v.nmodules; i++) {
      put_name(out_stdout(), v.names[i]);
      putchar('\n');
    }
  }
  return ferror(stdout) ? 1 : 0;
}

int lfsimg53_strings(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                     int json, int offsets)
{
  view53 v;
  if (!read_view(ctx, path, buf, len, &v))
    return 1;
  if (offsets && !json) {
    fprintf(stderr, "%s: strings --offsets: not available for Lua 5.3 (%s has a list of "
            "strings, not a string table at offsets); --json gives each one's index and "
            "hash\n", progname, shown(path));
    return 1;
  }
  if (json) {
    json_doc d;
    json_writer *w = json_begin(&d, "file", path);
    lfsc_json_key(w, "strings");
    lfsc_json_array(w, 1);
    for (int i = 0; i < v.nstrings; i++) {
      const lfsc_str *s = v.strings[i];
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "offset");
      lfsc_json_null(w);
      lfsc_json_key(w, "index");
      lfsc_json_int(w, i + 1);
      lfsc_json_key(w, "hash");
      if (v.kind == KIND_LC)
        lfsc_json_null(w);
      else
        lfsc_json_uint(w, lfsc_lfs53_hash(s->data, s->len, (uint32_t)v.seed));
      lfsc_json_key(w, "text");
      lfsc_json_text(w, s->data, s->len);
      lfsc_json_close(w);
    }
    lfsc_json_close(w);
    json_finish(&d);
  } else {
    for (int i = 0; i < v.nstrings; i++) {
      putchar('"');
      put_name(out_stdout(), v.strings[i]);
      printf("\"\n");
    }
  }
  return ferror(stdout) ? 1 : 0;
}

int lfsimg53_dis(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                 const char *module, int full)
{
  view53 v;
  if (!read_view(ctx, path, buf, len, &v))
    return 1;
  int from = 0, to = v.nmodules;
  if (module) {
    if ((from = find_module(&v, module)) < 0)
      return no_module(&v, module);
    to = from + 1;
  }
  lfsc_sink *o = out_stdout();
  for (int i = from; i < to; i++) {
    lfsc_proto *f = standalone(ctx, &v, i);
    if (!f)
      return 1;
    if (!module && v.kind != KIND_LC) {
      lfsc_sink_printf(o, "%s-- module ", i > from ? "\n" : "");
      put_name(o, v.names[i]);
      lfsc_sink_printf(o, "\n");
    }
    if (lfsc_dialect_lua53.list(o, f, full, v.target) != LFSC_OK)
      return 1;
  }
  return ferror(stdout) ? 1 : 0;
}

/* ---- verify ----------------------------------------------------------- */

/* What verify checks: the reader's structure (it trusts no field), the
 * 5.3 code check of every module, the variant when one is expected. */
int lfsimg53_verify(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                    int have_variant, lfsc_target variant, int quiet, int json)
{
  enum { MAXP = 200 };
  const char *msgs[MAXP];
  int warn[MAXP];
  int errors = 0, warnings = 0, n = 0;
  view53 v;
  char *why = NULL;
  lfsc_proto *main = NULL;
  memset(&v, 0, sizeof v);
  int ok = 1;
  {
    int format = 0, rc;
    lfsc_variant var;
    lfsc_lfs53_image img;
    if (is_abs(buf, len)) {
      v.kind = KIND_ABS;
      rc = lfsc_lfs53_abs_read(ctx, buf, len, shown(path), NULL, &img, &v.address);
    } else if (lfsc_nlc_sniff(buf, len, &format, &var) && format == NLC_FORMAT_IMG) {
      v.kind = KIND_IMG;
      rc = lfsc_lfs53_read(ctx, buf, len, shown(path), NULL, &img);
    } else {
      v.kind = KIND_LC;
      rc = lfsc_nlc_read(ctx, buf, len, shown(path), NULL, &main, &v.variant);
    }
    if (rc != LFSC_OK) {
      const char *m = lfsc_errmsg(ctx);
      why = lfsc_alloc(ctx, strlen(m) + 1);
      if (why)
        strcpy(why, m);
      msgs[n] = why ? why : "not enough memory";
      warn[n++] = 0;
      errors++;
      ok = 0;
    } else if (v.kind == KIND_LC) {
      v.nmodules = 1;
      v.protos = &main;
      v.size = len;
    } else {
      v.variant = img.variant;
      v.nmodules = img.nmodules;
      v.names = img.names;
      v.protos = img.protos;
      v.size = v.kind == KIND_ABS ? len : img.size;
    }
  }
  if (ok) {
    nlc_sizes s;
    if (lfsc_nlc_sizes(ctx, v.variant, &s) == LFSC_OK)
      v.target = lfsc_nlc_target(s);
    if (have_variant && (lfsc_target_variant(variant).lua != LFSC_LUA53 ||
                         lfsc_target_variant(variant).numbers != v.variant.numbers)) {
      char *m = lfsc_alloc(ctx, 160);
      if (m)
        snprintf(m, 160, "the image is for %s, not %s", lfsc_target_name(v.target),
                 lfsc_target_name(variant));
      msgs[n] = m ? m : "the image is for another firmware variant";
      warn[n++] = 0;
      errors++;
    }
    /* --chip: an absolute image must be where that chip maps LFS (without
     * it no placement is checked, as before) */
    if (lfsimg_chip && v.kind == KIND_ABS &&
        (lfsimg_chip->check_addr(ctx, v.address, 0) != LFSC_OK ||
         lfsimg_chip->check_image(ctx, 1, v.address, v.size, 0) != LFSC_OK)) {
      const char *e = lfsc_errmsg(ctx);
      char *m = lfsc_alloc(ctx, strlen(e) + 40);
      if (m)
        snprintf(m, strlen(e) + 40, "image is linked at 0x%08lx: %s", (unsigned long)v.address, e);
      msgs[n] = m ? m : "image is linked where the chip maps no LFS";
      warn[n++] = 0;
      errors++;
    }
    for (int i = 0; i < v.nmodules; i++) {
      const char *w;
      const lfsc_proto *bad;
      if (lfsc_dialect_lua53.check_code(v.protos[i], &w, &bad))
        continue;
      size_t ml = strlen(w) + (v.names ? v.names[i]->len : 0) + 80;
      char *m = lfsc_alloc(ctx, ml);
      if (m && v.names)
        snprintf(m, ml, "module %s: function at line %d: %s", v.names[i]->data,
                 bad->linedefined, w);
      else if (m)
        snprintf(m, ml, "function at line %d: %s", bad->linedefined, w);
      errors++;
      if (n < MAXP) {
        msgs[n] = m ? m : w;
        warn[n++] = 0;
      }
    }
    if (v.kind == KIND_IMG && v.size < len) {
      char *m = lfsc_alloc(ctx, 80);
      if (m)
        snprintf(m, 80, "%zu bytes after the image (ignored by the loader)", len - v.size);
      warnings++;
      if (n < MAXP) {
        msgs[n] = m ? m : "bytes after the image";
        warn[n++] = 1;
      }
    }
  }
  if (!ok)
    fprintf(stderr, "%s: %s\n", progname, why ? why : "not enough memory");
  if (json) {
    json_doc d;
    json_writer *w = json_begin(&d, "file", path);
    lfsc_json_key(w, "ok");
    lfsc_json_bool(w, errors == 0);
    lfsc_json_key(w, "errors");
    lfsc_json_int(w, errors);
    lfsc_json_key(w, "warnings");
    lfsc_json_int(w, warnings);
    lfsc_json_key(w, "problems");
    lfsc_json_array(w, 1);
    for (int i = 0; i < n; i++) {
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "severity");
      lfsc_json_cstr(w, warn[i] ? "warning" : "error");
      lfsc_json_key(w, "where");
      lfsc_json_cstr(w, "none");
      lfsc_json_key(w, "offset");
      lfsc_json_null(w);
      lfsc_json_key(w, "message");
      lfsc_json_cstr(w, msgs[i]);
      lfsc_json_close(w);
    }
    lfsc_json_close(w);
    lfsc_json_key(w, "problems_not_shown");
    lfsc_json_int(w, errors + warnings - n);
    lfsc_json_key(w, "image");
    if (ok) {
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "lua");
      lfsc_json_cstr(w, "5.3");
      lfsc_json_key(w, "variant");
      lfsc_json_cstr(w, lfsc_target_name(v.target));
      lfsc_json_key(w, "kind");
      lfsc_json_cstr(w, kind_word(v.kind));
      lfsc_json_key(w, "signature_absolute");
      lfsc_json_bool(w, v.kind == KIND_ABS);
      lfsc_json_key(w, "modules");
      lfsc_json_int(w, v.nmodules);
      lfsc_json_close(w);
    } else {
      lfsc_json_null(w);
    }
    json_finish(&d);
  } else if (ok) {
    const char *p = shown(path);
    if (!quiet)
      for (int i = 0; i < n; i++)
        printf("%s: %s: %s\n", p, warn[i] ? "warning" : "error", msgs[i]);
    if (!quiet && errors + warnings > n)
      printf("%s: ... and %d more problems not shown\n", p, errors + warnings - n);
    if (errors == 0) {
      printf("%s: valid %s Lua 5.3 %s, %d module%s", p, lfsc_target_name(v.target),
             v.kind == KIND_LC ? ".lc" : v.kind == KIND_ABS ? "ABS image" : "PI image",
             v.nmodules, v.nmodules == 1 ? "" : "s");
      if (warnings)
        printf(", %d warning%s", warnings, warnings == 1 ? "" : "s");
      printf("\n");
    } else {
      printf("%s: INVALID: %d error%s, %d warning%s\n", p, errors, errors == 1 ? "" : "s",
             warnings, warnings == 1 ? "" : "s");
    }
  }
  return errors ? 1 : ferror(stdout) ? 1 : 0;
}

/* ---- extract ---------------------------------------------------------- */

int lfsimg53_extract(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                     const char *module, const char *outp, const char *tname, int strip,
                     int force)
{
  lfsc_target t;
  lfsc_variant tv = {0};
  if (tname) {
    if (lfsc_target_parse(tname, &t) ||
        ((tv = lfsc_target_variant(t)).format != LFSC_FORMAT_HOST && tv.lua != LFSC_LUA53)) {
      fprintf(stderr, "%s: extract: unknown target '%s' for a Lua 5.3 image "
              "(5.3-int32-singlefp, 5.3-int64-doublefp, 5.3-int32-doublefp, "
              "5.3-int64-singlefp or host)\n", progname, tname);
      fprintf(stderr, "Try '%s extract --help'.\n", progname);
      return 2;
    }
  }
  view53 v;
  if (!read_view(ctx, path, buf, len, &v))
    return 1;
  int i = find_module(&v, module);
  if (i < 0)
    return no_module(&v, module);
  const char *why;
  const lfsc_proto *bad;
  if (!lfsc_dialect_lua53.check_code(v.protos[i], &why, &bad)) {
    if (!force) {
      fprintf(stderr, "%s: %s: invalid image: module %s: %s\n", progname, shown(path), module,
              why);
      fprintf(stderr, "%s: '%s verify %s' lists every problem; --force writes anyway\n",
              progname, progname, path);
      return 1;
    }
    fprintf(stderr, "%s: warning: %s: invalid image: module %s: %s (--force: writing anyway)\n",
            progname, shown(path), module, why);
  }
  if (!tname) {
    t = v.target;
    tv = v.variant;
  }
  lfsc_proto *f = standalone(ctx, &v, i);
  if (!f)
    return 1;
  lfsc_sink mem;
  lfsc_sink_mem_init(&mem);
  int rc = tv.format == LFSC_FORMAT_HOST ? lfsc_lua53_write_host(ctx, f, strip || v.strip, &mem)
                                         : lfsc_nlc_write(ctx, f, tv, strip || v.strip, &mem);
  if (rc == LFSC_OK && mem.status != LFSC_OK)
    rc = lfsc_seterr(ctx, mem.status, "not enough memory");
  if (rc != LFSC_OK) {
    fprintf(stderr, "%s: %s: module '%s' cannot be written for %s: %s\n", progname,
            shown(path), module, lfsc_target_name(t), lfsc_errmsg(ctx));
    lfsc_sink_mem_free(&mem);
    return 1;
  }
  rc = lfsimg_write_file(outp, mem.buf, mem.len);
  lfsc_sink_mem_free(&mem);
  return rc;
}

/* ---- diff ------------------------------------------------------------- */

static void put_const53(lfsc_sink *o, const lfsc_const *k)
{
  switch (k->type) {
  case LFSC_K_NIL: lfsc_sink_printf(o, "nil"); break;
  case LFSC_K_BOOL: lfsc_sink_printf(o, "%s", k->u.b ? "true" : "false"); break;
  case LFSC_K_INT: lfsc_sink_printf(o, "%" PRId64, k->u.i); break;
  case LFSC_K_NUM: lfsc_sink_printf(o, "%.17g", k->u.n); break;
  case LFSC_K_STR:
    lfsc_sink_printf(o, "\"");
    put_name(o, k->u.s);
    lfsc_sink_printf(o, "\"");
    break;
  }
}

/* One instruction as "NAME a b c" by its format (luac's operand order). */
static void put_instr53(lfsc_sink *o, uint32_t i)
{
  int op = INS_OP(i);
  if (op >= OP53__COUNT) {
    lfsc_sink_printf(o, "0x%08x", (unsigned)i);
    return;
  }
  lfsc_sink_printf(o, "%s", lfsc_opcodes53_name[op]);
  switch (lfsc_opcodes53_format[op]) {
  case OPFMT_ABC: lfsc_sink_printf(o, " %d %d %d", INS_A(i), INS_B(i), INS_C(i)); break;
  case OPFMT_ABx: lfsc_sink_printf(o, " %d %d", INS_A(i), INS_Bx(i)); break;
  case OPFMT_AsBx: lfsc_sink_printf(o, " %d %d", INS_A(i), INS_sBx(i)); break;
  default: lfsc_sink_printf(o, " %d", INS_Ax(i)); break;
  }
}

static int line_of(const lfsc_proto *p, int pc)
{
  return p->lineinfo && pc < p->sizelineinfo ? p->lineinfo[pc] : 0;
}

static void diff_detail(lfsc_sink *o, const lfsc_protodiff *d)
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
    put_instr53(o, x->code[pc]);
    lfsc_sink_printf(o, "  vs  ");
    put_instr53(o, y->code[pc]);
    break;
  case LFSC_PROTODIFF_CONST:
    lfsc_sink_printf(o, "constant %d: ", d->at);
    put_const53(o, &x->k[d->at]);
    lfsc_sink_printf(o, "  vs  ");
    put_const53(o, &y->k[d->at]);
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

/* A 5.1 file against a 5.3 one: no module can be the same. */
static int diff_lua(const char *pa, const char *pb, int a53, int json)
{
  const char *la = a53 ? "5.3" : "5.1", *lb = a53 ? "5.1" : "5.3";
  if (json) {
    json_doc d;
    json_writer *w = json_begin(&d, "a", pa);
    lfsc_json_key(w, "b");
    lfsc_json_cstr(w, pb);
    lfsc_json_key(w, "lua");
    lfsc_json_object(w, 0);
    lfsc_json_key(w, "a");
    lfsc_json_cstr(w, la);
    lfsc_json_key(w, "b");
    lfsc_json_cstr(w, lb);
    lfsc_json_close(w);
    lfsc_json_key(w, "modules");
    lfsc_json_array(w, 0);
    lfsc_json_close(w);
    lfsc_json_key(w, "differences");
    lfsc_json_int(w, 1);
    lfsc_json_key(w, "equivalent");
    lfsc_json_bool(w, 0);
    json_finish(&d);
  } else {
    printf("different Lua: %s is Lua %s, %s is Lua %s\n1 difference\n", shown(pa), la,
           shown(pb), lb);
  }
  return 1;
}

int lfsimg53_diff(lfsc_ctx *ctx, const char *pa, const unsigned char *a, size_t alen,
                  const char *pb, const unsigned char *b, size_t blen, int json)
{
  int a53 = lfsimg53_is53(a, alen), b53 = lfsimg53_is53(b, blen);
  if (a53 != b53)
    return diff_lua(pa, pb, a53, json);
  view53 va, vb;
  if (!read_view(ctx, pa, a, alen, &va) || !read_view(ctx, pb, b, blen, &vb))
    return 2;
  static const char *const change_name[] = {"only_in_a", "only_in_b", "changed", "debug_only"};
  int variant_differs = va.variant.numbers != vb.variant.numbers;
  int differences = variant_differs, order_differs = 0, last = -1;
  json_doc doc;
  json_writer *w = NULL;
  if (json) {
    w = json_begin(&doc, "a", pa);
    lfsc_json_key(w, "b");
    lfsc_json_cstr(w, pb);
    lfsc_json_key(w, "lua");
    lfsc_json_cstr(w, "5.3");
    lfsc_json_key(w, "variant");
    if (variant_differs) {
      lfsc_json_object(w, 0);
      lfsc_json_key(w, "a");
      lfsc_json_cstr(w, lfsc_target_name(va.target));
      lfsc_json_key(w, "b");
      lfsc_json_cstr(w, lfsc_target_name(vb.target));
      lfsc_json_close(w);
    } else {
      lfsc_json_null(w);
    }
    lfsc_json_key(w, "modules");
    lfsc_json_array(w, 1);
  } else if (variant_differs) {
    printf("variant: %s vs %s\n", lfsc_target_name(va.target), lfsc_target_name(vb.target));
  }
  lfsc_sink detail;
  lfsc_sink_mem_init(&detail);
  lfsc_sink *o = out_stdout();
  /* A's modules in A's order, then those only in B */
  for (int pass = 0; pass < 2; pass++) {
    const view53 *x = pass ? &vb : &va, *y = pass ? &va : &vb;
    for (int i = 0; i < x->nmodules; i++) {
      int j = -1, change;
      for (int k = 0; k < y->nmodules && j < 0; k++)
        if (y->names[k]->len == x->names[i]->len &&
            memcmp(y->names[k]->data, x->names[i]->data, x->names[i]->len) == 0)
          j = k;
      if (pass && j >= 0)
        continue;
      lfsc_protodiff d;
      char where[512] = "";
      detail.len = 0;
      if (j < 0) {
        change = pass ? 1 : 0;
      } else {
        if (j < last)
          order_differs = 1;
        last = j;
        if (lfsc_protodiff_compare(x->protos[i], y->protos[j], &d)) {
          change = 2;
          diff_where(where, sizeof where, x->protos[i], &d);
          diff_detail(&detail, &d);
        } else if (d.debug_differs) {
          change = 3;
        } else {
          continue;
        }
      }
      if (change != 3)
        differences++;
      if (w) {
        lfsc_json_object(w, 0);
        lfsc_json_key(w, "name");
        lfsc_json_text(w, x->names[i]->data, x->names[i]->len);
        lfsc_json_key(w, "change");
        lfsc_json_cstr(w, change_name[change]);
        lfsc_json_key(w, "where");
        lfsc_json_cstr(w, change == 2 ? where : NULL);
        lfsc_json_key(w, "detail");
        if (change == 2)
          lfsc_json_text(w, detail.buf, detail.len);
        else
          lfsc_json_null(w);
        lfsc_json_close(w);
        continue;
      }
      lfsc_sink_printf(o, "%s", (const char *const[]){"- ", "+ ", "~ ", "  "}[change]);
      put_name(o, x->names[i]);
      if (change == 2) {
        lfsc_sink_printf(o, " (changed)\n    %s: ", where);
        lfsc_sink_write(o, detail.buf, detail.len);
        lfsc_sink_printf(o, "\n");
      } else if (change == 3) {
        lfsc_sink_printf(o, " (same code; line info or debug names differ)\n");
      } else {
        lfsc_sink_printf(o, " (only in %s)\n", shown(change == 0 ? pa : pb));
      }
    }
  }
  lfsc_sink_mem_free(&detail);
  if (json) {
    lfsc_json_close(w);
    lfsc_json_key(w, "order_differs");
    lfsc_json_bool(w, order_differs);
    lfsc_json_key(w, "differences");
    lfsc_json_int(w, differences);
    lfsc_json_key(w, "equivalent");
    lfsc_json_bool(w, !differences);
    json_finish(&doc);
  } else {
    if (order_differs)
      printf("module order differs\n");
    if (differences)
      printf("%d difference%s\n", differences, differences == 1 ? "" : "s");
    else
      printf("equivalent: %d module%s, same code and constants\n", va.nmodules,
             va.nmodules == 1 ? "" : "s");
  }
  return differences ? 1 : 0;
}

/* ---- run -------------------------------------------------------------- */

int lfsimg53_run(int argc, char **argv, const unsigned char *buf, size_t len,
                 const runtime_args *opts)
{
#ifdef LFSC_HAVE_RUNTIME53
  runtime53 *rt = run53_new(progname, lfsimg_platform);
  runtime_action *acts = malloc((size_t)argc * sizeof *acts);
  int rc;
  if (!rt || !acts) {
    fprintf(stderr, "%s: not enough memory\n", progname);
    rc = 1;
  } else if (run53_load(rt, lfsimg_platform, shown(argv[0]), buf, len)) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_runtime53_error(rt));
    rc = 1;
  } else {
    runtime_args ra = {.argc = argc, .argv = argv, .actions = acts,
                       .host_path = opts->host_path, .mocks = opts->mocks};
    rc = lfsimg_lua_args(argc, argv, &ra, acts);
    if (rc == 0)
      rc = lfsc_runtime53_main(rt, &ra);
  }
  free(acts);
  if (rt)
    lfsc_runtime53_free(rt);
  return rc;
#else
  (void)argc;
  (void)argv;
  (void)buf;
  (void)len;
  (void)opts;
  fprintf(stderr, "%s: run: not available for Lua 5.3 in this build (no liblua5.3)\n",
          progname);
  return 1;
#endif
}
