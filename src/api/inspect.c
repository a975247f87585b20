/*
 * The public reading and verifying of images (lfsc/build.h) over the
 * reader and the verifier: their results copied into the public structs,
 * so that the rooms' own stay free to change. A platform choice in
 * lfsc_verify_opts is passed on to verify_opts here.
 */
#include "lfsc/build.h"
#include "lfs51/reader.h"
#include "lfs51/verify.h"

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
                       .limits = opts->no_window_check ? LFSC_PLATFORM_NO_WINDOW : 0,
                       .platform = opts->platform};
  if (!vo.platform)
    vo.platform = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
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
