/*
 * Optimal-parse deflate for PI images (see squeeze.h). Written for lfsc
 * from RFC 1951; the method (shortest path over the match graph under an
 * iterated entropy cost model) is the well-known one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "squeeze.h"

#define WINDOW 16384            /* the loader's dictionary size */
#define MINLEN 3
#define MAXLEN 258
#define HASH_BITS 15
#define RING 32768              /* chain links: twice the window, so a link
                                   reached within the window is never stale */
#define SEGMENT (1u << 16)      /* positions parsed at once */
#define NLL 288                 /* literal/length alphabet incl. the 2 unused */
#define NDIST 30
#define OUTCHUNK 65536
#define SPAN 48                 /* --best: the longest block, in chunks */

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

typedef struct bitw {
  lfsc_sink *out;
  unsigned char buf[OUTCHUNK + 16];
  size_t len;
  uint64_t acc;
  int n;
} bitw;

/* Costs in 1/1024 bit, integers (see log2_fx). */
#define FRAC 10
typedef struct model {
  uint32_t lit[256];
  uint32_t len[MAXLEN + 1];     /* symbol and extra bits */
  uint32_t dist[NDIST];         /* symbol and extra bits */
} model;

typedef struct sq {
  const unsigned char *d;
  size_t n;
  int chain, nice, rounds, bchunk, blockrounds, bestsplit;
  unsigned lcut;
  tables t;
  int32_t head[1 << HASH_BITS];
  int32_t head3[1 << HASH_BITS]; /* trees: the newest position of each 3-byte hash */
  int32_t prev[RING];
  int tree;                     /* match finder: binary tree, else hash chain */
  int32_t *son;                 /* 2 * RING: the tree's smaller/larger links */
  /* matches of the segment being parsed: pairs of one position ordered
   * by growing length, each length with its nearest distance */
  uint32_t *mstart;             /* SEGMENT + 1 */
  uint32_t *mlist;
  size_t mlen, mcap;
  uint32_t *cost;               /* SEGMENT + 1, in 1/1024 bit */
  uint32_t *step;               /* SEGMENT + 1: the edge that reached a position */
  uint32_t *path, *bestpath;    /* SEGMENT items each */
  size_t npath, nbest;
  /* symbols of the whole stream */
  uint32_t *sym;
  size_t nsym, symcap;
} sq;

/* ---- tables ---- */

static int dist_code(unsigned d)
{
  if (d <= 4)
    return (int)d - 1;
  unsigned v = d - 1;
  int b = 31 - __builtin_clz(v);
  return 2 * b + (int)((v >> (b - 1)) & 1);
}

static void tables_init(tables *t)
{
  static const uint16_t lbase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
                                     31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
                                     227, 258};
  for (int s = 0; s < 29; s++) {
    t->lbase[s] = lbase[s];
    t->lbits[s] = (uint8_t)(s < 8 || s == 28 ? 0 : (s - 4) / 4);
  }
  for (int s = 0; s < 29; s++) {
    int end = s == 28 ? 259 : s == 27 ? 258 : lbase[s + 1];
    for (int l = lbase[s]; l < end; l++) {
      t->lsym[l] = (uint16_t)(257 + s);
      t->lext[l] = t->lbits[s];
    }
  }
  unsigned base = 1;
  for (int c = 0; c < NDIST; c++) {
    t->dbase[c] = (uint16_t)base;
    t->dbits[c] = (uint8_t)(c < 4 ? 0 : c / 2 - 1);
    base += 1u << t->dbits[c];
  }
}

/* ---- bit output ---- */

static void put_bits(bitw *w, uint32_t v, int nbits)
{
  w->acc |= (uint64_t)v << w->n;
  w->n += nbits;
  while (w->n >= 8) {
    w->buf[w->len++] = (unsigned char)w->acc;
    w->acc >>= 8;
    w->n -= 8;
  }
  if (w->len >= OUTCHUNK) {
    sink_write(w->out, w->buf, w->len);
    w->len = 0;
  }
}

static void put_end(bitw *w)
{
  if (w->n > 0)
    put_bits(w, 0, 8 - w->n);
  sink_write(w->out, w->buf, w->len);
  w->len = 0;
}

static unsigned reverse(unsigned code, int n)
{
  unsigned r = 0;
  for (int i = 0; i < n; i++, code >>= 1)
    r = r << 1 | (code & 1);
  return r;
}

/* ---- Huffman code lengths ---- */

/* Sort k keys ascending, a byte at a time (least significant first),
 * looking only at bits from 16 up: the low 16 bits are a symbol number,
 * already ascending, and the sort is stable. */
static void radix_sort(uint64_t *key, int k)
{
  uint64_t tmp[NLL], max = 0;
  for (int i = 0; i < k; i++)
    max |= key[i];
  for (int shift = 16; shift < 64 && max >> shift; shift += 8) {
    int count[257] = {0};
    for (int i = 0; i < k; i++)
      count[(key[i] >> shift & 255) + 1]++;
    for (int d = 0; d < 256; d++)
      count[d + 1] += count[d];
    for (int i = 0; i < k; i++)
      tmp[count[key[i] >> shift & 255]++] = key[i];
    memcpy(key, tmp, (size_t)k * sizeof *key);
  }
}

