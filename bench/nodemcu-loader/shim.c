/*
 * Runtime and driver for NodeMCU's own LFS loader on the emulated lx106
 * (qemu-system-xtensa -M sim -cpu lx106, semihosting).
 * Usage (semihosting argv): nodemcu-loader IMAGE OUT [VARIANT]
 *
 * Does what node.LFS.reload(IMAGE) does on the device: luaL_lfsreload()
 * (lflash.c, unchanged) inflates IMAGE twice with uzlib and writes the
 * region. Boot is modelled by luaN_init() before and after. The flash
 * partition is a RAM region at 0x40280000 (where the ESP8266 maps flash
 * offset 0x80000) with NOR rules: erase to ones, writes AND.
 *
 * The load is bracketed by loader_mark_begin/end for the instruction
 * plugin. It ends where the firmware would restart: at its NODE_ERR()
 * before the watchdog loop (success or a second-pass error), or when
 * luaL_lfsreload returns (a first-pass refusal, LFS untouched).
 *
 * Exit status: 0 loaded (OUT = the region, header flash_size bytes),
 * 10 refused in the first pass, 11 failed in the second pass (region
 * erased), 40 the boot check rejects the loaded region, 50 usage or host
 * I/O error, 60 a write set a cleared bit, 100 + EXCCAUSE on a trap.
 */
#include "nmshim.h"
#include "semihost.h"

void luaN_init(lua_State *L);
void luaL_lfsreload(lua_State *L);

#define PHYS_BASE   0x80000u       /* the LFS partition's flash offset */
#define MAPPED_BASE 0x40200000u    /* flash as the ESP8266 maps it */
#define REGION_SIZE 0x80000u
#define REGION      ((uint32_t *)(MAPPED_BASE + PHYS_BASE))
#define SECTOR      INTERNAL_FLASH_SECTOR_SIZE

#ifndef NM_HEAP
#define NM_HEAP (96 * 1024)        /* 23 KB of buffers + image / 32 */
#endif


static char argbuf[1024];
static int nor_violation, reloading;
static global_State gstate;
static lua_State lstate = { &gstate, 0, 0, 0, 0 };
static const char *out_path;

__attribute__((noreturn)) static void quit(int status)
{
  semi(SEMI_EXIT, status, 0, 0);
  for (;;)
    ;
}

/* --- libc: word-wise when aligned, as the ROM's and newlib's are ------- */
void *memcpy(void *d, const void *s, size_t n)
{
  unsigned char *p = d;
  const unsigned char *q = s;

  if ((((uintptr_t)p | (uintptr_t)q) & 3) == 0)
    for (; n >= 4; n -= 4, p += 4, q += 4)
      *(uint32_t *)p = *(const uint32_t *)q;
  while (n--)
    *p++ = *q++;
  return d;
}

void *memmove(void *d, const void *s, size_t n)
{
  unsigned char *p = d;
  const unsigned char *q = s;

  if (p <= q || p >= q + n)
    return memcpy(d, s, n);
  if ((((uintptr_t)p | (uintptr_t)q | n) & 3) == 0)
    for (; n; n -= 4)
      *(uint32_t *)(p + n - 4) = *(const uint32_t *)(q + n - 4);
  while (n--)
    p[n] = q[n];
  return d;
}

void *memset(void *d, int v, size_t n)
{
  unsigned char *p = d;

  while (n--)
    *p++ = (unsigned char)v;
  return d;
}

/* libgcc routines the ESP8266 mask ROM provides, so Debian's lx106 libgcc
 * leaves them out. uzlib's build_bits_base divides (twice 30 times per
 * inflate): shift-and-subtract is plenty. */
unsigned __udivsi3(unsigned a, unsigned b)
{
  unsigned q = 0, bit = 1;

  if (b == 0)
    quit(50);
  while (b < a && !(b & 0x80000000u))
    b <<= 1, bit <<= 1;
  for (; bit; b >>= 1, bit >>= 1)
    if (a >= b)
      a -= b, q |= bit;
  return q;
}

int __divsi3(int a, int b)
{
  unsigned q = __udivsi3(a < 0 ? 0u - (unsigned)a : (unsigned)a,
                         b < 0 ? 0u - (unsigned)b : (unsigned)b);
  return (a < 0) != (b < 0) ? -(int)q : (int)q;
}

