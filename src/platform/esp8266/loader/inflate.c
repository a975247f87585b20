/*
 * gzip member decoder for the loader: RFC 1952 framing, RFC 1951 inflate
 * (stored, fixed and dynamic blocks) and CRC-32.
 *
 * Built for speed in little code and RAM. The bit buffer lives in a
 * register while a block's symbols are decoded; a Huffman code is looked up
 * in a small first-level table indexed by the next LFS_FBITS bits, and
 * only codes longer than that continue canonically, a bit at a time, from the prefix the table
 * entry gives. Output goes only into the 16 KB window; loader.c drains it a
 * word at a time (CRC, relocation, flash). Back-references must stay inside
 * that window and (as in the stock NodeMCU loader) may not reach output
 * byte 0.
 */
#include "inflate.h"

/* How far output may run ahead of the drained words: a whole match (258
 * bytes) still fits after the check made before each symbol. */
#define DRAIN_AT (LFS_WINDOW - 262)

/* The order in which a dynamic block sends its code-length code lengths
 * (16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 15): 5 bits each, 6 to a
 * word, least significant first, over a 1 bit that marks the word's end.
 * Words, not bytes: the ESP8266 may map .rodata from flash, where byte
 * loads trap. */
static const uint32_t clen_order[4] = { 0x4E804A30, 0x48B2A8C9, 0x42E1346C, 0x2F };

/* Fill a bit buffer holding cnt bits to at least 25 bits: whole bytes,
 * so cnt grows by 8 * ceil((25 - cnt) / 8) = (32 - cnt) & ~7. The decoder
 * looks ahead up to 4 bytes, so past the end of input (or after an error)
 * it is fed zero bytes, counted in pad; once more than 4 are in, some were
 * consumed: the input was truncated. */
static uint32_t fill(lfs_ctx *c, uint32_t bb, uint32_t cnt)
{
  int32_t n;

  for (; cnt <= 24; cnt += 8) {
    if (c->in_idx == c->in_len) {
      c->in_pos += c->in_len;
      c->in_idx = c->in_len = 0;
      n = c->err ? 0 : c->rd(c->rd_arg, c->in_pos, c->inbuf, LFS_INBUF);
      if (n < 0)
        lfs_fail(c, LFS_E_READ, c->in_pos, 0);
      if (n <= 0) {
        if (++c->pad > 4)
          lfs_fail(c, LFS_E_TRUNCATED, c->in_pos, 0);
        continue;
      }
      c->in_len = (uint32_t)n > LFS_INBUF ? LFS_INBUF : (uint32_t)n;
    }
    bb |= (uint32_t)c->inbuf[c->in_idx++] << cnt;
  }
  return bb;
}

#define REFILL(c, bb, cnt) do { \
      (bb) = fill(c, bb, cnt); \
      (cnt) += (32 - (cnt)) & ~7u; \
  } while (0)

/* n (<= 16) bits, least significant first, through the context's buffer. */
uint32_t inf_bits(lfs_ctx *c, uint32_t n)
{
  uint32_t v;

  REFILL(c, c->bitbuf, c->bitcnt);
  v = c->bitbuf & ((1u << n) - 1);
  c->bitbuf >>= n;
  c->bitcnt -= n;
  return v;
}

static void corrupt(lfs_ctx *c)
{
  lfs_fail(c, LFS_E_DEFLATE, c->in_pos + c->in_idx, 0);
}


/* Canonical decoding, a bit at a time: extend code (l - 1 bits so far)
 * with the bits of bb for lengths l..end. Returns sym | len << 9 (at least
 * 512) once the code is complete; otherwise, at end = 15 an unused code
 * (symbol 511), before that the code so far. */
static uint32_t walk(const lfs_code *h, const uint16_t *sym, uint32_t code,
                     uint32_t bb, uint32_t l, uint32_t end)
{
  for (; l <= end; l++) {
    code = code << 1 | (bb & 1);
    bb >>= 1;
    if (code < h->limit[l])
      return sym[(uint16_t)(code + h->offs[l])] | l << 9;
  }
  return end == 15 ? 511 | 1u << 9 : code;
}

/* Canonical code from n code lengths: the symbols sorted by (length,
 * value), per length the limit and symbol offset of its codes, and the
 * first-level table of fb bits. A fast entry is sym | len << 9 for a code
 * of len <= fb bits, or (below 512) the fb-bit prefix, most significant bit
 * first, from which a longer code continues: each of the 1 << fb entries is
 * walked out, which is slower than filling strides but less code. Over-subscribed sets are
 * rejected (returns 1); incomplete ones are allowed (RFC 1951 permits a
 * lone distance code) and an unused code is caught when decoded. */