/* Lengths of a Huffman code for freq[0..n), none longer than limit. A
 * code with fewer than two symbols gets two of length 1 (inflaters want
 * complete codes). A code too deep is rebuilt from flattened weights, so
 * it stays a real (complete) Huffman tree. */
static void huff_lengths(const uint32_t *freq, int n, int limit, uint8_t *len)
{
  uint64_t leaf[NLL];
  uint64_t w[2 * NLL];
  int parent[2 * NLL];
  uint8_t depth[2 * NLL];
  int k = 0;
  memset(len, 0, (size_t)n);
  for (int i = 0; i < n; i++)
    if (freq[i])
      leaf[k++] = (uint64_t)freq[i] << 16 | (unsigned)i;
  if (k < 2) {
    int a = k ? (int)(leaf[0] & 0xFFFF) : 0;
    len[a] = 1;
    len[a == 0 ? 1 : 0] = 1;
    return;
  }
  radix_sort(leaf, k);
  for (int shift = 0;; shift++) {
    for (int i = 0; i < k; i++) {
      uint64_t f = leaf[i] >> 16;
      w[i] = shift ? (f >> shift) + 1 : f;   /* flattening keeps the order */
    }
    int li = 0, ni = k, next = k;
    for (; next < 2 * k - 1; next++) {
      int pick[2];
      for (int j = 0; j < 2; j++) {
        if (li < k && (ni >= next || w[li] <= w[ni]))
          pick[j] = li++;
        else
          pick[j] = ni++;
      }
      w[next] = w[pick[0]] + w[pick[1]];
      parent[pick[0]] = parent[pick[1]] = next;
    }
    depth[2 * k - 2] = 0;
    int max = 0;
    for (int i = 2 * k - 3; i >= 0; i--) {
      depth[i] = (uint8_t)(depth[parent[i]] + 1);
      if (i < k && depth[i] > max)
        max = depth[i];
    }
    if (max <= limit) {
      for (int i = 0; i < k; i++)
        len[leaf[i] & 0xFFFF] = depth[i];
      return;
    }
  }
}

static void huff_codes(const uint8_t *len, int n, uint16_t *code)
{
  unsigned count[16] = {0}, next[16];
  for (int i = 0; i < n; i++)
    count[len[i]]++;
  count[0] = 0;
  unsigned c = 0;
  for (int b = 1; b < 16; b++) {
    c = (c + count[b - 1]) << 1;
    next[b] = c;
  }
  for (int i = 0; i < n; i++)
    code[i] = len[i] ? (uint16_t)reverse(next[len[i]]++, len[i]) : 0;
}

/* ---- blocks ---- */

typedef struct block {
  uint32_t ll[NLL], dist[NDIST];
  uint8_t llen[NLL], dlen[NDIST];
  /* the run-length coded code lengths of a dynamic header */
  uint8_t rle[NLL + NDIST];
  uint8_t rlex[NLL + NDIST];
  int nrle, hlit, hdist, hclen;
  uint32_t clf[19];
  uint8_t cllen[19];
} block;

static const uint8_t cl_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
static const uint8_t cl_extra[19] = {[16] = 2, [17] = 3, [18] = 7};

static void histogram(const sq *s, const uint32_t *items, size_t a, size_t b, block *k)
{
  memset(k->ll, 0, sizeof k->ll);
  memset(k->dist, 0, sizeof k->dist);
  for (size_t i = a; i < b; i++) {
    uint32_t x = items[i];
    if (ITEM_DIST(x)) {
      k->ll[s->t.lsym[ITEM_LEN(x)]]++;
      k->dist[dist_code(ITEM_DIST(x))]++;
    } else {
      k->ll[ITEM_LEN(x)]++;
    }
  }
  k->ll[256] = 1;
}

/* Bits of the block's data under its own Huffman code plus its dynamic
 * header; fills llen/dlen and the header's run-length code. */
