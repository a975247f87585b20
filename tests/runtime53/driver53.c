/*
 * Test driver for the Lua 5.3 host runtime (src/runtime53): a few stock
 * Lua 5.3 chunks (luac5.3 -o) run as an LFS, with lfsimg run's command
 * line after "--". It stands in for `lfsimg run` until the 5.3 image
 * reader is wired to the runtime, and, linked with the 5.1 runtime too,
 * shows that one process runs both VMs.
 *
 * usage: driver53 [options] [NAME=]FILE.luac... [-- [-e stat] [-l mod] [-i] [script [args]]]
 *   --variant V        the image's target (5.3-int32-singlefp, ...; default 5.3-int64-doublefp)
 *   --time N           node.LFS.time (default 1700000000)
 *   --image NAME       the image's name in messages (default lfs.img)
 *   --config B,M,S,U   node.info('lfs') of the image (default 0x90000,0x40290000,0x40000,4096)
 *   --used N           instead: the ESP8266's numbers for a PI image of N bytes, and for
 *                      no image, by lfsc_runtime53_config
 *   --string S         a ROM string for debug.getstrings('ROM') (repeatable)
 *   --no-lfs           load nothing ("no LFS loaded")
 *   --exec SCRIPT OUT  luac.cross -e: run SCRIPT; write the function it returns (stock
 *                      chunk) to OUT, or nothing when it returns none; then exit
 *   --lfs51 IMG STAT   first run STAT in the 5.1 runtime on the 5.1 image IMG, in this process
 * node.LFS.reload(F): F lists the new image, one "[NAME=]FILE.luac" or "time N" a line.
 * A module is named after its file, without directory and last extension.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "runtime/runtime.h"
#include "runtime53/runtime53.h"

#define MAXMOD 400
#define MAXSTR 64

typedef struct lfs_set {
  int n;
  char *names[MAXMOD];
  void *chunks[MAXMOD];
  size_t lens[MAXMOD];
  runtime53_image img;
} lfs_set;

static const char *progname = "driver53";

static void *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *b = malloc(cap);
  size_t r;
  while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      unsigned char *q = realloc(b, cap *= 2);
      if (!q)
        free(b);
      b = q;
    }
  }
  fclose(f);
  *len = n;
  return b;
}

/* add "[NAME=]FILE" to s; 0, or -1 with a message */
static int add_module(lfs_set *s, const char *arg, char *err, size_t errlen)
{
  const char *eq = strchr(arg, '='), *file = eq ? eq + 1 : arg;
  char *name;
  if (eq) {
    name = strndup(arg, (size_t)(eq - arg));
  } else {
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    name = strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
  }
  if (s->n == MAXMOD) {
    snprintf(err, errlen, "too many modules");
    free(name);
    return -1;
  }
  s->chunks[s->n] = slurp(file, &s->lens[s->n]);
  if (!s->chunks[s->n]) {
    snprintf(err, errlen, "cannot read %s", file);
    free(name);
    return -1;
  }
  s->names[s->n++] = name;
  return 0;
}

static void clear_set(lfs_set *s)
{
  for (int i = 0; i < s->n; i++) {
    free(s->names[i]);
    free(s->chunks[i]);
  }
  s->n = 0;
}

static int load_set(runtime53 *rt, lfs_set *s)
{
  return lfsc_runtime53_load_modules(rt, (const char *const *)s->names,
                                     (const void *const *)s->chunks, s->lens, (size_t)s->n,
                                     &s->img);
}

/* node.LFS.reload's hook: path lists the new image */
static int reload(runtime53 *rt, const char *path, void *ud)
{
  const lfs_set *cur = ud;
  lfs_set *s = calloc(1, sizeof *s);
  char line[4096], err[4200] = "";
  FILE *f = fopen(path, "r");
  if (!s || !f) {
    free(s);
    if (f)
      fclose(f);
    return lfsc_runtime53_fail(rt, "cannot open %s", path);
  }
  s->img = cur->img;
  s->img.name = path;
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (strncmp(line, "time ", 5) == 0)
      s->img.timestamp = strtoll(line + 5, NULL, 0);
    else if (*line)
      rc = add_module(s, line, err, sizeof err);
  }
  fclose(f);
  if (rc)
    rc = lfsc_runtime53_fail(rt, "%s: %s", path, err);
  else
    rc = load_set(rt, s);
  clear_set(s);
  free(s);
  return rc;
}

/* the lua-style command line after "--", parsed as lfsimg run does */
static int lua_args(int argc, char **argv, runtime_args *ra, runtime_action *acts)
{
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || strcmp(a, "-") == 0)
      break;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[1] == 'i' && !a[2]) {
      ra->interactive = 1;
    } else if ((a[1] == 'e' || a[1] == 'l')) {
      const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) {
        fprintf(stderr, "%s: '%s' needs an argument\n", progname, a);
        return 2;
      }
      acts[ra->nactions].what = a[1];
      acts[ra->nactions++].value = v;
    } else {
      fprintf(stderr, "%s: unknown option %s\n", progname, a);
      return 2;
    }
  }
  ra->script = i < argc ? i : 0;
  return 0;
}

