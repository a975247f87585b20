/* The target presets: what each name users pick (-t) means as separate
 * choices -- container, number model, TValue width -- in one table, so
 * the rooms decide by those fields and a new variant is one more row. */
#include <string.h>

#include "lfsc/image.h"
#include "lfsc/lfsc.h"

static const struct {
  const char *name;
  lfsc_variant v;
} presets[] = {
  [LFSC_TARGET_FLOAT] = {"float", {LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, LFSIMG_TV_FLOAT, LFSC_LUA51}},
  [LFSC_TARGET_FLOAT16] = {"float16", {LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, LFSIMG_TV_FLOAT16, LFSC_LUA51}},
  [LFSC_TARGET_INT] = {"int", {LFSC_FORMAT_NODEMCU, LFSC_NUM_INT32, LFSIMG_TV_INT, LFSC_LUA51}},
  [LFSC_TARGET_HOST] = {"host", {LFSC_FORMAT_HOST, LFSC_NUM_DOUBLE, 0, LFSC_LUA51}},
  /* 5.3 images hold 8-byte TValues when both number types are 32 bits wide,
   * 12-byte ones when either is 64 bits */
  [LFSC_TARGET_53_INT32_SINGLEFP] = {"5.3-int32-singlefp",
                                     {LFSC_FORMAT_NODEMCU, LFSC_NUM_I32_F32, 8, LFSC_LUA53}},
  [LFSC_TARGET_53_INT64_DOUBLEFP] = {"5.3-int64-doublefp",
                                     {LFSC_FORMAT_NODEMCU, LFSC_NUM_I64_F64, 12, LFSC_LUA53}},
  [LFSC_TARGET_53_INT32_DOUBLEFP] = {"5.3-int32-doublefp",
                                     {LFSC_FORMAT_NODEMCU, LFSC_NUM_I32_F64, 12, LFSC_LUA53}},
  [LFSC_TARGET_53_INT64_SINGLEFP] = {"5.3-int64-singlefp",
                                     {LFSC_FORMAT_NODEMCU, LFSC_NUM_I64_F32, 12, LFSC_LUA53}},
};

#define NPRESETS (sizeof presets / sizeof presets[0])
_Static_assert(NPRESETS == LFSC_TARGET_COUNT, "one row per preset");

lfsc_variant lfsc_target_variant(lfsc_target t)
{
  if ((unsigned)t < NPRESETS)
    return presets[t].v;
  /* as the writers always treated an unknown target: float's .lc, no image */
  lfsc_variant none = {LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, 0, LFSC_LUA51};
  return none;
}

lfsc_nummodel lfsc_target_nummodel(lfsc_target t)
{
  return lfsc_target_variant(t).numbers;
}

const char *lfsc_target_name(lfsc_target t)
{
  return (unsigned)t < NPRESETS ? presets[t].name : "?";
}

int lfsc_target_parse(const char *name, lfsc_target *out)
{
  for (size_t i = 0; i < NPRESETS; i++)
    if (strcmp(name, presets[i].name) == 0) {
      *out = (lfsc_target)i;
      return LFSC_OK;
    }
  return LFSC_EARG;
}