static uint64_t dynamic_bits(const tables *t, block *k)
{
  huff_lengths(k->ll, NLL - 2, 15, k->llen);
  k->llen[286] = k->llen[287] = 0;
  huff_lengths(k->dist, NDIST, 15, k->dlen);
  k->hlit = 286;
  while (k->hlit > 257 && !k->llen[k->hlit - 1])
    k->hlit--;
  k->hdist = NDIST;
  while (k->hdist > 1 && !k->dlen[k->hdist - 1])
    k->hdist--;
  uint8_t all[NLL + NDIST];
  int total = k->hlit + k->hdist;
  memcpy(all, k->llen, (size_t)k->hlit);
  memcpy(all + k->hlit, k->dlen, (size_t)k->hdist);
  memset(k->clf, 0, sizeof k->clf);
  k->nrle = 0;
  for (int i = 0; i < total;) {
    int v = all[i], run = 1;
    while (i + run < total && all[i + run] == v)
      run++;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        int r = run < 138 ? run : 138;
        k->rle[k->nrle] = 18, k->rlex[k->nrle++] = (uint8_t)(r - 11);
        run -= r;
      }
      if (run >= 3) {
        k->rle[k->nrle] = 17, k->rlex[k->nrle++] = (uint8_t)(run - 3);
        run = 0;
      }
    } else {
      k->rle[k->nrle] = (uint8_t)v, k->rlex[k->nrle++] = 0;
      run--;
      while (run >= 3) {
        int r = run < 6 ? run : 6;
        k->rle[k->nrle] = 16, k->rlex[k->nrle++] = (uint8_t)(r - 3);
        run -= r;
      }
    }
    while (run-- > 0)
      k->rle[k->nrle] = (uint8_t)v, k->rlex[k->nrle++] = 0;
  }
  for (int i = 0; i < k->nrle; i++)
    k->clf[k->rle[i]]++;
  huff_lengths(k->clf, 19, 7, k->cllen);
  k->hclen = 19;
  while (k->hclen > 4 && !k->cllen[cl_order[k->hclen - 1]])
    k->hclen--;
  uint64_t bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)k->hclen;
  for (int i = 0; i < 19; i++)
    bits += (uint64_t)k->clf[i] * (k->cllen[i] + cl_extra[i]);
  for (int i = 0; i < NLL; i++)
    bits += (uint64_t)k->ll[i] * k->llen[i];
  for (int i = 0; i < NDIST; i++)
    bits += (uint64_t)k->dist[i] * (k->dlen[i] + t->dbits[i]);
  for (int i = 0; i < 29; i++)
    bits += (uint64_t)k->ll[257 + i] * t->lbits[i];
  return bits;
}

