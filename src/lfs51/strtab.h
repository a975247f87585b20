/*
 * The read-only string table (ROstrt) of an LFS image: which strings it
 * holds and in which order (image spec §6).
 *
 * The reference collects the strings in a host Lua table and emits them in
 * that table's traversal order, so the order depends on NodeMCU's table
 * algorithm: stock 5.1 insertion with Brent's variation plus an in-place
 * ("eLua") rehash (§6.4). strtab models that table for string keys only;
 * its node order is the ROstrt order. Keys are interned lfsc_str, so two
 * keys are equal exactly when their pointers are.
 */
#ifndef LFSC_STRTAB_H
#define LFSC_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"

typedef struct strtab_node {
  const lfsc_str *key;          /* NULL = free node */
  uint32_t hash;                /* lfsc_strtab_hash of the key */
  int32_t next;                 /* next node in the collision chain, or -1 */
} strtab_node;

typedef struct strtab {
  strtab_node *node;            /* NULL while the table is empty */
  uint32_t size;                /* number of nodes (a power of two), 0 when empty */
  uint32_t freepos;             /* free-slot scan position; moves down only */
  uint32_t count;               /* keys stored */
} strtab;

/* Lua 5.1's string hash: the ROstrt's (image spec §6.2), which the
 * firmware recomputes to look strings up, and the table model's. */
uint32_t lfsc_strtab_hash(const char *s, size_t len);

void lfsc_strtab_init(strtab *t);
void lfsc_strtab_free(strtab *t);

/* Insert s unless present. LFSC_OK or LFSC_EMEM. */
int lfsc_strtab_insert(strtab *t, const lfsc_str *s);

/* Node index of s, or -1 when absent. Indexes are stable once all keys
 * are inserted; lfsc_strtab_order lists keys by ascending index. */
int32_t lfsc_strtab_find(const strtab *t, const lfsc_str *s);

/* Store the t->count keys in ROstrt order (ascending node index) in
 * out[]; if index is not NULL, index[i] gets the node index of out[i]. */
void lfsc_strtab_order(const strtab *t, const lfsc_str **out, uint32_t *index);

/* Bucket count of an image ROstrt with nuse strings: the smallest power of
 * two strictly greater than nuse (§6.2). */
uint32_t lfsc_strtab_nbuckets(uint32_t nuse);

/* The sparser rule some builders use (NodeMCU's ESP32 luac.cross,
 * lflashimg.c): the bucket count for (int)(nuse * 1.3) strings, computed
 * in double as C does. Equal to lfsc_strtab_nbuckets(nuse) or twice it.
 * The firmware takes any power of two, so both rules make loadable images;
 * a platform picks one (lfsc_platform.ro_buckets). */
uint32_t lfsc_strtab_nbuckets_sparse(uint32_t nuse);

#endif
