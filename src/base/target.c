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
  [LFSC_TARGET_FLOAT] = {"float", {LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, LFSIMG_TV_FLOAT}},
  [LFSC_TARGET_FLOAT16] = {"float16", {LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, LFSIMG_TV_FLOAT16}},
  [LFSC_TARGET_INT] = {"int", {LFSC_FORMAT_NODEMCU, LFSC_NUM_INT32, LFSIMG_TV_INT}},
  [LFSC_TARGET_HOST] = {"host", {LFSC_FORMAT_HOST, LFSC_NUM_DOUBLE, 0}},
};

#define NPRESETS (sizeof presets / sizeof presets[0])
_Static_assert(NPRESETS == LFSC_TARGET_COUNT, "one row per preset");

lfsc_variant lfsc_target_variant(lfsc_target t)
{
  if ((unsigned)t < NPRESETS)
    return presets[t].v;
  /* as the writers always treated an unknown target: float's .lc, no image */
  lfsc_variant none = {LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, 0};
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
