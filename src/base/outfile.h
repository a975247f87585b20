/* Output paths that never destroy what they replace.
 *
 * Every tool that writes a file goes through here. What happens depends on
 * what the name is when the output is opened:
 *   "-"                    standard output;
 *   a symlink              followed (to any depth, even dangling): its target
 *                          is what gets written, as luac5.1's fopen would;
 *   a device, FIFO, socket written directly, never renamed over (so
 *                          "-o /dev/null" stays the null device);
 *   a new name, or a regular file
 *                          bytes go to a temporary file in the target's
 *                          directory, renamed over it on commit; an existing
 *                          file keeps its permission bits;
 *   a regular file with other hard links, or in a directory we cannot write
 *                          the output is completed in an anonymous staging
 *                          file first and then copied into the file in place;
 *                          the old bytes are saved first, and put back if the
 *                          copy fails (a full disk) or a caught signal comes
 *                          while it runs, so the file holds all the old bytes
 *                          or all the new ones (only SIGKILL or a crash during
 *                          the copy can leave a mix);
 *   an existing file this process may not write (0444 as a normal user, a
 *                          root-owned file): refused, errno EACCES (as luac's
 *                          fopen "wb"), even where a rename could replace it.
 * A failure before commit leaves the old content untouched; no partial file
 * ever appears under the final name. Temporary names are
 * NAME.tmp-lfsc-RRRRRR-CCCCCCCC (R random, C a check over NAME and R; NAME
 * shortened so that any name up to NAME_MAX works), locked while their
 * writer lives. They are removed on SIGINT/TERM/HUP/PIPE/XFSZ, and a later
 * output to the same name sweeps those that carry a valid check and no
 * lock (a SIGKILL cannot be caught): never a user's file, never the live
 * temporary file of another build, whatever its PID namespace. */
#ifndef LFSC_OUTFILE_H
#define LFSC_OUTFILE_H

#include <stdio.h>

typedef struct outfile {
  FILE *fp;                     /* write here */
  int mode;                     /* how commit delivers (outfile.c) */
  char *path;                   /* resolved final name, NULL for stdout */
  char *tmp;                    /* temporary name (rename mode) */
  int slot;                     /* signal-cleanup registry slot, or -1 */
  FILE *target;                 /* the target, in place mode */
  int lock;                     /* the temporary file's lock (port.h), or -1 */
} outfile;

/* 0 on success; on failure -1 with errno set. */
int lfsc_outfile_open(outfile *o, const char *path);
/* Flush, close and deliver. 0 on success; -1 with errno set (the temporary
 * file is removed, the old content untouched). */
int lfsc_outfile_commit(outfile *o);
/* Close and remove the temporary file. */
void lfsc_outfile_abort(outfile *o);
/* For programs (not called by the library itself): remove pending temporary
 * files when SIGINT, SIGTERM, SIGHUP, SIGPIPE or SIGXFSZ ends the process,
 * and during an in-place copy hold the signal until the old bytes are
 * back. Signals already ignored stay ignored. */
void lfsc_outfile_catch_signals(void);

#endif
