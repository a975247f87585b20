/* POSIX and Windows versions of the few calls in port.h. */
#if !defined(_WIN32)
#define _XOPEN_SOURCE 700       /* realpath */
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

FILE *lfsc_port_create_temp(char *tmpl, const port_fileinfo *old)
{
  (void)old;                    /* Windows files carry no POSIX mode bits */
  /* _mktemp_s picks a name; O_EXCL makes taking it atomic. */
  char *x = tmpl + strlen(tmpl) - 6;
  for (int tries = 0; tries < 100; tries++) {
    memcpy(x, "XXXXXX", 6);
    if (_mktemp_s(tmpl, strlen(tmpl) + 1) != 0)
      return NULL;
    int fd = _open(tmpl, _O_CREAT | _O_EXCL | _O_WRONLY | _O_BINARY, _S_IREAD | _S_IWRITE);
    if (fd >= 0) {
      FILE *f = _fdopen(fd, "wb");
      if (!f) {
        _close(fd);
        _unlink(tmpl);
      }
      return f;
    }
    if (errno != EEXIST)
      return NULL;
  }
  errno = EEXIST;
  return NULL;
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

int lfsc_port_pid_gone(long pid)
{
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
  if (!h)
    return GetLastError() == ERROR_INVALID_PARAMETER;
  DWORD code = 0;
  int gone = GetExitCodeProcess(h, &code) && code != STILL_ACTIVE;
  CloseHandle(h);
  return gone;
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

FILE *lfsc_port_create_temp(char *tmpl, const port_fileinfo *old)
{
  int fd = mkstemp(tmpl);
  if (fd < 0)
    return NULL;
  if (old) {
    fchmod(fd, (mode_t)old->mode);
    if (fchown(fd, (uid_t)old->uid, (gid_t)old->gid) != 0) {
      /* not root: the file becomes ours, as any editor's save would */
    }
  } else {
    mode_t mask = umask(0);   /* mkstemp made 0600 */
    umask(mask);
    fchmod(fd, 0666 & ~mask);
  }
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    int e = errno;
    close(fd);
    unlink(tmpl);
    errno = e;
  }
  return f;
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

int lfsc_port_pid_gone(long pid)
{
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
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
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
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
