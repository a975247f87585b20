/*
 * Test fixtures for the target loader: a simulated NOR flash region, an
 * in-memory input file, file and image helpers. Header-only (static
 * functions) so each loader test program includes it once.
 */
#ifndef TEST_LOADER_SIM_H
#define TEST_LOADER_SIM_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "platform/esp8266/loader/loader.h"

#define SIM_BASE   0x40280000u
#define SIM_REGION (256u * 1024u)

/* NOR flash: erase sets a 4 KB sector to ones, a write can only clear
 * bits. A write that would turn a 0 into a 1 is counted as a violation
 * (the test fails on it). `budget` ops succeed, then power is cut: every
 * further erase or write fails and changes nothing. */
typedef struct sim_flash {
  uint32_t *w;
  uint32_t nwords;
  long ops, budget;             /* budget < 0: no cut */
  long erases, writes, violations;
  int cut;
} sim_flash;

static int sim_erase(void *arg, uint32_t off)
{
  sim_flash *f = arg;
  uint32_t i;

  if (off & (LFS_SECTOR - 1) || off >= 4 * f->nwords) {
    f->violations++;
    return -1;
  }
  if (f->budget >= 0 && f->ops >= f->budget) {
    f->cut = 1;
    return -1;
  }
  f->ops++;
  f->erases++;
  for (i = 0; i < LFS_SECTOR / 4; i++)
    f->w[off / 4 + i] = 0xFFFFFFFFu;
  return 0;
}

static int sim_write(void *arg, uint32_t off, const uint32_t *src, uint32_t n)
{
  sim_flash *f = arg;
  uint32_t i;

  if ((off & 3) || off / 4 + n > f->nwords || n == 0) {
    f->violations++;
    return -1;
  }
  if (f->budget >= 0 && f->ops >= f->budget) {
    f->cut = 1;
    return -1;
  }
  f->ops++;
  f->writes++;
  for (i = 0; i < n; i++) {
    if (src[i] & ~f->w[off / 4 + i])
      f->violations++;          /* a 1 over a 0: impossible on NOR */
    f->w[off / 4 + i] &= src[i];
  }
  return 0;
}

static int sim_read(void *arg, uint32_t off, uint32_t *dst, uint32_t n)
{
  sim_flash *f = arg;

  if ((off & 3) || off / 4 + n > f->nwords) {
    f->violations++;
    return -1;
  }
  memcpy(dst, f->w + off / 4, 4 * (size_t)n);
  return 0;
}

static const lfs_flash_ops sim_ops = { sim_erase, sim_write, sim_read, NULL };

static void sim_init(sim_flash *f, uint32_t bytes, uint32_t fill)
{
  uint32_t i;

  memset(f, 0, sizeof *f);
  f->nwords = bytes / 4;
  f->w = malloc(bytes);
  assert_non_null(f->w);
  for (i = 0; i < f->nwords; i++)
    f->w[i] = fill ^ (i * 0x9E3779B9u);   /* old contents: arbitrary bits */
  f->budget = -1;
}

static void sim_counters_reset(sim_flash *f)
{
  f->ops = f->erases = f->writes = f->violations = 0;
  f->cut = 0;
  f->budget = -1;
}

/* Region contents as little-endian bytes. */
static unsigned char *sim_bytes(const sim_flash *f, uint32_t n)
{
  unsigned char *b = malloc(n ? n : 1);
  uint32_t i;

  assert_non_null(b);
  for (i = 0; i < n; i++)
    b[i] = (unsigned char)(f->w[i / 4] >> (8 * (i % 4)));
  return b;
}

/* In-memory input file; len may be shorter than the data (truncation). */
typedef struct mem_in {
  const unsigned char *p;
  uint32_t len;
  long calls;
  int fail_at;                  /* >= 0: reads at or after this position fail */
} mem_in;

static int32_t mem_read(void *arg, uint32_t pos, uint8_t *buf, uint32_t len)
{
  mem_in *m = arg;

  m->calls++;
  if (m->fail_at >= 0 && pos + len > (uint32_t)m->fail_at)
    return -1;
  if (pos >= m->len)
    return 0;
  if (len > m->len - pos)
    len = m->len - pos;
  memcpy(buf, m->p + pos, len);
  return (int32_t)len;
}

static unsigned char *read_file(const char *path, size_t *len)
{
  FILE *fp = fopen(path, "rb");
  unsigned char *b;
  long n;

  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  b = malloc(n > 0 ? (size_t)n : 1);
  assert_non_null(b);
  if (n > 0 && fread(b, 1, (size_t)n, fp) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(fp);
  *len = (size_t)n;
  return b;
}

static uint32_t le32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

/* gunzip with zlib (the independent oracle). Returns malloc'd bytes. */
static unsigned char *gunzip(const unsigned char *gz, size_t len, size_t *outlen)
{
  z_stream z;
  size_t cap = 1 << 16;
  unsigned char *out = malloc(cap);
  int rc;

  assert_non_null(out);
  memset(&z, 0, sizeof z);
  assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
  z.next_in = (unsigned char *)gz;
  z.avail_in = (uInt)len;
  do {
    if (z.total_out == cap) {
      cap *= 2;
      out = realloc(out, cap);
      assert_non_null(out);
    }
    z.next_out = out + z.total_out;
    z.avail_out = (uInt)(cap - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
  } while (rc == Z_OK);
  assert_int_equal(rc, Z_STREAM_END);
  *outlen = z.total_out;
  inflateEnd(&z);
  return out;
}

/* gzip with zlib: level 0 gives stored blocks, higher levels dynamic or
 * fixed ones; a window of 2^14 (wbits 14) keeps distances within the
 * loader's limit. With hdr non-NULL the optional gzip header fields are
 * written too. */
/* zlib's memLevel and strategy for gzip_with (tests of other encoders
 * change them). */
static int sim_mem_level = 9, sim_strategy = Z_DEFAULT_STRATEGY;

static unsigned char *gzip_with(const unsigned char *data, size_t len, int level, int wbits,
                                gz_header *hdr, size_t *outlen)
{
  z_stream z;
  size_t cap = len + len / 8 + 1024;
  unsigned char *out = malloc(cap);

  assert_non_null(out);
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 16 + wbits, sim_mem_level, sim_strategy), Z_OK);
  if (hdr)
    assert_int_equal(deflateSetHeader(&z, hdr), Z_OK);
  z.next_in = (unsigned char *)data;
  z.avail_in = (uInt)len;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  *outlen = z.total_out;
  deflateEnd(&z);
  return out;
}

/* What a PI image must become in a region at base: relocate flagged
 * words and set ABSOLUTE (see loader.h). Computed from zlib's output. */
static unsigned char *expect_from_pi(const unsigned char *gz, size_t len, uint32_t base,
                                     size_t *outlen)
{
  size_t n, i;
  unsigned char *s = gunzip(gz, len, &n);
  uint32_t size = le32(s + 4);

  assert_true(size <= n);
  for (i = 0; i < size / 4; i++)
    if (le32(s + size + 4 * (i / 32)) >> (i % 32) & 1)
      put_le32(s + 4 * i, 4 * le32(s + 4 * i) + base);
  s[0] |= LFSIMG_SIG_ABSOLUTE;
  *outlen = size;
  return s;
}

#endif
