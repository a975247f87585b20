/*
 * make_image: liblfsc used as a library, with nothing but its installed
 * headers and `pkg-config --cflags --libs lfsc`. It compiles Lua files and
 * writes what luac.cross would write from them:
 *
 *   make_image -o lfs.img a.lua b.lua             luac.cross -f -o lfs.img a.lua b.lua
 *   make_image -a 0x40280000 -o lfs.img a.lua     luac.cross -a 0x40280000 -o lfs.img a.lua
 *   make_image -c -o a.lc a.lua                   luac.cross -o a.lc a.lua
 *   -t float|float16|int|host   the target (-t host: .lc only)
 *   -s                          strip debug information
 *   -T seconds                  image timestamp (else SOURCE_DATE_EPOCH, else now)
 *
 * An image is built in memory, read back and verified before it is
 * written; its modules are listed on standard output.
 *
 *   cc -o make_image make_image.c $(pkg-config --cflags --libs lfsc)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lfsc/lfsc.h>
#include <lfsc/build.h>

static int fail(lfsc_ctx *ctx, const char *what)
{
  fprintf(stderr, "make_image: %s%s%s\n", what, ctx ? ": " : "", ctx ? lfsc_errmsg(ctx) : "");
  return 1;
}

/* The image of chunks[0..n), checked by reading it back, in out. */
static int build_image(lfsc_ctx *ctx, const lfsc_image_opts *io, const char *timestamp,
                       lfsc_proto **chunks, const char **files, int n, lfsc_sink *out)
{
  int64_t t;
  lfsc_proto *index;
  uint32_t size;
  if (lfsc_image_time(ctx, timestamp, &t) != LFSC_OK)
    return fail(ctx, "timestamp");
  if (lfsc_image_index(ctx, chunks, files, (size_t)n, io->target, t, &index) != LFSC_OK)
    return fail(ctx, "index");
  if (lfsc_image_write(ctx, index, io, out, &size) != LFSC_OK)
    return fail(ctx, "image");

  lfsc_verify_result vr;
  if (lfsc_image_verify(ctx, out->buf, out->len, NULL, &vr) != LFSC_OK)
    return fail(ctx, "verify");
  for (int i = 0; i < vr.nproblems; i++)
    fprintf(stderr, "make_image: %s at 0x%05lx: %s\n", vr.problems[i].warning ? "warning" : "error",
            (unsigned long)vr.problems[i].offset, vr.problems[i].msg);
  if (vr.errors)
    return fail(NULL, "the image does not verify");

  lfsc_image_info info;
  if (lfsc_image_read(ctx, out->buf, out->len, &info) != LFSC_OK)
    return fail(ctx, "read back");
  printf("%s image, %s, %lu bytes (%lu in flash), timestamp %.0f\n",
         info.absolute ? "absolute" : "position independent", lfsc_target_name(info.target),
         (unsigned long)out->len, (unsigned long)size, info.timestamp);
  for (int i = 0; i < info.nmodules; i++)
    printf("  %-20.*s %6lu bytes\n", info.modules[i].name ? (int)info.modules[i].name->len : 1,
           info.modules[i].name ? info.modules[i].name->data : "?",
           (unsigned long)info.modules[i].bytes);
  return 0;
}

int main(int argc, char **argv)
{
  lfsc_image_opts io = {.target = LFSC_TARGET_FLOAT, .maxsize = LFSC_IMAGE_MAXSIZE};
  const char *output = NULL, *timestamp = NULL;
  int lc = 0, i;
  for (i = 1; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-c") == 0)
      lc = 1;
    else if (strcmp(a, "-s") == 0)
      io.strip = 1;
    else if (strcmp(a, "-o") == 0 && v)
      output = argv[++i];
    else if (strcmp(a, "-T") == 0 && v)
      timestamp = argv[++i];
    else if (strcmp(a, "-a") == 0 && v) {
      io.absolute = 1;
      io.addr = (uint32_t)strtoul(argv[++i], NULL, 0);
    } else if (strcmp(a, "-t") == 0 && v && lfsc_target_parse(v, &io.target) == LFSC_OK)
      i++;
    else
      break;
  }
  if (!output || i >= argc || argv[i][0] == '-') {
    fprintf(stderr, "usage: make_image [-c] [-t target] [-a addr] [-s] [-T seconds] -o output"
                    " file.lua...\n");
    return 2;
  }
  const char **files = (const char **)argv + i;
  int n = argc - i;

  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto **chunks = calloc((size_t)n, sizeof *chunks);
  char *tmp = malloc(strlen(output) + 5);
  FILE *fp = NULL;
  int rc = !ctx || !chunks || !tmp ? fail(NULL, "out of memory") : 0;
  lfsc_input_opts in = {.target = io.target};
  for (int k = 0; rc == 0 && k < n; k++)
    if (lfsc_input_load(ctx, &in, files[k], &chunks[k]) != LFSC_OK)
      rc = fail(ctx, files[k]);
  /* output through a temporary name: a failed build leaves no file */
  if (rc == 0) {
    sprintf(tmp, "%s.tmp", output);
    if (!(fp = fopen(tmp, "wb")))
      rc = fail(NULL, "cannot open the output");
  }
  if (rc == 0) {
    lfsc_sink out;
    if (lc) {
      /* a .lc of all files, combined as luac does */
      lfsc_proto *main_fn = lfsc_input_combine(ctx, chunks, n);
      lfsc_sink_file_init(&out, fp);
      if (!main_fn)
        rc = fail(NULL, "out of memory");
      else if (lfsc_lc_write(ctx, main_fn, io.target, io.strip, &out) != LFSC_OK)
        rc = fail(ctx, "write");
    } else {
      lfsc_sink_mem_init(&out);
      rc = build_image(ctx, &io, timestamp, chunks, files, n, &out);
      if (rc == 0 && fwrite(out.buf, 1, out.len, fp) != out.len)
        rc = fail(NULL, "cannot write the output");
      lfsc_sink_mem_free(&out);
    }
    if (fclose(fp) != 0 && rc == 0)
      rc = fail(NULL, "cannot write the output");
    if (rc == 0 && rename(tmp, output) != 0)
      rc = fail(NULL, "cannot rename the output");
    if (rc != 0)
      remove(tmp);
  }
  free(tmp);
  free(chunks);
  lfsc_free(ctx);
  return rc;
}
