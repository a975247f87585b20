/*
 * The firmware loader's rules for PI images (image spec §11), with a small
 * canonical-Huffman inflater (RFC 1951) written for this test: it accepts
 * every block type, as the loader does, and reports each back-reference so
 * the loader's window and byte-0 rules can be checked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "test_image_gzcheck.h"

typedef struct bits {
  const unsigned char *p;
  size_t n, pos;                /* byte position of the next unread byte */
  unsigned buf, cnt;            /* bit buffer, LSB first */
  int overrun;
} bits;

static unsigned getbits(bits *b, unsigned need)
{
  while (b->cnt < need) {
    unsigned byte = 0;
    if (b->pos < b->n)
      byte = b->p[b->pos];
    else
      b->overrun = 1;
    b->pos++;
    b->buf |= byte << b->cnt;
    b->cnt += 8;
  }
  unsigned v = b->buf & ((1u << need) - 1);
  b->buf >>= need;
  b->cnt -= need;
  return v;
}

typedef struct huff {
  unsigned short count[16];     /* codes per length */
  unsigned short symbol[320];   /* symbols ordered by code */
} huff;

/* Build a canonical code from code lengths; -1 if over-subscribed. */
static int build(huff *h, const unsigned char *len, int n)
{
  unsigned short offs[16];
  memset(h->count, 0, sizeof h->count);
  for (int i = 0; i < n; i++)
    h->count[len[i]]++;
  int left = 1;
  for (int l = 1; l < 16; l++) {
    left = left * 2 - h->count[l];
    if (left < 0)
      return -1;
  }
  offs[1] = 0;
  for (int l = 1; l < 15; l++)
    offs[l + 1] = (unsigned short)(offs[l] + h->count[l]);
  for (int i = 0; i < n; i++)
    if (len[i])
      h->symbol[offs[len[i]]++] = (unsigned short)i;
  return 0;
}

/* Codes are sent most significant bit first: walk the lengths, keeping
 * the first code of each length and the number of codes before it. */
static int decode(bits *b, const huff *h)
{
  int code = 0, first = 0, index = 0;
  for (int l = 1; l < 16; l++) {
    code |= (int)getbits(b, 1);
    int count = h->count[l];
    if (code - count < first)
      return h->symbol[index + (code - first)];
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -1;
}

static const unsigned short lbase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
                                         31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
                                         227, 258};
static const unsigned char lext[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short dbase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97,
                                         129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
                                         3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char dext[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

typedef struct out {
  unsigned char *p;
  size_t len, cap;
} out;

static int put(out *o, unsigned char c)
{
  if (o->len == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 65536;
    unsigned char *p = realloc(o->p, cap);
    if (!p)
      return -1;
    o->p = p;
    o->cap = cap;
  }
  o->p[o->len++] = c;
  return 0;
}

/* Record the first rule broken and its kind (GZCHECK_E*); returns -1 for
 * the callers' convenience. */
static int fail(gzcheck_result *r, int kind, const char *fmt, ...)
{
  if (r->err[0])
    return -1;
  r->rule = kind;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err, sizeof r->err, fmt, ap);
  va_end(ap);
  return -1;
}

static int codes(bits *b, out *o, const huff *lit, const huff *dist, gzcheck_result *r)
{
  for (;;) {
    int sym = decode(b, lit);
    if (sym < 0 || b->overrun)
      return fail(r, GZCHECK_ESTREAM, "bad literal/length code");
    if (sym < 256) {
      if (put(o, (unsigned char)sym))
        return -1;
    } else if (sym == 256) {
      return 0;
    } else {
      sym -= 257;
      if (sym >= 29)
        return fail(r, GZCHECK_ESTREAM, "bad length symbol");
      unsigned len = lbase[sym] + getbits(b, lext[sym]);
      int ds = decode(b, dist);
      if (ds < 0 || ds >= 30)
        return fail(r, GZCHECK_ESTREAM, "bad distance code");
      unsigned d = dbase[ds] + getbits(b, dext[ds]);
      r->matches++;
      if (d > r->maxdist)
        r->maxdist = d;
      /* the loader's recall_byte: offset > 16384 or offset >= bytes out */
      if (d > 16384 || d >= o->len)
        fail(r, GZCHECK_ESTREAM, "invalid dictionary offset on inflate (at %zu, distance %u)", o->len, d);
      if (d > o->len)
        return fail(r, GZCHECK_ESTREAM, "distance too far back");
      for (unsigned k = 0; k < len; k++)
        if (put(o, o->p[o->len - d]))
          return -1;
    }
  }
}

static int dynamic(bits *b, out *o, gzcheck_result *r)
{
  static const unsigned char order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                          11, 4, 12, 3, 13, 2, 14, 1, 15};
  unsigned char len[320];
  huff lc, lit, dist;
  unsigned nlen = getbits(b, 5) + 257, ndist = getbits(b, 5) + 1, ncode = getbits(b, 4) + 4;
  if (nlen > 286 || ndist > 30)
    return fail(r, GZCHECK_ESTREAM, "bad dynamic block counts");
  memset(len, 0, sizeof len);
  for (unsigned i = 0; i < ncode; i++)
    len[order[i]] = (unsigned char)getbits(b, 3);
  if (build(&lc, len, 19))
    return fail(r, GZCHECK_ESTREAM, "bad code-length code");
  unsigned i = 0;
  while (i < nlen + ndist) {
    int sym = decode(b, &lc);
    if (sym < 0)
      return fail(r, GZCHECK_ESTREAM, "bad code length");
    if (sym < 16) {
      len[i++] = (unsigned char)sym;
      continue;
    }
    unsigned char v = 0;
    unsigned rep;
    if (sym == 16) {
      if (i == 0)
        return fail(r, GZCHECK_ESTREAM, "repeat with no previous length");
      v = len[i - 1];
      rep = 3 + getbits(b, 2);
    } else if (sym == 17) {
      rep = 3 + getbits(b, 3);
    } else {
      rep = 11 + getbits(b, 7);
    }
    if (i + rep > nlen + ndist)
      return fail(r, GZCHECK_ESTREAM, "too many code lengths");
    while (rep--)
      len[i++] = v;
  }
  if (build(&lit, len, (int)nlen) || build(&dist, len + nlen, (int)ndist))
    return fail(r, GZCHECK_ESTREAM, "bad dynamic code");
  return codes(b, o, &lit, &dist, r);
}

