/* NodeMCU's packed line information (image spec §8.2-8.3): the one codec.
 * The encoder is driven by the code generator as it emits instructions,
 * exactly as the reference builds it; lfsc_lineinfo_pack encodes a plain
 * line array (a stock chunk's) with the same encoder; lfsc_lineinfo_decode
 * is the strict decoder of the .lc reader and the image reader. */
#ifndef LFSC_LINEINFO_H
#define LFSC_LINEINFO_H

#include <stddef.h>
#include <stdint.h>
#include "lfsc/lfsc.h"

typedef struct lineinfo {
  lfsc_ctx *ctx;                /* arena for the byte buffer */
  uint8_t *buf;                 /* runs; valid bytes are buf[0..lastoff] */
  size_t cap;                   /* allocated size of buf */
  long lastoff;                 /* index of the last run's count byte, -1 if none */
  int lastline;                 /* line of the last run */
  int lastpc;                   /* pc of the last emitted instruction */
  int compat;                   /* reproduce the reference's delta-walk bug */
  int maxrun;                   /* longest run: 126 (5.1) or 127 (5.3) */
  int lua53;                    /* 5.3's encoder: merge after a fix, its undo bug */
} lineinfo;

/* NodeMCU's Lua 5.1 encoder. */
void lfsc_lineinfo_init(lineinfo *li, lfsc_ctx *ctx, int compat);
/* NodeMCU's Lua 5.3 encoder (spec lfs53-formats §5): runs of up to 127;
 * after a fix drops the last run, a run on the line before it grows
 * instead of a new run starting; compat keeps only the first 6 bits of a
 * dropped run's multi-byte step, as the reference does. */
void lfsc_lineinfo_init53(lineinfo *li, lfsc_ctx *ctx, int compat);
/* An instruction was emitted at pc (pc == previous pc: it replaced the
 * previous one). 0, or LFSC_EMEM. */
int lfsc_lineinfo_emit(lineinfo *li, int pc, int line);
/* The last instruction's line was changed after the fact. */
int lfsc_lineinfo_fix(lineinfo *li, int line);
/* Number of finished bytes (the encoding is buf[0..size-1]). */
size_t lfsc_lineinfo_size(const lineinfo *li);

/* Bytes that lfsc_lineinfo_pack may need for n instructions. */
size_t lfsc_lineinfo_pack_bound(int n);
/* Encode lines[0..n) (one line per instruction) into buf, which holds
 * lfsc_lineinfo_pack_bound(n) bytes; returns the length. Runs are merged
 * as far as the format allows: the reference's fix-up quirks can only
 * arise while generating code. */
size_t lfsc_lineinfo_pack(const int *lines, int n, uint8_t *buf);
/* The same with 5.3's encoder (runs of up to 127). */
size_t lfsc_lineinfo_pack53(const int *lines, int n, uint8_t *buf);

/* Decode packed line info p[0..len) (without the terminating NUL) into
 * lines[0..n). LFSC_OK when it is what NodeMCU's encoder can write for n
 * instructions: runs of 1..126 instructions, each after an optional step
 * of at most 5 bytes without a zero last byte, lines in 0..INT32_MAX,
 * exactly n instructions. Else LFSC_EFORMAT, with *why (when why is not
 * NULL) saying what is wrong; lines[] then holds the lines of the runs
 * before the fault and 0 after them. */
int lfsc_lineinfo_decode(const uint8_t *p, size_t len, int *lines, int n, const char **why);
/* The same for Lua 5.3's encoder: runs of 1..127, and lines down to
 * INT32_MIN, since the reference's undo bug writes lines <= 0 (spec
 * lfs53-formats §5: li_undo.lua's CALL is on line -63). */
int lfsc_lineinfo_decode53(const uint8_t *p, size_t len, int *lines, int n, const char **why);

#endif
