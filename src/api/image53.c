/*
 * The 5.3 dialect's image entries (lfsc/dialect.h) over the lfs53 room.
 *
 * A 5.3 image has no index function: it is a list of top-level functions,
 * their module names, a seed and a timestamp. Behind the dialect table
 * (whose image entries pass an "index" tree from image_index or
 * image_read to image_write) the list is the tree NodeMCU's luac.cross -i
 * writes: its never-called "=(luac.cross)" main over the modules, whose
 * constants are the module names and the timestamp. What an image needs
 * besides -- the file names (their module names, and the reference's
 * duplicate-file message, come from them) and, when read from an image,
 * that image itself (its seed; -F IMG -a lays it out without writing and
 * reading it again) -- rides behind the tree.
 */
#include <stdlib.h>
#include <string.h>

#include "lfsc/dialect.h"
#include "api53.h"
#include "base/protowalk.h"
#include "base/sink.h"
#include "lfs53/lfs53.h"
#include "lua53/compile.h"
#include "lua53/nlc.h"

/* The tree is the first member, so a pointer to it is a pointer to the
 * whole. */
typedef struct index53 {
  lfsc_proto x;
  const char **files;           /* the modules' file names (module names when read) */
  const lfsc_lfs53_image *img;  /* the image it was read from, or NULL */
} index53;

/* chunks under the -i main; k[i] the module name of files[i], k[n] the
 * timestamp */
static int make_index(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                      size_t n, int64_t timestamp, index53 **out)
{
  index53 *w = lfsc_alloc(ctx, sizeof *w);
  const char **fs = lfsc_alloc(ctx, (n ? n : 1) * sizeof *fs);
  lfsc_const *k = lfsc_alloc(ctx, (n + 1) * sizeof *k);
  lfsc_proto *m = w && fs && k ? lfsc_nlc_combine(ctx, chunks, (int)n) : NULL;
  if (!m)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (size_t i = 0; i < n; i++) {
    char name[256];
    size_t len = lfsc_lfs53_module_name(files[i], name, sizeof name);
    size_t flen = strlen(files[i]) + 1;
    char *f = lfsc_alloc(ctx, flen);
    if (!f || !(k[i].u.s = lfsc_intern(ctx, name, len < sizeof name ? len : sizeof name - 1)))
      return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
    memcpy(f, files[i], flen);
    fs[i] = f;
    k[i].type = LFSC_K_STR;
  }
  k[n].type = LFSC_K_INT;
  k[n].u.i = timestamp;
  w->x = *m;
  w->x.sizek = (int)n + 1;
  w->x.k = k;
  w->files = fs;
  *out = w;
  return LFSC_OK;
}

int lfsc_api53_image_index(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                           size_t n, lfsc_target target, int64_t timestamp, lfsc_proto **out)
{
  (void)target;
  const char **names = calloc(n ? n : 1, sizeof *names);
  if (!names)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (size_t i = 0; i < n; i++) {
    /* stdin (no file name) is named by its chunk's source, as the 5.1 index */
    const lfsc_str *src = chunks[i]->source;
    names[i] = files[i] ? files[i] : src && src->len > 1 ? src->data + 1 : "stdin";
  }
  index53 *w;
  int rc = make_index(ctx, chunks, names, n, timestamp, &w);
  free(names);
  if (rc == LFSC_OK)
    *out = &w->x;
  return rc;
}

/* The modules of an index tree, as lfs53 takes them. */
static int modules_of(lfsc_ctx *ctx, const lfsc_proto *x, lfsc_lfs53_module **out)
{
  const index53 *w = (const index53 *)x;
  int n = x->sizep;
  if (x->lua != LFSC_LUA53 || x->sizek != n + 1 || !w->files)
    return lfsc_seterr(ctx, LFSC_EARG, "not a Lua 5.3 module list");
  lfsc_lfs53_module *m = lfsc_alloc(ctx, (size_t)(n ? n : 1) * sizeof *m);
  if (!m)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (int i = 0; i < n; i++) {
    m[i].filename = w->files[i];
    m[i].proto = x->p[i];
  }
  *out = m;
  return LFSC_OK;
}

/* -a: the flash image the device builds from img; nothing is written
 * unless all of it could be made. */
