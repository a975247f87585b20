/*
 * Host runtime for Lua 5.3 images (see runtime53.h): Debian's Lua 5.3 VM
 * with NodeMCU's view of LFS. Modules arrive as stock 5.3 binary chunks
 * and are never interpreted by us: lua_load() takes them from memory.
 *
 * The loaded LFS is one table in the registry (LFS_KEY): the chunks by
 * name, the names in image order, the sorted ROM strings, the timestamp
 * and the config numbers. No table there means "no LFS loaded"; a reload
 * replaces the table whole, so a failed one leaves the old image.
 *
 * Every Lua name below is liblua5.3's under its lfsc_vm53_ prefix:
 * vm53_names.h (generated, see vm53.cmake) maps them before the headers
 * declare them.
 */
#include "vm53_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "repl/repl.h"
#include "runtime53.h"

#if LUA_VERSION_NUM != 503
#error "runtime53.c needs liblua5.3's headers"
#endif

struct runtime53 {
  lua_State *L;
  lua_State *active;            /* the thread running node.LFS.reload, or NULL */
  const char *progname;
  runtime53_config partition;   /* node.info('lfs') without an image */
  runtime53_reload *reload;     /* node.LFS.reload's hook, or NULL */
  void *reload_ud;
  char *err;                    /* last error (heap) */
  char *image;                  /* name of the loaded image, for the banner */
  int noted;                    /* the number-model note was printed */
};

static const char LFS_KEY = 'L';        /* registry: the loaded LFS, or nil */
static const char RT_KEY = 'R';         /* registry: the runtime (light userdata) */

static int vset_error(runtime53 *rt, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (m)
    vsnprintf(m, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  free(rt->err);
  rt->err = m;
  return -1;
}

static int set_error(runtime53 *rt, const char *fmt, ...) LFSC_PRINTF(2, 3);
static int set_error(runtime53 *rt, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vset_error(rt, fmt, ap);
  va_end(ap);
  return -1;
}

int lfsc_runtime53_fail(runtime53 *rt, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vset_error(rt, fmt, ap);
  va_end(ap);
  return -1;
}

const char *lfsc_runtime53_error(const runtime53 *rt)
{
  return rt->err ? rt->err : "not enough memory";
}

/* The runtime whose state L is (registry: RT_KEY). */
static runtime53 *get_runtime(lua_State *L)
{
  lua_rawgetp(L, LUA_REGISTRYINDEX, &RT_KEY);
  runtime53 *rt = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return rt;
}

/* Run f(L, ud) in protected mode; 0, or the status with the message on
 * top of the stack. */
static int protect(lua_State *L, lua_CFunction f, void *ud)
{
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, ud);
  return lua_pcall(L, 1, 0, 0);
}

/* ---- loading modules ------------------------------------------------ */

runtime53_config lfsc_runtime53_config(const lfsc_platform *pf, int absolute, uint32_t base,
                                       uint32_t used)
{
  uint32_t mapped = absolute ? base : pf->lfs_mapped_default;
  uint32_t size = used > UINT32_MAX - 4095u ? used : (used + 4095u) & ~4095u;
  if (size < pf->lfs_size_default)
    size = pf->lfs_size_default;
  return (runtime53_config){lfsc_platform_lfs_offset(pf, mapped), mapped, size, used};
}

typedef struct load_job {
  const char *const *names;
  const void *const *chunks;
  const size_t *lens;
  size_t n;
  const runtime53_image *img;
  const char *imgname;
} load_job;

/* (bytes, length) pairs in byte order, as the firmware's table.sort of
 * names compares them in the C locale */
typedef struct bytes {
  const char *s;
  size_t len;
} bytes;

