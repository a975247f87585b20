/*
 * Binary chunk reader: loads a precompiled Lua 5.1 chunk into an
 * lfsc_proto tree. Two families of input are understood:
 *
 *  - NodeMCU .lc files (spec/nodemcu-lc-format.md), read with the rules of
 *    the float build (targets float and float16) or of the integer build
 *    (target int): header checks of §11.1 including the signed byte 11 and
 *    integer-number conversion, big-endian files, Align4 padding counted
 *    from the ESC byte, packed line info;
 *  - stock luac5.1 chunks (target host): 4- or 8-byte string lengths, either
 *    byte order, 8-byte double numbers, a plain int line-info array.
 *
 * Errors are the reference's: "<name>: <reason> in precompiled chunk" with
 * reason "bad header", "unexpected end", "bad integer", "bad constant",
 * "bad code" (the Lua 5.1 verifier, codecheck.h) or "code too deep",
 * returned as LFSC_EFORMAT; "not enough memory" as LFSC_EMEM.
 */
#ifndef LFSC_LC_READ_H
#define LFSC_LC_READ_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"

/* Load the chunk in buf[0..len) (buf[0] is the ESC byte; alignment is
 * counted from it). name is how errors name the input: the path as typed,
 * or "stdin". target chooses the accepted format (see above). Trailing
 * bytes after the main function are ignored, as the reference does.
 *
 * Every function of the result has a non-NULL source (absent sources
 * inherit the parent's, an absent main source becomes "=?"), and, when the
 * input has line info, both lineinfo[] (one line per instruction) and
 * packedli (NodeMCU's run encoding, image spec §8.2). All memory belongs
 * to ctx. */
int lc_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len,
            const char *name, lfsc_target target, lfsc_proto **out);

/* Where a bytecode chunk starts in a file's contents, per nodemcu-lc §11:
 * 0 if the first byte is ESC; after the first line if that line starts
 * with '#' and the next byte is ESC; (size_t)-1 if the contents are not
 * bytecode (compile them as source). */
size_t lc_read_start(const unsigned char *buf, size_t len);

/* Decode packed line info (image spec §8.2, without the NUL) into
 * lines[0..sizecode). Instructions the runs do not cover get line 0.
 * Returns the number of instructions the runs describe (capped at
 * sizecode), so callers can tell a consistent encoding from a short or
 * malformed one. */
int lc_read_unpack_lines(const uint8_t *packed, uint32_t npacked,
                         int *lines, int sizecode);

#endif
