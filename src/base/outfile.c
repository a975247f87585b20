/* Output paths that never destroy what they replace (see outfile.h for the
 * rules). The temporary name lives beside the target so that the final
 * rename stays within one file system and is atomic. Operating-system calls
 * go through port.h. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outfile.h"
#include "port.h"

enum { OUT_STDOUT, OUT_DIRECT, OUT_RENAME, OUT_INPLACE };

/* ---- temporary names a signal handler can remove ------------------------
 * Fixed storage, so that the handler touches nothing but these arrays and
 * async-signal-safe calls. While an in-place copy runs (holding), a signal
 * is only noted: the copy stops, puts the old bytes back, and then lets
 * the signal end the process. */
#define SLOTS 4
#define SLOT_LEN 4096
static char slot_path[SLOTS][SLOT_LEN];
static volatile sig_atomic_t slot_used[SLOTS];
static volatile sig_atomic_t holding, deferred;

static void on_signal(int sig)
{
  if (holding) {
    deferred = sig;
    return;
  }
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

/* ---- temporary files ------------------------------------------------------
 * NAME.tmp-lfsc-RRRRRR-CCCCCCCC: R random, C a check over NAME and R, so
 * that a name is ours by construction and a user's file never matches by
 * chance; and a live writer holds its file locked (port.h). The sweep
 * removes only files that are both: ours, and dead. */
#define TEMP_MARK ".tmp-lfsc-"
#define TEMP_RAND 6
#define TEMP_CHECK 8
#define TEMP_SUFFIX (sizeof TEMP_MARK - 1 + TEMP_RAND + 1 + TEMP_CHECK)

static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* FNV-1a over a tag, the shortened NAME and the random part. */
static uint32_t temp_check(const char *prefix, size_t plen, const char *rnd)
{
  static const char tag[] = "lfsc temporary file";
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < sizeof tag; i++)
    h = (h ^ (unsigned char)tag[i]) * 16777619u;
  for (size_t i = 0; i < plen; i++)
    h = (h ^ (unsigned char)prefix[i]) * 16777619u;
  for (size_t i = 0; i < TEMP_RAND; i++)
    h = (h ^ (unsigned char)rnd[i]) * 16777619u;
  return h;
}

/* Write the suffix for prefix at out (TEMP_SUFFIX + 1 bytes). */
static void temp_suffix(char *out, const char *prefix, size_t plen)
{
  static uint64_t state;
  int local;
  /* names need to be unpredictable only enough not to collide: mix the
   * clock, the pid, a stack address and a counter (splitmix64) */
  state += 0x9E3779B97F4A7C15u ^ (uint64_t)time(NULL) ^ (uint64_t)lfsc_port_pid() << 32 ^
           (uint64_t)(uintptr_t)&local ^ (uint64_t)clock();
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  z ^= z >> 31;
  char rnd[TEMP_RAND];
  for (int i = 0; i < TEMP_RAND; i++, z /= 62)
    rnd[i] = alnum[z % 62];
  sprintf(out, "%s%.*s-%08" PRIx32, TEMP_MARK, TEMP_RAND, rnd, temp_check(prefix, plen, rnd));
}

typedef struct sweeper {
  const char *dir, *prefix;
} sweeper;

/* Remove NAME.tmp-lfsc-R-C when C checks and no live writer holds it. */
static void sweep_one(const char *name, void *arg)
{
  const sweeper *w = arg;
  size_t pl = strlen(w->prefix), ml = sizeof TEMP_MARK - 1;
  if (strlen(name) != pl + TEMP_SUFFIX || strncmp(name, w->prefix, pl) != 0 ||
      strncmp(name + pl, TEMP_MARK, ml) != 0)
    return;
  const char *rnd = name + pl + ml;
  for (int i = 0; i < TEMP_RAND; i++)
    if (!rnd[i] || !strchr(alnum, rnd[i]))
      return;
  char check[TEMP_CHECK + 1];
  snprintf(check, sizeof check, "%08" PRIx32, temp_check(w->prefix, pl, rnd));
  if (rnd[TEMP_RAND] != '-' || strcmp(rnd + TEMP_RAND + 1, check) != 0)
    return;
  char *full = malloc(strlen(w->dir) + strlen(name) + 2);
  if (full) {
    sprintf(full, "%s/%s", w->dir, name);
    lfsc_port_remove_stale(full);
    free(full);
  }
}

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