static int cmp_bytes(const void *a, const void *b)
{
  const bytes *x = a, *y = b;
  int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Push a new array of the n strings v, sorted. v is reordered. */
static void push_sorted(lua_State *L, bytes *v, size_t n)
{
  if (n > 1)
    qsort(v, n, sizeof *v, cmp_bytes);
  lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushlstring(L, v[i].s, v[i].len);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* protect() body: check every chunk and build the LFS table, then make it
 * the loaded one. */
static int build_lfs(lua_State *L)
{
  const load_job *j = lua_touserdata(L, 1);
  const runtime53_image *img = j->img;
  lua_settop(L, 0);
  lua_createtable(L, 0, 10);                    /* 1: the LFS */
  lua_createtable(L, 0, j->n < 1000000 ? (int)j->n : 0);   /* 2: chunks by name */
  lua_createtable(L, j->n < 1000000 ? (int)j->n : 0, 0);   /* 3: names, image order */
  for (size_t i = 0; i < j->n; i++) {
    const char *name = j->names[i];
    if (!name || !*name)
      return luaL_error(L, "module %d has no name", (int)(i + 1));
    if (lua_getfield(L, 2, name) != LUA_TNIL)
      return luaL_error(L, "two modules are named '%s'", name);
    lua_pop(L, 1);
    if (!j->chunks[i])
      return luaL_error(L, "module '%s' has no code", name);
    /* lua_load is the check: the signature, version, format and sizes
     * of a 5.3 host chunk, then the whole function; mode "b" refuses
     * source text */
    lua_pushfstring(L, "=%s", name);
    if (luaL_loadbufferx(L, j->chunks[i], j->lens[i], lua_tostring(L, -1), "b") != LUA_OK) {
      /* lundump's "NAME: why precompiled chunk": the name is said once */
      const char *m = lua_tostring(L, -1);
      size_t nl = strlen(name);
      if (m && strncmp(m, name, nl) == 0 && m[nl] == ':' && m[nl + 1] == ' ')
        m += nl + 2;
      return luaL_error(L, "module '%s': %s", name, m ? m : "cannot be loaded");
    }
    lua_pop(L, 2);
    lua_pushlstring(L, j->chunks[i], j->lens[i]);
    lua_setfield(L, 2, name);
    lua_pushstring(L, name);
    lua_rawseti(L, 3, (lua_Integer)i + 1);
  }
  lua_setfield(L, 1, "names");
  lua_setfield(L, 1, "chunks");

  size_t ns = img->strings && img->strlens ? img->nstrings : 0;
  bytes *v = lua_newuserdata(L, (ns ? ns : 1) * sizeof *v);
  for (size_t i = 0; i < ns; i++)
    v[i] = (bytes){img->strings[i] ? img->strings[i] : "", img->strings[i] ? img->strlens[i] : 0};
  push_sorted(L, v, ns);
  lua_setfield(L, 1, "strings");
  lua_pop(L, 1);

  lua_pushinteger(L, (lua_Integer)img->timestamp);
  lua_setfield(L, 1, "time");
  const runtime53_config *c = &img->config;
  lua_pushinteger(L, c->lfs_base);
  lua_setfield(L, 1, "lfs_base");
  lua_pushinteger(L, c->lfs_mapped);
  lua_setfield(L, 1, "lfs_mapped");
  lua_pushinteger(L, c->lfs_size);
  lua_setfield(L, 1, "lfs_size");
  lua_pushinteger(L, c->lfs_used);
  lua_setfield(L, 1, "lfs_used");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &LFS_KEY);
  return 0;
}

/* The one-time note for an image whose numbers the host lacks: liblua5.3
 * computes with int64 and double whatever the firmware's variant. */
static void note_numbers(runtime53 *rt, const char *name, lfsc_nummodel m)
{
  static const char i32[] = "64-bit integers where the device wraps at 32 bits "
                            "(math.maxinteger is 9223372036854775807 here, 2147483647 there)";
  static const char f32[] = "doubles where the device rounds floats to single precision";
  const char *what, *how1, *how2 = "";
  if (rt->noted)
    return;
  if (m == LFSC_NUM_I32_F32)
    what = "an int32/float32", how1 = i32, how2 = f32;
  else if (m == LFSC_NUM_I32_F64)
    what = "an int32", how1 = i32;
  else if (m == LFSC_NUM_I64_F32)
    what = "a float32", how1 = f32;
  else
    return;
  rt->noted = 1;
  fprintf(stderr, "%s: note: %s is %s firmware image; this host computes with %s%s%s\n",
          rt->progname, name, what, how1, *how2 ? ", and with " : "", how2);
  fflush(stderr);
}

int lfsc_runtime53_load_modules(runtime53 *rt, const char *const *names,
                                const void *const *chunks, const size_t *lens, size_t n,
                                const runtime53_image *img)
{
  runtime53_image none = {0};
  if (!img)
    img = &none;
  const char *imgname = img->name ? img->name : "(image)";
  if (strcmp(imgname, "-") == 0)
    imgname = "stdin";          /* as messages name it */
  if (n && (!names || !chunks || !lens))
    return set_error(rt, "%s: no modules given", imgname);
  /* a reload runs inside a Lua call, maybe in a coroutine: work on that
   * thread's stack, not on the main thread's, which is not running */
  lua_State *L = rt->active ? rt->active : rt->L;
  int top = lua_gettop(L);
  load_job job = {names, chunks, lens, n, img, imgname};
  if (protect(L, build_lfs, &job) != LUA_OK) {
    set_error(rt, "%s: %s", imgname, lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
    lua_settop(L, top);
    return -1;
  }
  lua_settop(L, top);
  char *p = strdup(imgname);
  if (p) {
    free(rt->image);
    rt->image = p;
  }
  note_numbers(rt, imgname, img->numbers);
  return 0;
}

/* ---- NodeMCU's API over the loaded LFS ------------------------------ */

/* Push the loaded LFS table and return 1, or push nothing and return 0. */
static int push_lfs(lua_State *L)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LFS_KEY) == LUA_TTABLE)
    return 1;
  lua_pop(L, 1);
  return 0;
}

