/*
 * Deflate for PI images (see squeeze.h): the optimal parse of --best, the
 * cutting of blocks for both parses, Huffman codes and the bit stream
 * (the lazy parse of -f is lazy.c). Written for lfsc from RFC 1951; the
 * methods (lazy matching; a shortest path over the match graph under an
 * iterated entropy cost model) are the well-known ones.
 */
#include "lfsc/lfsc.h"
#include "squeeze.h"
#include "sq.h"

#define OUTCHUNK 65536
#define SPAN 48                 /* --best: the longest planned block, in chunks */
#define SETTLE 5                /* --best: block rounds before shaking the model */

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

/* Whole 32-bit words go out at once, least significant byte first (as
 * deflate orders bits, on any host): a byte at a time cost a loop turn
 * per byte of every code. At most 16 bits come per call, so the 64-bit
 * accumulator (under 32 bits between calls) never overflows. */
static inline void put_bits(bitw *w, uint32_t v, int nbits)
{
  w->acc |= (uint64_t)v << w->n;
  w->n += nbits;
  if (w->n < 32)
    return;
  unsigned char *o = w->buf + w->len;
  o[0] = (unsigned char)w->acc;
  o[1] = (unsigned char)(w->acc >> 8);
  o[2] = (unsigned char)(w->acc >> 16);
  o[3] = (unsigned char)(w->acc >> 24);
  w->acc >>= 32;
  w->n -= 32;
  w->len += 4;
  if (w->len >= OUTCHUNK) {
    lfsc_sink_write(w->out, w->buf, w->len);
    w->len = 0;
  }
}

static void put_end(bitw *w)
{
  for (; w->n > 0; w->n -= 8) {
    w->buf[w->len++] = (unsigned char)w->acc;
    w->acc >>= 8;
  }
  w->n = 0;
  lfsc_sink_write(w->out, w->buf, w->len);
  w->len = 0;
}

/* The bits of a byte reversed: Huffman codes go out most significant bit
 * first, the rest of deflate least significant first. */
#define R2(x) x, x + 128, x + 64, x + 192
#define R4(x) R2(x), R2(x + 32), R2(x + 16), R2(x + 48)
#define R6(x) R4(x), R4(x + 8), R4(x + 4), R4(x + 12)
static const uint8_t rev8[256] = {R6(0), R6(2), R6(1), R6(3)};

