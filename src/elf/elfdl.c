/*
 * Loading libelf when the first ELF is read or written (see elfdl.h).
 */
#define LFSC_ELFDL_IMPL
#include <stddef.h>

#include "elfdl.h"

#ifdef LFSC_HAVE_LIBELF
#include <dlfcn.h>

lfsc_libelf_api lfsc_libelf;

const char *lfsc_elf_start(void)
{
  static int done;
  static const char *err;
  if (done)
    return err;
  done = 1;
  /* a process that already has libelf (a program linking it as well as
   * liblfsc) gets that same copy back */
  void *h = dlopen("libelf.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return err = "libelf.so.1 could not be loaded (Debian: apt-get install libelf1)";
#define LFSC_LIBELF_SYM(f) \
  if (!(*(void **)&lfsc_libelf.p_##f = dlsym(h, #f))) \
    return err = "libelf.so.1 lacks " #f;
  LFSC_LIBELF_API(LFSC_LIBELF_SYM)
#undef LFSC_LIBELF_SYM
  if (lfsc_libelf.p_elf_version(EV_CURRENT) == EV_NONE)
    return err = "libelf.so.1 does not support this ELF version";
  return err = NULL;
}
#else
const char *lfsc_elf_start(void)
{
  return "ELF: not available in this build (no libelf)";
}
#endif
