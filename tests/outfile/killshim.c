/* LD_PRELOAD shim for the output-path tests.
 * - LFSC_KILL_AT_RENAME=SIG: rename() raises SIG instead of renaming, so
 *   that a test can kill a tool at the one moment its complete temporary
 *   file exists.
 * - LFSC_FAIL_WRITE_PATH=FILE, LFSC_FAIL_WRITE_AFTER=N and
 *   LFSC_FAIL_WRITE_HOW=ENOSPC: pwrite() cannot make FILE longer than N
 *   bytes (a full disk: rewriting what exists still works);
 *   LFSC_FAIL_WRITE_HOW=SIG: once N bytes have gone to FILE by pwrite(),
 *   the signal SIG is raised (an interrupt in the middle of the copy). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

int rename(const char *from, const char *to)
{
  const char *s = getenv("LFSC_KILL_AT_RENAME");
  if (s && *s)
    raise(atoi(s));
  int (*real)(const char *, const char *) =
      (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
  return real(from, to);
}

static long long written;

/* How many of n bytes at fd, offset off, may be written now; -1: fail
 * with errno. */
static ssize_t allowed(int fd, size_t n, off_t off)
{
  const char *path = getenv("LFSC_FAIL_WRITE_PATH");
  const char *after = getenv("LFSC_FAIL_WRITE_AFTER");
  const char *how = getenv("LFSC_FAIL_WRITE_HOW");
  if (!path || !after || !how)
    return (ssize_t)n;
  char link[64], name[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t k = readlink(link, name, sizeof name - 1);
  if (k < 0)
    return (ssize_t)n;
  name[k] = 0;
  if (strcmp(name, path) != 0)
    return (ssize_t)n;
  long long limit = atoll(after);
  if (strcmp(how, "ENOSPC") == 0) {
    if ((long long)off + (long long)n <= limit)
      return (ssize_t)n;
    if ((long long)off < limit)
      return (ssize_t)(limit - (long long)off);
    errno = ENOSPC;
    return -1;
  }
  if (written + (long long)n <= limit) {
    written += (long long)n;
    return (ssize_t)n;
  }
  if (written < limit) {        /* up to the limit first, as a disk does */
    ssize_t part = (ssize_t)(limit - written);
    written = limit;
    return part;
  }
  raise(atoi(how));
  written = LLONG_MIN / 2;      /* once */
  return (ssize_t)n;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
  ssize_t (*real)(int, const void *, size_t, off_t) =
      (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
  ssize_t k = allowed(fd, n, off);
  return k < 0 ? -1 : real(fd, buf, (size_t)k, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
  return pwrite(fd, buf, n, off);
}