static void fixed_lengths(uint8_t *llen, uint8_t *dlen)
{
  for (int i = 0; i < NLL; i++)
    llen[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  memset(dlen, 5, NDIST);
}

static uint64_t fixed_bits(const tables *t, const block *k)
{
  uint8_t llen[NLL], dlen[NDIST];
  fixed_lengths(llen, dlen);
  uint64_t bits = 3;
  for (int i = 0; i < NLL; i++)
    bits += (uint64_t)k->ll[i] * llen[i];
  for (int i = 0; i < NDIST; i++)
    bits += (uint64_t)k->dist[i] * (5u + t->dbits[i]);
  for (int i = 0; i < 29; i++)
    bits += (uint64_t)k->ll[257 + i] * t->lbits[i];
  return bits;
}

static void write_block(sq *s, bitw *w, size_t a, size_t b, int last)
{
  block k;
  uint16_t lcode[NLL], dcode[NDIST];
  histogram(s, s->sym, a, b, &k);
  uint64_t dyn = dynamic_bits(&s->t, &k);
  if (fixed_bits(&s->t, &k) <= dyn) {
    put_bits(w, last ? 3 : 2, 3);
    fixed_lengths(k.llen, k.dlen);
  } else {
    uint16_t clcode[19];
    put_bits(w, last ? 5 : 4, 3);
    put_bits(w, (uint32_t)(k.hlit - 257), 5);
    put_bits(w, (uint32_t)(k.hdist - 1), 5);
    put_bits(w, (uint32_t)(k.hclen - 4), 4);
    for (int i = 0; i < k.hclen; i++)
      put_bits(w, k.cllen[cl_order[i]], 3);
    huff_codes(k.cllen, 19, clcode);
    for (int i = 0; i < k.nrle; i++) {
      int c = k.rle[i];
      put_bits(w, clcode[c], k.cllen[c]);
      if (cl_extra[c])
        put_bits(w, k.rlex[i], cl_extra[c]);
    }
  }
  huff_codes(k.llen, NLL, lcode);
  huff_codes(k.dlen, NDIST, dcode);
  for (size_t i = a; i < b; i++) {
    uint32_t x = s->sym[i];
    unsigned len = ITEM_LEN(x), dist = ITEM_DIST(x);
    if (!dist) {
      put_bits(w, lcode[len], k.llen[len]);
      continue;
    }
    int ls = s->t.lsym[len];
    put_bits(w, lcode[ls], k.llen[ls]);
    if (s->t.lext[len])
      put_bits(w, len - s->t.lbase[ls - 257], s->t.lext[len]);
    int dc = dist_code(dist);
    put_bits(w, dcode[dc], k.dlen[dc]);
    if (s->t.dbits[dc])
      put_bits(w, dist - s->t.dbase[dc], s->t.dbits[dc]);
  }
  put_bits(w, lcode[256], k.llen[256]);
}

/* Cut items[0..n) into blocks: grow a block chunk by chunk while one
 * code for both costs less than two codes (headers included). The ends
 * of all blocks but the last go to cut (room for n / chunk); returns
 * their count. */
static size_t split(const sq *s, const uint32_t *items, size_t n, size_t chunk, size_t *cut)
{
  block cur, next, both;
  size_t start = 0, end = 0, ncut = 0;
  uint64_t curbits = 0;
  while (end < n) {
    size_t e = end + chunk < n ? end + chunk : n;
    if (end == start) {
      histogram(s, items, start, e, &cur);
      curbits = dynamic_bits(&s->t, &cur);
      end = e;
      continue;
    }
    histogram(s, items, end, e, &next);
    uint64_t nbits = dynamic_bits(&s->t, &next);
    memcpy(both.ll, cur.ll, sizeof both.ll);
    memcpy(both.dist, cur.dist, sizeof both.dist);
    for (int i = 0; i < NLL; i++)
      both.ll[i] += next.ll[i];
    for (int i = 0; i < NDIST; i++)
      both.dist[i] += next.dist[i];
    both.ll[256] = 1;
    uint64_t bbits = dynamic_bits(&s->t, &both);
    if (bbits <= curbits + nbits) {
      cur = both;
      curbits = bbits;
    } else {
      cut[ncut++] = end;
      start = end;
      cur = next;
      curbits = nbits;
    }
    end = e;
  }
  return ncut;
}

/* Bits of items [chunk i, chunk j) from prefix histograms, the cheaper of
 * a dynamic and a fixed code. */
static uint64_t span_bits(const tables *t, const uint32_t *pre, size_t i, size_t j)
{
  block k;
  const uint32_t *a = pre + i * (NLL + NDIST), *b = pre + j * (NLL + NDIST);
  for (int x = 0; x < NLL; x++)
    k.ll[x] = b[x] - a[x];
  for (int x = 0; x < NDIST; x++)
    k.dist[x] = b[NLL + x] - a[NLL + x];
  k.ll[256] = 1;
  uint64_t dyn = dynamic_bits(t, &k), fix = fixed_bits(t, &k);
  return dyn < fix ? dyn : fix;
}

/* As split, but the cheapest cutting at chunk boundaries, for --best: a
 * shortest path over the chunk ends, each block at most SPAN chunks long
 * (longer blocks were never the cheaper choice on the corpus sets, and
 * the span bounds the work). 0.56% smaller images than split on the
 * corpus sets (bench/image-sets.sh). Falls back to split when memory is
 * short. */
static size_t split_best(const sq *s, const uint32_t *items, size_t n, size_t chunk, size_t *cut)
{
  size_t K = (n + chunk - 1) / chunk;
  if (K < 2)
    return 0;
  uint32_t *pre = calloc((K + 1) * (NLL + NDIST), sizeof *pre);
  uint64_t *cost = malloc((K + 1) * sizeof *cost);
  size_t *from = malloc((K + 1) * sizeof *from);
  if (!pre || !cost || !from) {
    free(pre);
    free(cost);
    free(from);
    return split(s, items, n, chunk, cut);
  }
  for (size_t c = 0; c < K; c++) {
    uint32_t *h = pre + (c + 1) * (NLL + NDIST);
    memcpy(h, h - (NLL + NDIST), (NLL + NDIST) * sizeof *h);
    size_t e = (c + 1) * chunk < n ? (c + 1) * chunk : n;
    for (size_t i = c * chunk; i < e; i++) {
      uint32_t x = items[i];
      if (ITEM_DIST(x)) {
        h[s->t.lsym[ITEM_LEN(x)]]++;
        h[NLL + dist_code(ITEM_DIST(x))]++;
      } else {
        h[ITEM_LEN(x)]++;
      }
    }
  }
  cost[0] = 0;
  for (size_t j = 1; j <= K; j++) {
    cost[j] = UINT64_MAX;
    for (size_t i = j > SPAN ? j - SPAN : 0; i < j; i++) {
      uint64_t v = cost[i] + span_bits(&s->t, pre, i, j);
      if (v < cost[j]) {
        cost[j] = v;
        from[j] = i;
      }
    }
  }
  size_t ncut = 0;
  for (size_t j = from[K]; j > 0; j = from[j])
    ncut++;
  size_t k = ncut;
  for (size_t j = from[K]; j > 0; j = from[j])
    cut[--k] = j * chunk;
  free(pre);
  free(cost);
  free(from);
  return ncut;
}

static int write_blocks(sq *s, bitw *w, size_t chunk)
{
  size_t *cut = malloc((s->nsym / chunk + 1) * sizeof *cut);
  if (!cut)
    return -1;
  size_t ncut = s->bestsplit ? split_best(s, s->sym, s->nsym, chunk, cut)
                             : split(s, s->sym, s->nsym, chunk, cut);
  size_t start = 0;
  for (size_t i = 0; i < ncut; i++) {
    write_block(s, w, start, cut[i], 0);
    start = cut[i];
  }
  write_block(s, w, start, s->nsym, 1);
  free(cut);
  return 0;
}

/* ---- matches ---- */

static uint32_t hash3(const unsigned char *p)
{
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
  return v * 0x9E3779B1u >> (32 - HASH_BITS);
}

static uint32_t hash4(const unsigned char *p)
{
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return v * 0x9E3779B1u >> (32 - HASH_BITS);
}

/* Index of the first differing byte of two unequal 8-byte loads: the
 * lowest-addressed byte is the least significant on a little-endian host
 * and the most significant on a big-endian one (the s390x test build). */
static unsigned first_diff(uint64_t x, uint64_t y)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return (unsigned)__builtin_clzll(x ^ y) >> 3;
#else
  return (unsigned)__builtin_ctzll(x ^ y) >> 3;
#endif
}

