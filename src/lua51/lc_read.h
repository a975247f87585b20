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
 * "bad code" (the Lua 5.1 verifier, codecheck.h) or "code too deep"
 * (nesting beyond 200, Lua 5.1's limit), returned as LFSC_EFORMAT; fields
 * are read in the reference's order, so a corrupt file gets the reason the
 * reference gives (checked against lua5.1 on every single-bit variant of
 * several chunks, tests/listing/undump_diff.sh). Where the reference's
 * answer depends on its host allocator we differ on purpose: a count or
 * string length larger than the rest of the input is "unexpected end"
 * (we never allocate more than the input's size), except a NodeMCU string
 * length of 0xFFFFFFFF, which is "not enough memory" (LFSC_EMEM) as
 * nodemcu-lc-format §11.4 records.
 *
 * Choices where the spec is silent: an endianness byte other than 0 or 1,
 * and (integer conversion) a number size other than 1, 2, 4 or 8, are a
 * bad header. The host reader's acceptance of big-endian and 4-byte
 * size_t chunks is an extension (stock Lua accepts only its own header).
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
int lfsc_lc_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len,
            const char *name, lfsc_target target, lfsc_proto **out);

/* lfsc_lc_read over a stream (from the ESC byte on), read only as far as the
 * chunk needs, so that a bad field stops it without reading the rest.
 * Same results as lfsc_lc_read over the whole input. */
int lfsc_lc_read_stream(lfsc_ctx *ctx, lfsc_read_fn read, void *ud, const char *name,
                   lfsc_target target, lfsc_proto **out);

/* Where a bytecode chunk starts in a file's contents, per nodemcu-lc §11:
 * 0 if the first byte is ESC; after the first line if that line starts
 * with '#' and the next byte is ESC; (size_t)-1 if the contents are not
 * bytecode (compile them as source). */
size_t lfsc_lc_read_start(const unsigned char *buf, size_t len);

#endif
