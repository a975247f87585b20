/*
 * A static checker for Lua 5.3 functions read from a .lc or an image.
 * Lua 5.3 has no load-time verifier: the VM trusts the code, so a bad
 * operand reads or writes outside the stack, the constants or the
 * upvalues. These rules bound every operand the VM uses as an index (the
 * code stock 5.3 generates satisfies them all), so that a function that
 * passes cannot make the VM index out of range.
 */
#include "lfsc/opcodes53.h"
#include "nlc.h"


typedef struct chk {
  const lfsc_proto *f;
  int pc;
  const char *why;
} chk;

static int bad(chk *c, const char *why)
{
  if (!c->why)
    c->why = why;
  return 0;
}

static int reg(chk *c, int r)
{
  return r < c->f->maxstacksize ? 1 : bad(c, "register out of range");
}

/* registers r .. r+n-1 (n may be 0) */
static int regs(chk *c, int r, int n)
{
  return n <= 0 || r + n - 1 < c->f->maxstacksize ? 1 : bad(c, "register out of range");
}

static int rk(chk *c, int x)
{
  if (x & 0x100)
    return (x & 0xFF) < c->f->sizek ? 1 : bad(c, "constant out of range");
  return reg(c, x);
}

static int upv(chk *c, int u)
{
  return u < c->f->nups ? 1 : bad(c, "upvalue out of range");
}

static int next_is(chk *c, int op, const char *why)
{
  if (c->pc + 1 >= c->f->sizecode || INS_OP(c->f->code[c->pc + 1]) != op)
    return bad(c, why);
  return 1;
}

static int jump(chk *c, int sbx)
{
  long to = (long)c->pc + 1 + sbx;
  return to >= 0 && to < c->f->sizecode ? 1 : bad(c, "jump out of range");
}

static int check_ins(chk *c, uint32_t i)
{
  int op = INS_OP(i), a = INS_A(i), b = INS_B(i), cc = INS_C(i);
  if (op >= OP53__COUNT)
    return bad(c, "bad opcode");
  switch ((lfsc_opcode53)op) {
  case OP53_MOVE:
  case OP53_UNM:
  case OP53_BNOT:
  case OP53_NOT:
  case OP53_LEN:
    return reg(c, a) && reg(c, b);
  case OP53_LOADK:
    return reg(c, a) && (INS_Bx(i) < c->f->sizek ? 1 : bad(c, "constant out of range"));
  case OP53_LOADKX:
    if (!reg(c, a) || !next_is(c, OP53_EXTRAARG, "LOADKX without EXTRAARG"))
      return 0;
    return INS_Ax(c->f->code[c->pc + 1]) < c->f->sizek ? 1 : bad(c, "constant out of range");
  case OP53_LOADBOOL:
    return reg(c, a) && (cc == 0 || jump(c, 1));
  case OP53_LOADNIL:
    return regs(c, a, b + 1);
  case OP53_GETUPVAL:
    return reg(c, a) && upv(c, b);
  case OP53_SETUPVAL:
    return reg(c, a) && upv(c, b);
  case OP53_GETTABUP:
    return reg(c, a) && upv(c, b) && rk(c, cc);
  case OP53_SETTABUP:
    return upv(c, a) && rk(c, b) && rk(c, cc);
  case OP53_GETTABLE:
    return reg(c, a) && reg(c, b) && rk(c, cc);
  case OP53_SETTABLE:
    return reg(c, a) && rk(c, b) && rk(c, cc);
  case OP53_NEWTABLE:
    return reg(c, a);
  case OP53_SELF:
    return regs(c, a, 2) && reg(c, b) && rk(c, cc);
  case OP53_ADD: case OP53_SUB: case OP53_MUL: case OP53_MOD: case OP53_POW:
  case OP53_DIV: case OP53_IDIV: case OP53_BAND: case OP53_BOR: case OP53_BXOR:
  case OP53_SHL: case OP53_SHR:
    return reg(c, a) && rk(c, b) && rk(c, cc);
  case OP53_CONCAT:
    return reg(c, a) && (b <= cc ? 1 : bad(c, "bad CONCAT range")) && reg(c, cc);
  case OP53_JMP:
    /* A > 0 closes upvalues from register A-1 up */
    return (a == 0 || reg(c, a - 1)) && jump(c, INS_sBx(i));
  case OP53_EQ:
  case OP53_LT:
  case OP53_LE:
    return rk(c, b) && rk(c, cc) && next_is(c, OP53_JMP, "test without a jump");
  case OP53_TEST:
    return reg(c, a) && next_is(c, OP53_JMP, "test without a jump");
  case OP53_TESTSET:
    return reg(c, a) && reg(c, b) && next_is(c, OP53_JMP, "test without a jump");
  case OP53_CALL:
  case OP53_TAILCALL:
    /* B-1 arguments after the function (B 0: up to the top); C-1 results */
    return reg(c, a) && regs(c, a, b) && regs(c, a, cc - 1);
  case OP53_RETURN:
    return regs(c, a, b - 1);
  case OP53_FORLOOP:
  case OP53_FORPREP:
    return regs(c, a, 4) && jump(c, INS_sBx(i));
  case OP53_TFORCALL:
    return regs(c, a, 3 + cc) && next_is(c, OP53_TFORLOOP, "TFORCALL without TFORLOOP");
  case OP53_TFORLOOP:
    return regs(c, a, 2) && jump(c, INS_sBx(i));
  case OP53_SETLIST:
    if (cc == 0 && !next_is(c, OP53_EXTRAARG, "SETLIST without EXTRAARG"))
      return 0;
    return regs(c, a, b + 1);
  case OP53_CLOSURE:
    return reg(c, a) && (INS_Bx(i) < c->f->sizep ? 1 : bad(c, "function out of range"));
  case OP53_VARARG:
    return reg(c, a) && regs(c, a, b - 1);
  case OP53_EXTRAARG:
    /* only as the argument word of LOADKX or SETLIST, which skip it */
    if (c->pc == 0)
      return bad(c, "stray EXTRAARG");
    {
      uint32_t prev = c->f->code[c->pc - 1];
      int pop = INS_OP(prev);
      if (pop == OP53_LOADKX || (pop == OP53_SETLIST && INS_C(prev) == 0))
        return 1;
    }
    return bad(c, "stray EXTRAARG");
  default:
    return bad(c, "bad opcode");
  }
}