static int abs_of(lfsc_ctx *ctx, const lfsc_lfs53_image *img, lfsc_variant v,
                  const lfsc_image_opts *opts, lfsc_sink *out, uint32_t *size)
{
  lfsc_sink abs;
  lfsc_sink_mem_init(&abs);
  lfsc_lfs53_abs_opts ao = {.address = opts->addr, .max_size = (uint32_t)opts->maxsize,
                            .signature = lfsc_lfs53_signature(v, 0),
                            .compat = opts->compat_loader};
  int rc = lfsc_lfs53_abs(ctx, img, &ao, &abs);
  if (rc == LFSC_OK && abs.status != LFSC_OK)
    rc = lfsc_seterr(ctx, abs.status, "not enough memory");
  if (rc == LFSC_OK) {
    if (size)
      *size = (uint32_t)abs.len;
    lfsc_sink_write(out, abs.buf, abs.len);
  }
  lfsc_sink_mem_free(&abs);
  return rc;
}

int lfsc_api53_image_write(lfsc_ctx *ctx, const lfsc_proto *index, const lfsc_image_opts *opts,
                           lfsc_sink *out, uint32_t *size)
{
  lfsc_variant v = lfsc_target_variant(opts->target);
  if (size)
    *size = 0;
  if (v.format != LFSC_FORMAT_NODEMCU || v.lua != LFSC_LUA53)
    return lfsc_seterr(ctx, LFSC_EARG, "'%s' has no Lua 5.3 flash image format (use "
                       "5.3-int32-singlefp, 5.3-int64-doublefp, 5.3-int32-doublefp or "
                       "5.3-int64-singlefp)", lfsc_target_name(opts->target));
  lfsc_lfs53_module *mods = NULL;
  int rc = modules_of(ctx, index, &mods);
  if (rc != LFSC_OK)
    return rc;
  int n = index->sizep;
  int64_t timestamp = index->k[n].u.i;
  const lfsc_lfs53_image *read = ((const index53 *)index)->img;   /* NULL: from sources */
  /* the device finds "__" modules only when they come first, and no
   * module past the 255th or with a name over 40 bytes */
  if (!opts->compat_loader) {
    lfsc_lfs53_order_modules(mods, n);
    if ((rc = lfsc_lfs53_check_modules(ctx, mods, n)) != LFSC_OK)
      return rc;
  }
  if (read && opts->absolute && !opts->have_seed && opts->strip == read->strip &&
      v.numbers == read->variant.numbers)
    return abs_of(ctx, read, v, opts, out, size);
  int64_t seed = opts->have_seed ? opts->seed : read ? read->seed : 0;
  lfsc_sink mem;
  lfsc_sink_mem_init(&mem);
  rc = lfsc_lfs53_write(ctx, mods, n, v, opts->strip, seed, timestamp, &mem);
  if (rc == LFSC_OK && !opts->have_seed && !read) {
    /* no seed given: one from the content, so that a build is reproducible */
    seed = lfsc_lfs53_content_seed(mem.buf, mem.len);
    mem.len = 0;
    rc = lfsc_lfs53_write(ctx, mods, n, v, opts->strip, seed, timestamp, &mem);
  }
  if (rc == LFSC_OK && mem.status != LFSC_OK)
    rc = lfsc_seterr(ctx, mem.status, "not enough memory");
  if (rc == LFSC_OK && opts->absolute) {
    lfsc_lfs53_image img;
    rc = lfsc_lfs53_read(ctx, mem.buf, mem.len, "image", &v, &img);
    if (rc == LFSC_OK)
      rc = abs_of(ctx, &img, v, opts, out, size);
  } else if (rc == LFSC_OK) {
    if (opts->maxsize && mem.len > opts->maxsize)
      rc = lfsc_seterr(ctx, LFSC_ELIMIT, "image of %zu bytes, %zu bytes over the maximum "
                       "size of %llu", mem.len,
                       mem.len - (size_t)opts->maxsize,
                       (unsigned long long)opts->maxsize);
    else
      lfsc_sink_write(out, mem.buf, mem.len);
  }
  lfsc_sink_mem_free(&mem);
  return rc;
}