static void insert(sq *s, size_t i)
{
  if (i + MINLEN > s->n)
    return;
  uint32_t h = hash3(s->d + i);
  s->prev[i & (RING - 1)] = s->head[h];
  s->head[h] = (int32_t)i;
}

static int grow_matches(sq *s, size_t need)
{
  if (s->mcap - s->mlen >= need)
    return 0;
  size_t cap = s->mcap ? s->mcap * 2 : 1u << 16;
  while (cap - s->mlen < need)
    cap *= 2;
  uint32_t *p = realloc(s->mlist, cap * sizeof *p);
  if (!p)
    return -1;
  s->mlist = p;
  s->mcap = cap;
  return 0;
}

/* Matches at position i no longer than lim, appended to mlist; returns
 * the longest length found (0 if none). Candidates are walked nearest
 * first, so each new longest length comes with its nearest distance.
 * Position 0 is never a candidate: the loader refuses a reference to
 * output byte 0. */
static unsigned find_matches(sq *s, size_t i, unsigned lim)
{
  if (lim < MINLEN || i + MINLEN > s->n)
    return 0;
  const unsigned char *p = s->d + i;
  int32_t cand = s->head[hash3(p)];
  unsigned best = MINLEN - 1;
  int left = s->chain;
  while (cand > 0 && i - (size_t)cand <= WINDOW && left-- > 0) {
    const unsigned char *q = s->d + cand;
    if (q[best] == p[best] && q[0] == p[0] && q[1] == p[1]) {
      unsigned l = 2;
      for (;;) {                /* eight bytes at a time, then the rest */
        uint64_t x, y;
        if (l + 8 > lim)
          break;
        memcpy(&x, p + l, 8);
        memcpy(&y, q + l, 8);
        if (x != y)
          break;
        l += 8;
      }
      while (l < lim && q[l] == p[l])
        l++;
      if (l > best) {
        best = l;
        s->mlist[s->mlen++] = ITEM(l, i - (size_t)cand);
        if (l >= lim)
          break;
      }
    }
    int32_t nx = s->prev[cand & (RING - 1)];
    if (nx >= cand)
      break;
    cand = nx;
  }
  return best >= MINLEN ? best : 0;
}

/* The binary-tree match finder: the positions of one hash bucket form a
 * binary search tree ordered by the bytes that follow them, newest at the
 * root (so every child is older than its parent and a walk meets
 * candidates nearest first). Inserting position i walks down from the
 * root, splitting the tree into what sorts below and above i; the walk
 * meets the longest matches of i on its way. Up to s->chain nodes are
 * visited. Position 0 is never in a tree (the loader refuses a reference
 * to output byte 0). */
static unsigned bt_matches(sq *s, size_t i, unsigned lim, int record)
{
  const unsigned char *p = s->d + i;
  unsigned ltlen = 0, gtlen = 0, best = MINLEN - 1;
  uint32_t h;
  if (i + 4 <= s->n) {
    /* trees of 4-byte hashes; the nearest 3-byte match from its own table */
    uint32_t h3 = hash3(p);
    int32_t c3 = s->head3[h3];
    s->head3[h3] = (int32_t)i;
    if (c3 > 0 && i - (size_t)c3 <= WINDOW && lim >= MINLEN) {
      const unsigned char *q = s->d + c3;
      if (q[0] == p[0] && q[1] == p[1] && q[2] == p[2] && (lim == MINLEN || q[3] != p[3])) {
        if (record)
          s->mlist[s->mlen++] = ITEM(MINLEN, i - (size_t)c3);
        best = MINLEN;
      }
    }
    h = hash4(p);
  } else {
    h = hash3(p);
  }
  int32_t cand = s->head[h];
  s->head[h] = (int32_t)i;
  int32_t *lt = &s->son[2 * (i & (RING - 1))];
  int32_t *gt = lt + 1;
  int left = s->chain;
  while (cand > 0 && i - (size_t)cand <= WINDOW && left-- > 0) {
    const unsigned char *q = s->d + cand;
    int32_t *kid = &s->son[2 * (cand & (RING - 1))];
    unsigned l = ltlen < gtlen ? ltlen : gtlen;
    while (l + 8 <= lim) {
      uint64_t x, y;
      memcpy(&x, p + l, 8);
      memcpy(&y, q + l, 8);
      if (x != y) {
        l += first_diff(x, y);
        goto mismatch;
      }
      l += 8;
    }
    while (l < lim && q[l] == p[l])
      l++;
  mismatch:
    if (l > best) {
      best = l;
      if (record)
        s->mlist[s->mlen++] = ITEM(l, i - (size_t)cand);
    }
    if (l >= lim) {
      /* equal as far as the tree looks: i takes cand's place */
      *lt = kid[0];
      *gt = kid[1];
      return best >= MINLEN ? best : 0;
    }
    if (q[l] < p[l]) {
      *lt = cand;
      lt = &kid[1];
      cand = *lt;
      ltlen = l;
    } else {
      *gt = cand;
      gt = &kid[0];
      cand = *gt;
      gtlen = l;
    }
  }
  *lt = *gt = -1;
  return best >= MINLEN ? best : 0;
}

