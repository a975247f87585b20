/*
 * The dialect tables (lfsc/dialect.h): each Lua's rooms bound into one
 * table, and the lookup by name. A new Lua adds its table to dialects[].
 */
#include <string.h>

#include "lfsc/dialect.h"
#include "api53.h"
#include "lua51/codecheck.h"
#include "lua51/listing.h"
#include "lua53/compile.h"
#include "lua53/input53.h"
#include "lua53/listing.h"
#include "lua53/nlc.h"

/* 5.1's combine has one form for every target */
static lfsc_proto *combine51(lfsc_ctx *ctx, lfsc_proto **chunks, int n, lfsc_target target)
{
  (void)target;
  return lfsc_input_combine(ctx, chunks, n);
}

const lfsc_dialect lfsc_dialect_lua51 = {
  .name = "5.1",
  .lua = LFSC_LUA51,
  .compile = lfsc_compile,
  .load = lfsc_input_load,
  .load_buffer = lfsc_input_load_buffer,
  .combine = combine51,
  .write_chunk = lfsc_lc_write,
  .list = lfsc_listing_print,
  .check_code = lfsc_codecheck_tree,
  .image_index = lfsc_image_index,
  .image_write = lfsc_image_write,
  .image_read = lfsc_image_read,
  .image_verify = lfsc_image_verify,
};

/* NodeMCU's Lua 5.3 (and stock 5.3 for host chunks). */
const lfsc_dialect lfsc_dialect_lua53 = {
  .name = "5.3",
  .lua = LFSC_LUA53,
  .compile = lfsc_lua53_compile,
  .load = lfsc_lua53_input_load,
  .load_buffer = lfsc_lua53_input_load_buffer,
  .combine = lfsc_lua53_combine,
  .write_chunk = lfsc_api53_write_chunk,
  .list = lfsc_lua53_list,
  .check_code = lfsc_nlc_check_tree,
  .image_index = lfsc_api53_image_index,
  .image_write = lfsc_api53_image_write,
  .image_read = lfsc_api53_image_read,
  .image_verify = lfsc_api53_image_verify,
};

static const struct {
  const char *name;
  const lfsc_dialect *d;
} dialects[] = {
  {"5.1", &lfsc_dialect_lua51},
  {"51", &lfsc_dialect_lua51},
  {"5.3", &lfsc_dialect_lua53},
  {"53", &lfsc_dialect_lua53},
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