int lfsc_api53_image_read(lfsc_ctx *ctx, const void *file, size_t len, lfsc_image_info *out)
{
  lfsc_lfs53_image img;
  memset(out, 0, sizeof *out);
  int rc = lfsc_lfs53_read(ctx, file, len, "image", NULL, &img);
  if (rc != LFSC_OK)
    return rc;
  const char **names = lfsc_alloc(ctx, (size_t)(img.nmodules ? img.nmodules : 1) *
                                  sizeof *names);
  lfsc_lfs53_image *kept = lfsc_alloc(ctx, sizeof *kept);
  lfsc_image_module *mods = lfsc_alloc(ctx, (size_t)(img.nmodules ? img.nmodules : 1) *
                                       sizeof *mods);
  if (!names || !kept || !mods)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (int i = 0; i < img.nmodules; i++)
    names[i] = img.names[i]->data;
  index53 *w;
  if ((rc = make_index(ctx, img.protos, names, (size_t)img.nmodules, img.timestamp, &w)))
    return rc;
  *kept = img;
  w->img = kept;
  for (int i = 0; i < img.nmodules; i++) {
    mods[i].name = img.names[i];
    mods[i].proto = img.protos[i];
  }
  nlc_sizes sz;
  if ((rc = lfsc_nlc_sizes(ctx, img.variant, &sz)) != LFSC_OK)
    return rc;
  out->target = lfsc_nlc_target(sz);
  out->nfuncs = 0;
  for (int i = 0; i < img.nmodules; i++)
    out->nfuncs += lfsc_proto_count(img.protos[i]);
  out->flash_size = (uint32_t)img.size;
  out->nstrings = img.nstrings;
  out->has_timestamp = 1;
  out->timestamp = (double)img.timestamp;
  out->index = &w->x;
  out->nmodules = img.nmodules;
  out->modules = mods;
  return LFSC_OK;
}

/* A 5.3 image is valid when the reader (which trusts no field) takes it
 * and every function passes the 5.3 code check; the variant must be the
 * expected one when given. Problems carry no offset: the reader stops at
 * the first structural one. */
int lfsc_api53_image_verify(lfsc_ctx *ctx, const void *file, size_t len,
                            const lfsc_verify_opts *opts, lfsc_verify_result *out)
{
  lfsc_verify_problem *p = lfsc_alloc(ctx, 2 * sizeof *p);
  if (!p)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  int n = 0;
  lfsc_lfs53_image img;
  if (lfsc_lfs53_read(ctx, file, len, "image", NULL, &img) != LFSC_OK) {
    const char *m = lfsc_errmsg(ctx);
    size_t k = strlen(m) + 1;
    char *msg = lfsc_alloc(ctx, k);
    if (!msg)
      return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
    memcpy(msg, m, k);
    p[n++] = (lfsc_verify_problem){0, 0, 0, msg};
  } else {
    lfsc_variant want = opts && opts->have_target ? lfsc_target_variant(opts->target)
                                                  : img.variant;
    if (want.numbers != img.variant.numbers || want.lua != LFSC_LUA53)
      p[n++] = (lfsc_verify_problem){0, 0, 0, "the image is for another firmware variant"};
    for (int i = 0; i < img.nmodules; i++) {
      const char *why;
      const lfsc_proto *bad;
      if (!lfsc_nlc_check_tree(img.protos[i], &why, &bad)) {
        char *msg = lfsc_alloc(ctx, strlen(why) + img.names[i]->len + 64);
        if (!msg)
          return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
        sprintf(msg, "module %s: %s", img.names[i]->data, why);
        p[n++] = (lfsc_verify_problem){0, 0, 0, msg};
        break;
      }
    }
  }
  *out = (lfsc_verify_result){n, 0, n, p};
  return LFSC_OK;
}

int lfsc_api53_write_chunk(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_target target, int strip,
                           lfsc_sink *out)
{
  lfsc_variant v = lfsc_target_variant(target);
  if (v.format == LFSC_FORMAT_HOST)
    return lfsc_lua53_write_host(ctx, main, strip, out);
  if (v.lua != LFSC_LUA53)
    return lfsc_seterr(ctx, LFSC_EARG, "'%s' is not a Lua 5.3 target", lfsc_target_name(target));
  return lfsc_nlc_write(ctx, main, v, strip, out);
}
