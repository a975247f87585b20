/*
 * Lua 5.1 bytecode checker. It applies, for every instruction in order,
 * the rules that stock Lua 5.1 enforces when it loads a binary chunk, so
 * that anything we accept (or build) would also pass the firmware's own
 * undump verifier. It does not try to prove more than that: like the
 * original it is a static per-instruction check, not a data-flow analysis.
 */
#include <stddef.h>

#include "lfsc/opcodes.h"
#include "codecheck.h"

/* Lua 5.1 constants the rules are phrased in. */
#define MULTRET (-1)

typedef struct checker {
  const lfsc_proto *p;
  const char *why;              /* first failed rule */
  int pc;                       /* where, or -1 */
} checker;

static int fail(checker *c, int pc, const char *why)
{
  c->why = why;
  c->pc = pc;
  return 0;
}

#define CHECK(cond, pc, why) \
  do { if (!(cond)) return fail(c, (pc), (why)); } while (0)

/* Only the upper bound, as in Lua 5.1: computed operands such as
 * "A + B - 1" of an open VARARG may go below zero and are then harmless. */
static int reg_ok(const checker *c, int r)
{
  return r < c->p->maxstacksize;
}

/* One B or C operand against its mode from opcodes.def. */
static int arg_ok(const checker *c, int r, int mode)
{
  switch (mode) {
  case OPARG_N:
    return r == 0;
  case OPARG_R:
    return reg_ok(c, r);
  case OPARG_K:
    if (r & LFSC_BITRK)
      return (r & ~LFSC_BITRK) < c->p->sizek;
    return reg_ok(c, r);
  default:                      /* OPARG_U: any value */
    return 1;
  }
}

/* An instruction that leaves an open (variable) number of results must be
 * followed by one that consumes "up to the top": CALL, TAILCALL, RETURN or
 * SETLIST with B == 0. */
static int open_consumer_ok(const checker *c, int pc)
{
  if (pc + 1 >= c->p->sizecode)
    return 0;
  uint32_t i = c->p->code[pc + 1];
  switch (INS_OP(i)) {
  case OP_CALL:
  case OP_TAILCALL:
  case OP_RETURN:
  case OP_SETLIST:
    return INS_B(i) == 0;
  default:
    return 0;
  }
}

/* A jump may not land on the data word that follows a SETLIST with C == 0.
 * A run of such SETLIST-looking words is ambiguous (a count word can look
 * like a SETLIST), so count the run backwards: an odd run length means the
 * target itself is a count word. */
static int jump_target_ok(const checker *c, int dest)
{
  const lfsc_proto *p = c->p;
  int j = 0;
  while (j < dest) {
    uint32_t d = p->code[dest - 1 - j];
    if (!(INS_OP(d) == OP_SETLIST && INS_C(d) == 0))
      break;
    j++;
  }
  return (j & 1) == 0;
}

static int check_header(checker *c)
{
  const lfsc_proto *p = c->p;
  CHECK(p->maxstacksize <= CODECHECK_MAXSTACK, -1, "stack too large");
  CHECK(p->numparams + (p->is_vararg & LFSC_VARARG_HASARG) <= p->maxstacksize, -1,
        "parameters exceed the stack size");
  CHECK(!(p->is_vararg & LFSC_VARARG_NEEDSARG) || (p->is_vararg & LFSC_VARARG_HASARG), -1,
        "inconsistent vararg flags");
  CHECK(p->sizeupvalues <= p->nups, -1, "more upvalue names than upvalues");
  CHECK(p->sizelineinfo == p->sizecode || p->sizelineinfo == 0, -1,
        "line info does not match the code size");
  CHECK(p->sizecode > 0 && p->code && INS_OP(p->code[p->sizecode - 1]) == OP_RETURN, -1,
        "code does not end with RETURN");
  CHECK(p->sizek == 0 || p->k, -1, "missing constants");
  CHECK(p->sizep == 0 || p->p, -1, "missing functions");
  return 1;
}