/* code's low n bits (n <= 16) reversed */
static unsigned reverse(unsigned code, int n)
{
  return ((unsigned)rev8[code & 255] << 8 | rev8[code >> 8 & 255]) >> (16 - n);
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

/* The same order by one counting pass over the weights themselves, for
 * weights up to maxf (<= COUNT_MAX): cheaper than the radix sort's 256
 * buckets a byte while there are few distinct weights to step over. */
#define COUNT_MAX 1400
static void count_sort(uint64_t *key, int k, uint32_t maxf)
{
  uint64_t tmp[NLL];
  int count[COUNT_MAX + 2];
  memset(count, 0, (maxf + 2) * sizeof *count);
  for (int i = 0; i < k; i++)
    count[(key[i] >> 16) + 1]++;
  for (uint32_t d = 0; d < maxf; d++)
    count[d + 1] += count[d];
  for (int i = 0; i < k; i++)
    tmp[count[key[i] >> 16]++] = key[i];
  memcpy(key, tmp, (size_t)k * sizeof *key);
}

/* Lengths of a Huffman code for freq[0..n), none longer than limit. A
 * code with fewer than two symbols gets two of length 1 (inflaters want
 * complete codes). A code too deep is rebuilt from flattened weights, so
 * it stays a real (complete) Huffman tree. The tree is built in place
 * over the sorted weights (Moffat and Katajainen's method): parents
 * first, then their depths, then the leaves' depths, in three linear
 * passes without a node array. */
static void huff_lengths(const uint32_t *freq, int n, int limit, uint8_t *len)
{
  uint64_t leaf[NLL];
  uint64_t a[NLL + 1];
  int k = 0;
  uint32_t maxf = 0;
  memset(len, 0, (size_t)n);
  for (int i = 0; i < n; i++)
    if (freq[i]) {
      leaf[k++] = (uint64_t)freq[i] << 16 | (unsigned)i;
      maxf = freq[i] > maxf ? freq[i] : maxf;
    }
  if (k < 2) {
    int s = k ? (int)(leaf[0] & 0xFFFF) : 0;
    len[s] = 1;
    len[s == 0 ? 1 : 0] = 1;
    return;
  }
  if (k <= 32) {
    for (int i = 1; i < k; i++) {
      uint64_t x = leaf[i];
      int j = i;
      for (; j > 0 && leaf[j - 1] > x; j--)
        leaf[j] = leaf[j - 1];
      leaf[j] = x;
    }
  } else if (maxf <= COUNT_MAX && maxf <= 512 + 3 * (uint32_t)k) {
    count_sort(leaf, k, maxf);
  } else {
    radix_sort(leaf, k);
  }
  for (int shift = 0;; shift++) {
    for (int i = 0; i < k; i++) {
      uint64_t f = leaf[i] >> 16;
      a[i] = shift ? (f >> shift) + 1 : f;   /* flattening keeps the order */
    }
    /* a[next] becomes an internal node's weight, and a merged node's slot
     * its parent's index; a leaf wins a tie. Past the leaves a[k] weighs
     * more than any node (sums of at most 288 weights below 2^33), so
     * once they are used up the nodes win (there is always one left). */
    a[k] = UINT64_MAX;
    int lf = 0, root = 0;
    for (int next = 0; next < k - 1; next++) {
      uint64_t w;
      if (root < next && a[root] < a[lf]) {
        w = a[root];
        a[root++] = (uint64_t)next;
      } else {
        w = a[lf++];
      }
      if (root < next && a[root] < a[lf]) {
        w += a[root];
        a[root++] = (uint64_t)next;
      } else {
        w += a[lf++];
      }
      a[next] = w;
    }
    a[k - 2] = 0;
    for (int next = k - 3; next >= 0; next--)
      a[next] = a[a[next]] + 1;
    /* hand the leaves out by depth, shallowest to the heaviest */
    int avail = 1, used = 0, next = k - 1;
    uint64_t depth = 0;
    root = k - 2;
    while (avail > 0) {
      while (root >= 0 && a[root] == depth) {
        used++;
        root--;
      }
      while (avail > used) {
        a[next--] = depth;
        avail--;
      }
      avail = 2 * used;
      depth++;
      used = 0;
    }
    if ((int)a[0] <= limit) {
      for (int i = 0; i < k; i++)
        len[leaf[i] & 0xFFFF] = (uint8_t)a[i];
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

#define NH (NLL + NDIST)          /* ll and dist counts as one histogram */

static void count_item(const tables *t, uint32_t *h, uint32_t x, uint32_t by)
{
  if (ITEM_DIST(x)) {
    h[t->lsym[ITEM_LEN(x)]] += by;
    h[NLL + dist_code(ITEM_DIST(x))] += by;
  } else {
    h[ITEM_LEN(x)] += by;
  }
}

/* Symbol counts of items, the end-of-block symbol included. */
static void counts_of(const sq *s, const uint32_t *items, size_t n, uint32_t *ll, uint32_t *dd)
{
  uint32_t h[NH] = {0};
  for (size_t i = 0; i < n; i++)
    count_item(&s->t, h, items[i], 1);
  h[256] = 1;
  memcpy(ll, h, NLL * sizeof *ll);
  memcpy(dd, h + NLL, NDIST * sizeof *dd);
}

static void histogram(const sq *s, const uint32_t *items, size_t a, size_t b, block *k)
{
  counts_of(s, items + a, b - a, k->ll, k->dist);
}

/* Bits of the block's data under the code lengths in llen/dlen plus its
 * dynamic header; fills the header's run-length code. */
static uint64_t coded_bits(const tables *t, block *k)
{
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

/* Counts evened out for a header that run-length codes well: where four
 * or more neighbouring counts lie within a band (width, or the stretch's
 * mean >> rel when that is wider), each gets the stretch's mean, so their
 * code lengths come out equal and the header sends them as one repeat.
 * With zeros set, an unused symbol may join a stretch and get a code it
 * never uses. */
static int even_out(const uint32_t *f, int n, uint32_t width, int rel, int zeros, uint32_t *g)
{
  int changed = 0;
  memcpy(g, f, (size_t)n * sizeof *g);
  for (int i = 0; i < n;) {
    uint32_t lo = f[i], hi = f[i];
    uint64_t sum = f[i];
    int j = i + 1;
    for (; j < n; j++) {
      uint32_t v = f[j];
      if (!zeros && (v == 0) != (f[i] == 0))
        break;
      uint32_t nlo = v < lo ? v : lo, nhi = v > hi ? v : hi;
      /* the spread is over max(width, mean >> rel): mean >> rel is
       * (sum + v) / (count << rel) rounded down, and x > a / b just when
       * x * b > a: no 64-bit division per count */
      uint64_t spread = nhi - nlo;
      if (spread > width && (!rel || spread * ((uint64_t)(j - i + 1) << rel) > sum + v))
        break;
      lo = nlo, hi = nhi, sum += v;
    }
    if (j - i >= 4 && hi > 0) {
      uint32_t m = (uint32_t)((sum + (uint64_t)(j - i) / 2) / (uint64_t)(j - i));
      for (int x = i; x < j; x++) {
        changed |= g[x] != (m ? m : 1);
        g[x] = m ? m : 1;
      }
    }
    i = j;
  }
  return changed;
}

/* Keep in k the cheaper of its code and the one built from evened-out
 * counts; pl/pd are the Huffman code's lengths. */
static void try_even(const tables *t, block *k, uint64_t *best, const uint8_t *pl,
                     const uint8_t *pd, uint32_t width, int rel, int zeros)
{
  block c;
  uint32_t gl[NLL], gd[NDIST];
  int cl = even_out(k->ll, NLL - 2, width, rel, zeros, gl);
  int cd = even_out(k->dist, NDIST, width, rel, zeros, gd);
  if (!cl && !cd)
    return;                     /* the Huffman code's lengths again */
  memcpy(c.ll, k->ll, sizeof c.ll);
  memcpy(c.dist, k->dist, sizeof c.dist);
  if (cl)
    huff_lengths(gl, NLL - 2, 15, c.llen);
  else
    memcpy(c.llen, pl, sizeof c.llen);
  c.llen[286] = c.llen[287] = 0;
  if (cd)
    huff_lengths(gd, NDIST, 15, c.dlen);
  else
    memcpy(c.dlen, pd, sizeof c.dlen);
  uint64_t bits = coded_bits(t, &c);
  if (bits < *best) {
    *best = bits;
    *k = c;
  }
}

/* How hard dynamic_bits looks for lengths cheaper than the Huffman code's
 * (measured on the corpus sets, bench/image-sets.sh): */
enum {
  EVEN_NONE,                    /* the Huffman code only */
  EVEN_FEW,                     /* and two evenings: costing candidate blocks */
  EVEN_ALL                      /* and 80: the blocks written */
};

/* Bits of the block's data under its own code plus its dynamic header;
 * fills llen/dlen and the header's run-length code. */
static uint64_t dynamic_bits(const tables *t, block *k, int even)
{
  huff_lengths(k->ll, NLL - 2, 15, k->llen);
  k->llen[286] = k->llen[287] = 0;
  huff_lengths(k->dist, NDIST, 15, k->dlen);
  uint64_t best = coded_bits(t, k);
  uint8_t pl[NLL], pd[NDIST];
  if (even != EVEN_NONE) {
    memcpy(pl, k->llen, sizeof pl);
    memcpy(pd, k->dlen, sizeof pd);
  }
  if (even == EVEN_FEW) {
    try_even(t, k, &best, pl, pd, 8, 0, 0);
    try_even(t, k, &best, pl, pd, 4, 2, 1);
  } else if (even == EVEN_ALL) {
    static const uint8_t width[] = {1, 2, 3, 4, 6, 8, 12, 16};
    static const uint8_t rel[] = {0, 2, 3, 4, 5};
    for (int w = 0; w < 8; w++)
      for (int r = 0; r < 5; r++)
        for (int z = 0; z < 2; z++)
          try_even(t, k, &best, pl, pd, width[w], rel[r], z);
  }
  return best;
}

static void fixed_lengths(uint8_t *llen, uint8_t *dlen)
{
  for (int i = 0; i < NLL; i++)
    llen[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  memset(dlen, 5, NDIST);
}

/* The fixed code's lengths by ranges (fixed_lengths): 8, 9, 7 and 8. */
static uint64_t fixed_bits(const tables *t, const block *k)
{
  uint64_t r[4] = {0, 0, 0, 0};
  for (int i = 0; i < 144; i++)
    r[0] += k->ll[i];
  for (int i = 144; i < 256; i++)
    r[1] += k->ll[i];
  for (int i = 256; i < 280; i++)
    r[2] += k->ll[i];
  for (int i = 280; i < NLL; i++)
    r[3] += k->ll[i];
  uint64_t bits = 3 + 8 * r[0] + 9 * r[1] + 7 * r[2] + 8 * r[3];
  for (int i = 0; i < NDIST; i++)
    bits += (uint64_t)k->dist[i] * (5u + t->dbits[i]);
  for (int i = 0; i < 29; i++)
    bits += (uint64_t)k->ll[257 + i] * t->lbits[i];
  return bits;
}

/* Write symbols [a, b) as one block; counted, when not NULL, holds their
 * symbol counts already. */
static void write_block(sq *s, bitw *w, size_t a, size_t b, int last, const block *counted)
{
  block k;
  uint16_t lcode[NLL], dcode[NDIST];
  if (counted) {
    memcpy(k.ll, counted->ll, sizeof k.ll);
    memcpy(k.dist, counted->dist, sizeof k.dist);
  } else {
    histogram(s, s->sym, a, b, &k);
  }
  /* evening out costs a few Huffman builds, more than it saves on a
   * small block (a one-line module's image) */
  uint64_t dyn = dynamic_bits(&s->t, &k, b - a < s->even_min ? EVEN_NONE : s->even);
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

/* log2(x) in 1/16 bit, approximately (x >= 1): the split's estimates. */
static uint32_t log2_q4(uint32_t x)
{
  int k = 31 - __builtin_clz(x);
  uint32_t m = k >= 4 ? x >> (k - 4) : x << (4 - k);   /* 16..31 */
  /* log2(m / 16) in 1/16 bit for m = 16..31 */
  static const uint8_t frac[16] = {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15};
  return (uint32_t)k * 16 + frac[m - 16];
}

/* A block's bits in 1/16, estimated for the default's block cutting:
 * each symbol at its entropy (plus a quarter bit for the Huffman code's
 * whole lengths), extra bits, and a header of 3 bits per symbol used
 * and 100 more (fitted on the corpus sets: exact Huffman costs cut at
 * 2048 symbols made 0.3% larger images for 4% more instructions, cut at
 * 512 0.25% larger ones for 13% more). */
static uint64_t est_bits(const tables *t, const block *k)
{
  uint64_t bits = 0, nl = 0, nd = 0;
  unsigned used = 0;
  for (int i = 0; i < NLL; i++)
    nl += k->ll[i];
  for (int i = 0; i < NDIST; i++)
    nd += k->dist[i];
  uint32_t ll = log2_q4((uint32_t)nl), ld = nd ? log2_q4((uint32_t)nd) : 0;
  for (int i = 0; i < NLL; i++)
    if (k->ll[i]) {
      bits += (uint64_t)k->ll[i] * (ll - log2_q4(k->ll[i]) + 4);
      used++;
    }
  for (int i = 0; i < NDIST; i++)
    if (k->dist[i]) {
      bits += (uint64_t)k->dist[i] * (ld - log2_q4(k->dist[i]) + 4 + 16u * t->dbits[i]);
      used++;
    }
  for (int i = 0; i < 29; i++)
    bits += (uint64_t)k->ll[257 + i] * 16u * t->lbits[i];
  return bits + 16u * (3u * used + 100);
}

/* The default's block cutting: grow a block chunk by chunk while one
 * code for both is estimated to cost less than two (headers included),
 * and write each block once it is closed, with the counts the estimates
 * made of it. */
static void split_write(sq *s, bitw *w, size_t chunk)
{
  const uint32_t *items = s->sym;
  size_t n = s->nsym;
  block cur, next, both;
  size_t start = 0, end = 0;
  uint64_t curbits = 0;
  if (n <= chunk) {
    write_block(s, w, 0, n, 1, NULL);   /* one block: nothing to weigh */
    return;
  }
  while (end < n) {
    size_t e = end + chunk < n ? end + chunk : n;
    if (end == start) {
      histogram(s, items, start, e, &cur);
      curbits = est_bits(&s->t, &cur);
      end = e;
      continue;
    }
    histogram(s, items, end, e, &next);
    uint64_t nbits = est_bits(&s->t, &next);
    memcpy(both.ll, cur.ll, sizeof both.ll);
    memcpy(both.dist, cur.dist, sizeof both.dist);
    for (int i = 0; i < NLL; i++)
      both.ll[i] += next.ll[i];
    for (int i = 0; i < NDIST; i++)
      both.dist[i] += next.dist[i];
    both.ll[256] = 1;
    uint64_t bbits = est_bits(&s->t, &both);
    if (bbits <= curbits + nbits) {
      memcpy(cur.ll, both.ll, sizeof cur.ll);
      memcpy(cur.dist, both.dist, sizeof cur.dist);
      curbits = bbits;
    } else {
      write_block(s, w, start, end, 0, &cur);
      start = end;
      memcpy(cur.ll, next.ll, sizeof cur.ll);
      memcpy(cur.dist, next.dist, sizeof cur.dist);
      curbits = nbits;
    }
    end = e;
  }
  write_block(s, w, start, n, 1, &cur);
}

/* ---- cutting blocks for --best ----
 *
 * Where a block ends matters most around small stretches of another
 * character (a string table between code, a run of constants), so cuts
 * are placed to the symbol: a shortest path over coarse chunk ends first,
 * then each block is offered its cheapest single cut (again and again
 * while cuts pay), then each cut is moved to its cheapest place between
 * its neighbours. Candidate blocks are costed exactly (Huffman code and
 * header, EVEN_FEW) from prefix histograms, and each cost is kept, as
 * the searches ask for the same span repeatedly. */

#define STRIDE 64               /* symbols per stored prefix histogram: a span
                                   adds up to 63 items at each end, little
                                   next to its Huffman codes, and the rows
                                   take 20 bytes per symbol */
#define CACHE_BITS 16
#define COARSE 4                /* the searches' first pass: every 4th step */
#define STEP 16                 /* cuts before the blocks are parsed again */
#define FINAL_STEP 4            /* cuts of the blocks written */
#define FINAL_REACH 64          /* how far those cuts move */
#define LEVELS 8                /* rounds of offering every block a cut */

typedef struct cutter {
  const sq *s;
  const uint32_t *items;
  size_t n;
  uint32_t *pre;                /* histograms of items [0, r * STRIDE) */
  uint64_t *key, *val;          /* costs of spans already asked for */
} cutter;

static int cutter_init(cutter *c, const sq *s, const uint32_t *items, size_t n)
{
  size_t rows = n / STRIDE + 1;
  c->s = s;
  c->items = items;
  c->n = n;
  c->pre = malloc(rows * NH * sizeof *c->pre);
  c->key = calloc((size_t)1 << CACHE_BITS, sizeof *c->key);
  c->val = malloc(((size_t)1 << CACHE_BITS) * sizeof *c->val);
  if (!c->pre || !c->key || !c->val)
    return -1;
  memset(c->pre, 0, NH * sizeof *c->pre);
  for (size_t r = 1; r < rows; r++) {
    uint32_t *h = c->pre + r * NH;
    memcpy(h, h - NH, NH * sizeof *h);
    for (size_t i = (r - 1) * STRIDE; i < r * STRIDE; i++)
      count_item(&s->t, h, items[i], 1);
  }
  return 0;
}

static void cutter_free(cutter *c)
{
  free(c->pre);
  free(c->key);
  free(c->val);
}

/* Bits of items [i, j): the cheaper of a dynamic and a fixed code. */
static uint64_t span_bits(cutter *c, size_t i, size_t j)
{
  uint64_t key = (uint64_t)i << 32 | j;
  uint32_t slot = (uint32_t)(key * 0x9E3779B97F4A7C15u >> (64 - CACHE_BITS));
  if (c->key[slot] == key + 1)
    return c->val[slot];
  /* the stored rows at or below i and j, then the items up to each */
  uint32_t h[NH];
  const uint32_t *ra = c->pre + i / STRIDE * NH, *rb = c->pre + j / STRIDE * NH;
  for (int x = 0; x < NH; x++)
    h[x] = rb[x] - ra[x];
  for (size_t q = i / STRIDE * STRIDE; q < i; q++)
    count_item(&c->s->t, h, c->items[q], (uint32_t)-1);
  for (size_t q = j / STRIDE * STRIDE; q < j; q++)
    count_item(&c->s->t, h, c->items[q], 1);
  block k;
  memcpy(k.ll, h, sizeof k.ll);
  memcpy(k.dist, h + NLL, sizeof k.dist);
  k.ll[256] = 1;
  uint64_t dyn = dynamic_bits(&c->s->t, &k, EVEN_FEW), fix = fixed_bits(&c->s->t, &k);
  uint64_t v = dyn < fix ? dyn : fix;
  c->key[slot] = key + 1;
  c->val[slot] = v;
  return v;
}

/* The cheapest cutting at multiples of chunk: a shortest path over the
 * chunk ends, each block at most SPAN chunks long. Bounds go to b[0..m];
 * returns m, the number of blocks, or 0 when memory is short. */
static size_t cut_plan(cutter *c, size_t chunk, size_t *b)
{
  size_t K = (c->n + chunk - 1) / chunk;
  uint64_t *cost = malloc((K + 1) * sizeof *cost);
  size_t *from = malloc((K + 1) * sizeof *from);
  if (!cost || !from) {
    free(cost);
    free(from);
    return 0;
  }
  cost[0] = 0;
  from[0] = 0;
  for (size_t j = 1; j <= K; j++) {
    size_t e = j * chunk < c->n ? j * chunk : c->n;
    cost[j] = UINT64_MAX;
    from[j] = j - 1;
    for (size_t i = j > SPAN ? j - SPAN : 0; i < j; i++) {
      uint64_t v = cost[i] + span_bits(c, i * chunk, e);
      if (v < cost[j]) {
        cost[j] = v;
        from[j] = i;
      }
    }
  }
  size_t m = 0;
  for (size_t j = K; j > 0; j = from[j])
    m++;
  b[m] = c->n;
  size_t x = m;
  for (size_t j = from[K]; j > 0; j = from[j])
    b[--x] = j * chunk;
  b[0] = 0;
  free(cost);
  free(from);
  return m;
}

/* Cuts of [i, k) at lo, lo + step, ... below hi, tried every COARSE
 * steps, then around the best (or around at, the cut there is now);
 * returns the cheapest cut and its cost in *bits, or 0 when none beats
 * *bits. */
static size_t best_cut(cutter *c, size_t i, size_t k, size_t step, size_t lo, size_t hi,
                       size_t at, uint64_t *bits)
{
  size_t best = 0;
  for (size_t p = lo; p < hi; p += COARSE * step) {
    uint64_t v = span_bits(c, i, p) + span_bits(c, p, k);
    if (v < *bits) {
      *bits = v;
      best = p;
    }
  }
  size_t mid = best ? best : at;
  if (!mid)
    return 0;
  size_t from = mid > lo + COARSE * step ? mid - (COARSE - 1) * step : lo;
  size_t to = mid + COARSE * step < hi ? mid + COARSE * step : hi;
  for (size_t p = from; p < to; p += step) {
    if (p == mid || p == at)
      continue;
    uint64_t v = span_bits(c, i, p) + span_bits(c, p, k);
    if (v < *bits) {
      *bits = v;
      best = p;
    }
  }
  return best;
}

/* Blocks b[0..m] offered cuts (levels rounds) and their cuts moved, at
 * multiples of step from their starts, a cut no farther than reach (0:
 * anywhere between its neighbours); returns the new m (b has room for
 * n / step + 2 bounds). */
static size_t cut_refine(cutter *c, size_t *b, size_t m, size_t step, int levels, size_t reach)
{
  for (int level = 0; level < levels; level++) {
    int more = 0;
    for (size_t x = 0; x < m; x++) {
      uint64_t bits = span_bits(c, b[x], b[x + 1]);
      size_t p = best_cut(c, b[x], b[x + 1], step, b[x] + step, b[x + 1], 0, &bits);
      if (p) {
        memmove(b + x + 2, b + x + 1, (m - x) * sizeof *b);
        b[x + 1] = p;
        m++;
        x++;
        more = 1;
      }
    }
    if (!more)
      break;
  }
  for (int sweep = 0; sweep < 2; sweep++) {
    for (size_t x = 1; x < m; x++) {
      uint64_t bits = span_bits(c, b[x - 1], b[x]) + span_bits(c, b[x], b[x + 1]);
      size_t lo = b[x - 1] + step, hi = b[x + 1];
      if (reach && b[x] > lo + reach)
        lo = b[x] - reach;
      if (reach && hi > b[x] + reach)
        hi = b[x] + reach;
      size_t p = best_cut(c, b[x - 1], b[x + 1], step, lo, hi, b[x], &bits);
      if (p)
        b[x] = p;
    }
  }
  return m;
}

/* Cut items into blocks for --best: cut_plan at chunk, then cut_refine
 * at step. The ends of all blocks but the last go to *cutp (allocated);
 * returns their count, or (size_t)-1 when memory is short. */
static size_t cut_blocks(const sq *s, const uint32_t *items, size_t n, size_t chunk, size_t step,
                         size_t **cutp)
{
  cutter c = {0};
  size_t *b = malloc((n / step + 2) * sizeof *b);
  *cutp = b;
  if (!b || cutter_init(&c, s, items, n)) {
    cutter_free(&c);
    return (size_t)-1;
  }
  size_t m = n ? cut_plan(&c, chunk, b) : 0;
  if (!m) {
    cutter_free(&c);
    return n ? (size_t)-1 : 0;
  }
  m = cut_refine(&c, b, m, step, LEVELS, 0);
  cutter_free(&c);
  memmove(b, b + 1, (m - 1) * sizeof *b);
  return m - 1;
}

/* The blocks written by --best: the blocks parsed (s->cuts), each pair
 * merged where one code is cheaper (at segment ends), then offered one
 * more cut each and their cuts moved, at FINAL_STEP and within
 * FINAL_REACH (they were placed at STEP already; moving them anywhere
 * between their neighbours took 1.26x the time of the whole --best on
 * share/pl for 0.007% fewer bytes on the corpus sets). Cutting the whole
 * stream anew at FINAL_STEP took longer and gave 0.03% more bytes. Same
 * contract as cut_blocks. */
static size_t cut_final(const sq *s, size_t **cutp)
{
  size_t n = s->nsym;
  cutter c = {0};
  size_t *b = malloc((n / FINAL_STEP + s->ncuts + 2) * sizeof *b);
  *cutp = b;
  if (!b || cutter_init(&c, s, s->sym, n)) {
    cutter_free(&c);
    return (size_t)-1;
  }
  size_t m = 0;
  b[0] = 0;
  for (size_t i = 0; i < s->ncuts; i++)
    if (s->cuts[i] > b[m] && s->cuts[i] < n)
      b[++m] = s->cuts[i];
  b[++m] = n;
  for (size_t x = 1; x < m; x++) {
    if (span_bits(&c, b[x - 1], b[x + 1]) <= span_bits(&c, b[x - 1], b[x]) + span_bits(&c, b[x], b[x + 1])) {
      memmove(b + x, b + x + 1, (m - x) * sizeof *b);
      m--;
      x--;
    }
  }
  m = cut_refine(&c, b, m, FINAL_STEP, 1, FINAL_REACH);
  cutter_free(&c);
  memmove(b, b + 1, (m - 1) * sizeof *b);
  return m - 1;
}

static int write_blocks(sq *s, bitw *w, size_t chunk)
{
  if (!s->blockrounds) {
    split_write(s, w, chunk);
    return 0;
  }
  size_t *cut, ncut = cut_final(s, &cut);
  if (ncut == (size_t)-1) {
    free(cut);
    return -1;
  }
  size_t start = 0;
  for (size_t i = 0; i < ncut; i++) {
    write_block(s, w, start, cut[i], 0, NULL);
    start = cut[i];
  }
  write_block(s, w, start, s->nsym, 1, NULL);
  free(cut);
  return 0;
}

/* ---- matches ---- */

/* The hash chains link positions of equal 4-byte hashes; near3 keeps
 * the 4 newest positions of each 3-byte hash, for the nearest match of
 * length 3 (a farther one never costs less; 4 of them, as another
 * 3-byte string of the same hash may have come since). Walking only
 * candidates that share four bytes makes the chain's depth count: a
 * quarter of --best's instructions went to walking 3-byte neighbours. */
static void insert(sq *s, size_t i)
{
  if (i + MINLEN > s->n)
    return;
  int32_t *n3 = s->near3 + 4 * hash3(s->d + i, s->hbits);
  memmove(n3 + 1, n3, 3 * sizeof *n3);
  n3[0] = (int32_t)i;
  if (i + 4 > s->n)
    return;
  uint32_t h = hash4(s->d + i, s->hbits);
  s->prev[i & (RING - 1)] = s->head[h];
  s->head[h] = (int32_t)i;
}

static int grow_matches(sq *s, size_t need)
{
  uint32_t *p = reserve(s->mlist, &s->mcap, s->mlen, need, sizeof *p);
  if (!p)
    return -1;
  s->mlist = p;
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
  unsigned best = MINLEN - 1;
  const int32_t *n3 = s->near3 + 4 * hash3(p, s->hbits);
  for (int k = 0; k < 4 && n3[k] > 0 && i - (size_t)n3[k] <= WINDOW; k++) {
    const unsigned char *q = s->d + n3[k];
    if (q[0] == p[0] && q[1] == p[1] && q[2] == p[2]) {
      /* a longer match there is met again on the chain */
      if (lim == MINLEN || q[3] != p[3]) {
        s->mlist[s->mlen++] = ITEM(MINLEN, i - (size_t)n3[k]);
        best = MINLEN;
      }
      break;
    }
  }
  if (lim == MINLEN)
    return best >= MINLEN ? best : 0;
  int32_t cand = s->head[hash4(p, s->hbits)];
  int left = s->chain;
  while (cand > 0 && i - (size_t)cand <= WINDOW && left-- > 0) {
    const unsigned char *q = s->d + cand;
    if (q[best] == p[best] && q[0] == p[0] && q[1] == p[1]) {
      unsigned l = common(p, q, 2, lim);
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
      unsigned len = find_matches(s, i, lim);
      insert(s, i);
      if (len >= (unsigned)s->nice)
        skip = i + len;
    } else {
      insert(s, i);
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

/* Costs as the entropy of symbol counts. */
static void model_counts(const sq *s, const uint32_t *ll, const uint32_t *dd, model *m)
{
  uint32_t tl = 0, td = 0;
  for (int i = 0; i < NLL; i++)
    tl += ll[i];
  for (int i = 0; i < NDIST; i++)
    td += dd[i];
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

/* Costs as the entropy of the symbols of a previous parse. */
static void model_stats(const sq *s, const uint32_t *items, size_t n, model *m)
{
  uint32_t ll[NLL], dd[NDIST];
  counts_of(s, items, n, ll, dd);
  model_counts(s, ll, dd, m);
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
      unsigned top = len <= s->lcut ? len : s->lcut;
      uint32_t *ck = cost + k, *sk = s->step + k;
      /* without branches: which of these wins is data, not a pattern */
      for (unsigned l = prevlen + 1; l <= top; l++) {
        uint32_t v = dc + md->len[l], old = ck[l];
        int win = v < old;
        ck[l] = win ? v : old;
        sk[l] = win ? ITEM(l, dist) : sk[l];
      }
      if (len > top && len > prevlen) {
        uint32_t v = dc + md->len[len];
        if (v < ck[len]) {
          ck[len] = v;
          sk[len] = ITEM(len, dist);
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
  uint32_t *p = reserve(s->sym, &s->symcap, s->nsym, n, sizeof *p);
  if (!p)
    return -1;
  s->sym = p;
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

/* A path's bits as one block (its code and header, or a fixed code);
 * its symbol counts go to ll/dd. */
static uint64_t path_bits(const sq *s, const uint32_t *items, size_t n, uint32_t *ll, uint32_t *dd)
{
  block k;
  histogram(s, items, 0, n, &k);
  memcpy(ll, k.ll, sizeof k.ll);
  memcpy(dd, k.dist, sizeof k.dist);
  uint64_t dyn = dynamic_bits(&s->t, &k, EVEN_FEW), fix = fixed_bits(&s->t, &k);
  return dyn < fix ? dyn : fix;
}

/* Counts with about a third replaced by other symbols' counts, from a
 * fixed xorshift sequence (every host makes the same image). */
static void shake(uint32_t *f, int n, uint32_t *state)
{
  for (int i = 0; i < n; i++) {
    uint32_t x = *state;
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    *state = x;
    if (x % 3 == 0) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      *state = x;
      f[i] = f[x % (uint32_t)n];
    }
  }
}

/* Cut path (the segment's at a) into blocks and parse each block again
 * under a model of that block alone: where the data changes character
 * (code, strings, constants) one model for all is a compromise. The
 * rounds keep the path that costs the fewest bits as written. Once a
 * round does not improve, the next model is the best path's counts
 * shaken: the shortest path under an entropy model settles in a local
 * optimum, and a nudge finds another, sometimes better one. The blocks'
 * symbols are appended; *total gets their bits. */
static int squeeze_blocks(sq *s, size_t a, const uint32_t *path, size_t np, uint64_t *total)
{
  size_t *cut;
  size_t ncut = cut_blocks(s, path, np, (size_t)s->bchunk, STEP, &cut);
  if (ncut == (size_t)-1) {
    free(cut);
    return -1;
  }
  cut[ncut++] = np;
  size_t item = 0, pos = 0;
  int rc = 0;
  *total = 0;
  s->nbend = 0;
  for (size_t b = 0; !rc && b < ncut; b++) {
    size_t end = pos;
    for (size_t i = item; i < cut[b]; i++)
      end += ITEM_DIST(path[i]) ? ITEM_LEN(path[i]) : 1;
    const uint32_t *keep = path + item;
    size_t nkeep = cut[b] - item;
    uint32_t bll[NLL], bdd[NDIST], ll[NLL], dd[NDIST];
    uint64_t best = path_bits(s, keep, nkeep, bll, bdd);
    model md;
    model_counts(s, bll, bdd, &md);
    uint32_t state = 2463534242u;
    int stale = 0;
    for (int r = 0; r < s->blockrounds; r++) {
      parse(s, a, pos, end, &md);
      uint64_t bits = path_bits(s, s->path, s->npath, ll, dd);
      if (bits < best) {
        best = bits;
        memcpy(s->keep, s->path, s->npath * sizeof *s->path);
        keep = s->keep;
        nkeep = s->npath;
        memcpy(bll, ll, sizeof bll);
        memcpy(bdd, dd, sizeof bdd);
        stale = 0;
      } else {
        stale++;
      }
      if (stale && r >= SETTLE) {
        memcpy(ll, bll, sizeof ll);
        memcpy(dd, bdd, sizeof dd);
        shake(ll, NLL - 2, &state);
        shake(dd, NDIST, &state);
        ll[256] = 1;
      }
      model_counts(s, ll, dd, &md);
    }
    rc = append_syms(s, keep, nkeep);
    s->bend[s->nbend++] = s->nsym;
    *total += best;
    item = cut[b];
    pos = end;
  }
  free(cut);
  return rc;
}

/* Block ends of a segment, kept for write_blocks. */
static int add_cuts(sq *s, const size_t *end, size_t n)
{
  size_t *p = reserve(s->cuts, &s->capcuts, s->ncuts, n, sizeof *p);
  if (!p)
    return -1;
  s->cuts = p;
  memcpy(s->cuts + s->ncuts, end, n * sizeof *end);
  s->ncuts += n;
  return 0;
}

/* --best: blocks cut on the segment's best path and, apart, on its greedy
 * path (whose symbols still show where the data changes character, which
 * a path under one model for all blurs; small images gain most; it is in
 * s->gpath), each cut and parsed twice; the cheaper result is kept. */
static int squeeze_twice(sq *s, size_t a, size_t ngreedy)
{
  size_t base = s->nsym;
  uint64_t cost[2] = {0, 0};
  for (int v = 0; v < 2; v++) {
    if (v == 1) {
      memcpy(s->bestpath, s->gpath, ngreedy * sizeof *s->gpath);
      s->nbest = ngreedy;
    }
    for (int pass = 0; pass < 2; pass++) {
      if (pass == 1) {
        s->nbest = s->nsym - base;
        memcpy(s->bestpath, s->sym + base, s->nbest * sizeof *s->sym);
        s->nsym = base;
      }
      if (squeeze_blocks(s, a, s->bestpath, s->nbest, &cost[v]))
        return -1;
    }
    if (v == 0) {
      s->nalt = s->nsym - base;
      memcpy(s->alt, s->sym + base, s->nalt * sizeof *s->sym);
      s->naltend = s->nbend;
      memcpy(s->altend, s->bend, s->nbend * sizeof *s->bend);
      s->nsym = base;
    }
  }
  if (cost[0] <= cost[1]) {
    s->nsym = base;
    if (append_syms(s, s->alt, s->nalt))
      return -1;
    s->nbend = s->naltend;
    memcpy(s->bend, s->altend, s->nbend * sizeof *s->bend);
  }
  return add_cuts(s, s->bend, s->nbend);
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
  if (s->blockrounds)
    memcpy(s->gpath, s->path, s->npath * sizeof *s->path);
  size_t ngreedy = s->npath;
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
    return squeeze_twice(s, a, ngreedy);
  return append_syms(s, s->bestpath, s->nbest);
}

static void sq_free(sq *s)
{
  free(s->head);
  free(s->near3);
  free(s->prev);
  free(s->mstart);
  free(s->mlist);
  free(s->cost);
  free(s->step);
  free(s->path);
  free(s->bestpath);
  free(s->keep);
  free(s->gpath);
  free(s->alt);
  free(s->bend);
  free(s->altend);
  free(s->cuts);
  free(s->sym);
  free(s);
}

int lfsc_squeeze_deflate(const unsigned char *data, size_t n, squeeze_effort effort,
                    unsigned pad_blocks, lfsc_sink *out)
{
  sq *s = calloc(1, sizeof *s);
  bitw *w = malloc(sizeof *w);   /* its 64 KiB buffer needs no clearing */
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
    s->blockrounds = 20;
    s->even = EVEN_ALL;
  } else {
    /* the lazy parse: with these, the default -f costs about 1.77x
     * luac5.1 -s on the corpus sets and its images are 0.867x NodeMCU's
     * (bench/image-sets.sh). They spend part of what a cheaper walk and
     * block writing saved (1.67x at chain 32, good 8, gain 2, far3
     * 4096: 0.8695x) on bytes; deeper chains buy more (48: 0.8662x) but
     * cost some small sets more than before (bench/README.md, #21) */
    s->lazy = 1;
    s->chain = 40;
    s->good = 16;
    s->nice = 64;
    s->maxlazy = 32;
    s->gain = 3;
    /* a 3-byte match farther than this costs as much as its literals */
    s->far3 = 2048;
    s->even = EVEN_FEW;
    s->even_min = 256;
  }
  s->bchunk = 512;
  tables_init(&s->t);
  int rc = LFSC_OK;
  if (s->lazy) {
    /* tables sized to the input, so a small image costs little; calloc's
     * zeros mark empty slots (position 0 is never a candidate) */
    s->hbits = 9;
    while (s->hbits < HASH_BITS && ((size_t)1 << s->hbits) < n)
      s->hbits++;
    s->head = calloc((size_t)2 << s->hbits, sizeof *s->head);   /* and head3 */
    s->prev = malloc(RING * sizeof *s->prev);  /* written before read */
    if (!s->head || !s->prev)
      rc = LFSC_EMEM;
    else
      s->head3 = s->head + ((size_t)1 << s->hbits);
  } else {
    s->hbits = HASH_BITS;
    s->head = malloc(((size_t)1 << HASH_BITS) * sizeof *s->head);
    s->near3 = malloc(((size_t)4 << HASH_BITS) * sizeof *s->near3);
    s->prev = malloc(RING * sizeof *s->prev);
    if (!s->head || !s->near3 || !s->prev)
      rc = LFSC_EMEM;
  }
  if (!s->lazy && !rc) {
    memset(s->head, 0xFF, ((size_t)1 << HASH_BITS) * sizeof *s->head);
    memset(s->near3, 0xFF, ((size_t)4 << HASH_BITS) * sizeof *s->near3);
    size_t seg = n < SEGMENT ? n : SEGMENT;
    s->mstart = malloc((seg + 1) * sizeof *s->mstart);
    s->cost = malloc((seg + 1) * sizeof *s->cost);
    s->step = malloc((seg + 1) * sizeof *s->step);
    s->path = malloc((seg + 1) * sizeof *s->path);
    s->bestpath = malloc((seg + 1) * sizeof *s->bestpath);
    if (s->blockrounds) {
      s->keep = malloc((seg + 1) * sizeof *s->keep);
      s->gpath = malloc((seg + 1) * sizeof *s->gpath);
      s->alt = malloc((seg + 1) * sizeof *s->alt);
      s->bend = malloc((seg / STEP + 2) * sizeof *s->bend);
      s->altend = malloc((seg / STEP + 2) * sizeof *s->altend);
      if (!s->keep || !s->gpath || !s->alt || !s->bend || !s->altend)
        rc = LFSC_EMEM;
    }
    if (!s->mstart || !s->cost || !s->step || !s->path || !s->bestpath)
      rc = LFSC_EMEM;
  }
  w->out = out;
  w->len = 0;
  w->acc = 0;
  w->n = 0;
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
  if (!s->lazy && !rc)
    insert(s, 0);
  if (s->lazy && !rc && lfsc_sq_lazy_parse(s))
    rc = LFSC_EMEM;
  for (size_t a = 1; !rc && !s->lazy && a < n; a += SEGMENT) {
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
