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
/* Create and open ("wb") a unique file from a template ending in XXXXXX,
 * with the permission bits (and owner) of the file it will replace, or with
 * old == NULL the usual umask-derived mode. NULL with errno on failure. */
FILE *lfsc_port_create_temp(char *tmpl, const port_fileinfo *old);
/* Atomically put from in place of to (which may exist). */
int lfsc_port_replace(const char *from, const char *to);
/* Flush f and cut its file to size bytes. */
int lfsc_port_truncate(FILE *f, long long size);

long lfsc_port_pid(void);
/* 1 when no process pid exists any more. */
int lfsc_port_pid_gone(long pid);
/* The longest file name in dir. */
long lfsc_port_name_max(const char *dir);
/* Call fn for each entry of dir. */
void lfsc_port_each_entry(const char *dir, void (*fn)(const char *name, void *arg), void *arg);

/* Run handler on the termination signals (INT, TERM, and where they exist
 * HUP and PIPE) unless they are ignored; lfsc_port_reraise then ends the process
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
