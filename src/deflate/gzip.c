/*
 * gzip sink over zlib, shaped for the NodeMCU LFS loader (see gzip.h).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lfsc/lfsc.h"
#include "gzip.h"
#include "squeeze.h"
#include "refdeflate.h"

#define WINDOW_BITS 14          /* 16 KiB: the loader's dictionary size */

typedef struct gz_state {
  z_stream zs;
  lfsc_sink *out;
  uint32_t crc;
  uint32_t isize;               /* input length mod 2^32, as gzip stores it */
  int started;                  /* the first byte has been taken */
  unsigned char buf[16384];
} gz_state;

static unsigned reverse_bits(unsigned code, int n)
{
  unsigned r = 0;
  for (int i = 0; i < n; i++, code >>= 1)
    r = r << 1 | (code & 1);
  return r;
}

/* Deflate writes bits least significant first, but Huffman codes most
 * significant first, so a code goes in bit-reversed. */
static int prime_code(z_stream *zs, unsigned code, int nbits)
{
  return deflatePrime(zs, nbits, (int)reverse_bits(code, nbits)) == Z_OK ? 0 : -1;
}

/* A non-final fixed-Huffman block (header bits BFINAL=0, BTYPE=01) with
 * the given literal, or empty when lit < 0; ends with end-of-block, whose
 * fixed code is seven 0 bits. */
static int prime_block(z_stream *zs, int lit)
{
  if (deflatePrime(zs, 3, 2) != Z_OK)
    return -1;
  if (lit >= 0) {
    int rc = lit <= 143 ? prime_code(zs, 0x30u + (unsigned)lit, 8)
                        : prime_code(zs, 0x190u + (unsigned)(lit - 144), 9);
    if (rc)
      return -1;
  }
  return deflatePrime(zs, 7, 0) == Z_OK ? 0 : -1;
}

