/*
 * The run-safe level of the Lua 5.1 bytecode check (codecheck.h). Stock
 * Lua 5.1's load-time checker (codecheck.c) looks at one instruction at a
 * time, and its VM trusts more than that proves: a CALL, RETURN or SETLIST
 * "up to the top" believes the instruction before it set the top, below
 * its own registers; FORLOOP believes its three control registers still
 * hold the numbers FORPREP checked. Break either and the host VM frees a
 * closure while it runs or hands out a heap address as a number. This
 * pass proves both from the control flow, and the pseudo-instructions
 * that are data (a SETLIST count, a CLOSURE's upvalue list, the JMP word
 * a test or TFORLOOP reads) are never jumped to. (And NEWTABLE's size
 * hints, which the VM decodes with an overflow and allocates at once, stay
 * within what the function's constructors can hold.)
 *
 * It runs after lfsc_codecheck_proto has passed (operands in range, jumps
 * inside the code, tests followed by a JMP), on every function: what
 * luac5.1 and NodeMCU's luac.cross emit always passes.
 */
#include <limits.h>
#include <stdlib.h>

#include "lfsc/opcodes.h"
#include "codecheck.h"

/* What a code word is, by a linear walk as the VM would step over it. */
enum {
  ROLE_INSN = 0,                /* an instruction control may reach */
  ROLE_DATA,                    /* a SETLIST count word */
  ROLE_PSEUDO,                  /* a CLOSURE upvalue pseudo-instruction */
  ROLE_TESTJMP                  /* the JMP a test or TFORLOOP reads inline */
};

typedef struct flow {
  const lfsc_proto *p;
  int n;                        /* sizecode */
  unsigned char *role;
  int *jumps_in;                /* index into srcs: jump sources of each word */
  int *srcs;
  int *fallfrom;                /* the instruction that falls through to each, or -1 */
  int nsetlist, nsettable;      /* instructions that store constructor items */
  const char *why;
  int pc;
} flow;

static int fail(flow *f, int pc, const char *why)
{
  f->why = why;
  f->pc = pc;
  return 0;
}

static int is_test(int op)
{
  return op == OP_EQ || op == OP_LT || op == OP_LE || op == OP_TEST || op == OP_TESTSET ||
         op == OP_TFORLOOP;
}

/* The successors of the instruction at pc: jumps (taken branches and
 * skips) in jmp[], the fall-through in *fall (-1: none). */
static int successors(const flow *f, int pc, int jmp[2], int *fall)
{
  uint32_t i = f->p->code[pc];
  int op = INS_OP(i), nj = 0;
  *fall = pc + 1;
  switch (op) {
  case OP_JMP:
  case OP_FORPREP:
    jmp[nj++] = pc + 1 + INS_sBx(i);
    *fall = -1;
    break;
  case OP_FORLOOP:
    jmp[nj++] = pc + 1 + INS_sBx(i);
    break;
  case OP_RETURN:
    *fall = -1;
    break;
  case OP_LOADBOOL:
    if (INS_C(i)) {
      jmp[nj++] = pc + 2;
      *fall = -1;
    }
    break;
  case OP_SETLIST:
    if (INS_C(i) == 0)
      *fall = pc + 2;
    break;
  case OP_CLOSURE:
    *fall = pc + 1 + f->p->p[INS_Bx(i)]->nups;
    break;
  default:
    if (is_test(op)) {          /* the JMP word's target, or skip it */
      jmp[nj++] = pc + 2 + INS_sBx(f->p->code[pc + 1]);
      jmp[nj++] = pc + 2;
      *fall = -1;
    }
    break;
  }
  return nj;
}

/* The registers an instruction may write, [*lo, *hi] (empty if lo > hi);
 * calls write from their base up, as the callee's frame lies there. */
static void writes(uint32_t i, int *lo, int *hi)
{
  int op = INS_OP(i), a = INS_A(i);
  *lo = a;
  *hi = a;
  switch (op) {
  case OP_LOADNIL:
    *hi = INS_B(i);
    break;
  case OP_SELF:
    *hi = a + 1;
    break;
  case OP_CALL:
  case OP_TAILCALL:
    *hi = INT_MAX;
    break;
  case OP_VARARG:
    *hi = INS_B(i) == 0 ? INT_MAX : a + INS_B(i) - 2;
    break;
  case OP_FORPREP:
  case OP_FORLOOP:
    *hi = a + 3;
    break;
  case OP_TFORLOOP:
    *lo = a + 2;
    *hi = INT_MAX;
    break;
  case OP_SETGLOBAL:
  case OP_SETUPVAL:
  case OP_SETTABLE:
  case OP_SETLIST:
  case OP_JMP:
  case OP_EQ:
  case OP_LT:
  case OP_LE:
  case OP_TEST:
  case OP_RETURN:
  case OP_CLOSE:
    *lo = 1;
    *hi = 0;
    break;
  default:                      /* one result in R(A) */
    break;
  }
}

