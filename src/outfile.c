/* Output paths that never destroy what they replace (see outfile.h for the
 * rules). The temporary name lives beside the target so that the final
 * rename stays within one file system and is atomic. */
#define _XOPEN_SOURCE 700      /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "outfile.h"

enum { OUT_STDOUT, OUT_DIRECT, OUT_RENAME, OUT_INPLACE };

/* ---- temporary names a signal handler can remove ------------------------
 * Fixed storage, so that the handler touches nothing but these arrays and
 * async-signal-safe calls. */
#define SLOTS 4
#define SLOT_LEN 4096
static char slot_path[SLOTS][SLOT_LEN];
static volatile sig_atomic_t slot_used[SLOTS];
static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

static void on_signal(int sig)
{
  for (int i = 0; i < SLOTS; i++)
    if (slot_used[i])
      unlink(slot_path[i]);
  /* Die of the same signal, so the parent sees what happened. */
  signal(sig, SIG_DFL);
  raise(sig);
}

void outfile_catch_signals(void)
{
  for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
    struct sigaction old, sa;
    if (sigaction(caught[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
      continue;                 /* e.g. nohup: keep ignoring */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(caught[i], &sa, NULL);
  }
}

static int slot_take(const char *path)
{
  if (strlen(path) >= SLOT_LEN)
    return -1;
  for (int i = 0; i < SLOTS; i++)
    if (!slot_used[i]) {
      memcpy(slot_path[i], path, strlen(path) + 1);
      slot_used[i] = 1;
      return i;
    }
  return -1;
}

static void slot_drop(int i)
{
  if (i >= 0)
    slot_used[i] = 0;
}

/* ---- names ---------------------------------------------------------------- */

static char *joinpath(const char *dir, size_t dlen, const char *name)
{
  size_t n = strlen(name);
  char *s = malloc(dlen + n + 1);
  if (s) {
    memcpy(s, dir, dlen);
    memcpy(s + dlen, name, n + 1);
  }
  return s;
}

/* Follow a chain of symlinks whose last link dangles, as open(O_CREAT) would:
 * the result is the name that will be created. */
static char *follow_dangling(const char *path)
{
  char *p = strdup(path);
  for (int depth = 0; p && depth < 40; depth++) {
    struct stat st;
    if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
      return p;
    char buf[PATH_MAX];
    ssize_t n = readlink(p, buf, sizeof buf - 1);
    if (n < 0) {
      free(p);
      return NULL;
    }
    buf[n] = 0;
    const char *slash = strrchr(p, '/');
    char *next = buf[0] == '/' || !slash ? strdup(buf) : joinpath(p, (size_t)(slash - p + 1), buf);
    free(p);
    p = next;
  }
  if (p) {
    free(p);
    errno = ELOOP;
  }
  return NULL;
}

static long name_max(const char *dir)
{
  long n = pathconf(dir, _PC_NAME_MAX);
  return n > 0 ? n : 255;
}

/* Remove NAME.tmpPID.XXXXXX files in dir left by a process that is gone
 * (killed before it could clean up). Files of live processes are theirs. */
static void sweep(const char *dir, const char *prefix)
{
  DIR *d = opendir(dir);
  if (!d)
    return;
  size_t pl = strlen(prefix), dl = strlen(dir);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *s = e->d_name;
    if (strncmp(s, prefix, pl) != 0 || strncmp(s + pl, ".tmp", 4) != 0)
      continue;
    s += pl + 4;
    long pid = 0;
    const char *digits = s;
    while (*s >= '0' && *s <= '9' && pid < 100000000)
      pid = pid * 10 + (*s++ - '0');
    if (s == digits || *s != '.' || strlen(s + 1) != 6 || pid <= 0 || pid == (long)getpid())
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    char *full = malloc(dl + 2 + strlen(e->d_name));
    if (full) {
      sprintf(full, "%s/%s", dir, e->d_name);
      unlink(full);
      free(full);
    }
  }
  closedir(d);
}

/* Make the temporary file beside o->path; 0 or -1 with errno. */
static int open_temp(outfile *o, const struct stat *old)
{
  const char *slash = strrchr(o->path, '/');
  char *dir = slash ? joinpath(o->path, (size_t)(slash == o->path ? 1 : slash - o->path), "")
                    : strdup(".");
  const char *base = slash ? slash + 1 : o->path;
  if (!dir)
    return -1;
  char suffix[40];
  snprintf(suffix, sizeof suffix, ".tmp%ld.XXXXXX", (long)getpid());
  size_t keep = strlen(base);
  long room = name_max(dir) - (long)strlen(suffix);
  if (room < 1)
    room = 1;
  if ((long)keep > room)
    keep = (size_t)room;        /* long names: shorten the temporary one only */
  char *prefix = joinpath(base, keep, "");
  size_t dl = strlen(dir);
  o->tmp = prefix ? malloc(dl + 1 + keep + strlen(suffix) + 1) : NULL;
  if (!o->tmp) {
    free(dir);
    free(prefix);
    errno = ENOMEM;
    return -1;
  }
  sweep(dir, prefix);
  sprintf(o->tmp, "%s/%s%s", dir, prefix, suffix);
  free(dir);
  free(prefix);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    errno = e;
    return -1;
  }
  o->slot = slot_take(o->tmp);
  if (old) {
    /* Replace the file as it was: same permission bits (and owner, when we
     * are allowed to give it away). */
    fchmod(fd, old->st_mode & 07777);
    if (fchown(fd, old->st_uid, old->st_gid) != 0) {
      /* not root: the file becomes ours, as any editor's save would */
    }
  } else {
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
  }
  o->fp = fdopen(fd, "wb");
  if (!o->fp) {
    int e = errno;
    close(fd);
    unlink(o->tmp);
    slot_drop(o->slot);
    o->slot = -1;
    free(o->tmp);
    o->tmp = NULL;
    errno = e;
    return -1;
  }
  o->mode = OUT_RENAME;
  return 0;
}