/* Collect the matches of positions [a, e), leaving positions inside a
 * match of nice length or more without any (their parse is that match). */
static int collect(sq *s, size_t a, size_t e)
{
  s->mlen = 0;
  size_t skip = a;
  for (size_t i = a; i < e; i++) {
    s->mstart[i - a] = (uint32_t)s->mlen;
    if (i >= skip) {
      if (grow_matches(s, MAXLEN))
        return -1;
      size_t room = e - i;
      unsigned lim = room < MAXLEN ? (unsigned)room : MAXLEN;
      unsigned len;
      if (s->tree) {
        len = i + MINLEN <= s->n ? bt_matches(s, i, lim, 1) : 0;
      } else {
        len = find_matches(s, i, lim);
        insert(s, i);
      }
      if (len >= (unsigned)s->nice)
        skip = i + len;
    } else if (!s->tree) {
      insert(s, i);
    } else if (i + MINLEN <= s->n) {
      size_t room = e - i;
      bt_matches(s, i, room < MAXLEN ? (unsigned)room : MAXLEN, 0);
    }
  }
  s->mstart[e - a] = (uint32_t)s->mlen;
  return 0;
}

/* ---- parse ---- */

/* log2(x) in 1/1024 bit for x >= 1, in integers only: the parse must
 * choose the same path on every host. With float costs from log2f,
 * Windows' runtime gave other --best images than glibc (x87 arithmetic or
 * another libm could too). The fraction comes bit by bit from squaring
 * the mantissa. */
static uint32_t log2_fx(uint32_t x)
{
  int k = 31 - __builtin_clz(x);
  uint64_t m = (uint64_t)x << (31 - k);  /* 1.f in Q31 */
  uint32_t r = (uint32_t)k << FRAC;
  for (int b = FRAC - 1; b >= 0; b--) {
    m = m * m >> 31;
    if (m >> 32) {
      m >>= 1;
      r |= 1u << b;
    }
  }
  return r;
}

/* Costs as the entropy of the symbols of a previous parse. */
static void model_stats(const sq *s, const uint32_t *items, size_t n, model *m)
{
  uint32_t ll[NLL] = {0}, dd[NDIST] = {0};
  uint32_t tl = 1, td = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t x = items[i];
    if (ITEM_DIST(x)) {
      ll[s->t.lsym[ITEM_LEN(x)]]++;
      dd[dist_code(ITEM_DIST(x))]++;
      td++;
    } else {
      ll[ITEM_LEN(x)]++;
    }
    tl++;
  }
  ll[256] = 1;
  uint32_t lt = log2_fx(tl), dt = td ? log2_fx(td) : 0;
  uint32_t lc[NLL], dc[NDIST];
  for (int i = 0; i < NLL; i++)
    lc[i] = ll[i] ? lt - log2_fx(ll[i]) : lt + (1u << FRAC);
  for (int i = 0; i < NDIST; i++)
    dc[i] = dd[i] ? dt - log2_fx(dd[i]) : dt + (1u << FRAC);
  for (int i = 0; i < 256; i++)
    m->lit[i] = lc[i];
  for (int l = MINLEN; l <= MAXLEN; l++)
    m->len[l] = lc[s->t.lsym[l]] + ((uint32_t)s->t.lext[l] << FRAC);
  for (int c = 0; c < NDIST; c++)
    m->dist[c] = dc[c] + ((uint32_t)s->t.dbits[c] << FRAC);
}

/* Shortest path through positions [a+k0, a+m) of the segment at a under
 * model md; the edges taken go to path. Every position is reached (by a
 * literal at least) before it is left, and costs fit 32 bits: a segment's
 * all-literal path costs at most 64 Ki * 18 bits * 1024 < 2^31. */
