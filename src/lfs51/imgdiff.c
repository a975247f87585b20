/* Two images compared module by module (see imgdiff.h). */
#include <string.h>

#include "imgdiff.h"

static const reader_module *named(const reader_image *img, const lfsc_str *name)
{
  for (int i = 0; i < img->nmodules; i++)
    if (img->modules[i].name == name)
      return &img->modules[i];
  return NULL;
}

static lfsc_imgdiff_module *add(lfsc_imgdiff *out, lfsc_imgdiff_change change,
                                const reader_module *a, const reader_module *b)
{
  lfsc_imgdiff_module *m = &out->mods[out->nmods++];
  m->change = change;
  m->name = a ? a->name : b->name;
  m->a = a;
  m->b = b;
  if (change != LFSC_IMGDIFF_DEBUG_ONLY)
    out->differences++;
  return m;
}

int lfsc_imgdiff_compare(lfsc_ctx *ctx, const reader_image *a, const reader_image *b,
                         lfsc_imgdiff *out)
{
  memset(out, 0, sizeof *out);
  size_t n = (size_t)a->nmodules + (size_t)b->nmodules;
  out->mods = n ? lfsc_alloc(ctx, n * sizeof *out->mods) : NULL;
  if (n && !out->mods)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  out->variant_differs = a->variant != b->variant;
  out->differences = out->variant_differs;
  lfsc_protodiff d;
  for (int i = 0; i < a->nmodules; i++) {
    const reader_module *m = &a->modules[i], *o = named(b, m->name);
    if (!o)
      add(out, LFSC_IMGDIFF_ONLY_IN_A, m, NULL);
    else if (lfsc_protodiff_compare(m->proto, o->proto, &d))
      add(out, LFSC_IMGDIFF_CHANGED, m, o)->where = d;
    else if (d.debug_differs)
      add(out, LFSC_IMGDIFF_DEBUG_ONLY, m, o);
  }
  for (int j = 0; j < b->nmodules; j++)
    if (!named(a, b->modules[j].name))
      add(out, LFSC_IMGDIFF_ONLY_IN_B, NULL, &b->modules[j]);
  int same_order = a->nmodules == b->nmodules;
  for (int i = 0; same_order && i < a->nmodules; i++)
    same_order = a->modules[i].name == b->modules[i].name;
  out->order_differs = !same_order;
  return LFSC_OK;
}