static int fixed(bits *b, out *o, gzcheck_result *r)
{
  unsigned char len[320];
  huff lit, dist;
  int i = 0;
  for (; i < 144; i++)
    len[i] = 8;
  for (; i < 256; i++)
    len[i] = 9;
  for (; i < 280; i++)
    len[i] = 7;
  for (; i < 288; i++)
    len[i] = 8;
  build(&lit, len, 288);
  for (i = 0; i < 30; i++)
    len[i] = 5;
  build(&dist, len, 30);
  return codes(b, o, &lit, &dist, r);
}

static int stored(bits *b, out *o, gzcheck_result *r)
{
  b->buf = 0;                   /* drop the rest of the current byte */
  b->cnt = 0;
  if (b->pos + 4 > b->n)
    return fail(r, GZCHECK_ESTREAM, "truncated stored block");
  unsigned len = b->p[b->pos] | b->p[b->pos + 1] << 8;
  unsigned nlen = b->p[b->pos + 2] | b->p[b->pos + 3] << 8;
  b->pos += 4;
  if (len != (~nlen & 0xFFFF) || b->pos + len > b->n)
    return fail(r, GZCHECK_ESTREAM, "bad stored block");
  for (unsigned k = 0; k < len; k++)
    if (put(o, b->p[b->pos++]))
      return -1;
  return 0;
}

static uint32_t rd32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int gzcheck(const unsigned char *file, size_t n, uint32_t expected_sig,
            uint32_t partition, gzcheck_result *r)
{
  memset(r, 0, sizeof *r);
  if (n <= 200)
    fail(r, GZCHECK_EFILE, "read error on LFS image file (%zu bytes, must be more than 200)", n);
  if (n < 18 || file[0] != 0x1f || file[1] != 0x8b || file[2] != 8 || (file[3] & 0xE0)) {
    fail(r, GZCHECK_EFILE, "read error on LFS image file (bad gzip header)");
    return r->rule;
  }
  size_t pos = 10;
  unsigned flg = file[3];
  if (flg & 4) {
    pos += 2 + (file[pos] | file[pos + 1] << 8);
  }
  if (flg & 8)
    while (pos < n && file[pos++])
      ;
  if (flg & 16)
    while (pos < n && file[pos++])
      ;
  if (flg & 2)
    pos += 2;
  bits b = {.p = file, .n = n, .pos = pos};
  out o = {0};
  int last;
  do {
    last = (int)getbits(&b, 1);
    unsigned type = getbits(&b, 2);
    int rc;
    if (type == 3) {
      fail(r, GZCHECK_ESTREAM, "bad block type");
      rc = -1;
    } else {
      r->blocks[type]++;
      rc = type == 0 ? stored(&b, &o, r) : type == 1 ? fixed(&b, &o, r) : dynamic(&b, &o, r);
    }
    if (rc || b.overrun) {
      fail(r, GZCHECK_ESTREAM, "Data_error during decompression");
      free(o.p);
      return r->rule;
    }
  } while (!last);
  size_t end = b.pos;           /* unread bits of the last byte are padding */
  r->data = o.p;
  r->len = o.len;
  if (end + 8 > n) {
    fail(r, GZCHECK_ESTREAM, "truncated gzip trailer");
    return r->rule;
  }
  uint32_t crc = rd32(file + end), isize = rd32(file + end + 4);
  uint32_t L = rd32(file + n - 4);
  if (end + 8 != n)
    fail(r, GZCHECK_ESTREAM, "%zu bytes after the gzip member", n - end - 8);
  if (isize != L || o.len != L)
    fail(r, GZCHECK_ESTREAM, "inflated length %zu, trailer says %lu", o.len, (unsigned long)L);
  if (crc != (uint32_t)crc32(0L, o.p, (uInt)o.len))
    fail(r, GZCHECK_ESTREAM, "checksum error on LFS image file");
  if (o.len < 8) {
    fail(r, GZCHECK_EIMAGE, "image shorter than its header");
    return r->rule;
  }
  uint32_t sig = rd32(o.p), size = rd32(o.p + 4);
  if (!expected_sig)
    expected_sig = sig & ~1u;
  if ((sig & 0xF00) != 0x100)
    fail(r, GZCHECK_EIMAGE, "Incorrect LFS header version");
  if ((sig & 4) != (expected_sig & 4))
    fail(r, GZCHECK_EIMAGE, "Incorrect LFS build type");
  if ((sig & ~1u) != expected_sig)
    fail(r, GZCHECK_EIMAGE, "incorrect LFS header signature");
  if (sig & 1)
    fail(r, GZCHECK_EIMAGE, "ABSOLUTE bit set in a PI image");
  if (size > partition)
    fail(r, GZCHECK_EIMAGE, "LFS Image too big for configured LFS region");
  if ((size & 3) || size > L || size < 4 || (L - size) / 4 != 1 + (size / 4 - 1) / 32)
    fail(r, GZCHECK_EIMAGE, "LFS length mismatch");
  return r->err[0] ? r->rule : GZCHECK_OK;
}
