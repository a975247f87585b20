/*
 * ROstrt ordering: a model of NodeMCU's host Lua table for string keys
 * (image spec §6.4). Only the node positions matter, so nodes carry a key
 * and a chain link and nothing else.
 */
#include <stdlib.h>

#include "strtab.h"

#define NONE (-1)

void lfsc_strtab_init(strtab *t)
{
  t->node = NULL;
  t->size = 0;
  t->freepos = 0;
  t->count = 0;
}

void lfsc_strtab_free(strtab *t)
{
  free(t->node);
  lfsc_strtab_init(t);
}

uint32_t lfsc_strtab_hash(const char *s, size_t len)
{
  /* Lua 5.1 hashes at most ~32 sampled bytes, walking down from the end. */
  uint32_t h = (uint32_t)len;
  size_t step = (len >> 5) + 1;
  for (size_t i = len; i >= step; i -= step)
    h ^= (h << 5) + (h >> 2) + (unsigned char)s[i - 1];
  return h;
}

static uint32_t keyhash(const lfsc_str *s)
{
  return lfsc_strtab_hash(s->data, s->len);
}

static int32_t mainpos(const strtab *t, uint32_t hash)
{
  return (int32_t)(hash & (t->size - 1));
}

static int32_t find(const strtab *t, const lfsc_str *s, uint32_t hash)
{
  if (t->size == 0)
    return NONE;
  for (int32_t i = mainpos(t, hash); i != NONE; i = t->node[i].next)
    if (t->node[i].key == s)
      return i;
  return NONE;
}

int32_t lfsc_strtab_find(const strtab *t, const lfsc_str *s)
{
  return find(t, s, keyhash(s));
}

/* The free slot search scans downwards and is only reset by a grow, so a
 * slot freed above the scan position is never reused: that is what makes
 * the final order depend on the whole insertion history. */
static int32_t freepos(strtab *t)
{
  while (t->freepos > 0) {
    t->freepos--;
    if (!t->node[t->freepos].key)
      return (int32_t)t->freepos;
  }
  return NONE;
}

/* Index of the node whose chain link points at target, walking the chain
 * that starts at from; NONE if target is not on it. */
static int32_t find_prev(const strtab *t, int32_t from, int32_t target)
{
  int32_t p = from;
  while (p != NONE && t->node[p].next != target)
    p = t->node[p].next;
  return p;
}

/* Put the key at node i where it belongs after a grow. Returns 1 when done
 * with node i, 0 when node i received another key that must be placed too
 * (the eLua rehash swaps nodes instead of re-inserting into a new vector). */
static int move_node(strtab *t, int32_t i)
{
  int32_t mp = mainpos(t, t->node[i].hash);
  if (mp == i)
    return 1;
  if (find_prev(t, mp, i) != NONE)
    return 1;                   /* already chained from its main position */
  if (t->node[mp].key) {
    int32_t other = mainpos(t, t->node[mp].hash);
    if (other != mp) {
      /* The occupant of mp is itself out of place: swap the two nodes and
       * relink whoever pointed at mp to point at i. */
      strtab_node tmp = t->node[i];
      int32_t prev = find_prev(t, other, mp);
      if (prev != NONE)
        t->node[prev].next = i;
      t->node[i] = t->node[mp];
      t->node[mp] = tmp;
      return prev != NONE;
    }
    t->node[i].next = t->node[mp].next;   /* chain i behind mp */
    t->node[mp].next = i;
    return 1;
  }
  t->node[mp] = t->node[i];
  t->node[i].key = NULL;
  t->node[i].next = NONE;
  return 1;
}

/* Double the node vector in place (or create it) and rehash. Called only
 * when every node is taken, so the new size is always twice the old. */
static int grow(strtab *t)
{
  uint32_t oldn = t->size;
  uint32_t newn = oldn ? oldn * 2 : 1;
  if (newn < oldn || newn > (uint32_t)INT32_MAX ||
      (uint64_t)newn * sizeof *t->node > SIZE_MAX)
    return LFSC_EMEM;
  strtab_node *n = realloc(t->node, newn * sizeof *n);
  if (!n)
    return LFSC_EMEM;
  for (uint32_t i = oldn; i < newn; i++) {
    n[i].key = NULL;
    n[i].next = NONE;
  }
  for (uint32_t i = 0; i < oldn; i++)
    n[i].next = NONE;
  t->node = n;
  t->size = newn;
  t->freepos = newn;
  for (uint32_t i = 0; i < newn; i++)
    if (n[i].key)
      while (!move_node(t, (int32_t)i))
        ;
  return LFSC_OK;
}

int lfsc_strtab_insert(strtab *t, const lfsc_str *s)
{
  uint32_t hash = keyhash(s);
  if (find(t, s, hash) != NONE)
    return LFSC_OK;
  for (;;) {
    if (t->size == 0) {
      int rc = grow(t);
      if (rc)
        return rc;
      continue;
    }
    int32_t mp = mainpos(t, hash);
    if (t->node[mp].key) {
      int32_t f = freepos(t);
      if (f == NONE) {
        int rc = grow(t);
        if (rc)
          return rc;
        continue;
      }
      int32_t other = mainpos(t, t->node[mp].hash);
      if (other != mp) {
        /* Brent's variation: the occupant is a guest here; move it to the
         * free node and take its place. */
        int32_t prev = find_prev(t, other, mp);
        t->node[prev].next = f;
        t->node[f] = t->node[mp];
        t->node[mp].next = NONE;
      } else {
        t->node[f].next = t->node[mp].next;
        t->node[mp].next = f;
        mp = f;
      }
    }
    t->node[mp].key = s;
    t->node[mp].hash = hash;
    t->count++;
    return LFSC_OK;
  }
}

void lfsc_strtab_order(const strtab *t, const lfsc_str **out, uint32_t *index)
{
  uint32_t k = 0;
  for (uint32_t i = 0; i < t->size; i++)
    if (t->node[i].key) {
      out[k] = t->node[i].key;
      if (index)
        index[k] = i;
      k++;
    }
}

uint32_t lfsc_strtab_nbuckets(uint32_t nuse)
{
  uint32_t n = 1;
  while (n <= nuse && n < 0x80000000u)
    n <<= 1;
  return n;
}

uint32_t lfsc_strtab_nbuckets_sparse(uint32_t nuse)
{
  double scaled = (double)nuse * 1.3;
  return lfsc_strtab_nbuckets(scaled >= 2147483647.0 ? 0x7fffffffu : (uint32_t)scaled);
}
