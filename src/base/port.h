/* The operating-system calls that POSIX and Windows spell differently, behind
 * one small interface, so that the rest of lfsc is plain C11 plus stdio.
 * Only outfile.c (output paths), file.c (binary stdin) and the front
 * ends (binary stdio, output folders) use it. */
#ifndef LFSC_PORT_H
#define LFSC_PORT_H

#include <stdio.h>

enum { PORT_MISSING, PORT_DIR, PORT_REGULAR, PORT_OTHER };

typedef struct port_fileinfo {
  int kind;                     /* PORT_*: OTHER is a device, FIFO or socket */
  unsigned mode;                /* permission bits */
  unsigned long nlink;          /* hard links */
  long uid, gid;
} port_fileinfo;

/* What path names (following symlinks): 0, or -1 with errno (a missing
 * name is kind PORT_MISSING, not an error). */
int lfsc_port_fileinfo_of(const char *path, port_fileinfo *fi);
/* Create the folder path (its parent must exist): 0, or -1 with errno. */
int lfsc_port_mkdir(const char *path);
/* The name that writing to path replaces or creates: symlinks followed, even
 * a dangling one (malloc'd; NULL with errno). */
char *lfsc_port_final_name(const char *path, int exists);
/* 0 when this process could open the existing file path for writing (as
 * fopen "wb" would, with the effective ids), else -1 with errno (EACCES,
 * EROFS, ...). */
int lfsc_port_writable(const char *path);
/* Create and open ("wb") the new file name, exclusively (EEXIST when the
 * name is taken: pick another), with the permission bits (and owner) of the
 * file it will replace, or with old == NULL the usual umask-derived mode.
 * The file is locked against lfsc_port_remove_stale for as long as *lock
 * (or the stream) is open: release it with lfsc_port_unlock after the
 * stream is closed. NULL with errno on failure. */
FILE *lfsc_port_create_temp(const char *name, const port_fileinfo *old, int *lock);
void lfsc_port_unlock(int lock);
/* Remove path if it is a regular file that no process holds locked (see
 * lfsc_port_create_temp); a file in use stays. */
void lfsc_port_remove_stale(const char *path);
/* Whole-buffer I/O at an offset on a stream's file, past stdio's buffer
 * (flush the stream first). Interrupted calls are retried after asking
 * stop(): a nonzero answer ends the call with EINTR. pread returns the
 * bytes read (short only at the end of the file), or -1. */
long lfsc_port_pread(FILE *f, void *buf, size_t n, long long off);
int lfsc_port_pwrite(FILE *f, const void *buf, size_t n, long long off, int (*stop)(void));
/* The size of f's file, or -1. */
long long lfsc_port_size(FILE *f);
/* Atomically put from in place of to (which may exist). */
int lfsc_port_replace(const char *from, const char *to);
/* Flush f and cut its file to size bytes. */
int lfsc_port_truncate(FILE *f, long long size);

long lfsc_port_pid(void);
/* The longest file name in dir. */
long lfsc_port_name_max(const char *dir);
/* Call fn for each entry of dir. */
void lfsc_port_each_entry(const char *dir, void (*fn)(const char *name, void *arg), void *arg);

/* Run handler on the termination signals (INT, TERM, and where they exist
 * HUP, PIPE and XFSZ) unless they are ignored; lfsc_port_reraise then ends the process
 * by the same signal. */
void lfsc_port_catch_signals(void (*handler)(int));
void lfsc_port_reraise(int sig);
/* Remove a file from a signal handler (async-signal-safe). */
void lfsc_port_unlink(const char *path);

/* Standard input and output carry bytes, not text (Windows' CRLF). */
void lfsc_port_binary_stdio(void);
/* Only standard input (an image read from "-"; text output stays text). */
void lfsc_port_binary_stdin(void);

#endif
