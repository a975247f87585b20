/* Stub of NodeMCU's module.h: the ROTable macros as a plain array of
 * name/function pairs, and NODEMCU_MODULE as a descriptor, so that a
 * module's map and registration are type-checked. */
#ifndef STUB_MODULE_H
#define STUB_MODULE_H
#include "lua.h"
typedef struct stub_entry {
  const char *key;
  lua_CFunction f;
} stub_entry;
#define LROT_BEGIN(name, mt, flags) static const stub_entry name##_map[] = {
#define LROT_FUNCENTRY(key, f) {#key, f},
#define LROT_END(name, mt, flags) {NULL, NULL}};
typedef struct stub_module {
  const char *name;
  const stub_entry *map;
  int (*init)(lua_State *L);
} stub_module;
#define NODEMCU_MODULE(cfg, luaname, map, initfunc) \
  const stub_module cfg##_module = {luaname, map##_map, initfunc}
#endif