static void parse(sq *s, size_t a, size_t k0, size_t m, const model *md)
{
  uint32_t *cost = s->cost;
  cost[k0] = 0;
  for (size_t k = k0 + 1; k <= m; k++)
    cost[k] = UINT32_MAX;
  const unsigned char *d = s->d + a;
  for (size_t k = k0; k < m; k++) {
    uint32_t c = cost[k];
    uint32_t lc = c + md->lit[d[k]];
    if (lc < cost[k + 1]) {
      cost[k + 1] = lc;
      s->step[k + 1] = 1;
    }
    unsigned prevlen = MINLEN - 1;
    for (uint32_t j = s->mstart[k]; j < s->mstart[k + 1]; j++) {
      uint32_t x = s->mlist[j];
      unsigned len = ITEM_LEN(x), dist = ITEM_DIST(x);
      if (len > m - k) {        /* the range ends inside the match */
        len = (unsigned)(m - k);
        if (len <= prevlen)
          break;
      }
      uint32_t dc = c + md->dist[dist_code(dist)];
      /* every length up to lcut, beyond it only the longest: a long
       * match cut short rarely pays */
      for (unsigned l = prevlen + 1; l <= len; l++) {
        if (l > s->lcut && l < len)
          l = len;
        uint32_t v = dc + md->len[l];
        if (v < cost[k + l]) {
          cost[k + l] = v;
          s->step[k + l] = ITEM(l, dist);
        }
      }
      prevlen = len;
    }
  }
  /* walk back, then turn the edges into items in stream order */
  size_t n = 0;
  for (size_t k = m; k > k0;) {
    uint32_t st = s->step[k];
    unsigned l = ITEM_DIST(st) ? ITEM_LEN(st) : 1;
    s->path[n++] = ITEM_DIST(st) ? st : ITEM(d[k - l], 0);
    k -= l;
  }
  for (size_t i = 0; i < n / 2; i++) {
    uint32_t x = s->path[i];
    s->path[i] = s->path[n - 1 - i];
    s->path[n - 1 - i] = x;
  }
  s->npath = n;
}

/* Bits (in 1/1024) of items under their own entropy: how the rounds are
 * compared. */
static uint64_t entropy_bits(const sq *s, const uint32_t *items, size_t n)
{
  model m;
  model_stats(s, items, n, &m);
  uint64_t bits = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t x = items[i];
    bits += ITEM_DIST(x) ? m.len[ITEM_LEN(x)] + m.dist[dist_code(ITEM_DIST(x))]
                         : m.lit[ITEM_LEN(x)];
  }
  return bits;
}

static int append_syms(sq *s, const uint32_t *items, size_t n)
{
  if (s->symcap - s->nsym < n) {
    size_t cap = s->symcap ? s->symcap : 1u << 16;
    while (cap - s->nsym < n)
      cap *= 2;
    uint32_t *p = realloc(s->sym, cap * sizeof *p);
    if (!p)
      return -1;
    s->sym = p;
    s->symcap = cap;
  }
  memcpy(s->sym + s->nsym, items, n * sizeof *items);
  s->nsym += n;
  return 0;
}

/* A first path for the model: the longest match wherever there is one. */
static void greedy(sq *s, size_t a, size_t m)
{
  size_t n = 0;
  for (size_t k = 0; k < m;) {
    uint32_t j = s->mstart[k + 1];
    if (j > s->mstart[k]) {
      uint32_t x = s->mlist[j - 1];
      s->path[n++] = x;
      k += ITEM_LEN(x);
    } else {
      s->path[n++] = ITEM(s->d[a + k], 0);
      k++;
    }
  }
  s->npath = n;
}

/* Parse each block of the segment's best path again under a model of
 * that block alone: where the data changes character (code, strings,
 * constants) one model for all is a compromise. */
static int squeeze_blocks(sq *s, size_t a)
{
  size_t *cut = malloc((s->nbest / s->bchunk + 2) * sizeof *cut);
  if (!cut)
    return -1;
  size_t ncut = s->bestsplit ? split_best(s, s->bestpath, s->nbest, (size_t)s->bchunk, cut)
                             : split(s, s->bestpath, s->nbest, (size_t)s->bchunk, cut);
  cut[ncut++] = s->nbest;
  size_t item = 0, pos = 0;
  int rc = 0;
  for (size_t b = 0; !rc && b < ncut; b++) {
    size_t end = pos;
    for (size_t i = item; i < cut[b]; i++)
      end += ITEM_DIST(s->bestpath[i]) ? ITEM_LEN(s->bestpath[i]) : 1;
    const uint32_t *bestp = s->bestpath + item;
    size_t nb = cut[b] - item;
    uint64_t best = entropy_bits(s, bestp, nb);
    uint32_t *keep = NULL;
    size_t nkeep = 0;
    model md;
    model_stats(s, bestp, nb, &md);
    for (int r = 0; r < s->blockrounds; r++) {
      parse(s, a, pos, end, &md);
      uint64_t bits = entropy_bits(s, s->path, s->npath);
      if (bits >= best)
        break;
      best = bits;
      free(keep);
      keep = malloc(s->npath * sizeof *keep);
      if (!keep) {
        rc = -1;
        break;
      }
      memcpy(keep, s->path, s->npath * sizeof *keep);
      nkeep = s->npath;
      model_stats(s, keep, nkeep, &md);
    }
    if (!rc)
      rc = keep ? append_syms(s, keep, nkeep) : append_syms(s, bestp, nb);
    free(keep);
    item = cut[b];
    pos = end;
  }
  free(cut);
  return rc;
}

