/*
 * The public image functions of lfsc/build.h over the rooms' own: the
 * builder (lfs51/build.h), the reader and the verifier, with luac.cross's
 * policy (timestamp, placement limits, --best) in one place, so that the
 * tool and a program linking liblfsc take the same path to the same bytes.
 *
 * The platform is the ESP8266's (platform/esp8266/lfslimits.h). A
 * platform choice in lfsc_image_opts and lfsc_verify_opts belongs here:
 * it selects the limits checked in lfsc_image_write and is passed on to
 * image_opts and verify_opts.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "lfsc/build.h"
#include "deflate/gzip.h"
#include "lfs51/build.h"
#include "lfs51/reader.h"
#include "lfs51/verify.h"
#include "platform/esp8266/lfslimits.h"

int lfsc_image_time(lfsc_ctx *ctx, const char *text, int64_t *out)
{
  const char *v = text;
  if (!v)
    v = getenv("SOURCE_DATE_EPOCH");
  if (!v || !*v) {
    *out = (int64_t)time(NULL);
    return LFSC_OK;
  }
  char *end;
  errno = 0;
  long long t = strtoll(v, &end, 10);
  if (*end != 0 || errno != 0)
    return lfsc_seterr(ctx, LFSC_EARG, "%sbad timestamp '%s'",
                       text ? "" : "SOURCE_DATE_EPOCH: ", v);
  *out = (int64_t)t;
  return LFSC_OK;
}

int lfsc_image_write(lfsc_ctx *ctx, const lfsc_proto *index, const lfsc_image_opts *opts,
                     lfsc_sink *out, uint32_t *size)
{
  unsigned limits = opts->no_window_check ? LIMITS_NO_WINDOW : 0;
  if (size)
    *size = 0;
  if (opts->target == LFSC_TARGET_HOST)
    return lfsc_seterr(ctx, LFSC_EARG,
                       "'host' has no flash image format (use float, float16 or int)");
  /* maxsize is only a bound (luac.cross checks -m's form itself); an
   * address off the platform's rules would make an image that cannot run */
  int rc = opts->absolute ? lfsc_lfslimits_check_addr(ctx, opts->addr, limits) : LFSC_OK;
  if (rc != LFSC_OK)
    return rc;
  image_opts io = {.target = opts->target, .absolute = opts->absolute, .addr = opts->addr,
                   .maxsize = opts->maxsize, .strip = opts->strip,
                   .gzip_flags = opts->best ? GZIP_BEST : 0, .limits = limits};
  return lfsc_image_build(ctx, index, &io, out, size);
}

int lfsc_image_read(lfsc_ctx *ctx, const void *file, size_t len, lfsc_image_info *out)
{
  reader_image *img;
  int rc = lfsc_reader_load(ctx, file, len, &img);
  if (rc != LFSC_OK)
    return rc;
  lfsc_image_module *m = NULL;
  if (img->nmodules > 0) {
    m = lfsc_alloc(ctx, sizeof *m * (size_t)img->nmodules);
    if (!m)
      return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  }
  for (int i = 0; i < img->nmodules; i++)
    m[i] = (lfsc_image_module){img->modules[i].name, img->modules[i].proto,
                               img->modules[i].bytes};
  *out = (lfsc_image_info){
    .target = img->variant, .compressed = img->compressed, .absolute = img->absolute,
    .base = img->base, .flash_size = img->flash_size, .nstrings = img->nstrings,
    .nfuncs = img->nfuncs, .has_timestamp = img->has_timestamp,
    .timestamp = img->timestamp, .index = img->main, .nmodules = img->nmodules,
    .modules = m};
  return LFSC_OK;
}

int lfsc_image_verify(lfsc_ctx *ctx, const void *file, size_t len, const lfsc_verify_opts *opts,
                      lfsc_verify_result *out)
{
  verify_opts vo = {0};
  if (opts)
    vo = (verify_opts){.have_variant = opts->have_target, .variant = opts->target,
                       .region_size = opts->region_size, .have_base = opts->have_base,
                       .base = opts->base, .strict_loader = opts->strict_loader,
                       .limits = opts->no_window_check ? LIMITS_NO_WINDOW : 0};
  verify_report rep;
  int rc = lfsc_verify_image(ctx, file, len, &vo, &rep);
  if (rc != LFSC_OK)
    return rc;
  lfsc_verify_problem *p = NULL;
  if (rep.nproblems > 0) {
    p = lfsc_alloc(ctx, sizeof *p * (size_t)rep.nproblems);
    if (!p)
      return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  }
  for (int i = 0; i < rep.nproblems; i++)
    p[i] = (lfsc_verify_problem){rep.problems[i].severity == VERIFY_WARNING,
                                 (int)rep.problems[i].where, rep.problems[i].offset,
                                 rep.problems[i].msg};
  *out = (lfsc_verify_result){rep.errors, rep.warnings, rep.nproblems, p};
  return LFSC_OK;
}