static int run51(const char *img, const char *stat)
{
  const lfsc_platform *pf = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  runtime *rt = lfsc_runtime_new(progname, pf);
  if (!rt)
    return 1;
  char *argv[] = {(char *)img, NULL};
  runtime_action act = {'e', stat};
  runtime_args ra = {.argc = 1, .argv = argv, .actions = &act, .nactions = 1};
  int rc = lfsc_runtime_load_image(rt, img);
  if (rc)
    fprintf(stderr, "%s: %s\n", progname, lfsc_runtime_error(rt));
  else
    rc = lfsc_runtime_main(rt, &ra);
  lfsc_runtime_free(rt);
  return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
  static lfs_set set;
  const char *strings[MAXSTR];
  size_t strlens[MAXSTR];
  char err[4200];
  int nstr = 0, nolfs = 0, i;
  const char *exec = NULL, *exec_out = NULL, *img51 = NULL, *stat51 = NULL;
  lfsc_target target = LFSC_TARGET_53_INT64_DOUBLEFP;
  set.img.name = "lfs.img";
  set.img.timestamp = 1700000000;
  set.img.config = (runtime53_config){0x90000, 0x40290000, 0x40000, 4096};
  runtime53_config partition = {0x90000, 0x40290000, 0x40000, 0};
  const lfsc_platform *pf = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *a = argv[i];
    int more = argc - i - 1;
    if (strcmp(a, "--variant") == 0 && more >= 1) {
      if (lfsc_target_parse(argv[++i], &target)) {
        fprintf(stderr, "%s: unknown variant %s\n", progname, argv[i]);
        return 2;
      }
    } else if (strcmp(a, "--time") == 0 && more >= 1) {
      set.img.timestamp = strtoll(argv[++i], NULL, 0);
    } else if (strcmp(a, "--image") == 0 && more >= 1) {
      set.img.name = argv[++i];
    } else if (strcmp(a, "--config") == 0 && more >= 1) {
      uint32_t v[4];
      char *p = argv[++i];
      for (int k = 0; k < 4; k++) {
        v[k] = (uint32_t)strtoul(p, &p, 0);
        if (*p != (k < 3 ? ',' : 0)) {
          fprintf(stderr, "%s: --config B,M,S,U\n", progname);
          return 2;
        }
        p++;
      }
      set.img.config = (runtime53_config){v[0], v[1], v[2], v[3]};
    } else if (strcmp(a, "--used") == 0 && more >= 1) {
      set.img.config = lfsc_runtime53_config(pf, 0, 0, (uint32_t)strtoul(argv[++i], NULL, 0));
      partition = lfsc_runtime53_config(pf, 0, 0, 0);
    } else if (strcmp(a, "--string") == 0 && more >= 1 && nstr < MAXSTR) {
      strings[nstr] = argv[++i];
      strlens[nstr] = strlen(strings[nstr]);
      nstr++;
    } else if (strcmp(a, "--no-lfs") == 0) {
      nolfs = 1;
    } else if (strcmp(a, "--exec") == 0 && more >= 2) {
      exec = argv[++i];
      exec_out = argv[++i];
    } else if (strcmp(a, "--lfs51") == 0 && more >= 2) {
      img51 = argv[++i];
      stat51 = argv[++i];
    } else if (a[0] == '-' && a[1] == '-') {
      fprintf(stderr, "%s: unknown option %s\n", progname, a);
      return 2;
    } else if (add_module(&set, a, err, sizeof err)) {
      fprintf(stderr, "%s: %s\n", progname, err);
      return 1;
    }
  }
  set.img.numbers = lfsc_target_variant(target).numbers;
  set.img.nstrings = (size_t)nstr;
  set.img.strings = strings;
  set.img.strlens = strlens;

  if (img51 && run51(img51, stat51))
    return 1;

  runtime53 *rt = lfsc_runtime53_new(progname, &partition);
  if (!rt) {
    fprintf(stderr, "%s: not enough memory\n", progname);
    return 1;
  }
  lfsc_runtime53_on_reload(rt, reload, &set);
  int rc = 0;
  if (!nolfs && load_set(rt, &set)) {
    fprintf(stderr, "%s: %s\n", progname, lfsc_runtime53_error(rt));
    rc = 1;
  } else if (exec) {
    unsigned char *chunk;
    size_t len;
    if (lfsc_runtime53_exec(rt, exec, &chunk, &len)) {
      fprintf(stderr, "%s: %s\n", progname, lfsc_runtime53_error(rt));
      rc = 1;
    } else if (chunk) {
      FILE *f = fopen(exec_out, "wb");
      rc = !f || fwrite(chunk, 1, len, f) != len;
      if (f && fclose(f))
        rc = 1;
      free(chunk);
    }
  } else {
    /* the command line after "--", with the image where lfsimg has it */
    int largc = argc - i;
    char **largv = argv + i;
    if (largc <= 0) {
      static char *none[] = {"lfs.img", NULL};
      largc = 1;
      largv = none;
    } else {
      largv[0] = (char *)set.img.name;
    }
    runtime_action *acts = malloc((size_t)largc * sizeof *acts);
    runtime_args ra = {.argc = largc, .argv = largv, .actions = acts};
    rc = acts ? lua_args(largc, largv, &ra, acts) : 1;
    if (rc == 0)
      rc = lfsc_runtime53_main(rt, &ra);
    free(acts);
  }
  lfsc_runtime53_free(rt);
  clear_set(&set);
  return rc;
}