static int overlaps(uint32_t i, int a, int b)
{
  int lo, hi;
  writes(i, &lo, &hi);
  if (INS_OP(i) == OP_CONCAT && INS_B(i) <= b && a <= INS_C(i))
    return 1;                   /* it also concatenates in place in B..C */
  return lo <= hi && lo <= b && a <= hi;
}

/* Roles, fall-through predecessors and jump sources. */
static int build(flow *f)
{
  const lfsc_proto *p = f->p;
  int n = f->n;
  for (int pc = 0; pc < n; pc++) {
    uint32_t i = p->code[pc];
    int op = INS_OP(i), extra = 0;
    if (op == OP_CLOSURE)
      extra = p->p[INS_Bx(i)]->nups;
    else if (op == OP_SETLIST && INS_C(i) == 0)
      extra = 1;
    else if (is_test(op))
      extra = 1;
    for (int j = 1; j <= extra && pc + j < n; j++)
      f->role[pc + j] = op == OP_CLOSURE ? ROLE_PSEUDO
                        : op == OP_SETLIST ? ROLE_DATA : ROLE_TESTJMP;
    if (op == OP_SETLIST)
      f->nsetlist++;
    else if (op == OP_SETTABLE)
      f->nsettable++;
    pc += extra;
  }
  /* count jump sources per target, then fill them in */
  int *count = f->jumps_in;
  for (int pc = 0; pc < n; pc++) {
    f->fallfrom[pc] = -1;
    count[pc] = 0;
  }
  count[n] = 0;
  int total = 0;
  for (int pc = 0; pc < n; pc++) {
    if (f->role[pc] != ROLE_INSN)
      continue;
    int jmp[2], fall, nj = successors(f, pc, jmp, &fall);
    if (fall >= 0) {
      if (fall >= n || f->role[fall] != ROLE_INSN)
        return fail(f, pc, "control falls off the end of the code");
      f->fallfrom[fall] = pc;
    }
    for (int k = 0; k < nj; k++) {
      if (jmp[k] < 0 || jmp[k] >= n)
        return fail(f, pc, "jump out of range");
      if (f->role[jmp[k]] != ROLE_INSN)
        return fail(f, pc, "jump into a pseudo-instruction (SETLIST count, CLOSURE "
                           "upvalue or a test's JMP)");
      count[jmp[k]]++;
      total++;
    }
  }
  f->srcs = malloc(((size_t)total + 1) * sizeof *f->srcs);
  if (!f->srcs)
    return fail(f, -1, "out of memory");
  /* sources of v at srcs[jumps_in[v] .. jumps_in[v + 1]): starts shifted
   * up by one, then each fill moves v's slot to its end, v + 1's start */
  int run = 0;
  for (int v = 0; v < n; v++) {
    int c = count[v];
    count[v] = run;
    run += c;
  }
  for (int v = n; v > 0; v--)
    count[v] = count[v - 1];
  count[0] = 0;
  for (int pc = 0; pc < n; pc++) {
    if (f->role[pc] != ROLE_INSN)
      continue;
    int jmp[2], fall, nj = successors(f, pc, jmp, &fall);
    for (int k = 0; k < nj; k++)
      f->srcs[count[jmp[k] + 1]++] = pc;
  }
  return 1;
}

static int first_src(const flow *f, int v)
{
  return f->jumps_in[v];
}

static int end_src(const flow *f, int v)
{
  return f->jumps_in[v + 1];
}

static int is_open_producer(uint32_t i)
{
  int op = INS_OP(i);
  return ((op == OP_CALL || op == OP_TAILCALL) && INS_C(i) == 0) ||
         (op == OP_VARARG && INS_B(i) == 0);
}

/* NEWTABLE's size hints are "floating bytes" (eeeeexxx: (1xxx) << (e - 1)),
 * which liblua5.1 decodes in an int (an exponent above 28 overflows it)
 * and then allocates: a hint of 2^30 is 16 GiB at once. A compiler takes
 * them from the constructor: list items, stored by SETLISTs of at most 50
 * each, and record fields, one SETTABLE each; rounded up by at most an
 * eighth. So no hint exceeds what the function's SETLISTs and SETTABLEs
 * could store (f->nsetlist, f->nsettable). */
static int check_newtable(flow *f, int pc)
{
  uint32_t i = f->p->code[pc];
  if (INS_OP(i) != OP_NEWTABLE)
    return 1;
  uint64_t bound[2] = {64 * (uint64_t)f->nsetlist + 16, 2 * (uint64_t)f->nsettable + 16};
  for (int k = 0; k < 2; k++) {
    unsigned x = k ? INS_C(i) : INS_B(i), e = (x >> 3) & 31;
    uint64_t size = e == 0 ? x : (uint64_t)((x & 7) + 8) << (e - 1);
    if (size > bound[k])
      return fail(f, pc, "NEWTABLE size hint larger than any constructor of this function");
  }
  return 1;
}

/* A consumer "up to the top" directly after the producer that set it,
 * never jumped to, and with its registers at or below the producer's. */
