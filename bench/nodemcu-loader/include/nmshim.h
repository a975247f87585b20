/*
 * The few declarations NodeMCU's loader sources (app/lua/lflash.c,
 * app/uzlib/uzlib_inflate.c, crc32.c) need from the firmware around them,
 * reduced to what a bare lx106 program under QEMU can give: a Lua state
 * that only carries an error jump and the LFS fields of global_State, an
 * arena allocator, a RAM "flash" and host files over semihosting. Every
 * firmware header those sources include is a one-line stub that includes
 * this file (see include/), except lflash.h and uzlib.h, which build.sh
 * takes from the firmware tree unchanged.
 */
#ifndef NMSHIM_H
#define NMSHIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <limits.h>

/* --- libc subset (no C library for lx106 here) ------------------------- */
typedef int jmp_buf[8];   /* a0, a1, a12..a15 of the call0 ABI + spare */
__attribute__((returns_twice)) int setjmp(jmp_buf env);
__attribute__((noreturn)) void longjmp(jmp_buf env, int val);
void *malloc(size_t n);
void free(void *p);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int v, size_t n);

/* --- firmware configuration (app/include/user_config.h) ---------------- */
/* The variant comes from build.sh: -DLUA_NUMBER_INTEGRAL (int),
 * -DLUA_DWORD_ALIGNED_TVALUES (float16), nothing (float); the firmware
 * then packs TValues in the float build, which sets FLASH_SIG_B2. */
#if !defined(LUA_NUMBER_INTEGRAL) && !defined(LUA_DWORD_ALIGNED_TVALUES)
#define LUA_PACK_TVALUES
#endif
#define NODEMCU_LFS0_PARTITION 3
#define NODE_DBG(...)
#define NODE_ERR(...) nm_node_err(__VA_ARGS__)
void nm_node_err(const char *fmt, ...);

/* --- Lua core: just what lflash.c touches ------------------------------ */
#define LUA_API
#define LUALIB_API
#define LUAI_FUNC
#define LUA_ERRRUN 2
#define LUA_ERRMEM 4
#define lua_assert(c) ((void)0)
#define cast(t, exp) ((t)(exp))
typedef uint32_t lu_int32;
typedef size_t lu_mem;
typedef union GCObject GCObject;
typedef struct Proto Proto;
typedef struct stringtable {
  GCObject **hash;
  lu_int32 nuse;
  int size;
} stringtable;
typedef struct global_State {
  stringtable ROstrt;     /* the LFS string table, set by luaN_init */
  Proto *ROpvmain;
  lu_int32 LFSsize;
} global_State;
typedef struct lua_State {
  global_State *l_G;
  const char *arg1;       /* stack slot 1 of the caller: the file name */
  void *ud;               /* slot 1 inside lua_cpcall: its userdata */
  const char *pushed;     /* the last string pushed: the error message */
  jmp_buf *errjmp;        /* innermost protected call */
} lua_State;
#define G(L) ((L)->l_G)
typedef int (*lua_CFunction)(lua_State *L);

int lua_cpcall(lua_State *L, lua_CFunction f, void *ud);
int lua_error(lua_State *L);
void lua_pushnil(lua_State *L);
void lua_pushstring(lua_State *L, const char *s);
void lua_settop(lua_State *L, int idx);
const char *lua_tostring(lua_State *L, int idx);
void *lua_touserdata(lua_State *L, int idx);

/* lmem.h: allocation through one function that throws LUA_ERRMEM when
 * the heap is exhausted, and the size-overflow check of newvector. */
void *nm_realloc(lua_State *L, void *block, size_t osize, size_t nsize);
void *nm_toobig(lua_State *L);
#define luaM_new(L, t) cast(t *, nm_realloc(L, NULL, 0, sizeof(t)))
#define luaM_newvector(L, n, t) \
  cast(t *, ((size_t)(n) + 1 <= ((size_t)~0) / sizeof(t) ? \
             nm_realloc(L, NULL, 0, (size_t)(n) * sizeof(t)) : nm_toobig(L)))
#define luaM_free(L, b) nm_realloc(L, (b), sizeof(*(b)), 0)
#define luaM_freearray(L, b, n, t) nm_realloc(L, (b), (size_t)(n) * sizeof(t), 0)

/* --- platform, SDK and VFS --------------------------------------------- */
#define INTERNAL_FLASH_SECTOR_SIZE 0x1000
uint32_t platform_flash_get_partition(uint32_t part_id, uint32_t *addr);
uint32_t platform_flash_phys2mapped(uint32_t phys_addr);
uint32_t platform_flash_get_sector_of_address(uint32_t addr);
uint32_t platform_flash_write(const void *from, uint32_t toaddr, uint32_t size);
int platform_flash_erase_sector(uint32_t sector_id);
void system_soft_wdt_feed(void);

#define VFS_SEEK_SET 0
#define VFS_SEEK_CUR 1
#define VFS_SEEK_END 2
int vfs_open(const char *name, const char *mode);
int32_t vfs_close(int fd);
int32_t vfs_read(int fd, void *ptr, size_t len);
int32_t vfs_lseek(int fd, int32_t off, int whence);
uint32_t vfs_size(int fd);

#endif
