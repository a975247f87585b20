/* POSIX and Windows versions of the few calls in port.h. */
#if !defined(_WIN32)
#define _XOPEN_SOURCE 700       /* realpath, faccessat */
#define _DEFAULT_SOURCE         /* flock */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "port.h"

#if defined(_WIN32)
#include <direct.h>
#include <io.h>
#include <process.h>
#include <windows.h>
#else
#include <dirent.h>
#include <limits.h>
#include <sys/file.h>
#include <unistd.h>
#endif

int lfsc_port_fileinfo_of(const char *path, port_fileinfo *fi)
{
  struct stat st;
  memset(fi, 0, sizeof *fi);
#if defined(_WIN32)
  /* Windows' devices have reserved names in every directory. */
  if (_stricmp(path, "NUL") == 0 || _stricmp(path, "CON") == 0) {
    fi->kind = PORT_OTHER;
    return 0;
  }
#endif
  if (stat(path, &st) != 0) {
    if (errno != ENOENT)
      return -1;
    fi->kind = PORT_MISSING;
    return 0;
  }
  fi->kind = S_ISDIR(st.st_mode) ? PORT_DIR : S_ISREG(st.st_mode) ? PORT_REGULAR : PORT_OTHER;
  fi->mode = (unsigned)st.st_mode & 07777;
  fi->nlink = (unsigned long)st.st_nlink;
  fi->uid = (long)st.st_uid;
  fi->gid = (long)st.st_gid;
  return 0;
}

int lfsc_port_mkdir(const char *path)
{
#if defined(_WIN32)
  return _mkdir(path);
#else
  return mkdir(path, 0777);     /* less the umask, as mkdir(1) */
#endif
}

#if defined(_WIN32)

char *lfsc_port_final_name(const char *path, int exists)
{
  (void)exists;
  char *s = malloc(strlen(path) + 1);
  if (s)
    strcpy(s, path);
  return s;
}

int lfsc_port_writable(const char *path)
{
  return _access(path, 2);
}

/* Windows refuses to delete a file another handle has open (the CRT opens
 * without FILE_SHARE_DELETE): the open stream itself is the lock. */
FILE *lfsc_port_create_temp(const char *name, const port_fileinfo *old, int *lock)
{
  (void)old;                    /* Windows files carry no POSIX mode bits */
  *lock = -1;
  int fd = _open(name, _O_CREAT | _O_EXCL | _O_WRONLY | _O_BINARY, _S_IREAD | _S_IWRITE);
  if (fd < 0)
    return NULL;
  FILE *f = _fdopen(fd, "wb");
  if (!f) {
    _close(fd);
    _unlink(name);
  }
  return f;
}

void lfsc_port_unlock(int lock)
{
  (void)lock;
}

void lfsc_port_remove_stale(const char *path)
{
  DWORD a = GetFileAttributesA(path);
  if (a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY))
    DeleteFileA(path);          /* fails while a writer has it open */
}

long lfsc_port_pread(FILE *f, void *buf, size_t n, long long off)
{
  int fd = _fileno(f);
  if (_lseeki64(fd, off, SEEK_SET) < 0)
    return -1;
  size_t got = 0;
  while (got < n) {
    unsigned k = n - got > 0x40000000u ? 0x40000000u : (unsigned)(n - got);
    int r = _read(fd, (char *)buf + got, k);
    if (r < 0)
      return -1;
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (long)got;
}

int lfsc_port_pwrite(FILE *f, const void *buf, size_t n, long long off, int (*stop)(void))
{
  int fd = _fileno(f);
  if (_lseeki64(fd, off, SEEK_SET) < 0)
    return -1;
  size_t done = 0;
  while (done < n) {
    if (stop && stop()) {
      errno = EINTR;
      return -1;
    }
    unsigned k = n - done > 0x40000000u ? 0x40000000u : (unsigned)(n - done);
    int r = _write(fd, (const char *)buf + done, k);
    if (r <= 0) {
      if (r == 0)
        errno = ENOSPC;
      return -1;
    }
    done += (size_t)r;
  }
  return 0;
}

long long lfsc_port_size(FILE *f)
{
  return _filelengthi64(_fileno(f));
}

int lfsc_port_replace(const char *from, const char *to)
{
  if (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    return 0;
  errno = EACCES;
  return -1;
}

int lfsc_port_truncate(FILE *f, long long size)
{
  return fflush(f) == 0 && _chsize_s(_fileno(f), size) == 0 ? 0 : -1;
}

long lfsc_port_pid(void)
{
  return (long)GetCurrentProcessId();
}

long lfsc_port_name_max(const char *dir)
{
  (void)dir;
  return 255;
}

void lfsc_port_each_entry(const char *dir, void (*fn)(const char *name, void *arg), void *arg)
{
  char pattern[MAX_PATH];
  if (snprintf(pattern, sizeof pattern, "%s\\*", dir) >= (int)sizeof pattern)
    return;
  WIN32_FIND_DATAA fd;
  HANDLE h = FindFirstFileA(pattern, &fd);
  if (h == INVALID_HANDLE_VALUE)
    return;
  do
    fn(fd.cFileName, arg);
  while (FindNextFileA(h, &fd));
  FindClose(h);
}

void lfsc_port_catch_signals(void (*handler)(int))
{
  static const int sigs[] = {SIGINT, SIGTERM};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    void (*old)(int) = signal(sigs[i], handler);
    if (old == SIG_IGN)
      signal(sigs[i], SIG_IGN);
  }
}

void lfsc_port_reraise(int sig)
{
  signal(sig, SIG_DFL);
  raise(sig);
}

void lfsc_port_unlink(const char *path)
{
  _unlink(path);
}

void lfsc_port_binary_stdio(void)
{
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
}

void lfsc_port_binary_stdin(void)
{
  _setmode(_fileno(stdin), _O_BINARY);
}

#else /* POSIX */

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

/* A chain of symlinks whose last link dangles ends at the name that
 * open(O_CREAT) would create. */
static char *follow_dangling(const char *path)
{
  char *p = joinpath(path, strlen(path), "");
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
    char *next = buf[0] == '/' || !slash ? joinpath(buf, (size_t)n, "")
                                         : joinpath(p, (size_t)(slash - p + 1), buf);
    free(p);
    p = next;
  }
  if (p) {
    free(p);
    errno = ELOOP;
  }
  return NULL;
}

