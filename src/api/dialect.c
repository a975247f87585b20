/*
 * The dialect tables (lfsc/dialect.h): each Lua's rooms bound into one
 * table, and the lookup by name. A new Lua adds its table to dialects[].
 */
#include <string.h>

#include "lfsc/dialect.h"
#include "lua51/codecheck.h"
#include "lua51/listing.h"

const lfsc_dialect lfsc_dialect_lua51 = {
  .name = "5.1",
  .lua = LFSC_LUA51,
  .compile = lfsc_compile,
  .load = lfsc_input_load,
  .combine = lfsc_input_combine,
  .write_chunk = lfsc_lc_write,
  .list = lfsc_listing_print,
  .check_code = lfsc_codecheck_tree,
  .image_index = lfsc_image_index,
  .image_write = lfsc_image_write,
  .image_read = lfsc_image_read,
  .image_verify = lfsc_image_verify,
};

static const struct {
  const char *name;
  const lfsc_dialect *d;
} dialects[] = {
  {"5.1", &lfsc_dialect_lua51},
  {"51", &lfsc_dialect_lua51},
};

const lfsc_dialect *lfsc_dialect_find(const char *name)
{
  if (!name || !*name)
    return &lfsc_dialect_lua51;
  for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
    if (strcmp(dialects[i].name, name) == 0)
      return dialects[i].d;
  return NULL;
}
