/* Packed line info: the encoder, the plain-array packer and the decoder.
 * The encoder's output is not a function of the final per-instruction
 * lines: runs are appended as instructions appear, and a later line fix
 * splits or drops the last run, so we replay those events. */
#include <string.h>

#include "base/ctx.h"
#include "lineinfo.h"

/* The longest run (§8.2): the count byte 0x7F is the 5.1 reference
 * encoder's internal fill and never appears in a finished encoding; 5.3's
 * encoder uses it as a count. */
#define MAX_RUN 126
#define MAX_RUN53 127
/* The longest step: a first byte and four continuation bytes carry 34
 * bits, more than any step between two int32 lines needs. */
#define MAX_STEP 5

void lfsc_lineinfo_init(lineinfo *li, lfsc_ctx *ctx, int compat)
{
  memset(li, 0, sizeof *li);
  li->ctx = ctx;
  li->lastoff = -1;
  li->lastpc = -1;
  li->compat = compat;
  li->maxrun = MAX_RUN;
}

void lfsc_lineinfo_init53(lineinfo *li, lfsc_ctx *ctx, int compat)
{
  lfsc_lineinfo_init(li, ctx, compat);
  li->maxrun = MAX_RUN53;
  li->lua53 = 1;
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
  int64_t d = (int64_t)line - li->lastline - 1;
  long p = li->lastoff + 1;
  if (d != 0) {
    /* sign bit and 6 bits of the magnitude, then 7 bits a byte */
    uint64_t m = (uint64_t)(d > 0 ? d - 1 : -d - 1);
    li->buf[p++] = (uint8_t)(0x80 | (d < 0 ? 0x40 : 0) | (m & 0x3F));
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
      if (li->compat && li->lua53)
        ;                       /* 5.3's reference keeps the first byte's bits only */
      else if (li->compat)
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
  if (li->buf[li->lastoff] > 1) {
    li->buf[li->lastoff]--;
  } else {
    drop_last_run(li);
    if (li->lua53 && line == li->lastline && li->lastoff >= 0 &&
        li->buf[li->lastoff] < li->maxrun) {
      li->buf[li->lastoff]++;   /* 5.3 merges into the run before */
      return 0;
    }
  }
  return new_run(li, line);
}

int lfsc_lineinfo_emit(lineinfo *li, int pc, int line)
{
  int rc = 0;
  if (pc == li->lastpc + 1) {
    if (line == li->lastline && li->lastoff >= 0 && li->buf[li->lastoff] < li->maxrun)
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

size_t lfsc_lineinfo_pack_bound(int n)
{
  /* a step and a count per instruction, and new_run's reserve margin */
  return (size_t)(n > 0 ? n : 0) * (MAX_STEP + 1) + 8;
}

static size_t pack(const int *lines, int n, uint8_t *buf, int lua53)
{
  /* The encoder over the caller's buffer, which is large enough that it
   * never grows: one instruction after the other, no fixes. */
  lineinfo li;
  if (lua53)
    lfsc_lineinfo_init53(&li, NULL, 0);
  else
    lfsc_lineinfo_init(&li, NULL, 0);
  li.buf = buf;
  li.cap = lfsc_lineinfo_pack_bound(n);
  for (int pc = 0; pc < n; pc++)
    lfsc_lineinfo_emit(&li, pc, lines[pc]);
  return lfsc_lineinfo_size(&li);
}

size_t lfsc_lineinfo_pack(const int *lines, int n, uint8_t *buf)
{
  return pack(lines, n, buf, 0);
}

size_t lfsc_lineinfo_pack53(const int *lines, int n, uint8_t *buf)
{
  return pack(lines, n, buf, 1);
}

/* Read the step at p[*i] (if any) and the count after it into *line and
 * *count; NULL, or what is wrong. */
static const char *decode_run(const uint8_t *p, size_t len, size_t *i, int64_t *line, int *count,
                              int maxrun, int64_t minline)
{
  if (p[*i] & 0x80) {
    int neg = p[*i] & 0x40;
    uint64_t m = p[(*i)++] & 0x3F;
    int k = 0;
    for (; *i < len && (p[*i] & 0x80); (*i)++, k++) {
      if (k == MAX_STEP - 1)
        return "a line step longer than 5 bytes";
      m |= (uint64_t)(p[*i] & 0x7F) << (6 + 7 * k);
    }
    if (k > 0 && (p[*i - 1] & 0x7F) == 0)
      return "a line step ending in a zero byte";
    *line = neg ? *line - (int64_t)m : *line + (int64_t)m + 2;
  } else {
    ++*line;
  }
  if (*i == len)
    return "a line step without its run";
  if (p[*i] == 0 || p[*i] > maxrun)
    return p[*i] ? (maxrun == MAX_RUN ? "a run of 127 instructions" : "a run of 128 instructions")
                 : "a run of 0 instructions";
  if (*line < minline || *line > INT32_MAX)
    return "a line number out of range";
  *count = p[(*i)++];
  return NULL;
}

static int decode(const uint8_t *p, size_t len, int *lines, int n, int maxrun, int64_t minline,
                  const char **why)
{
  const char *bad = NULL;
  int64_t line = 0;
  int pc = 0, count = 0;
  size_t i = 0;
  while (!bad && i < len && !(bad = decode_run(p, len, &i, &line, &count, maxrun, minline))) {
    if (count > n - pc) {
      count = n - pc;
      bad = "more runs than instructions";
    }
    while (count-- > 0)
      lines[pc++] = (int)line;
  }
  if (!bad && pc < n)
    bad = "fewer runs than instructions";
  while (pc < n)
    lines[pc++] = 0;
  if (why)
    *why = bad;
  return bad ? LFSC_EFORMAT : LFSC_OK;
}

int lfsc_lineinfo_decode(const uint8_t *p, size_t len, int *lines, int n, const char **why)
{
  return decode(p, len, lines, n, MAX_RUN, 0, why);
}

int lfsc_lineinfo_decode53(const uint8_t *p, size_t len, int *lines, int n, const char **why)
{
  return decode(p, len, lines, n, MAX_RUN53, INT32_MIN, why);
}
