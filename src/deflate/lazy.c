/*
 * The default -f's parse: one pass, as zlib's lazy matching, over hash
 * chains sized to the input (see squeeze.h and bench/README.md's issue
 * #21 section for the figures behind its parameters).
 */
#include "sq.h"

/* One pass, as zlib's lazy matching: every position goes into the hash
 * chains, the longest match is looked for where a symbol may start, and a
 * match is taken unless the next position has a better one. It costs a
 * fraction of the optimal parse (which looks at every position's matches
 * and weighs them under a bit-cost model) for images a few per cent
 * larger. */

/* Insert i (its 4 bytes lie within the data) into the chains. */
static void lazy_insert(sq *s, size_t i)
{
  uint32_t v = bytes4(s->d + i);
  s->head3[hashv(v & 0xFFFFFF, s->hbits)] = (int32_t)i;
  uint32_t h = hashv(v, s->hbits);
  s->prev[i & (RING - 1)] = s->head[h];
  s->head[h] = (int32_t)i;
}

/* Insert i and return its longest match (0 if none of MINLEN), with the
 * nearest distance of that length in *dist: the newest position of its
 * 3-byte hash for length 3 (no farther than s->far3), then the 4-byte
 * chain, s->chain candidates deep (a quarter of that once the previous
 * position has a match of s->good), stopping at s->nice. Always inlined:
 * gcc kept its three calls, and their prologues cost ~7% of the parse. */
static inline __attribute__((always_inline)) unsigned lazy_longest(sq *s, size_t i, unsigned prevlen,
                                                                   unsigned *dist)
{
  size_t room = s->n - i;
  if (room < 4)
    return 0;
  unsigned lim = room < MAXLEN ? (unsigned)room : MAXLEN;
  const unsigned char *p = s->d + i;
  unsigned best = 0, bd = 0;
  uint32_t v = bytes4(p);
  uint32_t h3 = hashv(v & 0xFFFFFF, s->hbits), h4 = hashv(v, s->hbits);
  int32_t c3 = s->head3[h3];
  int32_t cand = s->head[h4];
  /* i goes in now: the walk below only meets older positions */
  s->head3[h3] = (int32_t)i;
  s->prev[i & (RING - 1)] = cand;
  s->head[h4] = (int32_t)i;
  if (c3 > 0 && i - (size_t)c3 <= s->far3 && ((bytes4(s->d + c3) ^ v) & 0xFFFFFF) == 0) {
    best = MINLEN;
    bd = (unsigned)(i - (size_t)c3);
  }
  /* candidates as offsets r from the oldest position within the window
   * (never position 0), each below the last: one unsigned comparison with
   * the last ends the walk at the window's edge, at 0 and at a stale link */
  uint32_t oldest = i > WINDOW ? (uint32_t)(i - WINDOW) : 1;
  uint32_t span = (uint32_t)i - oldest, top = span, r = (uint32_t)cand - oldest;
  const unsigned char *base = s->d + oldest;
  const int32_t *prev = s->prev;
  unsigned char pb = p[best];
  int left = prevlen >= (unsigned)s->good ? s->chain >> 2 : s->chain;
  while (r < top && left-- > 0) {
    const unsigned char *q = base + r;
    if (q[best] == pb && ((bytes4(q) ^ v) & 0xFFFFFF) == 0) {
      unsigned l = common(p, q, 3, lim);
      if (l > best) {
        best = l;
        bd = span - r;
        /* nothing longer to find (and p[best] would be past the end at
         * lim) */
        if (l >= (unsigned)s->nice || l >= lim)
          break;
        pb = p[best];
      }
    }
    top = r;
    r = (uint32_t)prev[(oldest + r) & (RING - 1)] - oldest;
  }
  if (best)
    *dist = bd;
  return best;
}

/* A match's worth in the lazy choice: about 4 per byte it covers, less
 * the extra bits of its distance. */
static int gain(unsigned len, unsigned dist)
{
  return 4 * (int)len - (31 - __builtin_clz(dist));
}

/* Items of data[1..n) into s->sym: at each position its longest match,
 * unless the next position's is worth more than one literal's delay
 * (s->gain), or a literal where there is none. */
int lfsc_sq_lazy_parse(sq *s)
{
  size_t n = s->n, i = 1;
  unsigned d0 = 0, d1 = 0;
  unsigned l0 = lazy_longest(s, i, 0, &d0);
  while (i < n) {
    uint32_t *o = reserve(s->sym, &s->symcap, s->nsym, 1, sizeof *o);
    if (!o)
      return -1;
    s->sym = o;
    size_t from = i + 1;        /* the first position not yet inserted */
    if (l0 < MINLEN) {
      o[s->nsym++] = ITEM(s->d[i], 0);
      i++;
    } else {
      if (l0 < (unsigned)s->maxlazy && i + 1 < n) {
        unsigned l1 = lazy_longest(s, i + 1, l0, &d1);
        if (l1 >= MINLEN && gain(l1, d1) > gain(l0, d0) + s->gain) {
          o[s->nsym++] = ITEM(s->d[i], 0);
          i++;
          l0 = l1;
          d0 = d1;
          continue;
        }
        from = i + 2;
      }
      o[s->nsym++] = ITEM(l0, d0);
      /* positions with 4 bytes left (i + l0 <= n, l0 >= 3: n >= 4) */
      size_t stop = i + l0 < n - 3 ? i + l0 : n - 3;
      for (size_t k = from; k < stop; k++)
        lazy_insert(s, k);
      i += l0;
    }
    if (i < n)
      l0 = lazy_longest(s, i, 0, &d0);
  }
  return 0;
}
