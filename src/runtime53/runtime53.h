/*
 * Host runtime for NodeMCU Lua 5.3 images: Debian's Lua 5.3 VM (its static
 * liblua5.3 with every global name prefixed, see vm53.cmake, so that one
 * process may also hold the 5.1 runtime) with the firmware's view of LFS:
 * node.LFS (get, list, time, config, reload, and any other name as get),
 * node.flashindex, node.flashreload, node.info('lfs') and
 * debug.getstrings('ROM'), as for 5.1 (spec nodemcu-lfs-runtime-api.md).
 *
 * A 5.3 image has no index function: it is a list of named top-level
 * functions and a timestamp, which the firmware keeps in a ROTable. The
 * runtime takes the modules as stock Lua 5.3 binary chunks in memory (what
 * luac5.3 writes), one a module, plus the facts node.info('lfs') and
 * node.LFS.time report; the image reader and the stock 5.3 writer make
 * those from an image. Each node.LFS.get makes a fresh closure with _ENV,
 * its first upvalue, bound to the globals, as the firmware does.
 *
 * runtime53.c is the only code that sees liblua5.3's headers; this header
 * names no Lua type. It uses no 5.1 code: only the REPL's line input and
 * the command line (repl/repl.h), shared with the 5.1 runtime.
 */
#ifndef LFSC_RUNTIME53_H
#define LFSC_RUNTIME53_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "repl/repl.h"

typedef struct runtime53 runtime53;

/* node.info('lfs') and node.LFS.config: where the partition is and how
 * much of it the image uses. */
typedef struct runtime53_config {
  uint32_t lfs_base;            /* flash offset of the partition */
  uint32_t lfs_mapped;          /* its mapped address */
  uint32_t lfs_size;            /* partition bytes */
  uint32_t lfs_used;            /* bytes of flash the image takes (0: no LFS) */
} runtime53_config;

/* node.info('lfs') by the 5.1 runtime's rules, for an image of used
 * flash bytes (0: the partition with no image) on platform pf: an
 * absolute image is mapped at its base, anything else at the platform's
 * lfs_mapped_default; lfs_base is the mapped address less the flash
 * window; the partition is used rounded up to 4 KiB, at least the
 * platform's default LFS size. Reads pf's fields only. */
runtime53_config lfsc_runtime53_config(const lfsc_platform *pf, int absolute, uint32_t base,
                                       uint32_t used);

/* What an image says besides its modules. */
typedef struct runtime53_image {
  const char *name;             /* the image file, for messages and the REPL banner */
  lfsc_nummodel numbers;        /* its variant's numbers: int32 or float32 ones get a note */
  int64_t timestamp;            /* node.LFS.time */
  runtime53_config config;
  size_t nstrings;              /* debug.getstrings('ROM'): the image's ROM strings, */
  const char *const *strings;   /* in any order (the runtime sorts them); may be */
  const size_t *strlens;        /* 0 / NULL */
} runtime53_image;

/* A fresh Lua 5.3 state with the standard libraries (C modules refused:
 * see runtime53.c), a node table whose LFS is empty ("no LFS loaded") and
 * debug.getstrings. progname prefixes messages; partition is what
 * node.info('lfs') says while no image is loaded (its lfs_used is taken
 * as 0). NULL when out of memory. */
runtime53 *lfsc_runtime53_new(const char *progname, const runtime53_config *partition);
void lfsc_runtime53_free(runtime53 *rt);

/* Make modules the loaded LFS: names[i] (NUL-terminated) is the module
 * whose stock Lua 5.3 binary chunk is chunks[i], lens[i] bytes, in image
 * order; img gives the image's other facts. Each chunk is checked by
 * lua_load (a text chunk, a 5.1 or a NodeMCU chunk is refused), names
 * must be distinct and not empty. The bytes are copied. Until this
 * succeeds the previous LFS (or none) stays loaded. The first image whose
 * numbers the host does not have gets a one-time note on stderr. Returns
 * 0, or -1 with the reason (naming the image) in lfsc_runtime53_error(). */
int lfsc_runtime53_load_modules(runtime53 *rt, const char *const *names,
                                const void *const *chunks, const size_t *lens, size_t n,
                                const runtime53_image *img);
const char *lfsc_runtime53_error(const runtime53 *rt);
/* Set the error message (printf-style) and return -1: for a reload hook. */
int lfsc_runtime53_fail(runtime53 *rt, const char *fmt, ...) LFSC_PRINTF(2, 3);

/* node.LFS.reload(path) / node.flashreload(path): the front end reads and
 * checks the image and calls lfsc_runtime53_load_modules; it returns 0, or
 * -1 with the error set (the script then gets that message as a string,
 * as on the device, and the old image stays). Without a hook reload
 * answers "not available". */
typedef int runtime53_reload(runtime53 *rt, const char *path, void *ud);
void lfsc_runtime53_on_reload(runtime53 *rt, runtime53_reload *fn, void *ud);

/* luac.cross -e: run the Lua file script. When it returns a Lua function
 * whose only upvalue, if any, holds the globals (its _ENV, as LFS binds
 * it), *chunk (malloc'd, the caller frees) and *len are that function as
 * a stock Lua 5.3 binary chunk, debug information kept; otherwise *chunk
 * is NULL. Returns 0, or -1 with "script:line: message" and a traceback
 * in lfsc_runtime53_error(). */
int lfsc_runtime53_exec(runtime53 *rt, const char *script, unsigned char **chunk, size_t *len);

/* Run the actions (-e; -l, which as in lua5.3 also sets the global of
 * that name), then the script with its arguments, then (with -i, or with
 * neither a script nor -e) the prompt. Returns the exit status (0 or 1). */
int lfsc_runtime53_main(runtime53 *rt, const runtime_args *a);

#endif