/* --- heap: first fit over freed blocks, else bump; peak = high water --- */
typedef struct blk { size_t size; struct blk *next; } blk;   /* size: payload */
static uint32_t heap[NM_HEAP / 4];
static size_t heap_top;             /* bytes of heap[] handed out */
static blk *free_list;

void *malloc(size_t n)
{
  blk **pp, *b;

  n = (n + 7) & ~(size_t)7;
  for (pp = &free_list; (b = *pp) != 0; pp = &b->next)
    if (b->size >= n) {
      *pp = b->next;
      return b + 1;
    }
  if (n > sizeof heap - sizeof(blk) - heap_top)
    return 0;
  b = (blk *)((char *)heap + heap_top);
  b->size = n;
  heap_top += sizeof(blk) + n;
  return b + 1;
}

void free(void *p)
{
  if (p) {
    blk *b = (blk *)p - 1;
    b->next = free_list;
    free_list = b;
  }
}

/* --- Lua: protected calls and errors as setjmp/longjmp --------------- */
void *nm_realloc(lua_State *L, void *block, size_t osize, size_t nsize)
{
  void *p;

  (void)osize;
  if (nsize == 0) {
    free(block);
    return 0;
  }
  if (block)                    /* lflash.c only allocates and frees */
    quit(50);
  p = malloc(nsize);
  if (!p)
    longjmp(*L->errjmp, LUA_ERRMEM);
  return p;
}

void *nm_toobig(lua_State *L)
{
  lua_pushstring(L, "memory allocation error: block too big");
  return (void *)(uintptr_t)lua_error(L);
}

int lua_cpcall(lua_State *L, lua_CFunction f, void *ud)
{
  jmp_buf jb, *outer = L->errjmp;
  int status;

  L->errjmp = &jb;
  status = setjmp(jb);
  if (status == 0) {
    L->ud = ud;
    f(L);
  }
  L->errjmp = outer;
  return status;
}

int lua_error(lua_State *L)
{
  longjmp(*L->errjmp, LUA_ERRRUN);
}

void lua_pushnil(lua_State *L) { L->pushed = 0; }
void lua_pushstring(lua_State *L, const char *s) { L->pushed = s; }
void lua_settop(lua_State *L, int idx) { (void)L, (void)idx; }
const char *lua_tostring(lua_State *L, int idx) { return idx == 1 ? L->arg1 : 0; }
void *lua_touserdata(lua_State *L, int idx) { return idx == 1 ? L->ud : 0; }

/* --- platform: the partition is REGION, NOR rules -------------------- */
uint32_t platform_flash_get_partition(uint32_t part_id, uint32_t *addr)
{
  if (part_id != NODEMCU_LFS0_PARTITION)
    return 0;
  *addr = PHYS_BASE;
  return REGION_SIZE;
}

uint32_t platform_flash_phys2mapped(uint32_t phys_addr) { return phys_addr + MAPPED_BASE; }
uint32_t platform_flash_get_sector_of_address(uint32_t addr) { return addr / SECTOR; }
void system_soft_wdt_feed(void) { }

uint32_t platform_flash_write(const void *from, uint32_t toaddr, uint32_t size)
{
  const uint32_t *src = from;
  uint32_t i, *dst = (uint32_t *)(toaddr + MAPPED_BASE);

  /* lflash.c writes whole aligned words inside the partition */
  if (((uintptr_t)from | toaddr | size) & 3 || toaddr < PHYS_BASE ||
      toaddr + size > PHYS_BASE + REGION_SIZE)
    quit(50);
  for (i = 0; i < size / 4; i++) {
    if (src[i] & ~dst[i])
      nor_violation = 1;
    dst[i] &= src[i];
  }
  return size;
}

int platform_flash_erase_sector(uint32_t sector_id)
{
  uint32_t i, *dst = (uint32_t *)(sector_id * SECTOR + MAPPED_BASE);

  if (sector_id < PHYS_BASE / SECTOR || sector_id >= (PHYS_BASE + REGION_SIZE) / SECTOR)
    quit(50);
  for (i = 0; i < SECTOR / 4; i++)
    dst[i] = 0xFFFFFFFFu;
  return 1;
}

