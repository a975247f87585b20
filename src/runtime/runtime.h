/*
 * Host runtime: NodeMCU LFS images running on Debian's real Lua 5.1 VM
 * (liblua5.1). An image is checked by the verifier, its index function
 * (with every module under it) is written as stock host bytecode in memory
 * and lua_load()ed; node.LFS, node.flashindex, node.flashreload,
 * node.info('lfs') and debug.getstrings('ROM') then answer through that
 * index function as the firmware does (spec nodemcu-lfs-runtime-api.md).
 *
 * runtime.c is the only code that sees liblua5.1's lua.h (the REPL's line
 * input, repl/repl.c, is shared with the 5.3 runtime); it is built into its
 * own library (lfsc_runtime), present only when
 * the build has LFSC_WITH_RUNTIME. This header names no Lua type, so the
 * front ends include it unconditionally and test LFSC_HAVE_RUNTIME.
 */
#ifndef LFSC_RUNTIME_H
#define LFSC_RUNTIME_H

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "repl/repl.h"          /* runtime_args: the command line both runtimes take */

typedef struct runtime runtime;

/* A fresh Lua state with the standard libraries, a node table whose LFS
 * is empty ("no LFS loaded") and debug.getstrings. progname prefixes
 * messages; platform (not NULL) is the chip the images are for: its
 * limits apply to them and node.info('lfs') answers with its addresses.
 * NULL when out of memory or when liblua5.1 could not be loaded
 * (lfsc_runtime_unavailable says why). */
runtime *lfsc_runtime_new(const char *progname, const lfsc_platform *platform);

/* Why no runtime can start (liblua5.1 is loaded at the first
 * lfsc_runtime_new, not linked), or NULL. */
const char *lfsc_runtime_unavailable(void);
void lfsc_runtime_free(runtime *rt);

/* Verify the image file path and make it the loaded LFS. Returns 0, or -1
 * with the reason (naming the file) in lfsc_runtime_error(). */
int lfsc_runtime_load_image(runtime *rt, const char *path);
const char *lfsc_runtime_error(const runtime *rt);

/* luac.cross -e: run the Lua file script. When it returns a function,
 * that function is compiled into ctx as *fn (via stock bytecode), else
 * *fn is NULL. Returns 0, or -1 with "script:line: message" and a
 * traceback in lfsc_runtime_error(). */
int lfsc_runtime_exec(runtime *rt, const char *script, lfsc_ctx *ctx, lfsc_proto **fn);

/* Run the actions, then the script with its arguments, then (with -i, or
 * with neither a script nor -e) the prompt. Returns the exit status (0 or
 * 1). */
int lfsc_runtime_main(runtime *rt, const runtime_args *a);

#endif
