/*
 * Output sinks: every writer of liblfsc emits through one of these, so the
 * same code writes to memory, to a FILE* or to a sink of your own (set
 * write, zero the rest). Errors are sticky: after the first failure
 * further writes are ignored and the caller checks status once at the
 * end, so serialisers need no error test after each field.
 */
#ifndef LFSC_PUBLIC_SINK_H
#define LFSC_PUBLIC_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct lfsc_sink lfsc_sink;
struct lfsc_sink {
  int (*write)(lfsc_sink *s, const void *p, size_t n);   /* 0 or an LFSC_E* code */
  int status;                   /* first error, or 0 */
  uint64_t count;               /* bytes accepted so far */
  /* memory sink */
  unsigned char *buf;
  size_t len, cap;
  /* file sink */
  FILE *fp;
  /* private state of other sinks (gzip, ELF) */
  void *impl;
};

void lfsc_sink_write(lfsc_sink *s, const void *p, size_t n);
void lfsc_sink_u8(lfsc_sink *s, unsigned v);
void lfsc_sink_u32le(lfsc_sink *s, uint32_t v);
void lfsc_sink_f64le(lfsc_sink *s, double v);     /* IEEE-754 bit pattern, little-endian */
void lfsc_sink_u64le(lfsc_sink *s, uint64_t v);
void lfsc_sink_zeros(lfsc_sink *s, size_t n);
/* printf into a sink (text of any length; a formatting error is EIO). */
void lfsc_sink_printf(lfsc_sink *s, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Memory sink: bytes accumulate in s->buf/s->len; lfsc_sink_mem_free releases. */
void lfsc_sink_mem_init(lfsc_sink *s);
void lfsc_sink_mem_free(lfsc_sink *s);
/* File sink over an open stream (not closed by the sink). */
void lfsc_sink_file_init(lfsc_sink *s, FILE *fp);
/* File sink that hands stdio 64 KiB pieces. Every path must end with
 * lfsc_sink_file_flush, which writes what is pending, frees the buffer and
 * returns the sink's status. */
void lfsc_sink_file_buffered_init(lfsc_sink *s, FILE *fp);
int lfsc_sink_file_flush(lfsc_sink *s);

#endif
