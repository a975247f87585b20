/*
 * Loading liblua5.1 for the host runtime (see lua51dl.h).
 */
#define LFSC_LUA51DL_IMPL
#include <dlfcn.h>
#include <stddef.h>

#include "lua51dl.h"

lfsc_lua51_api lfsc_lua51;

const char *lfsc_lua51_load(void)
{
  static int done;
  static const char *err;
  if (done)
    return err;
  done = 1;
  /* a program with Lua linked in (and its symbols exported) uses that copy;
   * otherwise Debian's library, global so that the C modules require
   * loads find the same Lua */
  void *h = dlopen(NULL, RTLD_NOW);
  if (!h || !dlsym(h, "lua_pushnil")) {
    h = dlopen("liblua5.1.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (!h)
      return err = "liblua5.1.so.0 could not be loaded (Debian: apt-get install liblua5.1-0)";
  }
#define LFSC_LUA51_SYM(f) \
  if (!(*(void **)&lfsc_lua51.p_##f = dlsym(h, #f))) \
    return err = "liblua5.1.so.0 lacks " #f;
  LFSC_LUA51_API(LFSC_LUA51_SYM)
#undef LFSC_LUA51_SYM
  return err = NULL;
}
