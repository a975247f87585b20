/* Output paths that never destroy what they replace (see outfile.h for the
 * rules). The temporary name lives beside the target so that the final
 * rename stays within one file system and is atomic. Operating-system calls
 * go through port.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "port.h"

enum { OUT_STDOUT, OUT_DIRECT, OUT_RENAME, OUT_INPLACE };

/* ---- temporary names a signal handler can remove ------------------------
 * Fixed storage, so that the handler touches nothing but these arrays and
 * async-signal-safe calls. */
#define SLOTS 4
#define SLOT_LEN 4096
static char slot_path[SLOTS][SLOT_LEN];
static volatile sig_atomic_t slot_used[SLOTS];

static void on_signal(int sig)
{
  for (int i = 0; i < SLOTS; i++)
    if (slot_used[i])
      lfsc_port_unlink(slot_path[i]);
  lfsc_port_reraise(sig);
}

void lfsc_outfile_catch_signals(void)
{
  lfsc_port_catch_signals(on_signal);
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

/* ---- temporary files ------------------------------------------------------ */

/* The first n bytes of s as a string of their own. */
static char *dupn(const char *s, size_t n)
{
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

typedef struct sweeper {
  const char *dir, *prefix;
  long self;
} sweeper;

/* Remove NAME.tmpPID.XXXXXX if process PID is gone (killed before it could
 * clean up). Files of live processes are theirs. */
static void sweep_one(const char *name, void *arg)
{
  const sweeper *w = arg;
  size_t pl = strlen(w->prefix);
  const char *s = name;
  if (strncmp(s, w->prefix, pl) != 0 || strncmp(s + pl, ".tmp", 4) != 0)
    return;
  s += pl + 4;
  long pid = 0;
  const char *digits = s;
  while (*s >= '0' && *s <= '9' && pid < 100000000)
    pid = pid * 10 + (*s++ - '0');
  if (s == digits || *s != '.' || strlen(s + 1) != 6 || pid <= 0 || pid == w->self ||
      !lfsc_port_pid_gone(pid))
    return;
  char *full = malloc(strlen(w->dir) + strlen(name) + 2);
  if (full) {
    sprintf(full, "%s/%s", w->dir, name);
    remove(full);
    free(full);
  }
}

/* Make the temporary file beside o->path; 0 or -1 with errno. */
static int open_temp(outfile *o, const port_fileinfo *old)
{
  const char *slash = strrchr(o->path, '/');
  char *dir = slash ? dupn(o->path, (size_t)(slash == o->path ? 1 : slash - o->path))
                    : dupn(".", 1);
  const char *base = slash ? slash + 1 : o->path;
  if (!dir)
    return -1;
  char suffix[40];
  long self = lfsc_port_pid();
  snprintf(suffix, sizeof suffix, ".tmp%ld.XXXXXX", self);
  size_t keep = strlen(base);
  long room = lfsc_port_name_max(dir) - (long)strlen(suffix);
  if (room < 1)
    room = 1;
  if ((long)keep > room)
    keep = (size_t)room;        /* long names: shorten the temporary one only */
  char *prefix = dupn(base, keep);
  size_t dl = strlen(dir);
  o->tmp = prefix ? malloc(dl + 1 + keep + strlen(suffix) + 1) : NULL;
  if (!o->tmp) {
    free(dir);
    free(prefix);
    errno = ENOMEM;
    return -1;
  }
  sweeper w = {dir, prefix, self};
  lfsc_port_each_entry(dir, sweep_one, &w);
  sprintf(o->tmp, "%s/%s%s", dir, prefix, suffix);
  free(dir);
  free(prefix);
  o->fp = lfsc_port_create_temp(o->tmp, old);
  if (!o->fp) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    errno = e;
    return -1;
  }
  o->slot = slot_take(o->tmp);
  o->mode = OUT_RENAME;
  return 0;
}

/* In place: the target is opened now (so that errors show at once) and the
 * output staged in an anonymous file until it is complete. */
static int open_inplace(outfile *o)
{
  o->target = fopen(o->path, "r+b");
  if (!o->target)
    return -1;
  o->fp = tmpfile();
  if (!o->fp) {
    int e = errno;
    fclose(o->target);
    o->target = NULL;
    errno = e;
    return -1;
  }
  o->mode = OUT_INPLACE;
  return 0;
}

int lfsc_outfile_open(outfile *o, const char *path)
{
  memset(o, 0, sizeof *o);
  o->slot = -1;
  if (strcmp(path, "-") == 0) {
    lfsc_port_binary_stdio();
    o->fp = stdout;
    o->mode = OUT_STDOUT;
    return 0;
  }
  port_fileinfo fi;
  if (lfsc_port_fileinfo_of(path, &fi) != 0)
    return -1;
  if (fi.kind == PORT_DIR) {
    errno = EISDIR;
    return -1;
  }
  if (fi.kind == PORT_OTHER) {
    /* Devices, FIFOs, sockets: write to them, never rename over them. */
    o->fp = fopen(path, "wb");
    if (!o->fp)
      return -1;
    o->mode = OUT_DIRECT;
    return 0;
  }
  int exists = fi.kind == PORT_REGULAR;
  o->path = lfsc_port_final_name(path, exists);
  if (!o->path)
    return -1;
  int r;
  if (exists && fi.nlink > 1) {
    r = open_inplace(o);        /* keep every hard link pointing at it */
  } else {
    r = open_temp(o, exists ? &fi : NULL);
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
  o->fp = o->target = NULL;
}

/* Copy the staged output into the target and cut it to length. */
static int copy_inplace(FILE *from, FILE *to)
{
  char buf[65536];
  long long total = 0;
  size_t n;
  rewind(from);
  while ((n = fread(buf, 1, sizeof buf, from)) > 0) {
    if (fwrite(buf, 1, n, to) != n)
      return -1;
    total += (long long)n;
  }
  return ferror(from) || lfsc_port_truncate(to, total) != 0 ? -1 : 0;
}

int lfsc_outfile_commit(outfile *o)
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
    if (fflush(o->fp) != 0 || ferror(o->fp) || copy_inplace(o->fp, o->target) != 0)
      r = -1, e = errno ? errno : EIO;
    if (fclose(o->target) != 0 && r == 0)
      r = -1, e = errno;
    fclose(o->fp);
    break;
  default:
    if (ferror(o->fp) | fclose(o->fp))
      r = -1, e = errno ? errno : EIO;
    else if (lfsc_port_replace(o->tmp, o->path) != 0)
      r = -1, e = errno;
    if (r != 0)
      remove(o->tmp);
    break;
  }
  release(o);
  errno = e;
  return r;
}

void lfsc_outfile_abort(outfile *o)
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
    fclose(o->target);
    fclose(o->fp);
    break;
  default:
    fclose(o->fp);
    remove(o->tmp);
    break;
  }
  release(o);
}
