/* Output files that appear only when complete: bytes go to a temporary file
 * beside the target, renamed over it on commit and removed on abort, so a
 * failed run never leaves a partial or clobbered output. "-" is stdout. */
#ifndef LFSC_OUTFILE_H
#define LFSC_OUTFILE_H

#include <stdio.h>

typedef struct outfile {
  FILE *fp;                     /* write here */
  char *path;                   /* final name, NULL for stdout */
  char *tmp;                    /* temporary name */
} outfile;

/* 0 on success; on failure -1 with errno set. */
int outfile_open(outfile *o, const char *path);
/* Flush, close and rename into place. 0 on success; -1 with errno set
 * (the temporary file is removed). */
int outfile_commit(outfile *o);
/* Close and remove the temporary file. */
void outfile_abort(outfile *o);

#endif