/* Push a fresh closure of module name (lua_load binds its first upvalue,
 * _ENV, to the globals, as the firmware does for an LFS function) and
 * return 1; push nil and return 0 for an unknown name or no LFS. */
static int push_module(lua_State *L, const char *name)
{
  if (!push_lfs(L)) {
    lua_pushnil(L);
    return 0;
  }
  lua_getfield(L, -1, "chunks");
  lua_remove(L, -2);
  if (lua_getfield(L, -1, name) != LUA_TSTRING) {
    lua_pop(L, 2);
    lua_pushnil(L);
    return 0;
  }
  size_t len;
  const char *b = lua_tolstring(L, -1, &len);
  lua_pushfstring(L, "=%s", name);
  if (luaL_loadbufferx(L, b, len, lua_tostring(L, -1), "b") != LUA_OK)
    lua_error(L);               /* it loaded when the image did */
  lua_replace(L, -4);
  lua_pop(L, 2);
  return 1;
}

/* node.LFS.get(name), node.flashindex(name): the module's function or nil */
static int lfs_get(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  push_module(L, name);
  return 1;
}

/* node.LFS.list(): the module names sorted, or nil without LFS */
static int lfs_list(lua_State *L)
{
  lua_settop(L, 0);
  if (!push_lfs(L)) {
    lua_pushnil(L);
    return 1;
  }
  lua_getfield(L, 1, "names");
  size_t n = (size_t)lua_rawlen(L, 2);
  bytes *v = lua_newuserdata(L, (n ? n : 1) * sizeof *v);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i + 1);      /* the strings stay alive in table 2 */
    v[i].s = lua_tolstring(L, -1, &v[i].len);
    lua_pop(L, 1);
  }
  push_sorted(L, v, n);
  return 1;
}

/* The image timestamp, or nil */
static int lfs_time(lua_State *L)
{
  if (push_lfs(L))
    lua_getfield(L, -1, "time");
  else
    lua_pushnil(L);
  return 1;
}

/* node.info('lfs') and node.LFS.config: a fresh table each time. Without
 * LFS the partition is still there: lfs_used is 0. */
static int lfs_config(lua_State *L)
{
  static const char *const keys[] = {"lfs_base", "lfs_mapped", "lfs_size", "lfs_used"};
  int have = push_lfs(L);
  const runtime53_config *p = &get_runtime(L)->partition;
  const uint32_t none[] = {p->lfs_base, p->lfs_mapped, p->lfs_size, 0};
  lua_createtable(L, 0, 4);
  for (int i = 0; i < 4; i++) {
    if (have)
      lua_getfield(L, -2, keys[i]);
    else
      lua_pushinteger(L, none[i]);
    lua_setfield(L, -2, keys[i]);
  }
  return 1;
}