static int build(lfs_ctx *c, int d, const uint8_t *len, uint32_t n)
{
  lfs_code *h = &c->code[d];
  uint16_t count[16], next[16];
  uint32_t i, l, k = d ? 288 : 0, code = 0;
  int32_t left = 1;

  for (i = 0; i < 16; i++)
    count[i] = 0;
  for (i = 0; i < n; i++)
    count[len[i]]++;
  for (l = 1; l < 16; l++) {
    left = 2 * left - count[l];
    if (left < 0)
      return 1;
    next[l] = (uint16_t)k;
    h->offs[l] = (uint16_t)(k - code);
    code += count[l];
    h->limit[l] = (uint16_t)code;
    code <<= 1;
    k += count[l];
  }
  for (i = 0; i < n; i++)
    if (len[i])
      c->sym[next[len[i]]++] = (uint16_t)i;
  for (i = 0; i < (1u << LFS_FBITS); i++)
    h->fast[i] = (uint16_t)walk(h, c->sym, 0, i, 1, LFS_FBITS);
  return 0;
}

/* The next symbol's fast entry (sym | len << 9) from a bit buffer holding
 * at least 15 bits: the distance (or code-length) code if dist, else the
 * literal/length code. A code longer than the table's bits continues,
 * canonically, from the prefix the table gives; an unused code comes back
 * as symbol 511. */
static uint32_t lookup(const uint16_t *sym, const lfs_code *h, uint32_t bb)
{
  uint32_t code = h->fast[bb & ((1u << LFS_FBITS) - 1)];

  if (code < 512)
    code = walk(h, sym, code, bb >> LFS_FBITS, LFS_FBITS + 1, 15);
  return code;
}

/* Take the symbol of fast entry e off the bit buffer. */
#define CONSUME(s, e, bb, cnt) do { \
    (s) = (e) & 511; \
    (e) >>= 9; \
    (bb) >>= (e); \
    (cnt) -= (e); \
  } while (0)

/* Lengths (sh = 2) and distances (sh = 1) come in groups of 1 << sh codes
 * sharing a count of extra bits e; the first two groups have none. */
#define SPAN(v, s, sh, add, bb, cnt, e) do { \
    if ((s) < (2u << (sh))) { \
      (v) = (s) + (add); \
    } else { \
      (e) = ((s) >> (sh)) - 1; \
      (v) = (((1u << (sh)) + ((s) & ((1u << (sh)) - 1))) << (e)) + (add) + \
            ((bb) & ((1u << (e)) - 1)); \
      (bb) >>= (e); \
      (cnt) -= (e); \
    } \
  } while (0)

/* The symbols of one Huffman-coded block, up to end-of-block. */
static void codes(lfs_ctx *c)
{
  uint32_t bb = c->bitbuf, cnt = c->bitcnt, n = c->nout;
  uint8_t *win = c->win.b;

  for (;;) {
    uint32_t s, e, len, dist;

    if (n - c->dn >= DRAIN_AT) {
      c->nout = n;
      lfs_drain(c);
    }
    if (c->err)
      break;
    REFILL(c, bb, cnt);
    e = lookup(c->sym, &c->code[0], bb);
    CONSUME(s, e, bb, cnt);
    if (s < 256) {
      win[n++ & (LFS_WINDOW - 1)] = (uint8_t)s;
      continue;
    }
    if (s == 256)
      break;
    s -= 257;
    if (s >= 29) {
      corrupt(c);
      break;
    }
    if (s == 28)
      len = 258;
    else
      SPAN(len, s, 2, 3, bb, cnt, e);
    REFILL(c, bb, cnt);
    e = lookup(c->sym, &c->code[1], bb);
    CONSUME(s, e, bb, cnt);
    if (s >= 30) {
      corrupt(c);
      break;
    }
    REFILL(c, bb, cnt);
    SPAN(dist, s, 1, 1, bb, cnt, e);
    /* dist == n would read output byte 0: legal deflate, but the stock
     * loader refuses it, and so do we, to accept exactly the same files. */
    if (dist > LFS_WINDOW || dist >= n) {
      lfs_fail(c, LFS_E_DISTANCE, dist, n);
      break;
    }
    dist = n - dist;
    do
      win[n++ & (LFS_WINDOW - 1)] = win[dist++ & (LFS_WINDOW - 1)];
    while (--len);
  }
  c->bitbuf = bb;
  c->bitcnt = cnt;
  c->nout = n;
}

/* The fixed code's lengths, in runs: literals 0-143 8 bits, 144-255 9,
 * 256-279 7, 280-287 8; 30 distances 5. Returns nlit | ndist << 9. */
static const uint32_t fixed_runs[5] = {
  144 | 8 << 16, 256 | 9 << 16, 280 | 7 << 16, 288 | 8 << 16, 318 | 5 << 16
};

static uint32_t fixed(lfs_ctx *c)
{
  uint32_t i, r = 0;

  for (i = 0; i < 318; i++) {
    if (i == (fixed_runs[r] & 0xFFFF))
      r++;
    c->lens[i] = (uint8_t)(fixed_runs[r] >> 16);
  }
  return 288 | 30 << 9;
}

/* A dynamic block's code descriptions (RFC 1951 3.2.7), as lengths in
 * lens; returns nlit | ndist << 9 (0 when corrupt). The code-length code is
 * built into the distance tables, which are free until the end. */