static int check_open(flow *f, int pc)
{
  uint32_t i = f->p->code[pc];
  int op = INS_OP(i);
  if (!((op == OP_CALL || op == OP_TAILCALL || op == OP_RETURN || op == OP_SETLIST) &&
        INS_B(i) == 0))
    return 1;
  if (first_src(f, pc) != end_src(f, pc))
    return fail(f, pc, "jump to an instruction that uses the stack top");
  int u = f->fallfrom[pc];
  if (u < 0 || !is_open_producer(f->p->code[u]))
    return fail(f, pc, "stack top used but not set by the instruction before");
  /* CALL/TAILCALL/SETLIST take R(A+1) .. top, RETURN R(A) .. top */
  int need = op == OP_RETURN ? INS_A(i) : INS_A(i) + 1;
  if (INS_A(f->p->code[u]) < need)
    return fail(f, pc, "stack top set below the registers that use it");
  return 1;
}

/* Control enters [lo, hi] only at entry, or from inside [from, hi]. */
static int entered_only(flow *f, int lo, int hi, int from, int entry, int entry_src)
{
  for (int v = lo; v <= hi; v++)
    for (int k = first_src(f, v); k < end_src(f, v); k++) {
      int u = f->srcs[k];
      if (u >= from && u <= hi)
        continue;
      if (v == entry && u == entry_src)
        continue;
      return fail(f, u, "jump into a loop body from outside");
    }
  return 1;
}

/* No instruction in [lo, hi) writes R(a) .. R(a + 2). */
static int control_untouched(flow *f, int lo, int hi, int a)
{
  for (int pc = lo; pc < hi; pc++)
    if (f->role[pc] == ROLE_INSN && overlaps(f->p->code[pc], a, a + 2))
      return fail(f, pc, "loop control register written inside the loop");
  return 1;
}

/* FORPREP p jumps to FORLOOP q of the same A, which jumps back to p + 1;
 * the body p+1 .. q-1 is entered only from FORLOOP, and FORLOOP only from
 * the body and FORPREP. */
static int check_forprep(flow *f, int p)
{
  uint32_t i = f->p->code[p];
  int a = INS_A(i), q = p + 1 + INS_sBx(i);
  if (q <= p || INS_OP(f->p->code[q]) != OP_FORLOOP || INS_A(f->p->code[q]) != a ||
      q + 1 + INS_sBx(f->p->code[q]) != p + 1)
    return fail(f, p, "FORPREP does not jump to its FORLOOP, or that FORLOOP not back");
  return entered_only(f, p + 1, q, p + 1, q, p) && control_untouched(f, p + 1, q, a);
}

/* Every FORLOOP has its FORPREP (checked from there); here that there is
 * one at all, so that no FORLOOP runs on unchecked registers. */
static int check_forloop(flow *f, int q)
{
  for (int k = first_src(f, q); k < end_src(f, q); k++) {
    uint32_t u = f->p->code[f->srcs[k]];
    if (INS_OP(u) == OP_FORPREP && f->srcs[k] + 1 + INS_sBx(u) == q)
      return 1;
  }
  return fail(f, q, "FORLOOP without its FORPREP");
}

/* JMP e to TFORLOOP t, whose JMP word goes back to the body e+1 .. t-1:
 * entered only through e, its control registers untouched. */
static int check_tforloop(flow *f, int t)
{
  int a = INS_A(f->p->code[t]);
  int b = t + 2 + INS_sBx(f->p->code[t + 1]);
  int e = b - 1;
  if (b > t || e < 0 || INS_OP(f->p->code[e]) != OP_JMP || e + 1 + INS_sBx(f->p->code[e]) != t)
    return fail(f, t, "TFORLOOP not entered by a JMP before its body, or not jumping back to it");
  return entered_only(f, b, t, b, t, e) && control_untouched(f, b, t, a);
}

int lfsc_flowcheck_proto_at(const lfsc_proto *p, const char **why, int *pcout)
{
  flow f = {p, p->sizecode, NULL, NULL, NULL, NULL, 0, 0, NULL, -1};
  size_t n = (size_t)f.n;
  f.role = calloc(n + 1, 1);
  f.jumps_in = malloc((n + 2) * sizeof *f.jumps_in);
  f.fallfrom = malloc((n + 1) * sizeof *f.fallfrom);
  int ok = f.role && f.jumps_in && f.fallfrom ? build(&f) : fail(&f, -1, "out of memory");
  for (int pc = 0; ok && pc < f.n; pc++) {
    if (f.role[pc] != ROLE_INSN)
      continue;
    int op = INS_OP(p->code[pc]);
    ok = check_open(&f, pc) && check_newtable(&f, pc);
    if (ok && op == OP_FORPREP)
      ok = check_forprep(&f, pc);
    else if (ok && op == OP_FORLOOP)
      ok = check_forloop(&f, pc);
    else if (ok && op == OP_TFORLOOP)
      ok = check_tforloop(&f, pc);
  }
  free(f.role);
  free(f.jumps_in);
  free(f.fallfrom);
  free(f.srcs);
  if (!ok) {
    if (why)
      *why = f.why;
    if (pcout)
      *pcout = f.pc;
  }
  return ok;
}
