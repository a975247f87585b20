/* The first difference between two function trees (see protodiff.h). */
#include <string.h>

#include "protodiff.h"

int lfsc_protodiff_const_eq(const lfsc_const *a, const lfsc_const *b)
{
  if (a->type != b->type)
    return 0;
  switch (a->type) {
  case LFSC_K_BOOL: return a->u.b == b->u.b;
  case LFSC_K_NUM:
    return memcmp(&a->u.n, &b->u.n, sizeof a->u.n) == 0 || (a->u.n != a->u.n && b->u.n != b->u.n);
  case LFSC_K_STR: return a->u.s == b->u.s;
  case LFSC_K_INT: return a->u.i == b->u.i;
  default: return 1;
  }
}

static int found(lfsc_protodiff *d, lfsc_protodiff_what what, const lfsc_proto *x,
                 const lfsc_proto *y, int at)
{
  d->what = what;
  d->x = x;
  d->y = y;
  d->at = at;
  return 1;
}

/* This function, then its children; 1 at the first difference. */
static int compare(lfsc_protodiff *d, const lfsc_proto *x, const lfsc_proto *y, int depth)
{
  if (x->numparams != y->numparams || x->is_vararg != y->is_vararg || x->nups != y->nups ||
      x->maxstacksize != y->maxstacksize)
    return found(d, LFSC_PROTODIFF_HEADER, x, y, 0);
  int n = x->sizecode < y->sizecode ? x->sizecode : y->sizecode;
  for (int pc = 0; pc < n; pc++)
    if (x->code[pc] != y->code[pc])
      return found(d, LFSC_PROTODIFF_CODE, x, y, pc);
  if (x->sizecode != y->sizecode)
    return found(d, LFSC_PROTODIFF_SIZECODE, x, y, 0);
  n = x->sizek < y->sizek ? x->sizek : y->sizek;
  for (int i = 0; i < n; i++)
    if (!lfsc_protodiff_const_eq(&x->k[i], &y->k[i]))
      return found(d, LFSC_PROTODIFF_CONST, x, y, i);
  if (x->sizek != y->sizek)
    return found(d, LFSC_PROTODIFF_SIZEK, x, y, 0);
  if (x->sizep != y->sizep)
    return found(d, LFSC_PROTODIFF_SIZEP, x, y, 0);
  if (x->sizepackedli != y->sizepackedli ||
      (x->sizepackedli && memcmp(x->packedli, y->packedli, x->sizepackedli) != 0) ||
      x->linedefined != y->linedefined || x->lastlinedefined != y->lastlinedefined ||
      x->source != y->source || x->sizelocvars != y->sizelocvars ||
      x->sizeupvalues != y->sizeupvalues)
    d->debug_differs = 1;
  if (depth == LFSC_PROTODIFF_MAXDEPTH)
    return 0;
  for (int i = 0; i < x->sizep; i++) {
    d->path[depth] = i;
    d->depth = depth + 1;
    if (compare(d, x->p[i], y->p[i], depth + 1))
      return 1;
  }
  d->depth = depth;
  return 0;
}

int lfsc_protodiff_compare(const lfsc_proto *x, const lfsc_proto *y, lfsc_protodiff *d)
{
  memset(d, 0, sizeof *d);
  return compare(d, x, y, 0);
}