/* --- VFS: the image is a host file (SPIFFS's cost is not modelled) ---- */
int vfs_open(const char *name, const char *mode)
{
  int fd;

  (void)mode;
  fd = semi(SEMI_OPEN, (int)name, 0, 0);
  return fd < 0 ? 0 : fd;       /* the firmware's "no file" is 0 */
}

int32_t vfs_close(int fd) { return semi(SEMI_CLOSE, fd, 0, 0); }
int32_t vfs_read(int fd, void *ptr, size_t len) { return semi(SEMI_READ, fd, (int)ptr, (int)len); }
int32_t vfs_lseek(int fd, int32_t off, int whence) { return semi(SEMI_LSEEK, fd, off, whence); }

uint32_t vfs_size(int fd)
{
  int32_t at = vfs_lseek(fd, 0, VFS_SEEK_CUR), end = vfs_lseek(fd, 0, VFS_SEEK_END);

  vfs_lseek(fd, at, VFS_SEEK_SET);
  return (uint32_t)end;
}

/* --- driver ----------------------------------------------------------- */
/* Empty markers around the load for the instruction-count plugin. */
__attribute__((noinline)) void loader_mark_begin(void) { __asm__ volatile(""); }
__attribute__((noinline)) void loader_mark_end(void) { __asm__ volatile(""); }

static void report_heap(void)
{
  say("nodemcu-loader: heap peak ");
  say_num(heap_top);
  say(" bytes\n");
}

/* After the load: reboot, i.e. luaN_init's boot check, and write out the
 * region (flash_size bytes, from the header). */
__attribute__((noreturn)) static void finish(void)
{
  uint32_t size = REGION[1];
  int fd;

  report_heap();
  if (nor_violation) {
    say("nodemcu-loader: a write set a cleared bit\n");
    quit(60);
  }
  gstate.ROstrt.hash = 0;
  luaN_init(&lstate);
  if (!gstate.ROstrt.hash) {
    say("nodemcu-loader: the boot check rejects the region\n");
    quit(40);
  }
  if (size > REGION_SIZE)
    quit(40);
  say("nodemcu-loader: loaded ");
  say_num(size);
  say(" bytes\n");
  fd = semi(SEMI_OPEN, (int)out_path, HOST_O_WRONLY | HOST_O_CREAT | HOST_O_TRUNC, 0644);
  if (fd < 0 || semi(SEMI_WRITE, fd, (int)REGION, (int)size) != (int)size)
    quit(50);
  semi(SEMI_CLOSE, fd, 0, 0);
  quit(0);
}

/* The firmware's NODE_ERR. During the reload it is the end: luaL_lfsreload
 * calls it only right before its restart loop. */
void nm_node_err(const char *fmt, ...)
{
  if (!reloading)
    return;                     /* boot messages: "No LFS image loaded" */
  loader_mark_end();
  reloading = 0;
  say("nodemcu-loader: ");
  say(fmt);
  say("\n");
  if (REGION[0] == 0xFFFFFFFFu) {   /* a second-pass error erased it all */
    report_heap();
    quit(11);
  }
  finish();
}

#define STR_(x) #x
#define STR(x) STR_(x)

int main(void)
{
  char **argv = (char **)argbuf;
  uint32_t i;
  int argc = semi(SEMI_ARGC, 0, 0, 0);

  if (argc < 3 || argc > 4 || semi(SEMI_ARGV, (int)argbuf, 0, 0) < 0) {
    say("usage: nodemcu-loader IMAGE OUT [" STR(NM_VARIANT) "]\n");
    quit(50);
  }
  if (argc == 4 && !streq(argv[3], STR(NM_VARIANT))) {
    say("nodemcu-loader: this build is the " STR(NM_VARIANT) " firmware\n");
    quit(50);
  }
  out_path = argv[2];
  for (i = 0; i < REGION_SIZE / 4; i++)   /* old contents: not erased */
    REGION[i] = 0x12345678u ^ i;

  luaN_init(&lstate);           /* boot with no valid LFS */
  lstate.arg1 = argv[1];
  reloading = 1;
  loader_mark_begin();
  luaL_lfsreload(&lstate);      /* node.LFS.reload(IMAGE) */
  loader_mark_end();
  /* Returned: refused in the first pass, the old LFS left as it was. */
  reloading = 0;
  say("nodemcu-loader: refused: ");
  say(lstate.pushed ? lstate.pushed : "?");
  say("\n");
  report_heap();
  quit(10);
}