/* node.LFS.reload(file), node.flashreload(file): the hook's message as a
 * string when the file is not a valid image (the device's behaviour too);
 * otherwise the image is swapped in and nothing is returned (a device
 * would reboot). */
static int lfs_reload(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  runtime53 *rt = get_runtime(L);
  if (!rt->reload) {
    lua_pushfstring(L, "%s: node.LFS.reload is not available here", path);
    return 1;
  }
  lua_State *outer = rt->active;
  rt->active = L;
  int rc = rt->reload(rt, path, rt->reload_ud);
  rt->active = outer;
  if (rc) {
    lua_pushstring(L, lfsc_runtime53_error(rt));
    return 1;
  }
  return 0;
}

/* node.LFS's __index: the API's names, else the module of that name. */
static int lfs_index(lua_State *L)
{
  if (lua_type(L, 2) != LUA_TSTRING) {
    lua_pushnil(L);
    return 1;
  }
  const char *k = lua_tostring(L, 2);
  if (strcmp(k, "get") == 0)
    lua_pushvalue(L, lua_upvalueindex(1));
  else if (strcmp(k, "list") == 0)
    lua_pushvalue(L, lua_upvalueindex(2));
  else if (strcmp(k, "reload") == 0)
    lua_pushvalue(L, lua_upvalueindex(3));
  else if (strcmp(k, "time") == 0)
    return lfs_time(L);
  else if (strcmp(k, "config") == 0)
    return lfs_config(L);
  else
    push_module(L, k);
  return 1;
}

static int lfs_newindex(lua_State *L)
{
  return luaL_error(L, "node.LFS is read-only");
}

/* node.info(group): only the 'lfs' group means something on the host. */
static int node_info(lua_State *L)
{
  const char *g = luaL_optstring(L, 1, "");
  if (strcmp(g, "lfs") == 0)
    return lfs_config(L);
  return luaL_error(L, "node.info('%s') is not emulated on the host (only 'lfs')", g);
}

/* debug.getstrings('ROM'): the image's ROM strings, sorted; 'RAM' (the
 * default) would list the VM's own string table, which liblua does not
 * expose: the host answers an empty table. */
static int debug_getstrings(lua_State *L)
{
  const char *which = luaL_optstring(L, 1, "RAM");
  if (strcmp(which, "ROM") != 0 && strcmp(which, "RAM") != 0)
    return luaL_argerror(L, 1, "'ROM' or 'RAM' expected");
  lua_newtable(L);
  if (strcmp(which, "ROM") == 0 && push_lfs(L)) {
    lua_getfield(L, -1, "strings");
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      lua_rawseti(L, -4, i);
    }
    lua_pop(L, 2);
  }
  return 1;
}

/* package.loadlib and the C searchers. A 5.3 C module's lua_* names
 * would bind to liblua5.3.so, another copy of the VM with its own static
 * data, or, unversioned, to liblua5.1's: neither is this VM (whose names
 * are private, see vm53.cmake). NodeMCU loads no C modules either. */
static int no_loadlib(lua_State *L)
{
  lua_pushnil(L);
  lua_pushstring(L, "C modules cannot be loaded by this host runtime");
  lua_pushliteral(L, "absent");
  return 3;
}

static int no_csearcher(lua_State *L)
{
  lua_pushfstring(L, "\n\tno C module '%s' (this host runtime loads Lua modules only)",
                  luaL_checkstring(L, 1));
  return 1;
}

static void refuse_c_modules(lua_State *L)
{
  lua_getglobal(L, "package");
  lua_pushcfunction(L, no_loadlib);
  lua_setfield(L, -2, "loadlib");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "searchers");
  /* searchers 3 and 4 are the C and the all-in-one C loader */
  for (lua_Integer i = (lua_Integer)lua_rawlen(L, -1); i >= 3; i--) {
    lua_pushnil(L);
    lua_rawseti(L, -2, i);
  }
  lua_pushcfunction(L, no_csearcher);
  lua_rawseti(L, -2, 3);
  lua_pop(L, 2);
}

