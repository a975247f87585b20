/* Inputs of the 5.3 dialect (input53.c): the dialect table's load and
 * combine. */
#ifndef LFSC_LUA53_INPUT53_H
#define LFSC_LUA53_INPUT53_H

#include "lfsc/build.h"
#include "lfsc/lfsc.h"

/* A source file (stdin for "-" or NULL) compiled for opts->target's number
 * model (-t host: stock 5.3 with names), or a NodeMCU 5.3 .lc of the
 * target's variant. Errors as the reference words them ("cannot open X:
 * reason", "X: format mismatch in precompiled chunk", "chunk:line: msg"). */
int lfsc_lua53_input_load(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                          lfsc_proto **out);
/* The same over the file's bytes already read (path names it in messages
 * and chunk names). */
int lfsc_lua53_input_load_buffer(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                                 const unsigned char *buf, size_t len, lfsc_proto **out);

/* Several chunks under one main: for -t host luac5.3's "=(luac)" main that
 * calls each chunk, else NodeMCU's never-called "=(luac.cross)" main. One
 * chunk is its own main. NULL when out of memory. */
lfsc_proto *lfsc_lua53_combine(lfsc_ctx *ctx, lfsc_proto **chunks, int n, lfsc_target target);

#endif
