/*
 * Host runtime (see runtime.h): Debian's Lua 5.1 VM with NodeMCU's view of
 * LFS. The image is never interpreted by us: its index function and every
 * module under it become one stock host chunk (lfsc_lc_write, target host) that
 * lua_load() takes from memory. Everything LFS answers goes through that
 * index function as the firmware's does, so an image behaves as its own
 * code says, whatever tool built it.
 *
 * The loaded LFS is one table in the registry (LFS_KEY): the index
 * function, the sorted ROM strings and the config numbers. No table there
 * means "no LFS loaded". node.LFS.reload() replaces that table; see
 * swap_in() for what a running script then sees.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua51dl.h"

#include "lua51/lc_write.h"
#include "lua51/lc_read.h"
#include "lfs51/reader.h"
#include "repl/repl.h"
#include "runtime.h"
#include "base/sink.h"
#include "lfs51/verify.h"

/* node.info('lfs') takes its numbers from the platform: a PI image has no
 * address of its own, so it is taken to be mapped at the platform's
 * lfs_mapped_default; flash offsets are mapped addresses less the window
 * base; the partition is at least the default LFS size. */
struct runtime {
  lua_State *L;
  const char *progname;
  const lfsc_platform *platform;
  char *err;                    /* last error (heap) */
  char *image;                  /* path of the loaded image, for the banner */
  int int_noted;                /* the integer-image note was printed */
};

static const char LFS_KEY = 'L';       /* registry: the loaded LFS, or nil */
static const char RT_KEY = 'R';        /* registry: the runtime (light userdata) */
static const char TRACEBACK_KEY = 'T'; /* registry: debug.traceback as opened */

