/*
 * The platforms lfsc knows, by name (include/lfsc/platform.h). A new chip
 * is one more line here and its own folder beside esp8266/.
 */
#include <string.h>

#include "lfsc/platform.h"

static const lfsc_platform *const platforms[] = {
  &lfsc_platform_esp8266,
};

const lfsc_platform *lfsc_platform_find(const char *name)
{
  for (size_t i = 0; i < sizeof platforms / sizeof platforms[0]; i++)
    if (strcmp(platforms[i]->name, name) == 0)
      return platforms[i];
  return NULL;
}
