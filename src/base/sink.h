/*
 * Output sinks: the public part (the struct, the memory and file sinks)
 * is include/lfsc/sink.h; here only what the library's own serialisers
 * add to it.
 */
#ifndef LFSC_SINK_H
#define LFSC_SINK_H

#include "lfsc/sink.h"

/* Little-endian helpers for byte buffers. */
static inline uint32_t rd_u32le(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void wr_u32le(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

#endif
