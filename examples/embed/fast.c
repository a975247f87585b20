/*
 * fast: a NodeMCU C module that runs Lua modules built into the firmware,
 * for a device with no file system and no LFS yet (NodeMCU issue #3117):
 *
 *   fast.load("telnet")(ssid, pwd)   -- load an embedded chunk and call it
 *   for _, name in ipairs(fast.list()) do print(name) end
 *
 * Copy this file to app/modules/fast.c, enable it in
 * app/include/user_modules.h (#define LUA_USE_MODULES_FAST), and add the
 * modules, compiled for your firmware's variant, to the build. Either:
 *
 *   luac.cross --embed c --section .irom0.rodata -t int -s -o app/fast/lfsc_embedded.c *.lua
 *     (C source and header; add app/fast to the build like any directory)
 * or
 *   luac.cross --embed elf -t int -s -o lfsc_embedded.o *.lua
 *     (an object to add to the link; no C compiler needed)
 *
 * -t is float, float16 or int, as the firmware was built; --split cuts
 * big modules into overlays at --[[SPLIT name]] lines, each loaded on its
 * own as "module-name". This file uses only the table whose layout
 * man luac.cross documents, so it works with both outputs.
 *
 * The chunks stay in flash: luaL_loadbuffer reads them byte by byte
 * (NodeMCU's exception handler serves byte reads from mapped flash), and
 * RAM is used only for the functions a loaded chunk creates.
 */
#include <stddef.h>

#include "module.h"
#include "lauxlib.h"

/* The table luac.cross --embed writes (prefix lfsc_embedded): sorted by
 * name, three 32-bit words per entry. */
struct lfsc_embedded_entry {
  const char *name;
  const unsigned char *data;
  size_t size;
};
extern const struct lfsc_embedded_entry lfsc_embedded_table[];
extern const size_t lfsc_embedded_count;

static int name_cmp(const char *a, const char *b)
{
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

/* Binary search: the entry called name, or NULL. */
static const struct lfsc_embedded_entry *fast_find(const char *name)
{
  size_t lo = 0, hi = lfsc_embedded_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = name_cmp(name, lfsc_embedded_table[mid].name);
    if (c == 0)
      return &lfsc_embedded_table[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

/* fast.load(name): the module's main function, or nil and a message. */
static int fast_load(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  const struct lfsc_embedded_entry *e = fast_find(name);
  if (e == NULL) {
    lua_pushnil(L);
    lua_pushfstring(L, "no embedded module '%s'", name);
    return 2;
  }
  if (luaL_loadbuffer(L, (const char *)e->data, e->size, name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);          /* nil, the loader's message */
    return 2;
  }
  return 1;
}

/* fast.list(): the embedded module names, sorted. */
static int fast_list(lua_State *L)
{
  lua_createtable(L, (int)lfsc_embedded_count, 0);
  for (size_t i = 0; i < lfsc_embedded_count; i++) {
    lua_pushstring(L, lfsc_embedded_table[i].name);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

LROT_BEGIN(fast, NULL, 0)
  LROT_FUNCENTRY(load, fast_load)
  LROT_FUNCENTRY(list, fast_list)
LROT_END(fast, NULL, 0)

NODEMCU_MODULE(FAST, "fast", fast, NULL);
