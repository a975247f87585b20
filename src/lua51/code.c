/* Code generator. Expressions stay symbolic (expdesc) as long as possible
 * so that the instruction finally chosen can write straight into its
 * destination register; conditional jumps are kept in linked lists
 * threaded through the jump offsets until their targets are known. */
#include <math.h>
#include <string.h>

#include "code.h"
#include "base/assert.h"
#include "base/ctx.h"
#include "numeric.h"

#define IS_K(x) ((x) & LFSC_BITRK)

void lfsc_code_grow(fstate *fs, void **arr, int *cap, int n, size_t elem)
{
  if (n < *cap)
    return;
  int ncap = *cap ? *cap * 2 : 16;
  unsigned char *na = lfsc_ctx_scratch_resize(fs->ls->ctx, *cap ? *arr : NULL, (size_t)ncap * elem);
  if (!na)
    lfsc_lex_nomem(fs->ls);
  memset(na + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
  *arr = na;
  *cap = ncap;
}

void lfsc_code_init_exp(expdesc *e, exp_kind k, int info)
{
  e->k = k;
  e->info = info;
  e->aux = 0;
  e->nval = 0;
  e->t = e->f = CODE_NO_JUMP;
}

static int hasjumps(const expdesc *e)
{
  return e->t != e->f;
}

/* A number literal with no pending jumps: a candidate for folding. */
static int isnumeral(const expdesc *e)
{
  return e->k == EXP_KNUM && e->t == CODE_NO_JUMP && e->f == CODE_NO_JUMP;
}

/* ---- jump lists ---- */

/* The instructions with a jump offset: the for loops patch theirs too.
 * (A macro: only the checks use it, which a release build compiles out.) */
#define IS_JUMP(i) (INS_OP(i) == OP_JMP || INS_OP(i) == OP_FORPREP || INS_OP(i) == OP_FORLOOP)

static int getjump(fstate *fs, int pc)
{
  LFSC_ASSERT(pc >= 0 && pc < fs->pc);
  LFSC_ASSERT(IS_JUMP(fs->f->code[pc]));   /* lists link jumps only */
  int off = INS_sBx(fs->f->code[pc]);
  return off == CODE_NO_JUMP ? CODE_NO_JUMP : pc + 1 + off;
}

static void fixjump(fstate *fs, int pc, int dest)
{
  LFSC_ASSERT(dest != CODE_NO_JUMP && dest >= 0 && dest <= fs->pc);
  LFSC_ASSERT(IS_JUMP(fs->f->code[pc]));
  int off = dest - (pc + 1);
  if (off > LFSC_MAXARG_sBx || -off > LFSC_MAXARG_sBx)
    lfsc_lex_syntax_error(fs->ls, "control structure too long");
  INS_SET_sBx(fs->f->code[pc], off);
}

/* The instruction deciding a jump: the test before it, if any. */
static uint32_t *jumpcontrol(fstate *fs, int pc)
{
  uint32_t *i = &fs->f->code[pc];
  if (pc >= 1 && lfsc_opcodes_test[INS_OP(i[-1])])
    return i - 1;
  return i;
}

/* Does any jump in the list need to produce a value (is not a TESTSET)? */
static int need_value(fstate *fs, int list)
{
  for (; list != CODE_NO_JUMP; list = getjump(fs, list))
    if (INS_OP(*jumpcontrol(fs, list)) != OP_TESTSET)
      return 1;
  return 0;
}

/* Point a TESTSET at reg, or turn it into a TEST when no value is wanted
 * (reg == NO_REG) or the value is already where it should be. */
static int patchtestreg(fstate *fs, int node, int reg)
{
  uint32_t *i = jumpcontrol(fs, node);
  if (INS_OP(*i) != OP_TESTSET)
    return 0;
  if (reg != LFSC_NO_REG && reg != INS_B(*i))
    INS_SET_A(*i, reg);
  else
    *i = INS_ABC(OP_TEST, INS_B(*i), 0, INS_C(*i));
  return 1;
}

static void removevalues(fstate *fs, int list)
{
  for (; list != CODE_NO_JUMP; list = getjump(fs, list))
    patchtestreg(fs, list, LFSC_NO_REG);
}

static void patchlistaux(fstate *fs, int list, int vtarget, int reg, int dtarget)
{
  while (list != CODE_NO_JUMP) {
    int next = getjump(fs, list);
    if (patchtestreg(fs, list, reg))
      fixjump(fs, list, vtarget);
    else
      fixjump(fs, list, dtarget);
    list = next;
  }
}

static void dischargejpc(fstate *fs)
{
  patchlistaux(fs, fs->jpc, fs->pc, LFSC_NO_REG, fs->pc);
  fs->jpc = CODE_NO_JUMP;
}

int lfsc_code_getlabel(fstate *fs)
{
  fs->lasttarget = fs->pc;
  return fs->pc;
}

void lfsc_code_concat(fstate *fs, int *l1, int l2)
{
  if (l2 == CODE_NO_JUMP)
    return;
  if (*l1 == CODE_NO_JUMP) {
    *l1 = l2;
    return;
  }
  int list = *l1, next;
  while ((next = getjump(fs, list)) != CODE_NO_JUMP)
    list = next;
  fixjump(fs, list, l2);
}

void lfsc_code_patchtohere(fstate *fs, int list)
{
  lfsc_code_getlabel(fs);
  lfsc_code_concat(fs, &fs->jpc, list);
}

void lfsc_code_patchlist(fstate *fs, int list, int target)
{
  if (target == fs->pc)
    lfsc_code_patchtohere(fs, list);
  else {
    LFSC_ASSERT(target < fs->pc);     /* a backward jump: the target exists */
    patchlistaux(fs, list, target, LFSC_NO_REG, target);
  }
}

/* ---- emission ---- */

int lfsc_code_emit(fstate *fs, uint32_t ins, int line)
{
  lfsc_proto *f = fs->f;
  dischargejpc(fs);             /* pending jumps land on this instruction */
  if (fs->pc >= fs->capcode) {
    int cap = fs->capcode;
    lfsc_code_grow(fs, (void **)&f->code, &cap, fs->pc, sizeof *f->code);
    lfsc_code_grow(fs, (void **)&f->lineinfo, &fs->capcode, fs->pc, sizeof *f->lineinfo);
  }
  LFSC_ASSERT(fs->pc < fs->capcode);
  f->code[fs->pc] = ins;
  f->lineinfo[fs->pc] = line;
  if (lfsc_lineinfo_emit(&fs->li, fs->pc, line) != 0)
    lfsc_lex_nomem(fs->ls);
  return fs->pc++;
}

int lfsc_code_abc(fstate *fs, lfsc_opcode op, int a, int b, int c)
{
  return lfsc_code_emit(fs, INS_ABC(op, a, b, c), fs->ls->lastline);
}

int lfsc_code_abx(fstate *fs, lfsc_opcode op, int a, int bx)
{
  return lfsc_code_emit(fs, INS_ABx(op, a, bx), fs->ls->lastline);
}

int lfsc_code_asbx(fstate *fs, lfsc_opcode op, int a, int sbx)
{
  return lfsc_code_emit(fs, INS_AsBx(op, a, sbx), fs->ls->lastline);
}

void lfsc_code_fixline(fstate *fs, int line)
{
  LFSC_ASSERT(fs->pc > 0);
  fs->f->lineinfo[fs->pc - 1] = line;
  if (lfsc_lineinfo_fix(&fs->li, line) != 0)
    lfsc_lex_nomem(fs->ls);
}

void lfsc_code_nil(fstate *fs, int from, int n)
{
  LFSC_ASSERT(n >= 1);
  if (fs->pc > fs->lasttarget) {        /* nothing jumps here */
    if (fs->pc == 0) {
      if (from >= fs->nactvar)
        return;                         /* fresh registers are nil already */
    } else {
      uint32_t *prev = &fs->f->code[fs->pc - 1];
      if (INS_OP(*prev) == OP_LOADNIL) {
        int pfrom = INS_A(*prev), pto = INS_B(*prev);
        if (pfrom <= from && from <= pto + 1) {   /* extend the previous one */
          if (from + n - 1 > pto)
            INS_SET_B(*prev, from + n - 1);
          return;
        }
      }
    }
  }
  lfsc_code_abc(fs, OP_LOADNIL, from, from + n - 1, 0);
}

int lfsc_code_jump(fstate *fs)
{
  int jpc = fs->jpc;            /* jumps to here must follow this one */
  fs->jpc = CODE_NO_JUMP;
  int j = lfsc_code_asbx(fs, OP_JMP, 0, CODE_NO_JUMP);
  lfsc_code_concat(fs, &j, jpc);
  return j;
}

void lfsc_code_ret(fstate *fs, int first, int nret)
{
  lfsc_code_abc(fs, OP_RETURN, first, nret + 1, 0);
}

static int condjump(fstate *fs, lfsc_opcode op, int a, int b, int c)
{
  lfsc_code_abc(fs, op, a, b, c);
  return lfsc_code_jump(fs);
}

/* ---- registers ---- */

void lfsc_code_checkstack(fstate *fs, int n)
{
  int top = fs->freereg + n;
  if (top > fs->f->maxstacksize) {
    if (top >= CODE_MAXSTACK)
      lfsc_lex_syntax_error(fs->ls, "function or expression too complex");
    fs->f->maxstacksize = (uint8_t)top;
  }
  LFSC_ASSERT(fs->freereg + n <= fs->f->maxstacksize);
}

void lfsc_code_reserveregs(fstate *fs, int n)
{
  lfsc_code_checkstack(fs, n);
  fs->freereg += n;
  LFSC_ASSERT(fs->freereg >= fs->nactvar && fs->freereg <= fs->f->maxstacksize);
}

/* Temporaries are freed in the reverse order of their reservation: the
 * register given back must be the topmost one. */
static void freereg(fstate *fs, int reg)
{
  if (!IS_K(reg) && reg >= fs->nactvar) {
    fs->freereg--;
    LFSC_ASSERT(reg == fs->freereg);
  }
}

static void freeexp(fstate *fs, expdesc *e)
{
  if (e->k == EXP_NONRELOC)
    freereg(fs, e->info);
}

/* ---- constants ---- */

/* The table is indexed by the low bits of the hash, so every input bit
 * must reach them: a multiply alone leaves the low bits of small whole
 * numbers (all-zero mantissa tails) at zero and piles them on a few slots.
 * A full 64-bit finaliser (xor-shift, multiply, xor-shift) mixes both ways. */
static uint32_t kmix(uint64_t x)
{
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDu;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53u;
  x ^= x >> 33;
  return (uint32_t)x;
}

static uint32_t khash(const lfsc_const *k)
{
  switch (k->type) {
  case LFSC_K_STR:
    return kmix(k->u.s->hash);
  case LFSC_K_NUM: {
    double d = k->u.n == 0 ? 0.0 : k->u.n;   /* -0 and 0 are one key */
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return kmix(bits);
  }
  case LFSC_K_BOOL:
    return 0x9E3779B9u + (uint32_t)k->u.b;
  default:
    return 0x7F4A7C15u;
  }
}

static int kequal(const lfsc_const *a, const lfsc_const *b)
{
  if (a->type != b->type)
    return 0;
  switch (a->type) {
  case LFSC_K_STR: return a->u.s == b->u.s;
  case LFSC_K_NUM: return a->u.n == b->u.n;
  case LFSC_K_BOOL: return a->u.b == b->u.b;
  default: return 1;
  }
}

static void krehash(fstate *fs)
{
  int cap = fs->kt.cap ? fs->kt.cap * 2 : 64;
  int *slot = lfsc_ctx_scratch_resize(fs->ls->ctx, NULL, (size_t)cap * sizeof *slot);
  if (!slot)
    lfsc_lex_nomem(fs->ls);
  memset(slot, 0, (size_t)cap * sizeof *slot);
  lfsc_ctx_scratch_free(fs->ls->ctx, fs->kt.slot);
  for (int i = 0; i < fs->nk; i++) {
    uint32_t h = khash(&fs->f->k[i]) & (uint32_t)(cap - 1);
    while (slot[h])
      h = (h + 1) & (uint32_t)(cap - 1);
    slot[h] = i + 1;
  }
  fs->kt.slot = slot;
  fs->kt.cap = cap;
}

/* Index of constant v, adding it on first use (constants are numbered in
 * order of first appearance and shared by value). */
static int addk(fstate *fs, const lfsc_const *v)
{
  if (2 * (fs->nk + 1) > fs->kt.cap)
    krehash(fs);
  uint32_t mask = (uint32_t)fs->kt.cap - 1, h = khash(v) & mask;
  for (; fs->kt.slot[h]; h = (h + 1) & mask)
    if (kequal(&fs->f->k[fs->kt.slot[h] - 1], v))
      return fs->kt.slot[h] - 1;
  if (fs->nk >= LFSC_MAXARG_Bx) {
    lfsc_lex_fail(fs->ls, LFSC_ESYNTAX, "constant table overflow");
  }
  lfsc_code_grow(fs, (void **)&fs->f->k, &fs->capk, fs->nk, sizeof *fs->f->k);
  LFSC_ASSERT(fs->nk < fs->capk && 2 * (fs->nk + 1) <= fs->kt.cap);
  fs->f->k[fs->nk] = *v;
  fs->kt.slot[h] = fs->nk + 1;
  return fs->nk++;
}

int lfsc_code_stringk(fstate *fs, const lfsc_str *s)
{
  lfsc_const k = {.type = LFSC_K_STR};
  k.u.s = s;
  return addk(fs, &k);
}

int lfsc_code_numberk(fstate *fs, lfsc_number r)
{
  lfsc_const k = {.type = LFSC_K_NUM};
  k.u.n = r;
  return addk(fs, &k);
}

static int boolk(fstate *fs, int b)
{
  lfsc_const k = {.type = LFSC_K_BOOL};
  k.u.b = b;
  return addk(fs, &k);
}

static int nilk(fstate *fs)
{
  lfsc_const k = {.type = LFSC_K_NIL};
  return addk(fs, &k);
}

/* ---- expressions to registers ---- */

void lfsc_code_setreturns(fstate *fs, expdesc *e, int nresults)
{
  if (e->k == EXP_CALL) {
    INS_SET_C(code_getcode(fs, e), nresults + 1);
  } else if (e->k == EXP_VARARG) {
    INS_SET_B(code_getcode(fs, e), nresults + 1);
    INS_SET_A(code_getcode(fs, e), fs->freereg);
    lfsc_code_reserveregs(fs, 1);
  }
}

void lfsc_code_setoneret(fstate *fs, expdesc *e)
{
  if (e->k == EXP_CALL) {
    e->k = EXP_NONRELOC;
    e->info = INS_A(code_getcode(fs, e));
  } else if (e->k == EXP_VARARG) {
    INS_SET_B(code_getcode(fs, e), 2);
    e->k = EXP_RELOC;
  }
}

void lfsc_code_dischargevars(fstate *fs, expdesc *e)
{
  switch (e->k) {
  case EXP_LOCAL:
    e->k = EXP_NONRELOC;
    break;
  case EXP_UPVAL:
    e->info = lfsc_code_abc(fs, OP_GETUPVAL, 0, e->info, 0);
    e->k = EXP_RELOC;
    break;
  case EXP_GLOBAL:
    e->info = lfsc_code_abx(fs, OP_GETGLOBAL, 0, e->info);
    e->k = EXP_RELOC;
    break;
  case EXP_INDEXED:
    freereg(fs, e->aux);
    freereg(fs, e->info);
    e->info = lfsc_code_abc(fs, OP_GETTABLE, 0, e->info, e->aux);
    e->k = EXP_RELOC;
    break;
  case EXP_VARARG:
  case EXP_CALL:
    lfsc_code_setoneret(fs, e);
    break;
  default:
    break;
  }
}

static int code_label(fstate *fs, int a, int b, int jump)
{
  lfsc_code_getlabel(fs);
  return lfsc_code_abc(fs, OP_LOADBOOL, a, b, jump);
}

static void discharge2reg(fstate *fs, expdesc *e, int reg)
{
  LFSC_ASSERT(reg >= 0 && reg < fs->f->maxstacksize);
  lfsc_code_dischargevars(fs, e);
  switch (e->k) {
  case EXP_NIL:
    lfsc_code_nil(fs, reg, 1);
    break;
  case EXP_FALSE:
  case EXP_TRUE:
    lfsc_code_abc(fs, OP_LOADBOOL, reg, e->k == EXP_TRUE, 0);
    break;
  case EXP_K:
    lfsc_code_abx(fs, OP_LOADK, reg, e->info);
    break;
  case EXP_KNUM:
    lfsc_code_abx(fs, OP_LOADK, reg, lfsc_code_numberk(fs, e->nval));
    break;
  case EXP_RELOC:
    INS_SET_A(code_getcode(fs, e), reg);
    break;
  case EXP_NONRELOC:
    if (reg != e->info)
      lfsc_code_abc(fs, OP_MOVE, reg, e->info, 0);
    break;
  default:
    return;                     /* EXP_VOID or EXP_JMP: nothing to move */
  }
  e->info = reg;
  e->k = EXP_NONRELOC;
}

static void discharge2anyreg(fstate *fs, expdesc *e)
{
  if (e->k != EXP_NONRELOC) {
    lfsc_code_reserveregs(fs, 1);
    discharge2reg(fs, e, fs->freereg - 1);
  }
}

static void exp2reg(fstate *fs, expdesc *e, int reg)
{
  discharge2reg(fs, e, reg);
  if (e->k == EXP_JMP)
    lfsc_code_concat(fs, &e->t, e->info);
  if (hasjumps(e)) {
    int p_f = CODE_NO_JUMP, p_t = CODE_NO_JUMP;
    if (need_value(fs, e->t) || need_value(fs, e->f)) {
      /* some jump carries no value: materialise false/true for them */
      int fj = e->k == EXP_JMP ? CODE_NO_JUMP : lfsc_code_jump(fs);
      p_f = code_label(fs, reg, 0, 1);
      p_t = code_label(fs, reg, 1, 0);
      lfsc_code_patchtohere(fs, fj);
    }
    int final = lfsc_code_getlabel(fs);
    patchlistaux(fs, e->f, final, reg, p_f);
    patchlistaux(fs, e->t, final, reg, p_t);
  }
  e->f = e->t = CODE_NO_JUMP;
  e->info = reg;
  e->k = EXP_NONRELOC;
}

void lfsc_code_exp2nextreg(fstate *fs, expdesc *e)
{
  lfsc_code_dischargevars(fs, e);
  freeexp(fs, e);
  lfsc_code_reserveregs(fs, 1);
  exp2reg(fs, e, fs->freereg - 1);
}

int lfsc_code_exp2anyreg(fstate *fs, expdesc *e)
{
  lfsc_code_dischargevars(fs, e);
  if (e->k == EXP_NONRELOC) {
    if (!hasjumps(e))
      return e->info;
    if (e->info >= fs->nactvar) {       /* a temporary: reuse it */
      exp2reg(fs, e, e->info);
      return e->info;
    }
  }
  lfsc_code_exp2nextreg(fs, e);
  return e->info;
}

void lfsc_code_exp2val(fstate *fs, expdesc *e)
{
  if (hasjumps(e))
    lfsc_code_exp2anyreg(fs, e);
  else
    lfsc_code_dischargevars(fs, e);
}

int lfsc_code_exp2rk(fstate *fs, expdesc *e)
{
  lfsc_code_exp2val(fs, e);
  switch (e->k) {
  case EXP_KNUM:
  case EXP_TRUE:
  case EXP_FALSE:
  case EXP_NIL:
    if (fs->nk <= LFSC_MAXINDEXRK) {    /* room for a constant operand? */
      e->info = e->k == EXP_NIL ? nilk(fs)
              : e->k == EXP_KNUM ? lfsc_code_numberk(fs, e->nval)
              : boolk(fs, e->k == EXP_TRUE);
      e->k = EXP_K;
      LFSC_ASSERT(e->info <= LFSC_MAXINDEXRK);
      return e->info | LFSC_BITRK;
    }
    break;
  case EXP_K:
    if (e->info <= LFSC_MAXINDEXRK)
      return e->info | LFSC_BITRK;
    break;
  default:
    break;
  }
  return lfsc_code_exp2anyreg(fs, e);
}

void lfsc_code_storevar(fstate *fs, expdesc *var, expdesc *ex)
{
  switch (var->k) {
  case EXP_LOCAL:
    freeexp(fs, ex);
    exp2reg(fs, ex, var->info);
    return;
  case EXP_UPVAL: {
    int e = lfsc_code_exp2anyreg(fs, ex);
    lfsc_code_abc(fs, OP_SETUPVAL, e, var->info, 0);
    break;
  }
  case EXP_GLOBAL: {
    int e = lfsc_code_exp2anyreg(fs, ex);
    lfsc_code_abx(fs, OP_SETGLOBAL, e, var->info);
    break;
  }
  case EXP_INDEXED: {
    int e = lfsc_code_exp2rk(fs, ex);
    lfsc_code_abc(fs, OP_SETTABLE, var->info, var->aux, e);
    break;
  }
  default:
    break;
  }
  freeexp(fs, ex);
}

void lfsc_code_self(fstate *fs, expdesc *e, expdesc *key)
{
  lfsc_code_exp2anyreg(fs, e);
  freeexp(fs, e);
  int func = fs->freereg;
  lfsc_code_reserveregs(fs, 2);
  lfsc_code_abc(fs, OP_SELF, func, e->info, lfsc_code_exp2rk(fs, key));
  freeexp(fs, key);
  e->info = func;
  e->k = EXP_NONRELOC;
}

void lfsc_code_indexed(fstate *fs, expdesc *t, expdesc *k)
{
  t->aux = lfsc_code_exp2rk(fs, k);
  t->k = EXP_INDEXED;
}

/* ---- conditions ---- */

static void invertjump(fstate *fs, expdesc *e)
{
  uint32_t *i = jumpcontrol(fs, e->info);
  /* a comparison, whose A is the sense of the test */
  LFSC_ASSERT(lfsc_opcodes_test[INS_OP(*i)] && INS_OP(*i) != OP_TESTSET && INS_OP(*i) != OP_TEST);
  INS_SET_A(*i, !INS_A(*i));
}

static int jumponcond(fstate *fs, expdesc *e, int cond)
{
  if (e->k == EXP_RELOC) {
    uint32_t ie = code_getcode(fs, e);
    if (INS_OP(ie) == OP_NOT) {
      fs->pc--;                 /* drop the NOT and test its operand inverted */
      return condjump(fs, OP_TEST, INS_B(ie), 0, !cond);
    }
  }
  discharge2anyreg(fs, e);
  freeexp(fs, e);
  return condjump(fs, OP_TESTSET, LFSC_NO_REG, e->info, cond);
}

void lfsc_code_goiftrue(fstate *fs, expdesc *e)
{
  int pc;
  lfsc_code_dischargevars(fs, e);
  switch (e->k) {
  case EXP_K:
  case EXP_KNUM:
  case EXP_TRUE:
    pc = CODE_NO_JUMP;          /* always true: fall through */
    break;
  case EXP_JMP:
    invertjump(fs, e);
    pc = e->info;
    break;
  default:
    pc = jumponcond(fs, e, 0);
    break;
  }
  lfsc_code_concat(fs, &e->f, pc);
  lfsc_code_patchtohere(fs, e->t);
  e->t = CODE_NO_JUMP;
}

static void goiffalse(fstate *fs, expdesc *e)
{
  int pc;
  lfsc_code_dischargevars(fs, e);
  switch (e->k) {
  case EXP_NIL:
  case EXP_FALSE:
    pc = CODE_NO_JUMP;          /* always false: fall through */
    break;
  case EXP_JMP:
    pc = e->info;
    break;
  default:
    pc = jumponcond(fs, e, 1);
    break;
  }
  lfsc_code_concat(fs, &e->t, pc);
  lfsc_code_patchtohere(fs, e->f);
  e->f = CODE_NO_JUMP;
}

static void codenot(fstate *fs, expdesc *e)
{
  lfsc_code_dischargevars(fs, e);
  switch (e->k) {
  case EXP_NIL:
  case EXP_FALSE:
    e->k = EXP_TRUE;
    break;
  case EXP_K:
  case EXP_KNUM:
  case EXP_TRUE:
    e->k = EXP_FALSE;
    break;
  case EXP_JMP:
    invertjump(fs, e);
    break;
  case EXP_RELOC:
  case EXP_NONRELOC:
    discharge2anyreg(fs, e);
    freeexp(fs, e);
    e->info = lfsc_code_abc(fs, OP_NOT, 0, e->info, 0);
    e->k = EXP_RELOC;
    break;
  default:
    break;
  }
  int tmp = e->f;
  e->f = e->t;
  e->t = tmp;
  removevalues(fs, e->f);
  removevalues(fs, e->t);
}

/* ---- operators ---- */

static int constfolding(fstate *fs, lfsc_opcode op, expdesc *e1, expdesc *e2)
{
  num_op nop;
  if (!isnumeral(e1) || !isnumeral(e2))
    return 0;
  switch (op) {
  case OP_ADD: nop = NUM_ADD; break;
  case OP_SUB: nop = NUM_SUB; break;
  case OP_MUL: nop = NUM_MUL; break;
  case OP_DIV: nop = NUM_DIV; break;
  case OP_MOD: nop = NUM_MOD; break;
  case OP_POW: nop = NUM_POW; break;
  case OP_UNM: nop = NUM_UNM; break;
  default: return 0;            /* # is never folded */
  }
  return fs->ls->num->fold(nop, e1->nval, e2->nval, &e1->nval);
}

static void codearith(fstate *fs, lfsc_opcode op, expdesc *e1, expdesc *e2)
{
  if (constfolding(fs, op, e1, e2))
    return;
  int o2 = (op != OP_UNM && op != OP_LEN) ? lfsc_code_exp2rk(fs, e2) : 0;
  int o1 = lfsc_code_exp2rk(fs, e1);
  if (o1 > o2) {                /* free the higher register first */
    freeexp(fs, e1);
    freeexp(fs, e2);
  } else {
    freeexp(fs, e2);
    freeexp(fs, e1);
  }
  e1->info = lfsc_code_abc(fs, op, 0, o1, o2);
  e1->k = EXP_RELOC;
}

static void codecomp(fstate *fs, lfsc_opcode op, int cond, expdesc *e1, expdesc *e2)
{
  int o1 = lfsc_code_exp2rk(fs, e1);
  int o2 = lfsc_code_exp2rk(fs, e2);
  freeexp(fs, e2);
  freeexp(fs, e1);
  if (cond == 0 && op != OP_EQ) {
    int tmp = o1;               /* a > b is b < a */
    o1 = o2;
    o2 = tmp;
    cond = 1;
  }
  e1->info = condjump(fs, op, cond, o1, o2);
  e1->k = EXP_JMP;
}

void lfsc_code_prefix(fstate *fs, un_op op, expdesc *e)
{
  expdesc e2;
  lfsc_code_init_exp(&e2, EXP_KNUM, 0);
  switch (op) {
  case UN_MINUS:
    if (!isnumeral(e))
      lfsc_code_exp2anyreg(fs, e);
    codearith(fs, OP_UNM, e, &e2);
    break;
  case UN_NOT:
    codenot(fs, e);
    break;
  case UN_LEN:
    lfsc_code_exp2anyreg(fs, e);
    codearith(fs, OP_LEN, e, &e2);
    break;
  default:
    break;
  }
}

void lfsc_code_infix(fstate *fs, bin_op op, expdesc *v)
{
  switch (op) {
  case BIN_AND:
    lfsc_code_goiftrue(fs, v);
    break;
  case BIN_OR:
    goiffalse(fs, v);
    break;
  case BIN_CONCAT:
    lfsc_code_exp2nextreg(fs, v);    /* operands must be consecutive */
    break;
  case BIN_ADD: case BIN_SUB: case BIN_MUL:
  case BIN_DIV: case BIN_MOD: case BIN_POW:
    if (!isnumeral(v))
      lfsc_code_exp2rk(fs, v);
    break;
  default:
    lfsc_code_exp2rk(fs, v);
    break;
  }
}

static const lfsc_opcode arith_op[] = {
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW
};

void lfsc_code_posfix(fstate *fs, bin_op op, expdesc *e1, expdesc *e2)
{
  switch (op) {
  case BIN_AND:
    LFSC_ASSERT(e1->t == CODE_NO_JUMP);   /* closed by lfsc_code_goiftrue */
    lfsc_code_dischargevars(fs, e2);
    lfsc_code_concat(fs, &e2->f, e1->f);
    *e1 = *e2;
    break;
  case BIN_OR:
    LFSC_ASSERT(e1->f == CODE_NO_JUMP);   /* closed by goiffalse */
    lfsc_code_dischargevars(fs, e2);
    lfsc_code_concat(fs, &e2->t, e1->t);
    *e1 = *e2;
    break;
  case BIN_CONCAT:
    lfsc_code_exp2val(fs, e2);
    if (e2->k == EXP_RELOC && INS_OP(code_getcode(fs, e2)) == OP_CONCAT) {
      /* a..(b..c): widen the existing CONCAT to start at e1 */
      LFSC_ASSERT(e1->info == INS_B(code_getcode(fs, e2)) - 1);
      freeexp(fs, e1);
      INS_SET_B(code_getcode(fs, e2), e1->info);
      e1->k = EXP_RELOC;
      e1->info = e2->info;
    } else {
      lfsc_code_exp2nextreg(fs, e2);
      codearith(fs, OP_CONCAT, e1, e2);
    }
    break;
  case BIN_ADD: case BIN_SUB: case BIN_MUL:
  case BIN_DIV: case BIN_MOD: case BIN_POW:
    codearith(fs, arith_op[op - BIN_ADD], e1, e2);
    break;
  case BIN_EQ: codecomp(fs, OP_EQ, 1, e1, e2); break;
  case BIN_NE: codecomp(fs, OP_EQ, 0, e1, e2); break;
  case BIN_LT: codecomp(fs, OP_LT, 1, e1, e2); break;
  case BIN_LE: codecomp(fs, OP_LE, 1, e1, e2); break;
  case BIN_GT: codecomp(fs, OP_LT, 0, e1, e2); break;
  case BIN_GE: codecomp(fs, OP_LE, 0, e1, e2); break;
  default:
    break;
  }
}

void lfsc_code_setlist(fstate *fs, int base, int nelems, int tostore)
{
  LFSC_ASSERT(tostore != 0 && nelems >= 1);
  int c = (nelems - 1) / LFSC_FIELDS_PER_FLUSH + 1;
  int b = tostore == CODE_MULTRET ? 0 : tostore;
  if (c <= LFSC_MAXARG_C) {
    lfsc_code_abc(fs, OP_SETLIST, base, b, c);
  } else {
    /* the batch number does not fit in C: it follows as a raw word */
    lfsc_code_abc(fs, OP_SETLIST, base, b, 0);
    lfsc_code_emit(fs, (uint32_t)c, fs->ls->lastline);
  }
  fs->freereg = base + 1;
}
