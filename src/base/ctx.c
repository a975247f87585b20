/* The compile-job context: arena allocation, string interning, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "ctx.h"

#define ARENA_BLOCK (64 * 1024)

typedef struct block {
  struct block *prev;
  size_t size, used;
  _Alignas(16) unsigned char mem[];
} block;

typedef struct scratch {
  struct scratch *prev, *next;
  _Alignas(16) unsigned char mem[];
} scratch;

lfsc_ctx *lfsc_new(void)
{
  lfsc_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx)
    return NULL;
  /* small, and doubled as strings come (grow_table): a one-line module
   * should not pay for clearing a table sized for a big project */
  ctx->nbuckets = 64;
  ctx->buckets = calloc(ctx->nbuckets, sizeof *ctx->buckets);
  if (!ctx->buckets) {
    free(ctx);
    return NULL;
  }
  return ctx;
}

void lfsc_free(lfsc_ctx *ctx)
{
  if (!ctx)
    return;
  for (block *b = ctx->arena, *prev; b; b = prev) {
    prev = b->prev;
    free(b);
  }
  lfsc_ctx_scratch_free_all(ctx);
  free(ctx->buckets);
  free(ctx->errmsg);
  free(ctx);
}

const char *lfsc_errmsg(const lfsc_ctx *ctx)
{
  return ctx->errmsg ? ctx->errmsg : "";
}

int lfsc_seterr(lfsc_ctx *ctx, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!msg)    /* keep the previous message rather than lose the code */
    return code;
  va_start(ap, fmt);
  vsnprintf(msg, (size_t)n + 1, fmt, ap);
  va_end(ap);
  free(ctx->errmsg);
  ctx->errmsg = msg;
  return code;
}

void *lfsc_alloc(lfsc_ctx *ctx, size_t size)
{
  size = (size + 15) & ~(size_t)15;
  block *b = ctx->arena;
  if (!b || b->size - b->used < size) {
    size_t bsize = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    b = malloc(sizeof *b + bsize);
    if (!b)
      return NULL;
    b->prev = ctx->arena;
    b->size = bsize;
    b->used = 0;
    ctx->arena = b;
  }
  void *p = b->mem + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

static scratch *scratch_of(void *p)
{
  return (scratch *)((unsigned char *)p - offsetof(scratch, mem));
}

static void unlink_scratch(lfsc_ctx *ctx, scratch *s)
{
  if (s->prev)
    s->prev->next = s->next;
  else
    ctx->scratch = s->next;
  if (s->next)
    s->next->prev = s->prev;
}

void *lfsc_ctx_scratch_resize(lfsc_ctx *ctx, void *p, size_t size)
{
  if (size > SIZE_MAX - sizeof(scratch))
    return NULL;
  scratch *old = p ? scratch_of(p) : NULL;
  if (old)
    unlink_scratch(ctx, old);
  scratch *s = realloc(old, sizeof *s + size);
  int failed = s == NULL;
  if (failed)
    s = old;                    /* realloc kept the old block: list it again */
  if (s) {
    s->prev = NULL;
    s->next = ctx->scratch;
    if (s->next)
      s->next->prev = s;
    ctx->scratch = s;
  }
  return failed ? NULL : s->mem;
}

void lfsc_ctx_scratch_free(lfsc_ctx *ctx, void *p)
{
  if (!p)
    return;
  scratch *s = scratch_of(p);
  unlink_scratch(ctx, s);
  free(s);
}

void lfsc_ctx_scratch_free_all(lfsc_ctx *ctx)
{
  for (scratch *s = ctx->scratch, *next; s; s = next) {
    next = s->next;
    free(s);
  }
  ctx->scratch = NULL;
}

void *lfsc_ctx_arena_copy(lfsc_ctx *ctx, const void *p, size_t n)
{
  void *q = n ? lfsc_alloc(ctx, n) : NULL;
  if (q)
    memcpy(q, p, n);
  return q;
}

/* The intern table's hash (FNV-1a over every byte). It is not any Lua's
 * string hash: each image format hashes its strings its own way (the 5.1
 * ROstrt's is lfsc_strtab_hash). */
static uint32_t intern_hash(const char *s, size_t len)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static int grow_table(lfsc_ctx *ctx)
{
  size_t n = ctx->nbuckets * 2;
  lfsc_str **nb = calloc(n, sizeof *nb);
  if (!nb)
    return -1;
  for (size_t i = 0; i < ctx->nbuckets; i++) {
    for (lfsc_str *s = ctx->buckets[i], *next; s; s = next) {
      next = s->chain;
      size_t j = s->hash & (n - 1);
      s->chain = nb[j];
      nb[j] = s;
    }
  }
  free(ctx->buckets);
  ctx->buckets = nb;
  ctx->nbuckets = n;
  return 0;
}

const lfsc_str *lfsc_intern(lfsc_ctx *ctx, const char *s, size_t len)
{
  uint32_t h = intern_hash(s, len);
  for (lfsc_str *t = ctx->buckets[h & (ctx->nbuckets - 1)]; t; t = t->chain)
    if (t->hash == h && t->len == len && memcmp(t->data, s, len) == 0)
      return t;
  if (len > UINT32_MAX - 1)
    return NULL;
  if (ctx->nstrings >= ctx->nbuckets && grow_table(ctx) != 0)
    return NULL;
  lfsc_str *t = lfsc_alloc(ctx, sizeof *t + len + 1);
  if (!t)
    return NULL;
  t->len = (uint32_t)len;
  t->hash = h;
  if (len)
    memcpy(t->data, s, len);
  t->data[len] = '\0';
  size_t j = h & (ctx->nbuckets - 1);
  t->chain = ctx->buckets[j];
  ctx->buckets[j] = t;
  ctx->nstrings++;
  return t;
}
