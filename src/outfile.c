/* Output files written to a temporary name and renamed when complete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

int outfile_open(outfile *o, const char *path)
{
  memset(o, 0, sizeof *o);
  if (strcmp(path, "-") == 0) {
    o->fp = stdout;
    return 0;
  }
  size_t n = strlen(path);
  o->path = malloc(n + 1);
  o->tmp = malloc(n + 16);
  if (!o->path || !o->tmp) {
    free(o->path);
    free(o->tmp);
    errno = ENOMEM;
    return -1;
  }
  memcpy(o->path, path, n + 1);
  snprintf(o->tmp, n + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->path);
    free(o->tmp);
    errno = e;
    return -1;
  }
  /* mkstemp makes 0600; give the output the usual umask-derived mode. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  o->fp = fdopen(fd, "wb");
  if (!o->fp) {
    int e = errno;
    close(fd);
    unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    errno = e;
    return -1;
  }
  return 0;
}

static void release(outfile *o)
{
  free(o->path);
  free(o->tmp);
  o->path = o->tmp = NULL;
  o->fp = NULL;
}

int outfile_commit(outfile *o)
{
  if (!o->path) {
    int r = fflush(o->fp) == 0 && !ferror(o->fp) ? 0 : -1;
    o->fp = NULL;
    return r;
  }
  int bad = ferror(o->fp);
  if (fclose(o->fp) != 0)
    bad = 1;
  if (bad) {
    int e = errno ? errno : EIO;
    unlink(o->tmp);
    release(o);
    errno = e;
    return -1;
  }
  if (rename(o->tmp, o->path) != 0) {
    int e = errno;
    unlink(o->tmp);
    release(o);
    errno = e;
    return -1;
  }
  release(o);
  return 0;
}

void outfile_abort(outfile *o)
{
  if (!o->path) {
    o->fp = NULL;
    return;
  }
  fclose(o->fp);
  unlink(o->tmp);
  release(o);
}