/* Make the temporary file beside o->path; 0 or -1 with errno. */
static int open_temp(outfile *o, const port_fileinfo *old)
{
  const char *slash = strrchr(o->path, '/');
  char *dir = slash ? dupn(o->path, (size_t)(slash == o->path ? 1 : slash - o->path))
                    : dupn(".", 1);
  const char *base = slash ? slash + 1 : o->path;
  if (!dir)
    return -1;
  size_t keep = strlen(base);
  long room = lfsc_port_name_max(dir) - (long)TEMP_SUFFIX;
  if (room < 1)
    room = 1;
  if ((long)keep > room)
    keep = (size_t)room;        /* long names: shorten the temporary one only */
  char *prefix = dupn(base, keep);
  size_t dl = strlen(dir);
  o->tmp = prefix ? malloc(dl + 1 + keep + TEMP_SUFFIX + 1) : NULL;
  if (!o->tmp) {
    free(dir);
    free(prefix);
    errno = ENOMEM;
    return -1;
  }
  sweeper w = {dir, prefix};
  lfsc_port_each_entry(dir, sweep_one, &w);
  int n = sprintf(o->tmp, "%s/%s", dir, prefix);
  o->fp = NULL;
  for (int tries = 0; !o->fp && tries < 100; tries++) {
    temp_suffix(o->tmp + n, prefix, keep);
    o->fp = lfsc_port_create_temp(o->tmp, old, &o->lock);
    if (!o->fp && errno != EEXIST)
      break;
  }
  free(dir);
  free(prefix);
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
  o->lock = -1;
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
  if (exists && lfsc_port_writable(o->path) != 0) {
    r = -1;                     /* luac's fopen "wb" would fail: so do we */
  } else if (exists && fi.nlink > 1) {
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
  lfsc_port_unlock(o->lock);
  free(o->path);
  free(o->tmp);
  o->path = o->tmp = NULL;
  o->fp = o->target = NULL;
  o->lock = -1;
}

static int stop_copy(void)
{
  return deferred != 0;
}

/* The first n bytes of from over the start of to (both flushed). */
static int copy_bytes(FILE *from, FILE *to, long long n, int (*stop)(void))
{
  static char buf[65536];
  for (long long off = 0; off < n;) {
    size_t want = n - off < (long long)sizeof buf ? (size_t)(n - off) : sizeof buf;
    long got = lfsc_port_pread(from, buf, want, off);
    if (got <= 0) {
      if (got == 0)
        errno = EIO;            /* the file shrank under us */
      return -1;
    }
    if (lfsc_port_pwrite(to, buf, (size_t)got, off, stop) != 0)
      return -1;
    off += got;
  }
  return 0;
}

/* Deliver the staged output into the target in place. The old bytes are
 * saved first; if the copy fails (a full disk, a file size limit) or a
 * signal comes while it runs, they are put back, so that the file holds
 * either all the old bytes or all the new ones. Only SIGKILL (or a crash
 * of the machine) during the copy can leave a mix. */
static int commit_inplace(outfile *o)
{
  if (fflush(o->fp) != 0 || ferror(o->fp))
    return -1;
  long long newsize = lfsc_port_size(o->fp), oldsize = lfsc_port_size(o->target);
  if (newsize < 0 || oldsize < 0)
    return -1;
  FILE *backup = tmpfile();
  if (!backup)
    return -1;
  int r = copy_bytes(o->target, backup, oldsize, NULL);
  if (r == 0) {
    deferred = 0;
    holding = 1;
    r = copy_bytes(o->fp, o->target, newsize, stop_copy);
    if (r == 0)
      r = lfsc_port_truncate(o->target, newsize);
    if (r == 0 && deferred) {
      r = -1;
      errno = EINTR;
    }
    if (r != 0) {
      int e = errno;
      if (copy_bytes(backup, o->target, oldsize, NULL) != 0 ||
          lfsc_port_truncate(o->target, oldsize) != 0)
        e = errno;              /* could not even restore: say why */
      errno = e;
    }
    holding = 0;
  }
  int e = errno;
  fclose(backup);
  if (deferred)
    on_signal(deferred);        /* the old bytes are back: now die */
  errno = e;
  return r;
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
    if (commit_inplace(o) != 0)
      r = -1, e = errno ? errno : EIO;
    if (fclose(o->target) != 0 && r == 0)
      r = -1, e = errno;
    fclose(o->fp);
    break;
  default:
    /* the lock (o->lock) stays until the rename is done: a sweep by
     * another process never takes a complete temporary file */
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
