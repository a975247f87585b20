/* Pre-order counting and numbering of a proto tree (protowalk.h). */
#include <stdlib.h>

#include "protowalk.h"

int lfsc_proto_count(const lfsc_proto *p)
{
  int n = 1;
  for (int i = 0; i < p->sizep; i++)
    if (p->p[i])
      n += lfsc_proto_count(p->p[i]);
  return n;
}

int *lfsc_proto_child_ids(const lfsc_proto *f, int id)
{
  if (f->sizep <= 0)
    return NULL;
  int *ids = malloc((size_t)f->sizep * sizeof *ids);
  if (!ids)
    return NULL;
  int next = id + 1;
  for (int i = 0; i < f->sizep; i++) {
    ids[i] = next;
    if (f->p[i])
      next += lfsc_proto_count(f->p[i]);
  }
  return ids;
}