char *lfsc_port_final_name(const char *path, int exists)
{
  return exists ? realpath(path, NULL) : follow_dangling(path);
}

int lfsc_port_writable(const char *path)
{
  return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS);
}

/* The lock is flock's: it belongs to the open file (not the process, so
 * it holds across PID namespaces sharing a volume, and a second open in
 * this process cannot drop it) and ends when the process does. */
FILE *lfsc_port_create_temp(const char *name, const port_fileinfo *old, int *lock)
{
  *lock = -1;
  int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return NULL;
  struct stat a, b;
  /* Held by a sweep (EWOULDBLOCK), or taken by one between our open and
   * our lock: the name is not ours any more, try another. A file system
   * without locks (ENOLCK) leaves the file unlocked, which a sweep there
   * cannot lock either, so it is never taken. */
  int locked = flock(fd, LOCK_EX | LOCK_NB) == 0;
  if ((!locked && errno == EWOULDBLOCK) || fstat(fd, &a) != 0 || stat(name, &b) != 0 ||
      a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
    close(fd);
    errno = EEXIST;
    return NULL;
  }
  if (old) {
    fchmod(fd, (mode_t)old->mode);
    if (fchown(fd, (uid_t)old->uid, (gid_t)old->gid) != 0) {
      /* not root: the file becomes ours, as any editor's save would */
    }
  } else {
    mode_t mask = umask(0);     /* the file was made 0600 */
    umask(mask);
    fchmod(fd, 0666 & ~mask);
  }
  *lock = dup(fd);              /* the lock outlives the stream's fclose */
  FILE *f = *lock >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f) {
    int e = errno;
    unlink(name);
    close(fd);
    if (*lock >= 0)
      close(*lock);
    *lock = -1;
    errno = e;
  }
  return f;
}

void lfsc_port_unlock(int lock)
{
  if (lock >= 0)
    close(lock);
}

void lfsc_port_remove_stale(const char *path)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat a, b;
  /* Locked: its writer is alive (and where locks do not work, nothing is
   * provably dead). Removed only if the name still is the file we locked. */
  if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
      lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    unlink(path);
  close(fd);
}

long lfsc_port_pread(FILE *f, void *buf, size_t n, long long off)
{
  int fd = fileno(f);
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + (long long)got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (long)got;
}

int lfsc_port_pwrite(FILE *f, const void *buf, size_t n, long long off, int (*stop)(void))
{
  int fd = fileno(f);
  size_t done = 0;
  while (done < n) {
    if (stop && stop()) {
      errno = EINTR;
      return -1;
    }
    ssize_t r = pwrite(fd, (const char *)buf + done, n - done, (off_t)(off + (long long)done));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      if (r == 0)
        errno = ENOSPC;
      return -1;
    }
    done += (size_t)r;
  }
  return 0;
}

long long lfsc_port_size(FILE *f)
{
  struct stat st;
  return fstat(fileno(f), &st) == 0 ? (long long)st.st_size : -1;
}

int lfsc_port_replace(const char *from, const char *to)
{
  return rename(from, to);
}

int lfsc_port_truncate(FILE *f, long long size)
{
  return fflush(f) == 0 && ftruncate(fileno(f), (off_t)size) == 0 ? 0 : -1;
}

long lfsc_port_pid(void)
{
  return (long)getpid();
}

long lfsc_port_name_max(const char *dir)
{
  long n = pathconf(dir, _PC_NAME_MAX);
  return n > 0 ? n : 255;
}

void lfsc_port_each_entry(const char *dir, void (*fn)(const char *name, void *arg), void *arg)
{
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    fn(e->d_name, arg);
  closedir(d);
}

void lfsc_port_catch_signals(void (*handler)(int))
{
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct sigaction old, sa;
    if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
      continue;                 /* e.g. nohup: keep ignoring */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sigs[i], &sa, NULL);
  }
}

void lfsc_port_reraise(int sig)
{
  /* Die of the same signal, so the parent sees what happened. */
  signal(sig, SIG_DFL);
  raise(sig);
}

void lfsc_port_unlink(const char *path)
{
  unlink(path);
}

void lfsc_port_binary_stdio(void)
{
}

void lfsc_port_binary_stdin(void)
{
}

#endif