static uint32_t dynamic(lfs_ctx *c)
{
  uint32_t i = inf_bits(c, 14), nlit = (i & 31) + 257, ndist = (i >> 5 & 31) + 1;
  uint32_t ncl = (i >> 10) + 4, n = nlit + ndist, o, k;

  if (nlit > 286 || ndist > 30) {
    corrupt(c);
    return 0;
  }
  for (i = 0; i < 19; i++)
    c->lens[i] = 0;
  for (i = 0, o = 1, k = 0; i < ncl; i++, o >>= 5) {
    if (o == 1)
      o = clen_order[k++];
    c->lens[o & 31] = (uint8_t)inf_bits(c, 3);
  }
  if (build(c, 1, c->lens, 19)) {
    corrupt(c);
    return 0;
  }
  for (i = 0; i < n && !c->err;) {
    uint32_t s, e, rep, val = 0;

    REFILL(c, c->bitbuf, c->bitcnt);
    e = lookup(c->sym, &c->code[1], c->bitbuf);
    CONSUME(s, e, c->bitbuf, c->bitcnt);
    if (s < 16) {
      c->lens[i++] = (uint8_t)s;
      continue;
    }
    if (s > 18 || (s == 16 && i == 0)) {   /* unused code; nothing to repeat */
      corrupt(c);
      return 0;
    }
    if (s == 16)
      val = c->lens[i - 1];
    /* 16: 3-6 copies (2 bits), 17: 3-10 zeros (3 bits), 18: 11-138 (7) */
    rep = s == 18 ? 11 + inf_bits(c, 7) : 3 + inf_bits(c, s - 14);
    if (i + rep > n) {
      corrupt(c);
      return 0;
    }
    while (rep--)
      c->lens[i++] = (uint8_t)val;
  }
  if (c->lens[256] == 0)        /* no end-of-block code */
    corrupt(c);
  return nlit | ndist << 9;
}

void inf_copy(lfs_ctx *c, uint32_t n)
{
  uint32_t b;

  while (n-- && !c->err) {
    b = inf_bits(c, 8);
    if (c->bitcnt < 8 * c->pad)   /* that was past the end */
      break;
    c->win.b[c->nout++ & (LFS_WINDOW - 1)] = (uint8_t)b;
    if (c->nout - c->dn >= LFS_WINDOW)
      lfs_drain(c);
  }
}

void inf_gzip(lfs_ctx *c)
{
  uint32_t flg, i, last, type, crc;

  /* ID1 ID2 were read by the caller. CM must be deflate; reserved flags 0.
   * The bit reader is byte-aligned here, so inf_bits(c, 8) reads a byte. */
  i = inf_bits(c, 16);
  flg = i >> 8;
  if ((i & 0xFF) != 8 || (flg & 0xE0))
    lfs_fail(c, LFS_E_GZIP, i & 0xFF, flg);
  for (i = 0; i < 3; i++)       /* MTIME, XFL, OS */
    inf_bits(c, 16);
  if (flg & 4)                  /* FEXTRA */
    for (i = inf_bits(c, 16); i && !c->err; i--)
      inf_bits(c, 8);
  for (i = 8; i <= 16; i += 8)  /* FNAME, FCOMMENT: zero-terminated */
    if (flg & i)
      while (inf_bits(c, 8) && !c->err)
        ;
  if (flg & 2)                  /* FHCRC */
    inf_bits(c, 16);

  do {
    type = inf_bits(c, 3);
    last = type & 1;
    type >>= 1;
    if (type == 0) {            /* stored: byte-aligned LEN, NLEN, data */
      inf_bits(c, c->bitcnt & 7);
      i = inf_bits(c, 16);
      if ((i ^ inf_bits(c, 16)) != 0xFFFF)
        corrupt(c);
      inf_copy(c, i);
    } else if (type == 3) {
      corrupt(c);
    } else {
      i = type == 1 ? fixed(c) : dynamic(c);
      if (!c->err && (build(c, 0, c->lens, i & 511) ||
                      build(c, 1, c->lens + (i & 511), i >> 9)))
        corrupt(c);
      if (!c->err)
        codes(c);
    }
  } while (!last && !c->err);

  inf_bits(c, c->bitcnt & 7);       /* padding to the byte boundary */
  crc = inf_bits(c, 16);
  crc |= inf_bits(c, 16) << 16;
  i = inf_bits(c, 16);          /* ISIZE */
  i |= inf_bits(c, 16) << 16;
  if (c->bitcnt < 8 * c->pad)   /* the trailer ran into the end of input */
    lfs_fail(c, LFS_E_TRUNCATED, c->in_pos + c->in_idx, 0);
  lfs_drain(c);
  if (c->err)
    return;
  /* The output must be whole words (the drain leaves a part word out). */
  if (i != c->nout || (i & 3))
    lfs_fail(c, LFS_E_LENGTH, i, c->nout);
  else if (crc != ~c->crc)
    lfs_fail(c, LFS_E_CRC, crc, ~c->crc);
  else if (inf_bits(c, 0), c->bitcnt > 8 * c->pad)
    lfs_fail(c, LFS_E_TRAILING, c->in_pos + c->in_idx, 0);
}
