/*
 * The public image functions of lfsc/build.h over the rooms' own: the
 * builder (lfs51/builder.h), the reader and the verifier, with luac.cross's
 * policy (timestamp, placement limits, --best) in one place, so that the
 * tool and a program linking liblfsc take the same path to the same bytes.
 *
 * Reading and verifying are inspect.c's.
 *
 * The chip is the caller's choice (lfsc_image_opts.platform, by default
 * LFSC_PLATFORM_DEFAULT): its limits are checked here and in the builder.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "lfsc/build.h"
#include "deflate/gzip.h"
#include "lfs51/builder.h"

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
  /* seconds since 1970: a time before it is a mistake, not a date */
  if (*end != 0 || errno != 0 || t < 0)
    return lfsc_seterr(ctx, LFSC_EARG, "%sbad timestamp '%s' (seconds since 1970)",
                       text ? "" : "SOURCE_DATE_EPOCH: ", v);
  *out = (int64_t)t;
  return LFSC_OK;
}

int lfsc_image_write(lfsc_ctx *ctx, const lfsc_proto *index, const lfsc_image_opts *opts,
                     lfsc_sink *out, uint32_t *size)
{
  unsigned limits = opts->no_window_check ? LFSC_PLATFORM_NO_WINDOW : 0;
  const lfsc_platform *pf = opts->platform ? opts->platform
                                           : lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  if (size)
    *size = 0;
  if (lfsc_target_variant(opts->target).format == LFSC_FORMAT_HOST)
    return lfsc_seterr(ctx, LFSC_EARG,
                       "'host' has no flash image format (use float, float16 or int)");
  /* maxsize is only a bound (luac.cross checks -m's form itself); an
   * address off the platform's rules would make an image that cannot run */
  int rc = opts->absolute ? pf->check_addr(ctx, opts->addr, limits) : LFSC_OK;
  if (rc != LFSC_OK)
    return rc;
  image_opts io = {.target = opts->target, .absolute = opts->absolute, .addr = opts->addr,
                   .maxsize = opts->maxsize, .strip = opts->strip,
                   .gzip_flags = opts->best ? GZIP_BEST : opts->compat_deflate ? GZIP_REFERENCE : 0,
                   .limits = limits,
                   .platform = pf};
  return lfsc_image_build(ctx, index, &io, out, size);
}
