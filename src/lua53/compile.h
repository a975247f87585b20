/* The Lua 5.3 front end and the stock 5.3 chunk writer: the lua53 room's
 * face for the API and the CLI. */
#ifndef LFSC_LUA53_COMPILE_H
#define LFSC_LUA53_COMPILE_H

#include <stddef.h>

#include "lfsc/lfsc.h"
#include "lfsc/proto.h"
#include "lfsc/sink.h"

/* Compile one chunk of Lua 5.3 source into a tree with lua = LFSC_LUA53,
 * as luac5.3 (luaL_loadfile) does: a UTF-8 BOM and a first line starting
 * with '#' are skipped, the line break kept. chunkname is "@file.lua" or
 * "=stdin"; errors read "chunk:line: msg near 'tok'" as luac5.3 prints
 * them. opts->nummodel: LFSC_NUM_I64_F64 (stock; LFSC_NUM_DOUBLE means
 * the same), I32_F32, I32_F64, I64_F32 (LFSC_NUM_INT32: LFSC_EARG, 5.3 has
 * no integer-only model). opts->keep_names = 0 drops local
 * and upvalue names (NodeMCU strips them at parse time); compat_lineinfo
 * reproduces the reference's packed line-info undo bug. NULL opts: stock
 * with names. 0, or LFSC_ESYNTAX / LFSC_EMEM with lfsc_errmsg(ctx). */
int lfsc_lua53_compile(lfsc_ctx *ctx, const lfsc_compile_opts *opts, const char *chunkname,
                       const char *src, size_t len, lfsc_proto **out);

/* lfsc_lua53_compile over a stream read in pieces as the lexer needs
 * them (lfsc_read_fn, lfsc.h): memory does not grow with the input, and a
 * bad token stops the reading. Same results as over the whole input. */
int lfsc_lua53_compile_stream(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                              const char *chunkname, lfsc_read_fn read, void *ud,
                              lfsc_proto **out);

/* The stock luac5.3 binary chunk of this host (x86-64: int 4, size_t 8,
 * Instruction 4, lua_Integer 8, lua_Number 8) for a 5.3 tree compiled with
 * an int64 + double model; strip drops debug info as luac5.3 -s does.
 * 0, or an LFSC_E* code with lfsc_errmsg(ctx). */
int lfsc_lua53_write_host(lfsc_ctx *ctx, const lfsc_proto *main, int strip, lfsc_sink *out);
/* Read such a chunk (buf[0..len), name names it in errors) back into a
 * tree, with NodeMCU's packed line info made from its lines: for the
 * function luac.cross -e gets from the 5.3 VM. Trusts no field; errors
 * are LFSC_EFORMAT "<name>: <why> precompiled chunk". */
int lfsc_lua53_read_host(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                         lfsc_proto **out);

#endif
