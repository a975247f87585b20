/*
 * libFuzzer harness over the lfsimg front end's subcommands, whole: the
 * input is written to a file and every subcommand runs on it as from the
 * command line (info, list, strings, verify and diff, each also with
 * --json; dis, dis MODULE, extract, extract --force, reloc, diff against
 * itself and against a reference image; info and verify --json reading
 * it from stdin, "-"), so argument handling, formatting, JSON and output
 * writing are covered, not just the library underneath.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], img[96], out[96];
static const char *ref;         /* a valid image for diff, or NULL */

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
  RUN("reloc", "--force", "--base", "0x40280000", img, out);
  RUN("diff", img, img);
  if (ref) {
    RUN("diff", img, ref);
    RUN("diff", "--json", ref, img);
  }
  return 0;
}
