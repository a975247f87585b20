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

#include "lfsc/lfsc.h"
#include "base/sink.h"

/* Write the listing of the tree rooted at p to out. full selects the
 * -l -l form (constants, locals and upvalues tables after each function).
 * target's variant selects number formatting and line source: int32
 * numbers print as integers ("%d", like NodeMCU's int build; for int32
 * values this is the same text as "%.14g"), doubles as "%.14g"; NodeMCU
 * formats take line numbers from the packed line info when a function has
 * it (so they show what the firmware will report), the host format from
 * lineinfo[]. Instructions without a line print "[-]". Returns the sink's
 * status (LFSC_OK, or the first write error). */
int lfsc_listing_print(lfsc_sink *out, const lfsc_proto *p, int full, lfsc_target target);

/* The one instruction formatter, in two styles:
 *   LFSC_INSTR_LUAC    a listing line after its "\t<pc>\t[<line>]\t":
 *                      the name padded to 9, a tab, the operands as luac
 *                      shows them (unused B/C and JMP's A left out, RK
 *                      constants as -1 - index) and luac's "\t; comment";
 *                      an unknown opcode is "?" and the word in hex.
 *   LFSC_INSTR_FIELDS  "NAME a b c": every field of the format, constants
 *                      as -1 - index only where the operand is of K mode,
 *                      no comment; an unknown opcode is
 *                      "0x<word> (invalid opcode N)". For messages that
 *                      name one instruction (lfsimg diff).
 * Formats f->code[pc], no line break. target formats constants in
 * comments, id is f's pre-order number (the stand-in for its address
 * above, 1 for a root; CLOSURE comments name the child's). Returns the
 * pc of the next instruction: pc + 2 past a SETLIST whose count is in the
 * next word, as luac lists it, else pc + 1. */
typedef enum lfsc_instr_style { LFSC_INSTR_LUAC, LFSC_INSTR_FIELDS } lfsc_instr_style;
int lfsc_listing_instr(lfsc_sink *out, const lfsc_proto *f, int pc, lfsc_instr_style style,
                       lfsc_target target, int id);

#endif
