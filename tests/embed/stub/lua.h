/* Stub of NodeMCU's lua.h: just enough declarations to compile
 * examples/embed/fast.c for syntax and types (CI has no firmware tree). */
#ifndef STUB_LUA_H
#define STUB_LUA_H
#include <stddef.h>
typedef struct lua_State lua_State;
typedef int (*lua_CFunction)(lua_State *L);
void lua_pushnil(lua_State *L);
void lua_pushstring(lua_State *L, const char *s);
const char *lua_pushfstring(lua_State *L, const char *fmt, ...);
void lua_insert(lua_State *L, int idx);
void lua_createtable(lua_State *L, int narr, int nrec);
void lua_rawseti(lua_State *L, int idx, int n);
#endif
