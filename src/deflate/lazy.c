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

static void lazy_insert(sq *s, size_t i)
{
  if (i + 4 > s->n)
    return;
  const unsigned char *p = s->d + i;
  s->head3[hash3(p, s->hbits)] = (int32_t)i;
  uint32_t h = hash4(p, s->hbits);
  s->prev[i & (RING - 1)] = s->head[h];
  s->head[h] = (int32_t)i;
}

/* Insert i and return its longest match (0 if none of MINLEN), with the
 * nearest distance of that length in *dist: the newest position of its
 * 3-byte hash for length 3 (no farther than s->far3), then the 4-byte
 * chain, s->chain candidates deep (a quarter of that once the previous
 * position has a match of s->good), stopping at s->nice. */
static unsigned lazy_longest(sq *s, size_t i, unsigned prevlen, unsigned *dist)
{
  size_t room = s->n - i;
  if (room < 4)
    return 0;
  unsigned lim = room < MAXLEN ? (unsigned)room : MAXLEN;
  const unsigned char *p = s->d + i;
  unsigned best = 0;
  uint32_t h3 = hash3(p, s->hbits), h4 = hash4(p, s->hbits);
  int32_t c3 = s->head3[h3];
  int32_t cand = s->head[h4];
  /* i goes in now: the walk below only meets older positions */
  s->head3[h3] = (int32_t)i;
  s->prev[i & (RING - 1)] = cand;
  s->head[h4] = (int32_t)i;
  if (c3 > 0 && i - (size_t)c3 <= s->far3) {
    const unsigned char *q = s->d + c3;
    if (q[0] == p[0] && q[1] == p[1] && q[2] == p[2]) {
      best = MINLEN;
      *dist = (unsigned)(i - (size_t)c3);
    }
  }
  int left = prevlen >= (unsigned)s->good ? s->chain >> 2 : s->chain;
  while (cand > 0 && i - (size_t)cand <= WINDOW && left-- > 0) {
    const unsigned char *q = s->d + cand;
    if (q[best] == p[best] && q[0] == p[0] && q[1] == p[1] && q[2] == p[2]) {
      unsigned l = common(p, q, 3, lim);
      if (l > best) {
        best = l;
        *dist = (unsigned)(i - (size_t)cand);
        /* nothing longer to find (and q[best], p[best] would be past
         * the end at lim) */
        if (l >= (unsigned)s->nice || l >= lim)
          break;
      }
    }
    int32_t nx = s->prev[cand & (RING - 1)];
    if (nx >= cand)
      break;
    cand = nx;
  }
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
      for (size_t k = from; k < i + l0; k++)
        lazy_insert(s, k);
      i += l0;
    }
    if (i < n)
      l0 = lazy_longest(s, i, 0, &d0);
  }
  return 0;
}
