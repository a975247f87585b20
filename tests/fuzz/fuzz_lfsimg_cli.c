/*
 * libFuzzer harness over the lfsimg front end's subcommands, whole: the
 * input is written to a file and every subcommand runs on it as from the
 * command line (info, list, strings, verify and diff, each also with
 * --json; dis, dis MODULE, extract, extract --force, reloc, diff against
 * itself and against a reference image; info and verify --json reading
 * it from stdin, "-"; info, verify and reloc with --chip esp32...), so argument handling, formatting, JSON and output
 * writing are covered, not just the library underneath. Lua 5.3 files
 * (seeded with conformance53's .lc, images and -a images) take the same
 * commands through cli/lfsimg53.c, with 5.3 targets and a 5.3 diff.
 *
 * cli_lfsimg.c is compiled into this file with its main renamed; its
 * subcommands return their exit status and never call exit(), so they
 * are called here through its command table. Their standard output goes
 * to /dev/null; run with -close_fd_mask=2 to silence their messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define main lfsimg_cli_main
#include "../../src/cli/lfsimg.c"
#undef main
#include "lfs53/lfs53.h"
#include "lua53/nlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], img[96], out[96];
static const char *ref;         /* a valid image for diff, or NULL */
static const char *ref53;       /* a valid Lua 5.3 image, or NULL */

static void setup(void)
{
  lfsimg_platform = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);   /* as lfsimg's main picks it */
  snprintf(dir, sizeof dir, "/tmp/fuzz_lfsimg_cli.XXXXXX");
  if (!mkdtemp(dir))
    abort();
  snprintf(img, sizeof img, "%s/in.img", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  if (!freopen("/dev/null", "w", stdout))
    abort();
  static char refpath[4096];
  const char *conf = getenv("LFSC_CONFORMANCE_DIR");
  if (conf) {
    snprintf(refpath, sizeof refpath, "%s/float/multi.pi.img", conf);
    if (access(refpath, R_OK) == 0)
      ref = refpath;
  }
  static char ref53path[4096];
  const char *conf53 = getenv("LFSC_CONFORMANCE53_DIR");
  if (conf53) {
    snprintf(ref53path, sizeof ref53path, "%s/out/32/img/basic.img", conf53);
    if (access(ref53path, R_OK) == 0)
      ref53 = ref53path;
  }
}

/* One subcommand with its arguments, as the command line gives them. */
static void run(const char *const *args)
{
  char *argv[16];
  int argc = 0;
  while (args[argc] && argc < 15) {
    argv[argc] = (char *)args[argc];
    argc++;
  }
  argv[argc] = NULL;
  const command *c = find_command(argv[0]);
  if (!c)
    abort();
  int rc = c->run(argc, argv);
  if (rc < 0 || rc > 2)
    abort();                    /* exit statuses are 0, 1 and 2 */
  fflush(stdout);
  clearerr(stdout);
  unlink(out);
}
#define RUN(...) run((const char *const[]){__VA_ARGS__, NULL})

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!*dir)
    setup();
  FILE *f = fopen(img, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  /* a module name to ask for, when the image decodes */
  char mod[256] = "nosuch";
  lfsc_ctx *ctx = lfsc_new();
  reader_image *im;
  if (ctx && lfsc_reader_load(ctx, data, size, &im) == LFSC_OK && im->nmodules > 0 &&
      im->modules[0].name && im->modules[0].name->len < sizeof mod &&
      !memchr(im->modules[0].name->data, 0, im->modules[0].name->len)) {
    memcpy(mod, im->modules[0].name->data, im->modules[0].name->len);
    mod[im->modules[0].name->len] = 0;
  }
  /* or a 5.3 image's (lfsimg53.c) */
  lfsc_lfs53_image im53;
  int format;
  lfsc_variant v53;
  if (ctx && lfsc_nlc_sniff(data, size, &format, &v53) && format == NLC_FORMAT_IMG &&
      lfsc_lfs53_read(ctx, data, size, "in", NULL, &im53) == LFSC_OK && im53.nmodules > 0 &&
      im53.names[0]->len < sizeof mod && !memchr(im53.names[0]->data, 0, im53.names[0]->len)) {
    memcpy(mod, im53.names[0]->data, im53.names[0]->len);
    mod[im53.names[0]->len] = 0;
  }
  lfsc_free(ctx);

  RUN("info", img);
  RUN("info", "--json", img);
  RUN("list", img);
  RUN("list", "--json", img);
  RUN("strings", "--offsets", img);
  RUN("strings", "--json", img);
  RUN("verify", "--json", img);
  if (freopen(img, "rb", stdin)) {
    RUN("info", "-");
    if (freopen(img, "rb", stdin))
      RUN("verify", "--json", "-");
  }
  RUN("dis", img);
  RUN("dis", "-l", img, mod);
  RUN("verify", "--strict", "--region-size", "0x40000", img);
  RUN("extract", img, mod, "-o", out);
  RUN("extract", "-t", "host", "-s", img, mod, "-o");   /* a missing argument */
  RUN("extract", "--force", "-t", "host", img, mod, "-o", out);
  RUN("extract", "--force", "-t", "int", img, mod, "-o", out);
  RUN("extract", "--force", "-t", "5.3-int64-doublefp", img, mod, "-o", out);
  RUN("verify", "--variant", "5.3-int32-singlefp", img);
  RUN("reloc", "--force", "--base", "0x40280000", img, out);
  RUN("diff", img, img);
  if (ref) {
    RUN("diff", img, ref);
    RUN("diff", "--json", ref, img);
  }
  if (ref53) {
    RUN("diff", img, ref53);
    RUN("diff", "--json", ref53, img);
  }
  /* an ESP32 chip's rules (--chip sets lfsimg's chip for the one command
   * a process runs: put it back for the next input) */
  RUN("info", "--chip", "esp32c3", "--json", img);
  RUN("verify", "--chip", "esp32", img);
  RUN("reloc", "--force", "--chip", "esp32", "--base", "0x3F430000", img, out);
  lfsimg_platform = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  lfsimg_chip = NULL;
  return 0;
}
