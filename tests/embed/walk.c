/*
 * Walks an embedded module table the way firmware would, through the
 * documented layout only (man/luac.cross.1, EMBEDDED MODULES), and writes
 * every module's bytes to DIR/NAME.lc so that the test script can compare
 * them with what luac.cross writes for each file. Also checks what the
 * bytes cannot show: the order of the table, the alignment of each chunk,
 * and (WITH_FIND: the C output) the lookup function for every name and a
 * missing one.
 *
 * Built for the host (stdio) and for lx106 under QEMU (semihosting:
 * kit/sh.h). usage: walk DIR; exit status 0, or 2..9 for a failed check.
 */
#include <stddef.h>

#ifdef __XTENSA__
#include "sh.h"
#define O_FLAGS (SH_O_WRONLY | SH_O_CREAT | SH_O_TRUNC)
#else
#include <stdio.h>
#include <stdlib.h>
#endif

/* The layout: three 32-bit little-endian words per entry on lx106. */
struct lfsc_embedded_entry {
  const char *name;
  const unsigned char *data;
  size_t size;
};
extern const struct lfsc_embedded_entry lfsc_embedded_table[];
extern const size_t lfsc_embedded_count;
#ifdef WITH_FIND
int lfsc_embedded_find(const char *name, const unsigned char **data, size_t *len);
#endif

static int cmp(const char *a, const char *b)
{
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

static size_t len(const char *s)
{
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

/* DIR/NAME.lc into path (size 512): 0, or -1 when too long */
static int make_path(char *path, const char *dir, const char *name)
{
  size_t d = len(dir), n = len(name);
  if (d + n + 5 > 512)
    return -1;
  for (size_t i = 0; i < d; i++)
    path[i] = dir[i];
  path[d] = '/';
  for (size_t i = 0; i < n; i++)
    path[d + 1 + i] = name[i];
  path[d + 1 + n] = '.';
  path[d + 2 + n] = 'l';
  path[d + 3 + n] = 'c';
  path[d + 4 + n] = 0;
  return 0;
}

static int dump(const char *path, const unsigned char *p, size_t n)
{
#ifdef __XTENSA__
  int fd = sh_open(path, O_FLAGS, 0644);
  if (fd < 0)
    return -1;
  int w = sh_write(fd, p, n);
  sh_close(fd);
  return w == (int)n ? 0 : -1;
#else
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t w = fwrite(p, 1, n, f);
  return fclose(f) == 0 && w == n ? 0 : -1;
#endif
}

static int walk(const char *dir)
{
  char path[512];
  size_t n = lfsc_embedded_count;
  if (n == 0)
    return 2;
  for (size_t i = 0; i < n; i++) {
    const struct lfsc_embedded_entry *e = &lfsc_embedded_table[i];
    if (i > 0 && cmp(lfsc_embedded_table[i - 1].name, e->name) >= 0)
      return 3;                 /* not sorted, or a duplicate */
    if (((size_t)e->data & 3) != 0)
      return 4;                 /* chunk not word-aligned */
    if (e->size < 12 || e->data[0] != 0x1b || e->data[1] != 'L')
      return 5;                 /* not a Lua binary chunk */
#ifdef WITH_FIND
    const unsigned char *d;
    size_t sz;
    if (!lfsc_embedded_find(e->name, &d, &sz) || d != e->data || sz != e->size)
      return 6;
#endif
    if (make_path(path, dir, e->name) != 0 || dump(path, e->data, e->size) != 0)
      return 7;
  }
#ifdef WITH_FIND
  const unsigned char *d = (const unsigned char *)1;
  size_t sz = 1;
  /* before the first, after the last, and a prefix of a real name */
  if (lfsc_embedded_find("", &d, &sz) || d != NULL || sz != 0 ||
      lfsc_embedded_find("\177\177", &d, &sz) ||
      lfsc_embedded_find("c0", &d, &sz))
    return 8;
#endif
  return 0;
}

#ifdef __XTENSA__
/* The kit's crash reporter (sh.c) prints numbers in decimal; Debian's
 * lx106 libgcc leaves division to the mask ROM, which QEMU lacks. */
unsigned __udivsi3(unsigned a, unsigned b);
unsigned __umodsi3(unsigned a, unsigned b);

static unsigned divmod(unsigned a, unsigned b, unsigned *rem)
{
  unsigned q = 0, r = 0;
  for (int i = 31; i >= 0; i--) {
    r = r << 1 | (a >> i & 1);
    if (r >= b) {
      r -= b;
      q |= 1u << i;
    }
  }
  *rem = r;
  return q;
}

unsigned __udivsi3(unsigned a, unsigned b)
{
  unsigned r;
  return divmod(a, b, &r);
}

unsigned __umodsi3(unsigned a, unsigned b)
{
  unsigned r;
  divmod(a, b, &r);
  return r;
}

static char argbuf[1024] __attribute__((aligned(4)));

int main(void)
{
  int argc = sh_argc();
  if (argc != 2 || sh_argv_sz() > (int)sizeof argbuf)
    return 9;
  char **argv = (char **)argbuf;
  sh_argv(argv);
  return walk(argv[1]);
}
#else
int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: walk DIR\n");
    return 9;
  }
  int rc = walk(argv[1]);
  if (rc)
    fprintf(stderr, "walk: check %d failed\n", rc);
  return rc;
}
#endif