/* In place: the target is opened now (so that errors show at once) and the
 * output staged in an anonymous file until it is complete. */
static int open_inplace(outfile *o)
{
  int fd = open(o->path, O_WRONLY);
  if (fd < 0)
    return -1;
  o->fp = tmpfile();
  if (!o->fp) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  o->fd = fd;
  o->mode = OUT_INPLACE;
  return 0;
}

int outfile_open(outfile *o, const char *path)
{
  memset(o, 0, sizeof *o);
  o->slot = o->fd = -1;
  if (strcmp(path, "-") == 0) {
    o->fp = stdout;
    o->mode = OUT_STDOUT;
    return 0;
  }
  struct stat st;
  int exists = stat(path, &st) == 0;
  if (!exists && errno != ENOENT)
    return -1;
  if (exists && S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    return -1;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    /* Devices, FIFOs, sockets: write to them, never rename over them. */
    o->fp = fopen(path, "wb");
    if (!o->fp)
      return -1;
    o->mode = OUT_DIRECT;
    return 0;
  }
  o->path = exists ? realpath(path, NULL) : follow_dangling(path);
  if (!o->path)
    return -1;
  int r;
  if (exists && st.st_nlink > 1) {
    r = open_inplace(o);        /* keep every hard link pointing at it */
  } else {
    r = open_temp(o, exists ? &st : NULL);
    if (r != 0 && exists && (errno == EACCES || errno == EROFS || errno == EPERM))
      r = open_inplace(o);      /* a writable file in a read-only directory */
  }
  if (r != 0) {
    int e = errno;
    free(o->path);
    o->path = NULL;
    errno = e;
  }
  return r;
}

static void release(outfile *o)
{
  slot_drop(o->slot);
  free(o->path);
  free(o->tmp);
  o->path = o->tmp = NULL;
  o->fp = NULL;
}

/* Copy the staged output into the target and cut it to length. */
static int copy_inplace(FILE *from, int fd)
{
  char buf[65536];
  off_t total = 0;
  size_t n;
  rewind(from);
  while ((n = fread(buf, 1, sizeof buf, from)) > 0) {
    for (size_t done = 0; done < n;) {
      ssize_t w = write(fd, buf + done, n - done);
      if (w < 0) {
        if (errno == EINTR)
          continue;
        return -1;
      }
      done += (size_t)w;
    }
    total += (off_t)n;
  }
  if (ferror(from) || ftruncate(fd, total) != 0)
    return -1;
  return 0;
}

int outfile_commit(outfile *o)
{
  int r = 0, e = 0;
  switch (o->mode) {
  case OUT_STDOUT:
    r = fflush(o->fp) == 0 && !ferror(o->fp) ? 0 : -1;
    o->fp = NULL;
    return r;
  case OUT_DIRECT:
    r = ferror(o->fp) | fclose(o->fp) ? -1 : 0;
    o->fp = NULL;
    return r;
  case OUT_INPLACE:
    if (fflush(o->fp) != 0 || ferror(o->fp) || copy_inplace(o->fp, o->fd) != 0)
      r = -1, e = errno ? errno : EIO;
    if (close(o->fd) != 0 && r == 0)
      r = -1, e = errno;
    fclose(o->fp);
    break;
  default:
    if (ferror(o->fp) | fclose(o->fp))
      r = -1, e = errno ? errno : EIO;
    else if (rename(o->tmp, o->path) != 0)
      r = -1, e = errno;
    if (r != 0)
      unlink(o->tmp);
    break;
  }
  release(o);
  errno = e;
  return r;
}

void outfile_abort(outfile *o)
{
  switch (o->mode) {
  case OUT_STDOUT:
    o->fp = NULL;
    return;
  case OUT_DIRECT:
    fclose(o->fp);
    o->fp = NULL;
    return;
  case OUT_INPLACE:
    close(o->fd);
    fclose(o->fp);
    break;
  default:
    fclose(o->fp);
    unlink(o->tmp);
    break;
  }
  release(o);
}
