/*
 * NodeMCU luac.cross's deflate, reproduced for byte identity (see
 * refdeflate.h; the parse is image spec §10's, written afresh from it).
 */
#include <stdint.h>
#include <stdlib.h>

#include "lfsc/lfsc.h"
#include "refdeflate.h"

#define WINDOW     16384u       /* farthest back-reference; chain size */
#define PAGE       0x8000u      /* chain links are offsets in a 32 KiB page */
#define NONE       0xFFFFu
#define MAX_TRIES  60
#define MAX_MATCH  258

typedef struct bits {
  lfsc_sink *out;
  uint32_t acc;
  int n;
} bits;

/* nbits of v, least significant first (RFC 1951's packing). */
static void put(bits *b, uint32_t v, int nbits)
{
  b->acc |= v << b->n;
  b->n += nbits;
  while (b->n >= 8) {
    unsigned char c = (unsigned char)b->acc;
    lfsc_sink_write(b->out, &c, 1);
    b->acc >>= 8;
    b->n -= 8;
  }
}

/* A Huffman code: its bits go most significant first. */
static void put_code(bits *b, uint32_t code, int nbits)
{
  uint32_t r = 0;
  for (int i = 0; i < nbits; i++)
    r |= ((code >> i) & 1u) << (nbits - 1 - i);
  put(b, r, nbits);
}

/* Fixed-Huffman literal/length symbol (RFC 1951 §3.2.6). */
static void put_symbol(bits *b, unsigned sym)
{
  if (sym <= 143)
    put_code(b, 0x30u + sym, 8);
  else if (sym <= 255)
    put_code(b, 0x190u + (sym - 144), 9);
  else if (sym <= 279)
    put_code(b, sym - 256, 7);
  else
    put_code(b, 0xC0u + (sym - 280), 8);
}

static const uint16_t len_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
                                      227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

static void put_match(bits *b, unsigned len, unsigned dist)
{
  int k = 28;
  while (len < len_base[k])
    k--;
  put_symbol(b, 257u + (unsigned)k);
  put(b, len - len_base[k], len_extra[k]);
  unsigned code = 0, base = 1;
  for (;;) {
    unsigned extra = code < 2 ? 0 : code / 2 - 1;
    if (dist < base + (1u << extra))
      break;
    base += 1u << extra;
    code++;
  }
  put_code(b, code, 5);
  put(b, dist - base, code < 2 ? 0 : (int)(code / 2 - 1));
}

int lfsc_refdeflate(const unsigned char *s, size_t n, lfsc_sink *out)
{
  size_t chain_len = n < WINDOW ? n : WINDOW;
  size_t slots = 256;
  int hash_bits = 6;
  while (slots < chain_len) {
    slots <<= 1;
    hash_bits++;
  }
  slots >>= 2;                  /* 2^hash_bits */
  uint32_t mask = (uint32_t)slots - 1;
  int shift = 24 - hash_bits;
  uint16_t *head = malloc(slots * sizeof *head);
  uint16_t *chain = malloc((chain_len ? chain_len : 1) * sizeof *chain);
  if (!head || !chain) {
    free(head);
    free(chain);
    return LFSC_EMEM;
  }
  for (size_t k = 0; k < slots; k++)
    head[k] = NONE;
  for (size_t k = 0; k < chain_len; k++)
    chain[k] = NONE;

  bits b = {out, 0, 0};
  put(&b, 1, 1);                /* BFINAL */
  put(&b, 1, 2);                /* BTYPE 01: fixed Huffman */
  unsigned pend_len = 0, pend_dist = 0;   /* the lazy match held back */
  size_t i = 0;
  while (n >= 3 && i <= n - 3) {
    size_t base = i & ~(size_t)(PAGE - 1);
    unsigned off = (unsigned)(i - base);
    unsigned max = n - i > MAX_MATCH ? MAX_MATCH : (unsigned)(n - i);
    uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
    uint32_t h = ((v >> shift) - v) & mask;
    unsigned cand = head[h];
    head[h] = (uint16_t)off;
    chain[off & (WINDOW - 1)] = (uint16_t)cand;
    unsigned best_len = 2, best_dist = 0;
    for (int tries = 0; cand != NONE && tries < MAX_TRIES; tries++) {
      /* a link is an offset in this page, or in the one before */
      size_t j = cand < off ? base + cand : base + cand - PAGE;
      if (base == 0 && cand >= off)
        break;                  /* before the input: never a real link */
      if (i - j > WINDOW)
        break;
      unsigned k = 0;
      while (k < max && s[i + k] == s[j + k])
        k++;
      if (k > best_len) {
        best_len = k;
        best_dist = (unsigned)(i - j);
      }
      cand = chain[cand & (WINDOW - 1)];
    }
    if (pend_dist) {
      if (best_dist == 0 || pend_len >= best_len) {
        put_match(&b, pend_len, pend_dist);   /* it started at i - 1 */
        i = i - 1 + pend_len;
        pend_len = pend_dist = 0;
        continue;
      }
      put_symbol(&b, s[i - 1]);
      pend_len = best_len;
      pend_dist = best_dist;
    } else if (best_dist) {
      pend_len = best_len;
      pend_dist = best_dist;
    } else {
      put_symbol(&b, s[i]);
    }
    i++;
  }
  if (pend_dist) {
    put_match(&b, pend_len, pend_dist);
    i = i - 1 + pend_len;
  }
  for (; i < n; i++)
    put_symbol(&b, s[i]);
  put_symbol(&b, 256);          /* end of block */
  if (b.n)
    put(&b, 0, 8 - b.n);
  free(head);
  free(chain);
  return out->status;
}
