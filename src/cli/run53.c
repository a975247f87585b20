/*
 * NodeMCU Lua 5.3 images on the host runtime: the image is read by the
 * lfs53 readers (which trust no field), each module checked by the 5.3
 * code checker -- stock 5.3's lua_load verifies nothing, so a corrupt
 * image must not reach the VM -- and handed over as a stock 5.3 chunk.
 */
#ifdef LFSC_HAVE_RUNTIME53
#include <stdlib.h>
#include <string.h>

#include "run53.h"
#include "lfsc/dialect.h"
#include "base/file.h"
#include "base/sink.h"
#include "lfs53/lfs53.h"
#include "lua53/compile.h"
#include "lua53/nlc.h"

/* The flash signature of -a images, the ESP32's variant bits masked. */
#define ABS_SIGNATURE 0xFAFAA250u

static int fail_ctx(runtime53 *rt, lfsc_ctx *ctx)
{
  int rc = lfsc_runtime53_fail(rt, "%s", lfsc_errmsg(ctx));
  lfsc_free(ctx);
  return rc;
}

int run53_load(runtime53 *rt, const lfsc_platform *pf, const char *name,
               const unsigned char *buf, size_t len)
{
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return lfsc_runtime53_fail(rt, "not enough memory");
  lfsc_lfs53_image img;
  int format = 0, absolute = 0;
  uint32_t base = 0;
  lfsc_variant v;
  if (len >= 4 && ((buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24) & ~3u) ==
      ABS_SIGNATURE) {
    absolute = 1;
    if (lfsc_lfs53_abs_read(ctx, buf, len, name, NULL, &img, &base) != LFSC_OK)
      return fail_ctx(rt, ctx);
  } else if (lfsc_nlc_sniff(buf, len, &format, &v) && format == NLC_FORMAT_IMG) {
    if (lfsc_lfs53_read(ctx, buf, len, name, NULL, &img) != LFSC_OK)
      return fail_ctx(rt, ctx);
  } else {
    lfsc_free(ctx);
    return lfsc_runtime53_fail(rt, "%s: not a NodeMCU Lua 5.3 LFS image%s", name,
                               format == NLC_FORMAT_LC ? " (a .lc file: dofile it)" : "");
  }
  int n = img.nmodules, rc = 0;
  const char **names = calloc((size_t)n + 1, sizeof *names);
  const void **chunks = calloc((size_t)n + 1, sizeof *chunks);
  size_t *lens = calloc((size_t)n + 1, sizeof *lens);
  size_t nstr = (size_t)img.nstrings + LFSC_LFS53_NFIXED;
  const char **strs = calloc(nstr, sizeof *strs);
  size_t *strlens = calloc(nstr, sizeof *strlens);
  lfsc_sink *sinks = calloc((size_t)n + 1, sizeof *sinks);
  if (!names || !chunks || !lens || !strs || !strlens || !sinks)
    rc = lfsc_runtime53_fail(rt, "not enough memory");
  for (int i = 0; i < n && rc == 0; i++) {
    const char *why;
    const lfsc_proto *bad;
    lfsc_sink_mem_init(&sinks[i]);
    names[i] = img.names[i]->data;
    if (!lfsc_dialect_lua53.check_code(img.protos[i], &why, &bad)) {
      rc = lfsc_runtime53_fail(rt, "%s: module %s: %s (bad code, not loaded)", name,
                               img.names[i]->data, why);
      break;
    }
    lfsc_proto *main = lfsc_nlc_standalone(ctx, img.protos[i]);
    if (!main || lfsc_lua53_write_host(ctx, main, 0, &sinks[i]) != LFSC_OK ||
        sinks[i].status != LFSC_OK) {
      rc = lfsc_runtime53_fail(rt, "%s: module %s: %s", name, img.names[i]->data,
                               main ? lfsc_errmsg(ctx) : "not enough memory");
      break;
    }
    chunks[i] = sinks[i].buf;
    lens[i] = sinks[i].len;
  }
  /* the flash the image takes is what the device builds from it: the -a
   * layout (the file's own size when it cannot be built) */
  uint32_t used = (uint32_t)(absolute ? len : img.size);
  if (rc == 0 && !absolute) {
    lfsc_sink flash;
    lfsc_sink_mem_init(&flash);
    lfsc_lfs53_abs_opts ao = {.address = lfsc_runtime53_config(pf, 0, 0, 0).lfs_mapped};
    if (lfsc_lfs53_abs(ctx, &img, &ao, &flash) == LFSC_OK && flash.status == LFSC_OK)
      used = (uint32_t)flash.len;
    lfsc_sink_mem_free(&flash);
  }
  if (rc == 0) {
    for (int i = 0; i < img.nstrings; i++) {
      strs[i] = img.strings[i]->data;
      strlens[i] = img.strings[i]->len;
    }
    for (int i = 0; i < LFSC_LFS53_NFIXED; i++) {
      strs[img.nstrings + i] = lfsc_lfs53_fixed[i];
      strlens[img.nstrings + i] = strlen(lfsc_lfs53_fixed[i]);
    }
    runtime53_image ri = {
      .name = name,
      .numbers = img.variant.numbers,
      .timestamp = img.timestamp,
      .config = lfsc_runtime53_config(pf, absolute, base, used),
      .nstrings = nstr,
      .strings = strs,
      .strlens = strlens,
    };
    rc = lfsc_runtime53_load_modules(rt, names, chunks, lens, (size_t)n, &ri);
  }
  if (sinks)
    for (int i = 0; i < n; i++)
      lfsc_sink_mem_free(&sinks[i]);
  free(sinks);
  free(names);
  free(chunks);
  free(lens);
  free(strs);
  free(strlens);
  lfsc_free(ctx);
  return rc;
}

/* node.LFS.reload(path): the new image replaces the old only when it
 * loads whole. */
static int reload(runtime53 *rt, const char *path, void *ud)
{
  const lfsc_platform *pf = ud;
  lfsc_ctx *ctx = lfsc_new();
  unsigned char *buf;
  size_t len;
  if (!ctx)
    return lfsc_runtime53_fail(rt, "not enough memory");
  if (lfsc_file_read(ctx, path, FILE_INPUT_MAX, &buf, &len) != LFSC_OK)
    return fail_ctx(rt, ctx);
  lfsc_free(ctx);
  int rc = run53_load(rt, pf, path, buf, len);
  free(buf);
  return rc;
}

runtime53 *run53_new(const char *progname, const lfsc_platform *pf)
{
  runtime53_config part = lfsc_runtime53_config(pf, 0, 0, 0);
  runtime53 *rt = lfsc_runtime53_new(progname, &part);
  if (rt)
    lfsc_runtime53_on_reload(rt, reload, (void *)pf);
  return rt;
}
#else
typedef int run53_none;         /* a build without liblua5.3 */
#endif
