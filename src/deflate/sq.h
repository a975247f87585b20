/*
 * The deflate encoder's internals, shared by its two parses: squeeze.c
 * (the optimal parse of --best, block cutting and writing) and lazy.c
 * (the lazy parse of -f). Not part of the room's interface (squeeze.h).
 */
#ifndef LFSC_DEFLATE_SQ_H
#define LFSC_DEFLATE_SQ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 16384            /* the loader's dictionary size */
#define MINLEN 3
#define MAXLEN 258
#define HASH_BITS 15
#define RING 32768              /* chain links: twice the window, so a link
                                   reached within the window is never stale */
#define SEGMENT (1u << 16)      /* positions parsed at once */
#define NLL 288                 /* literal/length alphabet incl. the 2 unused */
#define NDIST 30

/* A parsed symbol: dist << 9 | length, or a literal byte with dist 0. */
#define ITEM(len, dist) ((uint32_t)(dist) << 9 | (uint32_t)(len))
#define ITEM_LEN(x) ((x) & 511u)
#define ITEM_DIST(x) ((x) >> 9)

typedef struct tables {
  uint16_t lsym[MAXLEN + 1];    /* length -> symbol 257..285 */
  uint8_t lext[MAXLEN + 1];     /* length -> extra bits */
  uint16_t lbase[29];
  uint8_t lbits[29];
  uint16_t dbase[NDIST];
  uint8_t dbits[NDIST];
} tables;

typedef struct sq {
  const unsigned char *d;
  size_t n;
  int chain, nice, rounds, bchunk, blockrounds;   /* blockrounds: --best */
  unsigned lcut;
  tables t;
  /* 1 << hbits entries each (near3: 4 <<), prev RING */
  int32_t *head;
  int32_t *head3;               /* fast: the newest position of each 3-byte
                                   hash (in head's allocation) */
  int32_t *near3;               /* chains: the 4 newest of each 3-byte hash */
  int32_t *prev;
  size_t far3;                  /* fast: the farthest 3-byte match */
  int lazy;                     /* fast: the one-pass parse, with */
  int gain, good, maxlazy;      /* its parameters (lazy.c) */
  int hbits;                    /* bits of the hash tables in use */
  /* matches of the segment being parsed: pairs of one position ordered
   * by growing length, each length with its nearest distance */
  uint32_t *mstart;             /* SEGMENT + 1 */
  uint32_t *mlist;
  size_t mlen, mcap;
  uint32_t *cost;               /* SEGMENT + 1, in 1/1024 bit */
  uint32_t *step;               /* SEGMENT + 1: the edge that reached a position */
  uint32_t *path, *bestpath;    /* SEGMENT items each */
  size_t npath, nbest;
  uint32_t *keep, *gpath, *alt; /* --best: SEGMENT items each */
  size_t nalt;
  size_t *bend, *altend;        /* --best: ends of a segment's blocks in sym */
  size_t nbend, naltend;
  size_t *cuts, ncuts, capcuts; /* --best: ends of all blocks parsed */
  int even;                     /* EVEN_* for the blocks written */
  size_t even_min;              /* and the fewest symbols it is tried on */
  /* symbols of the whole stream */
  uint32_t *sym;
  size_t nsym, symcap;
} sq;

/* Room for need more elements of size bytes after len in buf (capacity
 * *cap, doubled as needed): the array to use, or NULL (buf kept) when
 * memory is short. */
static inline void *reserve(void *buf, size_t *cap, size_t len, size_t need, size_t size)
{
  if (buf && *cap - len >= need)
    return buf;
  size_t c = *cap ? *cap * 2 : 1u << 12;
  while (c - len < need)
    c *= 2;
  void *p = realloc(buf, c * size);
  if (p)
    *cap = c;
  return p;
}

/* Four bytes as a little-endian number (on any host), and the hash of
 * such a number: hash3 and hash4 of p are hashv of bytes4(p) with its top
 * byte cleared, and as it is. */
static inline uint32_t bytes4(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t hashv(uint32_t v, int bits)
{
  return v * 0x9E3779B1u >> (32 - bits);
}

static inline uint32_t hash3(const unsigned char *p, int bits)
{
  return hashv((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16, bits);
}

static inline uint32_t hash4(const unsigned char *p, int bits)
{
  return hashv(bytes4(p), bits);
}

/* Index of the first differing byte of two unequal 8-byte loads: the
 * lowest-addressed byte is the least significant on a little-endian host
 * and the most significant on a big-endian one (the s390x test build). */
static inline unsigned first_diff(uint64_t x, uint64_t y)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return (unsigned)__builtin_clzll(x ^ y) >> 3;
#else
  return (unsigned)__builtin_ctzll(x ^ y) >> 3;
#endif
}

/* How far p and q agree, at most lim bytes, given that their first l do:
 * eight bytes at a time, then the rest. */
static inline unsigned common(const unsigned char *p, const unsigned char *q, unsigned l, unsigned lim)
{
  while (l + 8 <= lim) {
    uint64_t x, y;
    memcpy(&x, p + l, 8);
    memcpy(&y, q + l, 8);
    if (x != y)
      return l + first_diff(x, y);
    l += 8;
  }
  while (l < lim && q[l] == p[l])
    l++;
  return l;
}

/* The lazy parse (lazy.c): items of data[1..n) into s->sym, with the
 * tables lfsc_squeeze_deflate set up. 0, or -1 when memory is short. */
int lfsc_sq_lazy_parse(sq *s);

#endif