static int squeeze_segment(sq *s, size_t a, size_t e)
{
  if (collect(s, a, e))
    return -1;
  size_t m = e - a;
  model md;
  greedy(s, a, m);
  memcpy(s->bestpath, s->path, s->npath * sizeof *s->path);
  s->nbest = s->npath;
  uint64_t best = UINT64_MAX;
  for (int r = 0; r < s->rounds; r++) {
    model_stats(s, s->path, s->npath, &md);
    parse(s, a, 0, m, &md);
    uint64_t bits = entropy_bits(s, s->path, s->npath);
    if (bits >= best)
      break;                    /* the model has settled */
    best = bits;
    memcpy(s->bestpath, s->path, s->npath * sizeof *s->path);
    s->nbest = s->npath;
  }
  if (s->blockrounds)
    return squeeze_blocks(s, a);
  return append_syms(s, s->bestpath, s->nbest);
}

static void sq_free(sq *s)
{
  free(s->son);
  free(s->mstart);
  free(s->mlist);
  free(s->cost);
  free(s->step);
  free(s->path);
  free(s->bestpath);
  free(s->sym);
  free(s);
}

int squeeze_deflate(const unsigned char *data, size_t n, squeeze_effort effort,
                    unsigned pad_blocks, lfsc_sink *out)
{
  sq *s = calloc(1, sizeof *s);
  bitw *w = calloc(1, sizeof *w);
  if (!s || !w) {
    free(s);
    free(w);
    return LFSC_EMEM;
  }
  s->d = data;
  s->n = n;
  /* measured on the corpus module sets (bench/image-sets.sh) */
  s->nice = MAXLEN;
  if (effort == SQUEEZE_BEST) {
    s->chain = 8192;
    s->lcut = MAXLEN;
    s->rounds = 15;
    s->blockrounds = 15;
    s->bestsplit = 1;
  } else {
    /* a shallow tree walk finds the long matches a 4096-deep chain
     * would; positions inside a match of 32 or more are only inserted.
     * The trees hold 4-byte hashes, and the nearest 3-byte match comes
     * from a table of its own: 0.9787x of e727a18's bytes on the corpus
     * sets instead of 0.9808x with 3-byte trees, in 4% fewer
     * instructions (the trees no longer mix 3-byte-only neighbours). */
    s->tree = 1;
    s->chain = 16;
    s->nice = 32;
    s->lcut = 32;
    s->rounds = 1;
  }
  s->bchunk = effort == SQUEEZE_BEST ? 512 : 1024;
  tables_init(&s->t);
  memset(s->head, 0xFF, sizeof s->head);
  memset(s->head3, 0xFF, sizeof s->head3);
  size_t seg = n < SEGMENT ? n : SEGMENT;
  s->son = malloc(2 * RING * sizeof *s->son);
  s->mstart = malloc((seg + 1) * sizeof *s->mstart);
  s->cost = malloc((seg + 1) * sizeof *s->cost);
  s->step = malloc((seg + 1) * sizeof *s->step);
  s->path = malloc((seg + 1) * sizeof *s->path);
  s->bestpath = malloc((seg + 1) * sizeof *s->bestpath);
  int rc = LFSC_OK;
  if (!s->son || !s->mstart || !s->cost || !s->step || !s->path || !s->bestpath)
    rc = LFSC_EMEM;
  w->out = out;
  /* empty padding blocks, then byte 0 alone in a fixed block, so that no
   * match can refer to it */
  for (unsigned i = 0; i < pad_blocks; i++)
    put_bits(w, 2, 3 + 7);
  put_bits(w, 2, 3);
  unsigned b0 = data[0];
  if (b0 < 144)
    put_bits(w, reverse(0x30 + b0, 8), 8);
  else
    put_bits(w, reverse(0x190 + b0 - 144, 9), 9);
  put_bits(w, 0, 7);
  if (!s->tree)
    insert(s, 0);
  for (size_t a = 1; !rc && a < n; a += SEGMENT) {
    size_t e = n - a > SEGMENT ? a + SEGMENT : n;
    if (squeeze_segment(s, a, e))
      rc = LFSC_EMEM;
  }
  if (!rc) {
    if (!s->nsym)
      put_bits(w, 3, 3 + 7);      /* an empty final fixed block */
    else if (write_blocks(s, w, (size_t)s->bchunk))
      rc = LFSC_EMEM;
    if (!rc) {
      put_end(w);
      rc = out->status;
    }
  }
  sq_free(s);
  free(w);
  return rc;
}
