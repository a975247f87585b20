/*
 * QEMU semihosting for the programs run on the emulated lx106 (-M sim
 * -semihosting): the loader stub's harness (harness.c) and NodeMCU's own
 * loader measured as its peer (bench/nodemcu-loader/shim.c). Host calls,
 * and text out without a C library (nor division: the lx106 libgcc
 * lacks it).
 */
#ifndef LFSC_LX106_SEMIHOST_H
#define LFSC_LX106_SEMIHOST_H

#include <stdint.h>

enum { SEMI_EXIT = 1, SEMI_READ = 3, SEMI_WRITE = 4, SEMI_OPEN = 5, SEMI_CLOSE = 6,
       SEMI_LSEEK = 19, SEMI_ARGC = 1000, SEMI_ARGV = 1002 };
/* QEMU hands open flags to the host's open(2): Linux values. */
enum { HOST_O_WRONLY = 1, HOST_O_CREAT = 0x40, HOST_O_TRUNC = 0x200 };

/* simcall: call number in a2, arguments in a3..a5, result in a2. */
static inline int semi(int nr, int a, int b, int c)
{
  register int a2 __asm__("a2") = nr;
  register int a3 __asm__("a3") = a;
  register int a4 __asm__("a4") = b;
  register int a5 __asm__("a5") = c;

  __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
  return a2;
}

static inline unsigned slen(const char *s)
{
  unsigned n = 0;
  while (s[n])
    n++;
  return n;
}

static inline void say(const char *s)
{
  semi(SEMI_WRITE, 1, (int)s, (int)slen(s));
}

static inline void say_num(uint32_t v)
{
  char b[12];
  int i = 11;

  b[i] = 0;
  do {                          /* no division */
    uint32_t q = 0, r = v;
    while (r >= 10) {
      r -= 10;
      q++;
    }
    b[--i] = (char)('0' + r);
    v = q;
  } while (v);
  say(b + i);
}

static inline int streq(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

#endif