/* protect() body: open the libraries and install node and debug.getstrings. */
static int open_state(lua_State *L)
{
  runtime53 *rt = lua_touserdata(L, 1);
  luaL_openlibs(L);
  refuse_c_modules(L);
  lua_pushlightuserdata(L, rt);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &RT_KEY);
  lua_getglobal(L, "debug");
  lua_pushcfunction(L, debug_getstrings);
  lua_setfield(L, -2, "getstrings");
  lua_pop(L, 1);

  lua_createtable(L, 0, 4);                     /* node */
  lua_pushcfunction(L, lfs_get);
  lua_pushcfunction(L, lfs_list);
  lua_pushcfunction(L, lfs_reload);
  lua_pushvalue(L, -3);
  lua_setfield(L, -5, "flashindex");
  lua_pushvalue(L, -1);
  lua_setfield(L, -5, "flashreload");
  lua_newtable(L);                              /* node.LFS (always empty) */
  lua_createtable(L, 0, 2);                     /* its metatable */
  lua_pushvalue(L, -5);
  lua_pushvalue(L, -5);
  lua_pushvalue(L, -5);
  lua_pushcclosure(L, lfs_index, 3);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, lfs_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_setfield(L, -5, "LFS");
  lua_pop(L, 3);
  lua_pushcfunction(L, node_info);
  lua_setfield(L, -2, "info");
  lua_setglobal(L, "node");
  return 0;
}

runtime53 *lfsc_runtime53_new(const char *progname, const runtime53_config *partition)
{
  runtime53 *rt = calloc(1, sizeof *rt);
  if (!rt)
    return NULL;
  rt->progname = progname;
  if (partition)
    rt->partition = *partition;
  rt->L = luaL_newstate();
  if (!rt->L || protect(rt->L, open_state, rt) != LUA_OK) {
    lfsc_runtime53_free(rt);
    return NULL;
  }
  return rt;
}

void lfsc_runtime53_free(runtime53 *rt)
{
  if (!rt)
    return;
  if (rt->L)
    lua_close(rt->L);
  free(rt->err);
  free(rt->image);
  free(rt);
}

void lfsc_runtime53_on_reload(runtime53 *rt, runtime53_reload *fn, void *ud)
{
  rt->reload = fn;
  rt->reload_ud = ud;
}

/* ---- running code ----------------------------------------------------- */

/* Message handler: a traceback under the message; an error object that
 * is not a string is named by its __tostring, else by its type. */