static int set_error(runtime *rt, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (m) {
    va_start(ap, fmt);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  free(rt->err);
  rt->err = m;
  return -1;
}

const char *lfsc_runtime_error(const runtime *rt)
{
  return rt->err ? rt->err : "not enough memory";
}

/* The runtime whose state L is (registry: RT_KEY). */
static runtime *get_runtime(lua_State *L)
{
  lua_pushlightuserdata(L, (void *)&RT_KEY);
  lua_rawget(L, LUA_REGISTRYINDEX);
  runtime *rt = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return rt;
}

/* ---- loading an image ------------------------------------------------- */

/* Read and check path with the verifier (warnings do not refuse: they
 * concern the stock loader, not a host run). */
static int check_image(runtime *rt, lfsc_ctx *ctx, const char *path, const reader_image **out)
{
  unsigned char *buf;
  size_t len;
  reader_image *img;
  if (lfsc_reader_read_image(ctx, path, &buf, &len))
    return set_error(rt, "%s", lfsc_errmsg(ctx));
  if (strcmp(path, "-") == 0)
    path = "stdin";
  verify_opts vo = {.platform = rt->platform, .run_safe = 1};
  if (lfsc_verify_or_refuse(ctx, buf, len, &vo, 0, &img, NULL))
    return set_error(rt, "%s: invalid image: %s", path, lfsc_errmsg(ctx));
  *out = img;
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  const lfsc_str *x = *(const lfsc_str *const *)a, *y = *(const lfsc_str *const *)b;
  int c = memcmp(x->data, y->data, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

typedef struct build_job {
  const reader_image *img;
  const unsigned char *chunk;   /* the image as one host chunk */
  size_t chunklen;
  const lfsc_str **sorted;      /* ROstrt strings in byte order */
  const lfsc_platform *platform;
} build_job;

/* lua_cpcall body: push the LFS table for job (index, strings, config). */
static int build_lfs(lua_State *L)
{
  const build_job *j = lua_touserdata(L, 1);
  const reader_image *img = j->img;
  const lfsc_platform *pf = j->platform;
  lua_createtable(L, 0, 8);
  if (luaL_loadbuffer(L, (const char *)j->chunk, j->chunklen, "=(lfs)"))
    return lua_error(L);
  lua_setfield(L, -2, "index");
  lua_createtable(L, img->nstrings, 0);
  for (int i = 0; i < img->nstrings; i++) {
    lua_pushlstring(L, j->sorted[i]->data, j->sorted[i]->len);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "strings");
  uint32_t mapped = img->absolute ? img->base : pf->lfs_mapped_default;
  uint32_t size = (img->flash_size + 4095u) & ~4095u;
  if (size < pf->lfs_size_default)
    size = pf->lfs_size_default;
  lua_pushnumber(L, lfsc_platform_lfs_offset(pf, mapped));
  lua_setfield(L, -2, "lfs_base");
  lua_pushnumber(L, mapped);
  lua_setfield(L, -2, "lfs_mapped");
  lua_pushnumber(L, size);
  lua_setfield(L, -2, "lfs_size");
  lua_pushnumber(L, img->flash_size);
  lua_setfield(L, -2, "lfs_used");
  lua_pushlightuserdata(L, (void *)&LFS_KEY);
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return 0;
}

/* Verify path and make it the loaded LFS: what the device has after
 * node.LFS.reload(path) and its reboot. Until this succeeds the previous
 * image (or none) stays loaded. */
static int swap_in(runtime *rt, const char *path)
{
  lfsc_ctx *ctx = lfsc_new();
  if (!ctx)
    return set_error(rt, "not enough memory");
  const reader_image *img = NULL;
  int rc = check_image(rt, ctx, path, &img);
  if (strcmp(path, "-") == 0)
    path = "stdin";             /* as messages name it */
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  const lfsc_str **sorted = NULL;
  if (rc == 0) {
    int w = lfsc_lc_write(ctx, img->main, LFSC_TARGET_HOST, 0, &s);
    if (w == LFSC_OK)
      w = s.status;
    sorted = malloc(((size_t)img->nstrings + 1) * sizeof *sorted);
    if (w != LFSC_OK || !sorted)
      rc = set_error(rt, "%s: %s", path, w != LFSC_OK ? lfsc_errmsg(ctx) : "not enough memory");
  }
  if (rc == 0) {
    for (int i = 0; i < img->nstrings; i++)
      sorted[i] = img->strings[i].s;
    qsort(sorted, (size_t)img->nstrings, sizeof *sorted, cmp_str);
    build_job job = {img, s.buf, s.len, sorted, rt->platform};
    if (lua_cpcall(rt->L, build_lfs, &job)) {
      rc = set_error(rt, "%s: %s", path, lua_tostring(rt->L, -1));
      lua_pop(rt->L, 1);
    }
  }
  if (rc == 0) {
    char *p = strdup(path);
    if (p) {
      free(rt->image);
      rt->image = p;
    }
    if (lfsc_target_variant(img->variant).numbers == LFSC_NUM_INT32 && !rt->int_noted) {
      rt->int_noted = 1;
      fprintf(stderr, "%s: note: %s is an integer-firmware image; this host computes with "
              "doubles where the device uses 32-bit integers (7/2 is 3.5 here, 3 there)\n",
              rt->progname, path);
    }
  }
  free(sorted);
  lfsc_sink_mem_free(&s);
  lfsc_free(ctx);
  return rc;
}

int lfsc_runtime_load_image(runtime *rt, const char *path)
{
  return swap_in(rt, path);
}

/* ---- NodeMCU's API over the loaded LFS ------------------------------ */

/* Push the loaded LFS table and return 1, or push nothing and return 0. */
static int push_lfs(lua_State *L)
{
  lua_pushlightuserdata(L, (void *)&LFS_KEY);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_istable(L, -1))
    return 1;
  lua_pop(L, 1);
  return 0;
}

/* Call the image's index function with nargs arguments on top of the
 * stack (consumed) for nres results. Returns 0 when no LFS is loaded. */
static int call_index(lua_State *L, int nargs, int nres)
{
  if (!push_lfs(L)) {
    lua_pop(L, nargs);
    return 0;
  }
  lua_getfield(L, -1, "index");
  lua_remove(L, -2);
  lua_insert(L, -1 - nargs);
  lua_call(L, nargs, nres);
  return 1;
}

/* node.LFS.get(name), node.flashindex(name): the module's function or nil */
static int lfs_get(lua_State *L)
{
  luaL_checkstring(L, 1);
  lua_settop(L, 1);
  lua_pushvalue(L, 1);
  if (!call_index(L, 1, 1) || !lua_isfunction(L, -1))
    lua_pushnil(L);
  return 1;
}

static int cmp_lua_str(const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  size_t lx = (size_t)x[1], ly = (size_t)y[1];
  int c = memcmp(x[0], y[0], lx < ly ? lx : ly);
  return c ? c : (lx > ly) - (lx < ly);
}

/* node.LFS.list(): the module names sorted, or nil without LFS */
static int lfs_list(lua_State *L)
{
  lua_settop(L, 0);
  if (!call_index(L, 0, 2) || !lua_istable(L, 2)) {
    lua_pushnil(L);
    return 1;
  }
  int n = (int)lua_objlen(L, 2);
  /* pairs of (bytes, length); the strings stay alive in table 2 */
  const char **v = lua_newuserdata(L, (size_t)(n + 1) * 2 * sizeof *v);
  int m = 0;
  for (int i = 1; i <= n; i++) {
    lua_rawgeti(L, 2, i);
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t len;
      v[2 * m] = lua_tolstring(L, -1, &len);
      v[2 * m + 1] = (const char *)len;
      m++;
    }
    lua_pop(L, 1);
  }
  qsort(v, (size_t)m, 2 * sizeof *v, cmp_lua_str);
  lua_createtable(L, m, 0);
  for (int i = 0; i < m; i++) {
    lua_pushlstring(L, v[2 * i], (size_t)v[2 * i + 1]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* The image timestamp, or nil */
static int lfs_time(lua_State *L)
{
  if (!call_index(L, 0, 1))
    lua_pushnil(L);
  return 1;
}

/* node.info('lfs') and node.LFS.config: a fresh table each time. Without
 * LFS the partition is still there: lfs_used is 0. */
static int lfs_config(lua_State *L)
{
  int have = push_lfs(L);
  lua_createtable(L, 0, 4);
  static const char *const keys[] = {"lfs_base", "lfs_mapped", "lfs_size", "lfs_used"};
  for (int i = 0; i < 4; i++) {
    if (have) {
      lua_getfield(L, -2, keys[i]);
    } else {
      const lfsc_platform *pf = get_runtime(L)->platform;
      const double none[] = {lfsc_platform_lfs_offset(pf, pf->lfs_mapped_default),
                             pf->lfs_mapped_default,
                             pf->lfs_size_default, 0};
      lua_pushnumber(L, none[i]);
    }
    lua_setfield(L, -2, keys[i]);
  }
  return 1;
}

/* node.LFS.reload(file), node.flashreload(file): an error string when the
 * file is not a valid image (the device's behaviour too); otherwise the
 * image is swapped in and nothing is returned (a device would reboot). */
static int lfs_reload(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  runtime *rt = get_runtime(L);
  if (swap_in(rt, path)) {
    lua_pushstring(L, lfsc_runtime_error(rt));
    return 1;
  }
  return 0;
}

/* node.LFS's __index: the API's names, else the module of that name. */
static int lfs_index(lua_State *L)
{
  const char *k = lua_tostring(L, 2);
  if (lua_type(L, 2) != LUA_TSTRING || !k) {
    lua_pushnil(L);
    return 1;
  }
  if (strcmp(k, "get") == 0) {
    lua_pushvalue(L, lua_upvalueindex(1));
  } else if (strcmp(k, "list") == 0) {
    lua_pushvalue(L, lua_upvalueindex(2));
  } else if (strcmp(k, "reload") == 0) {
    lua_pushvalue(L, lua_upvalueindex(3));
  } else if (strcmp(k, "time") == 0) {
    return lfs_time(L);
  } else if (strcmp(k, "config") == 0) {
    return lfs_config(L);
  } else {
    lua_settop(L, 2);
    lua_remove(L, 1);
    return lfs_get(L);
  }
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

/* debug.getstrings('ROM'): the image's ROstrt, sorted; 'RAM' (the default)
 * would list the VM's own string table, which liblua does not expose:
 * the host answers an empty table. */
static int debug_getstrings(lua_State *L)
{
  const char *which = luaL_optstring(L, 1, "RAM");
  if (strcmp(which, "ROM") != 0 && strcmp(which, "RAM") != 0)
    return luaL_argerror(L, 1, "'ROM' or 'RAM' expected");
  lua_newtable(L);
  if (strcmp(which, "ROM") == 0 && push_lfs(L)) {
    lua_getfield(L, -1, "strings");
    int n = (int)lua_objlen(L, -1);
    for (int i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      lua_rawseti(L, -4, i);
    }
    lua_pop(L, 2);
  }
  return 1;
}

/* lua_cpcall body: open the libraries and install node and debug.getstrings. */
static int open_state(lua_State *L)
{
  runtime *rt = lua_touserdata(L, 1);
  luaL_openlibs(L);
  lua_pushlightuserdata(L, (void *)&RT_KEY);
  lua_pushlightuserdata(L, rt);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_getglobal(L, "debug");
  lua_pushlightuserdata(L, (void *)&TRACEBACK_KEY);
  lua_getfield(L, -2, "traceback");
  lua_rawset(L, LUA_REGISTRYINDEX);
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

const char *lfsc_runtime_unavailable(void)
{
  return lfsc_lua51_load();
}

runtime *lfsc_runtime_new(const char *progname, const lfsc_platform *platform)
{
  if (lfsc_lua51_load())
    return NULL;
  runtime *rt = calloc(1, sizeof *rt);
  if (!rt)
    return NULL;
  rt->progname = progname;
  rt->platform = platform;
  rt->L = luaL_newstate();
  if (!rt->L || lua_cpcall(rt->L, open_state, rt)) {
    lfsc_runtime_free(rt);
    return NULL;
  }
  return rt;
}

void lfsc_runtime_free(runtime *rt)
{
  if (!rt)
    return;
  if (rt->L)
    lua_close(rt->L);
  free(rt->err);
  free(rt->image);
  free(rt);
}

/* ---- running code ----------------------------------------------------- */

/* Message handler: add a traceback to string messages. */
static int traceback(lua_State *L)
{
  if (!lua_isstring(L, 1))
    return 1;
  lua_pushlightuserdata(L, (void *)&TRACEBACK_KEY);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    return 1;
  }
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 2);
  lua_call(L, 2, 1);
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

/* Call the function below nargs arguments with a traceback handler. */
static int docall(lua_State *L, int nargs, int nres)
{
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  running = L;
  lfsc_repl_interrupt_begin(interrupt);
  int status = lua_pcall(L, nargs, nres, base);
  if (lfsc_repl_interrupt_end())
    lua_sethook(L, NULL, 0, 0);   /* a Ctrl-C that came too late to fire */
  lua_remove(L, base);
  if (status)
    lua_gc(L, LUA_GCCOLLECT, 0);
  return status;
}

/* The error on top of the stack as a message (popped). */
static int take_error(runtime *rt)
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

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
  (void)L;
  lfsc_sink_write(ud, p, n);
  return ((lfsc_sink *)ud)->status;
}

/* The reference compiles -e functions with NodeMCU's parser, which keeps
 * no local or upvalue names; drop the ones stock Lua kept. */
static void drop_names(lfsc_proto *p, int depth)
{
  p->sizelocvars = 0;
  p->locvars = NULL;
  p->sizeupvalues = 0;
  p->upvalues = NULL;
  for (int i = 0; i < p->sizep && depth < READER_MAX_DEPTH; i++)
    drop_names(p->p[i], depth + 1);
}

int lfsc_runtime_exec(runtime *rt, const char *script, lfsc_ctx *ctx, lfsc_proto **fn)
{
  lua_State *L = rt->L;
  *fn = NULL;
  if (luaL_loadfile(L, script) || docall(L, 0, 1))
    return take_error(rt);
  int rc = 0;
  if (lua_isfunction(L, -1)) {
    lfsc_sink s;
    lfsc_sink_mem_init(&s);
    if (lua_dump(L, dump_writer, &s) || s.status) {
      rc = set_error(rt, "%s: the function it returned cannot be compiled (a C function?)",
                     script);
    } else if (lfsc_lc_read(ctx, s.buf, s.len, script, LFSC_TARGET_HOST, fn) != LFSC_OK) {
      rc = set_error(rt, "%s: %s", script, lfsc_errmsg(ctx));
    } else if ((*fn)->nups) {
      /* only its Proto goes into the output: the values would be lost, and
       * an index function cannot create such a closure */
      rc = set_error(rt, "%s: the function it returned has %d upvalue%s (locals of the script); "
                     "return a main chunk, e.g. from loadstring", script, (*fn)->nups,
                     (*fn)->nups == 1 ? "" : "s");
      *fn = NULL;
    } else {
      drop_names(*fn, 0);
    }
    lfsc_sink_mem_free(&s);
  }
  lua_pop(L, 1);
  return rc;
}

/* Print the error on top of the stack as "progname: message". */
static void report(runtime *rt)
{
  take_error(rt);
  fprintf(stderr, "%s: %s\n", rt->progname, rt->err ? rt->err : "not enough memory");
  fflush(stderr);
}

/* Syntax errors that only more input can mend end at "<eof>". */
static int incomplete(lua_State *L, int status)
{
  if (status != LUA_ERRSYNTAX)
    return 0;
  size_t len;
  const char *m = lua_tolstring(L, -1, &len);
  static const char eof[] = "'<eof>'";
  return m && len >= sizeof eof - 1 && strcmp(m + len - (sizeof eof - 1), eof) == 0;
}

/* read_statement's "Ctrl-C abandoned the input: prompt again" */
enum { READ_NOTHING = -2 };

/* Read one statement: a line, more lines on ">>" while it is incomplete;
 * "=expr" is "return expr". Leaves the loaded chunk (or the error) on the
 * stack. Returns -1 at end of input, else the load status. */
static int read_statement(runtime *rt, repl_input *in)
{
  lua_State *L = rt->L;
  char *line = lfsc_repl_read(in, "> ");
  if (!line)
    return lfsc_repl_interrupted(in) ? READ_NOTHING : -1;
  lua_pushstring(L, line);                      /* what was typed, for history */
  free(line);
  int t = lua_gettop(L), status;
  for (;;) {
    const char *typed = lua_tostring(L, t);
    if (typed[0] == '=')
      lua_pushfstring(L, "return %s", typed + 1);
    else
      lua_pushvalue(L, t);
    size_t len;
    const char *code = lua_tolstring(L, -1, &len);
    status = luaL_loadbuffer(L, code, len, "=stdin");
    lua_remove(L, -2);
    if (!incomplete(L, status))
      break;
    char *more = lfsc_repl_read(in, ">> ");
    if (!more && lfsc_repl_interrupted(in)) {
      lua_settop(L, t - 1);                     /* Ctrl-C drops the statement */
      return READ_NOTHING;
    }
    if (!more)
      break;                                    /* report the incomplete statement */
    lua_pop(L, 1);
    lua_pushfstring(L, "%s\n%s", lua_tostring(L, t), more);
    free(more);
    lua_replace(L, t);
  }
  lfsc_repl_remember(in, lua_tostring(L, t));
  lua_remove(L, t);
  return status;
}

/* The REPL: on a terminal with prompts and readline; otherwise stdin is
 * read the same way without prompts, and any failed statement makes the
 * exit status 1. */
static int repl(runtime *rt)
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
    if (status == 0)
      status = docall(L, 0, LUA_MULTRET);
    if (status) {
      report(rt);
      failed = 1;
    } else if (lua_gettop(L) > 0) {
      lua_getglobal(L, "print");
      lua_insert(L, 1);
      if (lua_pcall(L, lua_gettop(L) - 1, 0, 0)) {
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

int lfsc_runtime_main(runtime *rt, const runtime_args *a)
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
      status = luaL_loadbuffer(L, v, strlen(v), "=(command line)") || docall(L, 0, 0);
    } else {
      lua_getglobal(L, "require");
      lua_pushstring(L, v);
      status = docall(L, 1, 0);
    }
    if (status) {
      report(rt);
      return 1;
    }
  }
  if (script) {
    const char *name = strcmp(argv[script], "-") == 0 ? NULL : argv[script];
    if (luaL_loadfile(L, name)) {
      report(rt);
      return 1;
    }
    int nargs = argc - script - 1;
    luaL_checkstack(L, nargs, "too many arguments to script");
    for (int k = script + 1; k < argc; k++)
      lua_pushstring(L, argv[k]);
    if (docall(L, nargs, 0)) {
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
