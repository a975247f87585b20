/*
 * Walks over a proto tree that every dialect's listing and inspector
 * share: counting its functions and numbering them in pre-order, the
 * stand-in for the heap addresses luac prints (see lua51/listing.h).
 */
#ifndef LFSC_PROTOWALK_H
#define LFSC_PROTOWALK_H

#include "lfsc/proto.h"

/* Functions in the tree rooted at p (p included; NULL children skipped). */
int lfsc_proto_count(const lfsc_proto *p);

/* Pre-order numbers of f's children, f being number id; malloc'd (NULL
 * when f has no children or memory is short). */
int *lfsc_proto_child_ids(const lfsc_proto *f, int id);

#endif