static int msghandler(lua_State *L)
{
  const char *msg = lua_tostring(L, 1);
  if (!msg) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Ctrl-C while code runs: the SIGINT handler (repl.c) sets this hook,
 * which raises the error at the next call, return or instruction. */
static lua_State *running;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

static void interrupt(void)
{
  lua_sethook(running, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Call the function below nargs arguments with the message handler. */
static int docall(lua_State *L, int nargs, int nres)
{
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  running = L;
  lfsc_repl_interrupt_begin(interrupt);
  int status = lua_pcall(L, nargs, nres, base);
  if (lfsc_repl_interrupt_end())
    lua_sethook(L, NULL, 0, 0);   /* a Ctrl-C that came too late to fire */
  lua_remove(L, base);
  return status;
}

/* The error on top of the stack as the runtime's message (popped). */
static int take_error(runtime53 *rt)
{
  lua_State *L = rt->L;
  const char *m = lua_tostring(L, -1);
  if (m)
    set_error(rt, "%s", m);
  else
    set_error(rt, "(error object is a %s value)", luaL_typename(L, -1));
  lua_pop(L, 1);
  return -1;
}

/* lua_dump's writer: the bytes into a malloc'd buffer (a dump_buf) */
typedef struct dump_buf {
  unsigned char *p;
  size_t len, cap;
} dump_buf;

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
  (void)L;
  dump_buf *b = ud;
  if (n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
      if (cap > (size_t)-1 / 2)
        return 1;
      cap *= 2;
    }
    unsigned char *q = realloc(b->p, cap);
    if (!q)
      return 1;
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

int lfsc_runtime53_exec(runtime53 *rt, const char *script, unsigned char **chunk, size_t *len)
{
  lua_State *L = rt->L;
  *chunk = NULL;
  *len = 0;
  if (luaL_loadfile(L, script) || docall(L, 0, 1))
    return take_error(rt);
  int rc = 0;
  if (lua_type(L, -1) == LUA_TFUNCTION) {
    /* an LFS function gets the globals as its first upvalue (_ENV) and
     * nothing else: a closure over other values would lose them */
    int nups = 0, envonly = 1;
    lua_pushglobaltable(L);
    while (lua_getupvalue(L, -2, nups + 1) != NULL) {
      if (nups > 0 || !lua_rawequal(L, -1, -2))
        envonly = 0;
      lua_pop(L, 1);
      nups++;
    }
    lua_pop(L, 1);
    if (lua_iscfunction(L, -1)) {
      rc = set_error(rt, "%s: the function it returned cannot be compiled (a C function)", script);
    } else if (!envonly) {
      rc = set_error(rt, "%s: the function it returned has %d upvalue%s (locals of the script); "
                     "return a main chunk, e.g. from load", script, nups, nups == 1 ? "" : "s");
    } else {
      dump_buf b = {NULL, 0, 0};
      if (lua_dump(L, dump_writer, &b, 0) != 0) {
        free(b.p);
        rc = set_error(rt, "not enough memory");
      } else {
        *chunk = b.p;
        *len = b.len;
      }
    }
  }
  lua_pop(L, 1);
  return rc;
}

/* Print the error on top of the stack as "progname: message". */
static void report(runtime53 *rt)
{
  take_error(rt);
  fprintf(stderr, "%s: %s\n", rt->progname, lfsc_runtime53_error(rt));
  fflush(stderr);
}

/* Syntax errors that only more input can mend end at <eof> (5.3 writes
 * the token without quotes). */
static int incomplete(lua_State *L, int status)
{
  if (status != LUA_ERRSYNTAX)
    return 0;
  size_t len;
  const char *m = lua_tolstring(L, -1, &len);
  static const char eof[] = "<eof>";
  return m && len >= sizeof eof - 1 && strcmp(m + len - (sizeof eof - 1), eof) == 0;
}

/* read_statement's "Ctrl-C abandoned the input: prompt again" */
enum { READ_NOTHING = -2 };

/* Read one statement as lua5.3 does: "=expr" is "return expr"; a line
 * that makes an expression is "return line"; otherwise more lines on ">>"
 * while the statement is incomplete. Leaves the loaded chunk (or the
 * error) on the stack. Returns -1 at end of input, else the load status. */
static int read_statement(runtime53 *rt, repl_input *in)
{
  lua_State *L = rt->L;
  char *line = lfsc_repl_read(in, "> ");
  if (!line)
    return lfsc_repl_interrupted(in) ? READ_NOTHING : -1;
  lua_pushstring(L, line);                      /* t: what was typed, for history */
  free(line);
  int t = lua_gettop(L), status;
  const char *typed = lua_tostring(L, t);
  if (typed[0] == '=')                          /* t + 1: the code */
    lua_pushfstring(L, "return %s", typed + 1);
  else
    lua_pushvalue(L, t);
  const char *code = lua_pushfstring(L, "return %s", lua_tostring(L, t + 1));
  status = luaL_loadbuffer(L, code, strlen(code), "=stdin");
  lua_remove(L, -2);
  if (status != LUA_OK) {
    for (;;) {
      lua_pop(L, 1);
      size_t len;
      code = lua_tolstring(L, t + 1, &len);
      status = luaL_loadbuffer(L, code, len, "=stdin");
      if (!incomplete(L, status))
        break;
      char *more = lfsc_repl_read(in, ">> ");
      if (!more && lfsc_repl_interrupted(in)) {
        lua_settop(L, t - 1);                   /* Ctrl-C drops the statement */
        return READ_NOTHING;
      }
      if (!more)
        break;                                  /* report the incomplete statement */
      for (int k = t; k <= t + 1; k++) {
        lua_pushfstring(L, "%s\n%s", lua_tostring(L, k), more);
        lua_replace(L, k);
      }
      free(more);
    }
  }
  lfsc_repl_remember(in, lua_tostring(L, t));
  lua_remove(L, t);
  lua_remove(L, t);
  return status;
}

/* The REPL: on a terminal with prompts and readline; otherwise stdin is
 * read the same way without prompts, and any failed statement makes the
 * exit status 1. */
static int repl(runtime53 *rt)
{
  lua_State *L = rt->L;
  int tty = isatty(0) && isatty(1);
  repl_input *in = lfsc_repl_open(tty);
  if (!in) {
    fprintf(stderr, "%s: not enough memory\n", rt->progname);
    return 1;
  }
  if (tty)
    fprintf(stderr, "%s; %s; Ctrl-D exits\n", LUA_RELEASE,
            rt->image ? rt->image : "no LFS loaded");
  int failed = 0, status;
  while ((status = read_statement(rt, in)) != -1) {
    if (status == READ_NOTHING)
      continue;
    if (status == LUA_OK)
      status = docall(L, 0, LUA_MULTRET);
    if (status != LUA_OK) {
      report(rt);
      failed = 1;
    } else if (lua_gettop(L) > 0 && !lua_checkstack(L, LUA_MINSTACK)) {
      fprintf(stderr, "%s: too many results to print\n", rt->progname);
      failed = 1;
    } else if (lua_gettop(L) > 0) {
      lua_getglobal(L, "print");
      lua_insert(L, 1);
      if (lua_pcall(L, lua_gettop(L) - 1, 0, 0) != LUA_OK) {
        lua_pushfstring(L, "error calling 'print' (%s)", lua_tostring(L, -1));
        lua_remove(L, -2);
        report(rt);
        failed = 1;
      }
    }
    lua_settop(L, 0);
    fflush(stdout);
  }
  fflush(stdout);
  lfsc_repl_close(in);
  return tty || !failed ? 0 : 1;
}

int lfsc_runtime53_main(runtime53 *rt, const runtime_args *a)
{
  lua_State *L = rt->L;
  int argc = a->argc, script = a->script, ran_e = 0;
  char **argv = a->argv;
  /* image modules first, the firmware's paths, the mocks */
  if (luaL_loadbuffer(L, lfsc_repl_prelude, strlen(lfsc_repl_prelude), "=(lfsimg run)")) {
    report(rt);
    return 1;
  }
  lua_pushboolean(L, a->host_path);
  if (a->mocks)
    lua_pushstring(L, a->mocks);
  else
    lua_pushnil(L);
  if (docall(L, 2, 0)) {
    report(rt);
    return 1;
  }
  /* arg: the script at 0, its arguments after, the command before */
  if (script) {
    lua_createtable(L, argc - script - 1, script + 1);
    for (int k = 0; k < argc; k++) {
      lua_pushstring(L, argv[k]);
      lua_rawseti(L, -2, k - script);
    }
    lua_setglobal(L, "arg");
  }
  /* -e and -l in order */
  for (int k = 0; k < a->nactions; k++) {
    const char *v = a->actions[k].value;
    int status;
    if (a->actions[k].what == 'e') {
      ran_e = 1;
      status = luaL_loadbuffer(L, v, strlen(v), "=(command line)");
      if (status == LUA_OK)
        status = docall(L, 0, 0);
    } else {
      lua_getglobal(L, "require");
      lua_pushstring(L, v);
      status = docall(L, 1, 1);
      if (status == LUA_OK)
        lua_setglobal(L, v);    /* lua5.3: global[name] = require's result */
    }
    if (status != LUA_OK) {
      report(rt);
      return 1;
    }
  }
  if (script) {
    const char *name = strcmp(argv[script], "-") == 0 ? NULL : argv[script];
    if (luaL_loadfile(L, name) != LUA_OK) {
      report(rt);
      return 1;
    }
    int nargs = argc - script - 1;
    if (!lua_checkstack(L, nargs + LUA_MINSTACK)) {
      fprintf(stderr, "%s: too many arguments to the script\n", rt->progname);
      return 1;
    }
    for (int k = script + 1; k < argc; k++)
      lua_pushstring(L, argv[k]);
    if (docall(L, nargs, 0) != LUA_OK) {
      report(rt);
      return 1;
    }
    fflush(stdout);
  }
  if (a->interactive || (!script && !ran_e))
    return repl(rt);
  fflush(stdout);
  return ferror(stdout) ? 1 : 0;
}