/* Run deflate over whatever is pending in zs and pass output on. */
static int pump(gz_state *g, int flush)
{
  int zr;
  do {
    g->zs.next_out = g->buf;
    g->zs.avail_out = sizeof g->buf;
    zr = deflate(&g->zs, flush);
    if (zr == Z_STREAM_ERROR)
      return LFSC_EMEM;
    lfsc_sink_write(g->out, g->buf, sizeof g->buf - g->zs.avail_out);
    if (g->out->status)
      return g->out->status;
  } while (g->zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
  return LFSC_OK;
}

static int gz_write(lfsc_sink *s, const void *p, size_t n)
{
  gz_state *g = s->impl;
  const unsigned char *b = p;
  while (n > 0) {
    uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;
    g->crc = (uint32_t)crc32(g->crc, b, chunk);
    g->isize += (uint32_t)chunk;
    const unsigned char *q = b;
    uInt m = chunk;
    if (!g->started) {
      /* Byte 0 goes out on its own, so no match can ever refer to it. */
      if (prime_block(&g->zs, q[0]))
        return LFSC_EMEM;
      g->started = 1;
      q++;
      m--;
    }
    g->zs.next_in = (Bytef *)q;
    g->zs.avail_in = m;
    int rc = pump(g, Z_NO_FLUSH);
    if (rc)
      return rc;
    b += chunk;
    n -= chunk;
  }
  return LFSC_OK;
}

int lfsc_gzip_sink_init(lfsc_sink *gz, lfsc_sink *out, int flags, unsigned pad_blocks)
{
  /* FLG 0, MTIME 0, XFL 2 (best compression), OS 3 (Unix) */
  static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
  memset(gz, 0, sizeof *gz);
  gz_state *g = calloc(1, sizeof *g);
  if (!g)
    return gz->status = LFSC_EMEM;
  int strategy = (flags & GZIP_FIXED) ? Z_FIXED : Z_DEFAULT_STRATEGY;
  int memlevel = (flags >> 8) & 15;
  if (memlevel < 1 || memlevel > 9)
    memlevel = 9;
  if (deflateInit2(&g->zs, Z_BEST_COMPRESSION, Z_DEFLATED, -WINDOW_BITS, memlevel,
                   strategy) != Z_OK) {
    free(g);
    return gz->status = LFSC_EMEM;
  }
  g->out = out;
  g->crc = (uint32_t)crc32(0L, Z_NULL, 0);
  gz->write = gz_write;
  gz->impl = g;
  for (unsigned i = 0; i < pad_blocks; i++)
    if (prime_block(&g->zs, -1))
      return gz->status = LFSC_EMEM;
  lfsc_sink_write(out, header, sizeof header);
  return gz->status = out->status;
}

int lfsc_gzip_sink_finish(lfsc_sink *gz)
{
  gz_state *g = gz->impl;
  if (!g)
    return gz->status ? gz->status : LFSC_EMEM;
  int rc = gz->status;
  if (!rc)
    rc = pump(g, Z_FINISH);
  deflateEnd(&g->zs);
  if (!rc) {
    lfsc_sink_u32le(g->out, g->crc);
    lfsc_sink_u32le(g->out, g->isize);
    rc = g->out->status;
  }
  free(g);
  gz->impl = NULL;
  if (!gz->status)
    gz->status = rc;
  return rc;
}

static int compress_padded(const unsigned char *data, size_t n, int flags,
                           unsigned pad, lfsc_sink *mem)
{
  lfsc_sink gz;
  lfsc_sink_mem_init(mem);
  lfsc_gzip_sink_init(&gz, mem, flags, pad);
  lfsc_sink_write(&gz, data, n);
  int rc = lfsc_gzip_sink_finish(&gz);
  if (rc)
    lfsc_sink_mem_free(mem);
  return rc;
}

/* Our own encoder (squeeze.c) makes the member: header, raw deflate,
 * CRC-32 and length, after pad empty blocks. */
static int squeeze_padded(const unsigned char *data, size_t n, int flags,
                          unsigned pad, lfsc_sink *mem)
{
  static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
  squeeze_effort effort = (flags & GZIP_BEST) ? SQUEEZE_BEST : SQUEEZE_FAST;
  uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
  for (size_t done = 0; done < n;) {
    uInt chunk = n - done > 0x40000000u ? 0x40000000u : (uInt)(n - done);
    crc = (uint32_t)crc32(crc, data + done, chunk);
    done += chunk;
  }
  lfsc_sink_mem_init(mem);
  lfsc_sink_write(mem, header, sizeof header);
  int rc = lfsc_squeeze_deflate(data, n, effort, pad, mem);
  lfsc_sink_u32le(mem, crc);
  lfsc_sink_u32le(mem, (uint32_t)n);
  if (!rc)
    rc = mem->status;
  if (rc)
    lfsc_sink_mem_free(mem);
  return rc;
}

/* NodeMCU luac.cross's member (refdeflate.c): its header, its deflate,
 * CRC-32 and length; no padding. */
static int reference_member(const unsigned char *data, size_t n, lfsc_sink *out)
{
  static const unsigned char header[10] = REFDEFLATE_GZIP_HEADER;
  uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
  for (size_t done = 0; done < n;) {
    uInt chunk = n - done > 0x40000000u ? 0x40000000u : (uInt)(n - done);
    crc = (uint32_t)crc32(crc, data + done, chunk);
    done += chunk;
  }
  lfsc_sink_write(out, header, sizeof header);
  int rc = lfsc_refdeflate(data, n, out);
  lfsc_sink_u32le(out, crc);
  lfsc_sink_u32le(out, (uint32_t)n);
  return rc ? rc : out->status;
}

int lfsc_gzip_write(const unsigned char *data, size_t n, int flags, size_t min_file,
               lfsc_sink *out)
{
  if (flags & GZIP_REFERENCE)
    return reference_member(data, n, out);
  int (*member)(const unsigned char *, size_t, int, unsigned, lfsc_sink *) = compress_padded;
  if (n > 0 && !(flags & (GZIP_FIXED | GZIP_MEMLEVEL(15))))
    member = squeeze_padded;
  else if (!(flags & GZIP_MEMLEVEL(15)))
    flags |= GZIP_MEMLEVEL(9);
  /* Too short a file for the loader: again, with empty blocks in front
   * (each adds 10 bits). */
  lfsc_sink mem;
  unsigned pad = 0;
  for (;;) {
    int rc = member(data, n, flags, pad, &mem);
    if (rc)
      return rc;
    if (mem.len >= min_file || pad > 8 * min_file)
      break;
    pad += (unsigned)(((min_file - mem.len) * 8 + 9) / 10);
    lfsc_sink_mem_free(&mem);
  }
  lfsc_sink_write(out, mem.buf, mem.len);
  lfsc_sink_mem_free(&mem);
  return out->status;
}
