/* The failure of an internal invariant (base/assert.h): a bug in lfsc,
 * not a user error, so the one place where the library prints and stops. */
#include <stdio.h>
#include <stdlib.h>

#include "assert.h"

_Noreturn void lfsc_assert_fail(const char *cond, const char *file, int line);

_Noreturn void lfsc_assert_fail(const char *cond, const char *file, int line)
{
  fprintf(stderr, "%s:%d: internal error: assertion '%s' failed\n", file, line, cond);
  abort();
}