int lfsc_nlc_check_proto(const lfsc_proto *f, const lfsc_proto *parent, const char **why, int *pc)
{
  chk c = {f, -1, NULL};
  if (f->lua != LFSC_LUA53)
    bad(&c, "not a Lua 5.3 function");
  else if (f->numparams > f->maxstacksize)
    bad(&c, "bad stack size");
  else if (f->is_vararg > 1)
    bad(&c, "bad vararg flag");
  else if (f->sizecode < 1 || INS_OP(f->code[f->sizecode - 1]) != OP53_RETURN)
    bad(&c, "function does not end in RETURN");
  else if (f->sizelineinfo != 0 && f->sizelineinfo != f->sizecode)
    bad(&c, "bad line info size");
  for (int u = 0; !c.why && parent && u < f->nups; u++) {
    const lfsc_upvaldesc *d = &f->upvaldesc[u];
    if (d->instack ? d->idx >= parent->maxstacksize : d->idx >= parent->nups)
      bad(&c, "upvalue descriptor out of range");
  }
  if (!c.why && f->nups && !f->upvaldesc)
    bad(&c, "upvalues without descriptors");
  for (c.pc = 0; !c.why && c.pc < f->sizecode; c.pc++)
    check_ins(&c, f->code[c.pc]);
  if (c.why) {
    if (why)
      *why = c.why;
    if (pc)
      *pc = c.pc > 0 && c.pc <= f->sizecode ? c.pc - 1 : -1;
    return 0;
  }
  return 1;
}

static int tree(const lfsc_proto *f, const lfsc_proto *parent, const char **why,
                const lfsc_proto **badf, int depth)
{
  if (depth > NLC_MAX_DEPTH) {
    if (why)
      *why = "functions nested too deep";
    if (badf)
      *badf = f;
    return 0;
  }
  for (int i = 0; i < f->sizep; i++)
    if (!tree(f->p[i], f, why, badf, depth + 1))
      return 0;
  if (!lfsc_nlc_check_proto(f, parent, why, NULL)) {
    if (badf)
      *badf = f;
    return 0;
  }
  return 1;
}

int lfsc_nlc_check_tree(const lfsc_proto *f, const char **why, const lfsc_proto **badf)
{
  return tree(f, NULL, why, badf, 0);
}
