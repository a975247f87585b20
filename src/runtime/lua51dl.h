/*
 * liblua5.1 for the host runtime, loaded when a runtime starts (dlopen)
 * rather than linked: every luac.cross and lfsimg run would otherwise pay
 * for loading it (about 52,000 instructions of dynamic linking), also the
 * ones that never run Lua. runtime.c includes this instead of the Lua
 * headers; its calls go through the table lfsc_lua51_load fills.
 */
#ifndef LFSC_RUNTIME_LUA51DL_H
#define LFSC_RUNTIME_LUA51DL_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

/* the API runtime.c uses (a function missing here fails to link) */
#define LFSC_LUA51_API(X) \
  X(luaL_argerror) \
  X(luaL_checklstring) \
  X(luaL_checkstack) \
  X(luaL_error) \
  X(luaL_loadbuffer) \
  X(luaL_loadfile) \
  X(luaL_newstate) \
  X(luaL_openlibs) \
  X(luaL_optlstring) \
  X(lua_call) \
  X(lua_close) \
  X(lua_cpcall) \
  X(lua_createtable) \
  X(lua_dump) \
  X(lua_error) \
  X(lua_gc) \
  X(lua_getfield) \
  X(lua_gettop) \
  X(lua_insert) \
  X(lua_isstring) \
  X(lua_newuserdata) \
  X(lua_objlen) \
  X(lua_pcall) \
  X(lua_pushboolean) \
  X(lua_pushcclosure) \
  X(lua_pushfstring) \
  X(lua_pushinteger) \
  X(lua_pushlightuserdata) \
  X(lua_pushlstring) \
  X(lua_pushnil) \
  X(lua_pushnumber) \
  X(lua_pushstring) \
  X(lua_pushvalue) \
  X(lua_rawget) \
  X(lua_rawgeti) \
  X(lua_rawset) \
  X(lua_rawseti) \
  X(lua_remove) \
  X(lua_replace) \
  X(lua_setfield) \
  X(lua_sethook) \
  X(lua_setmetatable) \
  X(lua_settop) \
  X(lua_tolstring) \
  X(lua_touserdata) \
  X(lua_type) \
  X(lua_typename)

typedef struct lfsc_lua51_api {
#define LFSC_LUA51_FIELD(f) __typeof__(f) *p_##f;
  LFSC_LUA51_API(LFSC_LUA51_FIELD)
#undef LFSC_LUA51_FIELD
} lfsc_lua51_api;

extern lfsc_lua51_api lfsc_lua51;

/* Load liblua5.1 once (the process's own copy when it has one, as a
 * program linked with it does) and fill lfsc_lua51: NULL, or why not. */
const char *lfsc_lua51_load(void);

#ifndef LFSC_LUA51DL_IMPL
#define luaL_argerror (lfsc_lua51.p_luaL_argerror)
#define luaL_checklstring (lfsc_lua51.p_luaL_checklstring)
#define luaL_checkstack (lfsc_lua51.p_luaL_checkstack)
#define luaL_error (lfsc_lua51.p_luaL_error)
#define luaL_loadbuffer (lfsc_lua51.p_luaL_loadbuffer)
#define luaL_loadfile (lfsc_lua51.p_luaL_loadfile)
#define luaL_newstate (lfsc_lua51.p_luaL_newstate)
#define luaL_openlibs (lfsc_lua51.p_luaL_openlibs)
#define luaL_optlstring (lfsc_lua51.p_luaL_optlstring)
#define lua_call (lfsc_lua51.p_lua_call)
#define lua_close (lfsc_lua51.p_lua_close)
#define lua_cpcall (lfsc_lua51.p_lua_cpcall)
#define lua_createtable (lfsc_lua51.p_lua_createtable)
#define lua_dump (lfsc_lua51.p_lua_dump)
#define lua_error (lfsc_lua51.p_lua_error)
#define lua_gc (lfsc_lua51.p_lua_gc)
#define lua_getfield (lfsc_lua51.p_lua_getfield)
#define lua_gettop (lfsc_lua51.p_lua_gettop)
#define lua_insert (lfsc_lua51.p_lua_insert)
#define lua_isstring (lfsc_lua51.p_lua_isstring)
#define lua_newuserdata (lfsc_lua51.p_lua_newuserdata)
#define lua_objlen (lfsc_lua51.p_lua_objlen)
#define lua_pcall (lfsc_lua51.p_lua_pcall)
#define lua_pushboolean (lfsc_lua51.p_lua_pushboolean)
#define lua_pushcclosure (lfsc_lua51.p_lua_pushcclosure)
#define lua_pushfstring (lfsc_lua51.p_lua_pushfstring)
#define lua_pushinteger (lfsc_lua51.p_lua_pushinteger)
#define lua_pushlightuserdata (lfsc_lua51.p_lua_pushlightuserdata)
#define lua_pushlstring (lfsc_lua51.p_lua_pushlstring)
#define lua_pushnil (lfsc_lua51.p_lua_pushnil)
#define lua_pushnumber (lfsc_lua51.p_lua_pushnumber)
#define lua_pushstring (lfsc_lua51.p_lua_pushstring)
#define lua_pushvalue (lfsc_lua51.p_lua_pushvalue)
#define lua_rawget (lfsc_lua51.p_lua_rawget)
#define lua_rawgeti (lfsc_lua51.p_lua_rawgeti)
#define lua_rawset (lfsc_lua51.p_lua_rawset)
#define lua_rawseti (lfsc_lua51.p_lua_rawseti)
#define lua_remove (lfsc_lua51.p_lua_remove)
#define lua_replace (lfsc_lua51.p_lua_replace)
#define lua_setfield (lfsc_lua51.p_lua_setfield)
#define lua_sethook (lfsc_lua51.p_lua_sethook)
#define lua_setmetatable (lfsc_lua51.p_lua_setmetatable)
#define lua_settop (lfsc_lua51.p_lua_settop)
#define lua_tolstring (lfsc_lua51.p_lua_tolstring)
#define lua_touserdata (lfsc_lua51.p_lua_touserdata)
#define lua_type (lfsc_lua51.p_lua_type)
#define lua_typename (lfsc_lua51.p_lua_typename)
#endif

#endif
