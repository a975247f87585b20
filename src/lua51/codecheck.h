/*
 * Static bytecode checker for Lua 5.1 prototypes: the rules of stock Lua
 * 5.1's load-time verifier (opcodes valid, registers below maxstacksize,
 * RK constants below sizek, jump targets inside the function and not onto
 * a SETLIST count word, CLOSURE followed by its nups MOVE/GETUPVAL
 * pseudo-instructions, open calls followed by a consumer, ...).
 *
 * A pure predicate: it reads the tree, allocates nothing and reports no
 * error through a context, so the .lc reader and the image verifier can
 * share it and phrase their own messages.
 */
#ifndef LFSC_CODECHECK_H
#define LFSC_CODECHECK_H

#include "lfsc/proto.h"

/* The stack size limit every function must respect (Lua 5.1 MAXSTACK). */
#define CODECHECK_MAXSTACK 250

/* Check one function (not its children, although it reads their nups
 * for CLOSURE). Returns 1 when the code is acceptable, 0 otherwise; then,
 * if why is not NULL, *why is a static text naming the first rule broken
 * (e.g. "jump out of range"). */
int lfsc_codecheck_proto(const lfsc_proto *p, const char **why);

/* Like lfsc_codecheck_proto, and also stores in *pc the 0-based index of the
 * offending instruction, or -1 when a function-level rule failed. */
int lfsc_codecheck_proto_at(const lfsc_proto *p, const char **why, int *pc);

/* Check a whole tree, children first as Lua 5.1 does while loading. On
 * failure *bad (if not NULL) is the first function that fails. */
int lfsc_codecheck_tree(const lfsc_proto *p, const char **why, const lfsc_proto **bad);

/* The run-safe level (flowcheck.c), for a function that passed
 * lfsc_codecheck_proto: open results consumed right after they are made
 * and above the consumer's registers, numeric and generic for loops
 * entered only at their start with their control registers untouched,
 * no jump into data words. Same results as lfsc_codecheck_proto_at
 * ("out of memory" is a failure too). */
int lfsc_flowcheck_proto_at(const lfsc_proto *p, const char **why, int *pc);

#endif
