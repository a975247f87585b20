/* A NodeMCU Lua 5.3 image on the host runtime (src/runtime53), for lfsimg
 * run and luac.cross -F IMG -e (run53.c). */
#ifndef LFSC_CLI_RUN53_H
#define LFSC_CLI_RUN53_H

#include <stddef.h>

#include "lfsc/platform.h"
#include "runtime53/runtime53.h"

/* Make the image in buf[0..len) (a format-11 image or a -a flash image;
 * name names it) the runtime's LFS: every module read by the reader that
 * trusts no field, checked by the 5.3 code checker (the 5.3 VM has none
 * of its own), written as a stock 5.3 chunk and loaded with the image's
 * facts (numbers, timestamp, node.info('lfs') on pf, its strings and the
 * firmware's fixed ones for debug.getstrings('ROM')). 0, or -1 with the
 * error in lfsc_runtime53_error(). */
int run53_load(runtime53 *rt, const lfsc_platform *pf, const char *name,
               const unsigned char *buf, size_t len);

/* A new 5.3 runtime for platform pf (node.info('lfs') with no image as
 * the platform's partition) whose node.LFS.reload(path) reads path and
 * calls run53_load. NULL when out of memory. */
runtime53 *run53_new(const char *progname, const lfsc_platform *pf);

#endif
