/* Stub of lauxlib.h (see lua.h here). */
#ifndef STUB_LAUXLIB_H
#define STUB_LAUXLIB_H
#include "lua.h"
#define luaL_checkstring(L, n) (luaL_checklstring(L, (n), NULL))
const char *luaL_checklstring(lua_State *L, int narg, size_t *len);
int luaL_loadbuffer(lua_State *L, const char *buff, size_t sz, const char *name);
#endif
