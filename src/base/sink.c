/* Output sinks with a sticky error status: memory and file. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "sink.h"

void lfsc_sink_write(lfsc_sink *s, const void *p, size_t n)
{
  if (s->status || n == 0)
    return;
  s->status = s->write(s, p, n);
  if (!s->status)
    s->count += n;
}

void lfsc_sink_u8(lfsc_sink *s, unsigned v)
{
  unsigned char b = (unsigned char)v;
  lfsc_sink_write(s, &b, 1);
}

void lfsc_sink_u32le(lfsc_sink *s, uint32_t v)
{
  unsigned char b[4];
  wr_u32le(b, v);
  lfsc_sink_write(s, b, 4);
}

void lfsc_sink_u64le(lfsc_sink *s, uint64_t v)
{
  lfsc_sink_u32le(s, (uint32_t)v);
  lfsc_sink_u32le(s, (uint32_t)(v >> 32));
}

void lfsc_sink_f64le(lfsc_sink *s, double v)
{
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);   /* the bit pattern, not a host struct */
  lfsc_sink_u64le(s, bits);
}

void lfsc_sink_zeros(lfsc_sink *s, size_t n)
{
  static const unsigned char z[64];
  while (n > 0) {
    size_t k = n < sizeof z ? n : sizeof z;
    lfsc_sink_write(s, z, k);
    n -= k;
  }
}

static int mem_write(lfsc_sink *s, const void *p, size_t n)
{
  if (s->cap - s->len < n) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap - s->len < n) {
      if (cap > SIZE_MAX / 2)
        return LFSC_EMEM;
      cap *= 2;
    }
    unsigned char *b = realloc(s->buf, cap);
    if (!b)
      return LFSC_EMEM;
    s->buf = b;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  return LFSC_OK;
}

void lfsc_sink_mem_init(lfsc_sink *s)
{
  memset(s, 0, sizeof *s);
  s->write = mem_write;
}

void lfsc_sink_mem_free(lfsc_sink *s)
{
  free(s->buf);
  s->buf = NULL;
  s->len = s->cap = 0;
}

static int file_write(lfsc_sink *s, const void *p, size_t n)
{
  return fwrite(p, 1, n, s->fp) == n ? LFSC_OK : LFSC_EIO;
}

void lfsc_sink_file_init(lfsc_sink *s, FILE *fp)
{
  memset(s, 0, sizeof *s);
  s->write = file_write;
  s->fp = fp;
}

/* Serialisers emit a few bytes per field, and a stdio call per field cost
 * a third of a whole compile: collect them here and hand stdio big pieces. */
#define FILE_BUFSIZE 65536

static int drain(lfsc_sink *s)
{
  size_t n = s->len;
  s->len = 0;
  return fwrite(s->buf, 1, n, s->fp) == n ? LFSC_OK : LFSC_EIO;
}

static int buffered_write(lfsc_sink *s, const void *p, size_t n)
{
  if (!s->buf) {
    s->buf = malloc(FILE_BUFSIZE);
    if (!s->buf)
      return LFSC_EMEM;
    s->cap = FILE_BUFSIZE;
  }
  if (s->cap - s->len < n) {
    int rc = drain(s);
    if (rc)
      return rc;
    if (n >= s->cap)
      return file_write(s, p, n);
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  return LFSC_OK;
}

void lfsc_sink_file_buffered_init(lfsc_sink *s, FILE *fp)
{
  lfsc_sink_file_init(s, fp);
  s->write = buffered_write;
}

int lfsc_sink_file_flush(lfsc_sink *s)
{
  if (!s->status && s->len)
    s->status = drain(s);
  free(s->buf);
  s->buf = NULL;
  s->len = s->cap = 0;
  return s->status;
}

void lfsc_sink_printf(lfsc_sink *s, const char *fmt, ...)
{
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) {
    s->status = s->status ? s->status : LFSC_EIO;
    return;
  }
  if ((size_t)n < sizeof buf) {
    lfsc_sink_write(s, buf, (size_t)n);
    return;
  }
  /* long text: format again into a buffer that fits */
  char *big = malloc((size_t)n + 1);
  if (!big) {
    s->status = s->status ? s->status : LFSC_EMEM;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  lfsc_sink_write(s, big, (size_t)n);
  free(big);
}
