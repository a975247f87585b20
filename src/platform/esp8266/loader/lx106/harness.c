/*
 * Test harness for the loader stub on the emulated lx106 (QEMU -M sim,
 * semihosting). Usage (semihosting argv): harness IMAGE OUT VARIANT
 *
 * Streams IMAGE from the host file through lfs_load into a 1 MB NOR-flash
 * stand-in for a region mapped at 0x40280000,
 * runs lfs_check, and writes the loaded image (header size bytes) to OUT.
 * Prints the stack the load used. Exit status: 0 loaded, 10 + LFS_E_*
 * on a load error, 40 check not valid, 50 host I/O error, 60 an illegal
 * NOR write (a 1 over a 0).
 */
#include <stdint.h>
#include "loader.h"
#include "semihost.h"

/* The region is mapped at REGION_BASE for the image's addresses (where
 * the ESP8266 maps flash offset 0x80000); its contents live in QEMU's
 * sysram at 0x60000000, which has room for a 1 MB region (instrom0 ends
 * 512 KB past REGION_BASE). */
#define REGION_BASE 0x40280000u
#define REGION_SIZE 0x100000u
#define REGION      ((uint32_t *)0x60000000u)


static lfs_ctx ctx;
static char argbuf[1024];
static int in_fd;
static uint32_t in_at;
static int nor_violation;

/* gcc may emit calls to these for struct copies; the loader itself does
 * not need them. */
void *memset(void *d, int v, unsigned n)
{
  unsigned char *p = d;
  while (n--)
    *p++ = (unsigned char)v;
  return d;
}

void *memcpy(void *d, const void *s, unsigned n)
{
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--)
    *p++ = *q++;
  return d;
}

/* Positional reads on the host file. */
static int32_t in_read(void *arg, uint32_t pos, uint8_t *buf, uint32_t len)
{
  (void)arg;
  if (pos != in_at) {
    if (semi(SEMI_LSEEK, in_fd, (int)pos, 0) != (int)pos)
      return -1;
    in_at = pos;
  }
  {
    int n = semi(SEMI_READ, in_fd, (int)buf, (int)len);
    if (n > 0)
      in_at += (uint32_t)n;
    return n;
  }
}

/* NOR flash model on RAM: erase to ones, writes AND. */
static int fl_erase(void *arg, uint32_t off)
{
  uint32_t i;

  (void)arg;
  for (i = 0; i < LFS_SECTOR / 4; i++)
    REGION[off / 4 + i] = 0xFFFFFFFFu;
  return 0;
}

static int fl_write(void *arg, uint32_t off, const uint32_t *src, uint32_t n)
{
  uint32_t i;

  (void)arg;
  for (i = 0; i < n; i++) {
    if (src[i] & ~REGION[off / 4 + i])
      nor_violation = 1;
    REGION[off / 4 + i] &= src[i];
  }
  return 0;
}

static int fl_read(void *arg, uint32_t off, uint32_t *dst, uint32_t n)
{
  uint32_t i;

  (void)arg;
  for (i = 0; i < n; i++)
    dst[i] = REGION[off / 4 + i];
  return 0;
}

static const lfs_flash_ops flash = { fl_erase, fl_write, fl_read, 0 };

/* Empty markers around the load for the instruction-count plugin. */
__attribute__((noinline)) void loader_mark_begin(void) { __asm__ volatile(""); }
__attribute__((noinline)) void loader_mark_end(void) { __asm__ volatile(""); }

#define PAINT_WORDS 1024u
#define PAINT       0x5AA5C33Cu

int main(void)
{
  char **argv = (char **)argbuf;
  uint32_t variant, sp, *low, i, stack = 0;
  lfs_info info;
  char msg[200];
  int rc, fd;

  if (semi(SEMI_ARGC, 0, 0, 0) != 4 || semi(SEMI_ARGV, (int)argbuf, 0, 0) < 0) {
    say("usage: harness IMAGE OUT float|float16|int\n");
    return 50;
  }
  variant = streq(argv[3], "int") ? LFSIMG_SIG_INT
          : streq(argv[3], "float16") ? LFSIMG_SIG_FLOAT16 : LFSIMG_SIG_FLOAT;
  in_fd = semi(SEMI_OPEN, (int)argv[1], 0, 0);
  if (in_fd < 0) {
    say("cannot open the image\n");
    return 50;
  }
  for (i = 0; i < REGION_SIZE / 4; i++)   /* old contents: not erased */
    REGION[i] = 0x12345678u ^ i;

  /* Paint the stack below us to measure how deep the load goes. */
  __asm__ volatile("mov %0, a1" : "=r"(sp));
  low = (uint32_t *)(sp - 4 * PAINT_WORDS - 64);
  for (i = 0; i < PAINT_WORDS; i++)
    low[i] = PAINT;
  loader_mark_begin();
  rc = lfs_load(&ctx, in_read, 0, &flash, REGION_BASE, REGION_SIZE, variant);
  loader_mark_end();
  for (i = 0; i < PAINT_WORDS && low[i] == PAINT; i++)
    ;
  stack = sp - (uint32_t)(low + i);
  semi(SEMI_CLOSE, in_fd, 0, 0);

  say("loader: ctx ");
  say_num(sizeof ctx);
  say(" bytes, stack ");
  say_num(stack);
  say(" bytes\n");
  if (nor_violation) {
    say("loader: a write set a cleared bit\n");
    return 60;
  }
  if (rc) {
    say("loader: ");
    say(lfs_message(&ctx, msg, sizeof msg));
    say("\n");
    return 10 + rc;
  }
  if (lfs_check(&flash, REGION_BASE, REGION_SIZE, variant, &info) != LFS_VALID) {
    say("loader: region does not check valid\n");
    return 40;
  }
  say("loader: loaded ");
  say_num(info.size);
  say(" bytes\n");
  fd = semi(SEMI_OPEN, (int)argv[2], HOST_O_WRONLY | HOST_O_CREAT | HOST_O_TRUNC, 0644);
  if (fd < 0 || semi(SEMI_WRITE, fd, (int)REGION, (int)info.size) != (int)info.size)
    return 50;
  semi(SEMI_CLOSE, fd, 0, 0);
  return 0;
}
