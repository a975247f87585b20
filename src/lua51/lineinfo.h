/* NodeMCU's packed line information (image spec §8.2-8.3), built while the
 * code generator emits instructions, exactly as the reference builds it. */
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
} lineinfo;

void lfsc_lineinfo_init(lineinfo *li, lfsc_ctx *ctx, int compat);
/* An instruction was emitted at pc (pc == previous pc: it replaced the
 * previous one). 0, or LFSC_EMEM. */
int lfsc_lineinfo_emit(lineinfo *li, int pc, int line);
/* The last instruction's line was changed after the fact. */
int lfsc_lineinfo_fix(lineinfo *li, int line);
/* Number of finished bytes (the encoding is buf[0..size-1]). */
size_t lfsc_lineinfo_size(const lineinfo *li);

#endif
