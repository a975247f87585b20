/*
 * Comparing two function trees for what they do: the first difference in
 * code, constants or nesting, found in the order a reader would check
 * (header, instructions, constants, nested functions depth first). Debug
 * information (line info, names, source) does not make functions differ;
 * it is only noted. lfsimg diff reports with it (lfs51/imgdiff.c).
 */
#ifndef LFSC_LUA51_PROTODIFF_H
#define LFSC_LUA51_PROTODIFF_H

#include "lfsc/proto.h"

/* Deepest nesting compared: what an image reader accepts (reader.h). */
#define LFSC_PROTODIFF_MAXDEPTH 250

typedef enum {
  LFSC_PROTODIFF_SAME = 0,
  LFSC_PROTODIFF_HEADER,        /* params, vararg, upvalues or stack size */
  LFSC_PROTODIFF_SIZECODE,      /* the shorter code is a prefix of the longer */
  LFSC_PROTODIFF_CODE,          /* instruction at differs */
  LFSC_PROTODIFF_CONST,         /* constant at differs */
  LFSC_PROTODIFF_SIZEK,         /* the shorter constant list is a prefix */
  LFSC_PROTODIFF_SIZEP          /* number of nested functions */
} lfsc_protodiff_what;

typedef struct lfsc_protodiff {
  lfsc_protodiff_what what;
  const lfsc_proto *x, *y;      /* the two functions that differ */
  int at;                       /* CODE: the instruction's index; CONST: the constant's */
  /* where x and y are: the root's p[path[0]], its p[path[1]] ... */
  int depth;
  int path[LFSC_PROTODIFF_MAXDEPTH];
  int debug_differs;            /* some function compared differs in debug info only */
} lfsc_protodiff;

/* Compare x and y (nesting beyond LFSC_PROTODIFF_MAXDEPTH is not followed).
 * Fills *d; returns 1 when they differ (d->what not SAME), else 0. */
int lfsc_protodiff_compare(const lfsc_proto *x, const lfsc_proto *y, lfsc_protodiff *d);

/* Constants equal in effect: numbers bit for bit (-0 and 0 differ, as 1/x
 * shows; any NaN equals any NaN), strings by identity (interned in one
 * context). */
int lfsc_protodiff_const_eq(const lfsc_const *a, const lfsc_const *b);

#endif
