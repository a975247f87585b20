/* LD_PRELOAD shim for the output-path test: when LFSC_KILL_AT_RENAME names a
 * signal number, rename() raises it instead of renaming, so that the test
 * can kill a tool at the one moment its complete temporary file exists. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int rename(const char *from, const char *to)
{
  const char *s = getenv("LFSC_KILL_AT_RENAME");
  if (s && *s)
    raise(atoi(s));
  int (*real)(const char *, const char *) =
      (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
  return real(from, to);
}
