/*
 * Bytecode listings in the format of `luac5.1 -l` and `luac5.1 -l -l`
 * (and NodeMCU luac.cross, whose format is the same), function by function
 * in the same recursive order.
 *
 * The one deliberate difference: where luac prints a heap address (after
 * "bytes at", in CLOSURE comments and in the "constants/locals/upvalues
 * (n) for ADDR:" lines of -l -l), we print the function's 1-based
 * pre-order number in the tree as "0x%08x": the main function is
 * 0x00000001, its first child 0x00000002, that child's first child (if
 * any) 0x00000003, and so on. The listing is therefore reproducible, and a
 * CLOSURE comment names the same value as the header of the function it
 * builds.
 *
 * "N bytes" is what luac5.1 prints: sizecode * sizeof(Instruction), i.e.
 * 4 bytes per instruction, whatever the target.
 */
#ifndef LFSC_LISTING_H
#define LFSC_LISTING_H

#include <stdio.h>

#include "lfsc/lfsc.h"

/* Print the listing of the tree rooted at p to out. full selects the
 * -l -l form (constants, locals and upvalues tables after each function).
 * target selects number formatting and line source: LFSC_TARGET_INT
 * prints numbers as integers ("%d", like NodeMCU's int build; for int32
 * values this is the same text as "%.14g"), the others as "%.14g"; NodeMCU
 * targets take line numbers from the packed line info when a function has
 * it (so they show what the firmware will report), the host target from
 * lineinfo[]. Instructions without a line print "[-]". Returns LFSC_OK, or
 * LFSC_EIO if writing to out failed. */
int lfsc_listing_print(FILE *out, const lfsc_proto *p, int full, lfsc_target target);

#endif
