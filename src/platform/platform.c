/*
 * The platforms lfsc knows, by name (include/lfsc/platform.h). A new chip
 * is one more line here and its own folder beside esp8266/ and esp32/.
 */
#include <string.h>

#include "lfsc/platform.h"

/* the default first: lfsc_platform_at(0) */
static const lfsc_platform *const platforms[] = {
  &lfsc_platform_esp8266,
  &lfsc_platform_esp32,
  &lfsc_platform_esp32s2,
  &lfsc_platform_esp32s3,
  &lfsc_platform_esp32c3,
  &lfsc_platform_esp32c6,
  &lfsc_platform_esp32h2,
};

#define NPLATFORMS (sizeof platforms / sizeof platforms[0])

const lfsc_platform *lfsc_platform_find(const char *name)
{
  for (size_t i = 0; name && i < NPLATFORMS; i++)
    if (strcmp(platforms[i]->name, name) == 0)
      return platforms[i];
  return NULL;
}

const lfsc_platform *lfsc_platform_at(size_t i)
{
  return i < NPLATFORMS ? platforms[i] : NULL;
}

const char *lfsc_platform_names(void)
{
  return "esp8266, esp32, esp32s2, esp32s3, esp32c3, esp32c6, esp32h2";
}

int lfsc_platform_maps(const lfsc_platform *pf, uint32_t addr, uint64_t size)
{
  return addr >= pf->map_low && (uint64_t)addr + size <= pf->map_high;
}
