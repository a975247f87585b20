/* Packed line-info encoder. The output is not a function of the final
 * per-instruction lines: runs are appended as instructions appear, and a
 * later line fix splits or drops the last run, so we replay those events. */
#include <string.h>

#include "base/ctx.h"
#include "lineinfo.h"

void lfsc_lineinfo_init(lineinfo *li, lfsc_ctx *ctx, int compat)
{
  memset(li, 0, sizeof *li);
  li->ctx = ctx;
  li->lastoff = -1;
  li->lastpc = -1;
  li->compat = compat;
}

/* Make room for n more bytes after lastoff. */
static int reserve(lineinfo *li, size_t n)
{
  size_t need = (size_t)(li->lastoff + 1) + n;
  if (need <= li->cap)
    return 0;
  size_t cap = li->cap ? li->cap * 2 : 64;
  while (cap < need)
    cap *= 2;
  uint8_t *nb = lfsc_ctx_scratch_resize(li->ctx, li->buf, cap);   /* see close_func */
  if (!nb)
    return LFSC_EMEM;
  memset(nb + li->cap, 0, cap - li->cap);   /* the compat walk may look back */
  li->buf = nb;
  li->cap = cap;
  return 0;
}

/* Append a run of one instruction on `line`, preceded by the delta from
 * lastline when that is not the implicit +1. */
static int new_run(lineinfo *li, int line)
{
  int rc = reserve(li, 8);
  if (rc)
    return rc;
  long d = (long)line - li->lastline - 1;
  long p = li->lastoff + 1;
  if (d != 0) {
    unsigned long m;
    uint8_t sign = 0;
    if (d > 0) {
      m = (unsigned long)(d - 1);
    } else {
      m = (unsigned long)(-d - 1);
      sign = 0x40;
    }
    li->buf[p++] = (uint8_t)(0x80 | sign | (m & 0x3F));
    for (m >>= 6; m; m >>= 7)
      li->buf[p++] = (uint8_t)(0x80 | (m & 0x7F));
  }
  li->buf[p] = 1;
  li->lastoff = p;
  li->lastline = line;
  return 0;
}

static int byte_at(const lineinfo *li, long i)
{
  return i >= 0 ? li->buf[i] : 0;   /* the reference reads the heap here */
}

/* Drop the last run (a single instruction) and recover the line before it
 * by decoding its delta backwards. */
static void drop_last_run(lineinfo *li)
{
  long p = li->lastoff - 1;
  long delta = 0, cont = 0;
  int ncont = 0;
  while (byte_at(li, p) & 0x80) {
    int code = li->buf[p--];
    if (byte_at(li, p) & 0x80) {
      /* A continuation byte; we meet them last-first. The reference
       * weights each by a fixed << 7, the format says << 6, << 13, ... */
      if (li->compat)
        delta += (long)(code & 0x7F) << 7;
      else
        cont = (cont << 7) | (code & 0x7F);
      ncont++;
    } else {
      delta += (code & 0x3F) + 1;
      if (!li->compat && ncont)
        delta += cont << 6;
      if (code & 0x40)
        delta = -delta;
    }
  }
  li->lastline -= (int)(delta + 1);
  li->lastoff = p;
}

int lfsc_lineinfo_fix(lineinfo *li, int line)
{
  if (line == li->lastline || li->lastoff < 0)
    return 0;
  if (li->buf[li->lastoff] > 1)
    li->buf[li->lastoff]--;
  else
    drop_last_run(li);
  return new_run(li, line);
}

int lfsc_lineinfo_emit(lineinfo *li, int pc, int line)
{
  int rc = 0;
  if (pc == li->lastpc + 1) {
    if (line == li->lastline && li->lastoff >= 0 && li->buf[li->lastoff] < 126)
      li->buf[li->lastoff]++;
    else
      rc = new_run(li, line);
  } else {
    rc = lfsc_lineinfo_fix(li, line);
  }
  li->lastpc = pc;
  return rc;
}

size_t lfsc_lineinfo_size(const lineinfo *li)
{
  return (size_t)(li->lastoff + 1);
}
