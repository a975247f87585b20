/*
 * gzip member decoder for the loader: RFC 1952 framing, RFC 1951 inflate
 * (stored, fixed and dynamic blocks) and CRC-32.
 *
 * Built for size, not speed: Huffman codes are decoded one bit at a time
 * from canonical per-length counts, so the tables are a few hundred bytes
 * and the code has no lookup tables beyond the CRC nibble table. Input is
 * pulled through inf_byte; output is pushed byte by byte to lfs_put, which
 * keeps the 16 KB window. Back-references must stay inside that window and
 * (as in the stock NodeMCU loader) may not reach output byte 0.
 */
#include "inflate.h"

/* CRC-32 of the 4-bit values 0..15: two lookups per byte. */
static const uint32_t crc_nib[16] = {
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
  0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
  0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c
};

/* The order in which a dynamic block sends its code-length code lengths.
 * Words, not bytes: the ESP8266 may map .rodata from flash, where byte
 * loads trap; word loads also cost no more code here. */
static const uint32_t clen_order[19] = {
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

uint32_t inf_crc(uint32_t crc, uint32_t byte)
{
  crc ^= byte;
  crc = (crc >> 4) ^ crc_nib[crc & 15];
  return (crc >> 4) ^ crc_nib[crc & 15];
}

int inf_byte(lfs_ctx *c)
{
  if (c->in_idx == c->in_len) {
    int32_t n;
    c->in_pos += c->in_len;
    c->in_idx = c->in_len = 0;
    if (c->err)              /* stop feeding a decoder that already failed */
      return -1;
    n = c->rd(c->rd_arg, c->in_pos, c->inbuf, LFS_INBUF);
    if (n < 0)
      lfs_fail(c, LFS_E_READ, c->in_pos, 0);
    if (n <= 0)
      return -1;
    c->in_len = (uint32_t)n > LFS_INBUF ? LFS_INBUF : (uint32_t)n;
  }
  return c->inbuf[c->in_idx++];
}

/* A byte the format requires: end of input here means truncation. */
static uint32_t need(lfs_ctx *c)
{
  int b = inf_byte(c);
  if (b < 0) {
    lfs_fail(c, LFS_E_TRUNCATED, c->in_pos + c->in_idx, 0);
    return 0;
  }
  return (uint32_t)b;
}

/* n (<= 16) bits, least significant first. */
static uint32_t bits(lfs_ctx *c, uint32_t n)
{
  uint32_t v;
  while (c->bitcnt < n) {
    c->bitbuf |= need(c) << c->bitcnt;
    c->bitcnt += 8;
  }
  v = c->bitbuf & ((1u << n) - 1);
  c->bitbuf >>= n;
  c->bitcnt -= n;
  return v;
}

static void corrupt(lfs_ctx *c)
{
  lfs_fail(c, LFS_E_DEFLATE, c->in_pos + c->in_idx, 0);
}

/* Canonical code from n code lengths: count[len] codes of each length and
 * the symbols sorted by (length, value). Over-subscribed sets are
 * rejected; incomplete ones are allowed (RFC 1951 permits a lone distance
 * code) and an unused code is caught when decoded. */
static void build(lfs_ctx *c, uint16_t *count, uint16_t *sym, const uint8_t *len,
                  uint32_t n)
{
  uint16_t offs[16];
  uint32_t i;
  int32_t left = 1;

  for (i = 0; i < 16; i++)
    count[i] = 0;
  for (i = 0; i < n; i++)
    count[len[i]]++;
  offs[1] = 0;
  for (i = 1; i < 16; i++) {
    left = 2 * left - count[i];
    if (left < 0)
      corrupt(c);
    if (i < 15)
      offs[i + 1] = offs[i] + count[i];
  }
  for (i = 0; i < n; i++)
    if (len[i])
      sym[offs[len[i]]++] = (uint16_t)i;
}

/* One symbol: extend the code a bit at a time; codes of length len are the
 * count[len] values starting at `first`. */
static uint32_t decode(lfs_ctx *c, const uint16_t *count, const uint16_t *sym)
{
  uint32_t code = 0, first = 0, idx = 0, len;

  for (len = 1; len < 16; len++) {
    code |= bits(c, 1);
    if (code - first < count[len])
      return sym[idx + code - first];
    idx += count[len];
    first = (first + count[len]) << 1;
    code <<= 1;
  }
  corrupt(c);
  return 0;
}

/* Lengths (sh = 2) and distances (sh = 1) come in groups of 1 << sh codes
 * sharing a count of extra bits; the first two groups have none. */
static uint32_t span(lfs_ctx *c, uint32_t s, uint32_t sh, uint32_t add)
{
  uint32_t grp = 1u << sh, e;

  if (s < 2 * grp)
    return s + add;
  e = (s >> sh) - 1;
  return ((grp + (s & (grp - 1))) << e) + add + bits(c, e);
}

/* The symbols of one Huffman-coded block, up to end-of-block. */
static void codes(lfs_ctx *c)
{
  for (;;) {
    uint32_t s, len, dist;

    if (c->err)
      return;
    s = decode(c, c->lcount, c->lsym);
    if (s < 256) {
      lfs_put(c, s);
      continue;
    }
    if (s == 256)
      return;
    s -= 257;
    if (s >= 29) {
      corrupt(c);
      return;
    }
    len = s == 28 ? 258 : span(c, s, 2, 3);
    s = decode(c, c->dcount, c->dsym);
    if (s >= 30) {
      corrupt(c);
      return;
    }
    dist = span(c, s, 1, 1);
    /* dist == nout would read output byte 0: legal deflate, but the stock
     * loader refuses it, and so do we, to accept exactly the same files. */
    if (dist > LFS_WINDOW || dist >= c->nout) {
      if (!c->err)
        lfs_fail(c, LFS_E_DISTANCE, dist, c->nout);
      return;
    }
    while (len--)
      lfs_put(c, c->win[(c->nout - dist) & (LFS_WINDOW - 1)]);
  }
}

static void fixed(lfs_ctx *c)
{
  uint32_t i;

  for (i = 0; i < 288; i++)
    c->lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  build(c, c->lcount, c->lsym, c->lens, 288);
  for (i = 0; i < 30; i++)
    c->lens[i] = 5;
  build(c, c->dcount, c->dsym, c->lens, 30);
}

/* A dynamic block's code descriptions (RFC 1951 3.2.7). The code-length
 * code is built into the distance tables, which are free until the end. */
static void dynamic(lfs_ctx *c)
{
  uint32_t nlit = bits(c, 5) + 257, ndist = bits(c, 5) + 1, ncl = bits(c, 4) + 4;
  uint32_t i, n = nlit + ndist;

  if (nlit > 286 || ndist > 30) {
    corrupt(c);
    return;
  }
  for (i = 0; i < 19; i++)
    c->lens[clen_order[i]] = i < ncl ? (uint8_t)bits(c, 3) : 0;
  build(c, c->dcount, c->dsym, c->lens, 19);
  for (i = 0; i < n && !c->err;) {
    uint32_t s = decode(c, c->dcount, c->dsym), rep, val = 0;

    if (s < 16) {
      c->lens[i++] = (uint8_t)s;
      continue;
    }
    if (s == 16) {
      if (i == 0) {
        corrupt(c);
        return;
      }
      val = c->lens[i - 1];
      rep = 3 + bits(c, 2);
    } else if (s == 17) {
      rep = 3 + bits(c, 3);
    } else {
      rep = 11 + bits(c, 7);
    }
    if (i + rep > n) {
      corrupt(c);
      return;
    }
    while (rep--)
      c->lens[i++] = (uint8_t)val;
  }
  if (c->lens[256] == 0) {     /* no end-of-block code */
    corrupt(c);
    return;
  }
  build(c, c->lcount, c->lsym, c->lens, nlit);
  build(c, c->dcount, c->dsym, c->lens + nlit, ndist);
}

void inf_gzip(lfs_ctx *c)
{
  uint32_t flg, i, last, type, crc;

  /* ID1 ID2 were read by the caller. CM must be deflate; reserved flags 0.
   * The bit reader is byte-aligned here, so bits(c, 8) reads a byte. */
  i = bits(c, 8);
  flg = bits(c, 8);
  if (i != 8 || (flg & 0xE0))
    lfs_fail(c, LFS_E_GZIP, i, flg);
  bits(c, 16);                  /* MTIME, XFL, OS */
  bits(c, 16);
  bits(c, 16);
  if (flg & 4)                  /* FEXTRA */
    for (i = bits(c, 16); i && !c->err; i--)
      bits(c, 8);
  for (i = 8; i <= 16; i += 8)  /* FNAME, FCOMMENT: zero-terminated */
    if (flg & i)
      while (bits(c, 8))
        ;
  if (flg & 2)                  /* FHCRC */
    bits(c, 16);

  do {
    last = bits(c, 1);
    type = bits(c, 2);
    if (type == 0) {            /* stored: byte-aligned LEN, NLEN, data */
      c->bitbuf = c->bitcnt = 0;
      i = bits(c, 16);
      if ((i ^ bits(c, 16)) != 0xFFFF)
        corrupt(c);
      while (i-- && !c->err)
        lfs_put(c, bits(c, 8));
    } else if (type == 3) {
      corrupt(c);
    } else {
      if (type == 1)
        fixed(c);
      else
        dynamic(c);
      codes(c);
    }
  } while (!last && !c->err);

  c->bitbuf = c->bitcnt = 0;    /* padding to the byte boundary */
  crc = bits(c, 16);
  crc |= bits(c, 16) << 16;
  i = bits(c, 16);              /* ISIZE */
  i |= bits(c, 16) << 16;
  if (c->err)
    return;
  if (crc != ~c->crc)
    lfs_fail(c, LFS_E_CRC, crc, ~c->crc);
  else if (i != c->nout)
    lfs_fail(c, LFS_E_LENGTH, i, c->nout);
  else if (inf_byte(c) >= 0)
    lfs_fail(c, LFS_E_TRAILING, c->in_pos + c->in_idx - 1, 0);
}