static int check_insn(checker *c, int *pcp)
{
  const lfsc_proto *p = c->p;
  int pc = *pcp;
  uint32_t i = p->code[pc];
  int op = INS_OP(i);
  int a = INS_A(i);
  int b = 0, cc = 0;

  CHECK(op < OP__COUNT, pc, "invalid opcode");
  CHECK(reg_ok(c, a), pc, "register A out of range");
  switch (lfsc_opcodes_format[op]) {
  case OPFMT_ABC:
    b = INS_B(i);
    cc = INS_C(i);
    CHECK(arg_ok(c, b, lfsc_opcodes_bmode[op]), pc, "operand B out of range");
    CHECK(arg_ok(c, cc, lfsc_opcodes_cmode[op]), pc, "operand C out of range");
    break;
  case OPFMT_ABx:
    b = INS_Bx(i);
    if (lfsc_opcodes_bmode[op] == OPARG_K)
      CHECK(b < p->sizek, pc, "constant index out of range");
    break;
  default:                      /* OPFMT_AsBx */
    b = INS_sBx(i);
    if (lfsc_opcodes_bmode[op] == OPARG_R) {
      int dest = pc + 1 + b;
      CHECK(dest >= 0 && dest < p->sizecode, pc, "jump out of range");
      if (dest > 0)
        CHECK(jump_target_ok(c, dest), pc, "jump into a SETLIST count");
    }
    break;
  }
  if (lfsc_opcodes_test[op]) {
    CHECK(pc + 2 < p->sizecode, pc, "test at end of code");
    CHECK(INS_OP(p->code[pc + 1]) == OP_JMP, pc, "test not followed by JMP");
  }

  switch (op) {
  case OP_LOADBOOL:
    if (cc == 1) {
      CHECK(pc + 2 < p->sizecode, pc, "LOADBOOL skips past the end");
      CHECK(INS_OP(p->code[pc + 1]) != OP_SETLIST || INS_C(p->code[pc + 1]) != 0, pc,
            "LOADBOOL skips into a SETLIST count");
    }
    break;
  case OP_GETUPVAL:
  case OP_SETUPVAL:
    CHECK(b < p->nups, pc, "upvalue index out of range");
    break;
  case OP_GETGLOBAL:
  case OP_SETGLOBAL:
    CHECK(p->k[b].type == LFSC_K_STR, pc, "global name is not a string");
    break;
  case OP_SELF:
    CHECK(reg_ok(c, a + 1), pc, "register out of range");
    break;
  case OP_CONCAT:
    CHECK(b < cc, pc, "CONCAT needs two operands");
    break;
  case OP_TFORLOOP:
    CHECK(cc >= 1, pc, "TFORLOOP without variables");
    CHECK(reg_ok(c, a + 2 + cc), pc, "register out of range");
    break;
  case OP_FORLOOP:
  case OP_FORPREP:
    CHECK(reg_ok(c, a + 3), pc, "register out of range");
    break;
  case OP_CALL:
  case OP_TAILCALL:
    if (b != 0)
      CHECK(reg_ok(c, a + b - 1), pc, "register out of range");
    cc--;
    if (cc == MULTRET)
      CHECK(open_consumer_ok(c, pc), pc, "open call not followed by a consumer");
    else if (cc != 0)
      CHECK(reg_ok(c, a + cc - 1), pc, "register out of range");
    break;
  case OP_RETURN:
    b--;
    if (b > 0)
      CHECK(reg_ok(c, a + b - 1), pc, "register out of range");
    break;
  case OP_SETLIST:
    if (b > 0)
      CHECK(reg_ok(c, a + b), pc, "register out of range");
    if (cc == 0) {
      /* The next word is the batch number, not an instruction. */
      pc++;
      CHECK(pc < p->sizecode - 1, pc, "SETLIST count missing");
    }
    break;
  case OP_CLOSURE: {
    CHECK(b < p->sizep && p->p[b], pc, "function index out of range");
    int nup = p->p[b]->nups;
    CHECK(pc + nup < p->sizecode, pc, "CLOSURE upvalue list past the end");
    for (int j = 1; j <= nup; j++) {
      int op1 = INS_OP(p->code[pc + j]);
      CHECK(op1 == OP_GETUPVAL || op1 == OP_MOVE, pc + j, "bad CLOSURE upvalue pseudo-instruction");
    }
    /* The pseudo-instructions are still checked as ordinary
     * instructions by the following iterations, as Lua 5.1 does. */
    break;
  }
  case OP_VARARG:
    CHECK((p->is_vararg & LFSC_VARARG_ISVARARG) && !(p->is_vararg & LFSC_VARARG_NEEDSARG), pc,
          "VARARG in a function without varargs");
    b--;
    if (b == MULTRET)
      CHECK(open_consumer_ok(c, pc), pc, "open VARARG not followed by a consumer");
    CHECK(reg_ok(c, a + b - 1), pc, "register out of range");
    break;
  default:
    break;
  }
  *pcp = pc;
  return 1;
}

int lfsc_codecheck_proto_at(const lfsc_proto *p, const char **why, int *pcout)
{
  checker c = {p, NULL, -1};
  int ok = check_header(&c);
  for (int pc = 0; ok && pc < p->sizecode; pc++)
    ok = check_insn(&c, &pc);
  if (!ok) {
    if (why)
      *why = c.why;
    if (pcout)
      *pcout = c.pc;
  }
  return ok;
}

int lfsc_codecheck_proto(const lfsc_proto *p, const char **why)
{
  return lfsc_codecheck_proto_at(p, why, NULL);
}

int lfsc_codecheck_tree(const lfsc_proto *p, const char **why, const lfsc_proto **bad)
{
  for (int i = 0; i < p->sizep; i++)
    if (p->p && p->p[i] && !lfsc_codecheck_tree(p->p[i], why, bad))
      return 0;
  if (!lfsc_codecheck_proto(p, why)) {
    if (bad)
      *bad = p;
    return 0;
  }
  return 1;
}
