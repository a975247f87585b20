/*
 * Binary chunk writers: stock Lua 5.1 ("host", what luac5.1 writes on this
 * machine) and NodeMCU's .lc format for the float and int firmware
 * (spec/nodemcu-lc-format.md: 4-byte string lengths, Align4 padding
 * before code and line info, packed line info, int32 numbers for int).
 */
#ifndef LFSC_LC_H
#define LFSC_LC_H

#include "lfsc/lfsc.h"
#include "lfsc/build.h"
#include "base/sink.h"

/* Layout parameters of one binary chunk format. */
typedef struct lc_format {
  uint8_t size_t_bytes;         /* width of string lengths: 4 or 8 */
  uint8_t number_bytes;         /* 8 (double) or 4 (int32) */
  uint8_t integral;             /* numbers are integers */
  uint8_t big_endian;           /* byte order of every multi-byte field */
  uint8_t nodemcu;              /* Align4 points and packed line info */
} lc_format;

/* The format written for a target (float16 writes the float format:
 * TValue width matters only inside images). */
lc_format lfsc_lc_format_for(lfsc_target t);

/* lfsc_lc_write, which serialises a tree in this format, is public
 * (lfsc/build.h). */

#endif
