/* Lua 5.3 code generator. As in 5.1 (lua51/code.c), expressions stay
 * symbolic (exp53) as long as possible and conditional jumps wait in
 * lists threaded through their offsets; 5.3 adds integer and float
 * constants, upvalue-indexed tables (GETTABUP/SETTABUP), bitwise and
 * floor-division operators, LOADKX and EXTRAARG. */
#include <string.h>

#include "code53.h"
#include "base/assert.h"
#include "base/ctx.h"
#include "num53.h"

#define IS_K(x) ((x) & LFSC_BITRK)
#define RKASK(x) ((x) | LFSC_BITRK)

void lfsc_code53_grow(fs53 *fs, void **arr, int *cap, int n, size_t elem)
{
  if (n < *cap)
    return;
  int ncap = *cap ? *cap * 2 : 64;   /* most functions never grow */
  unsigned char *na = lfsc_ctx_scratch_resize(fs->ls->ctx, *cap ? *arr : NULL, (size_t)ncap * elem);
  if (!na)
    lfsc_lex53_nomem(fs->ls);
  memset(na + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
  *arr = na;
  *cap = ncap;
}

void lfsc_code53_init_exp(exp53 *e, e53_kind k, int info)
{
  e->k = k;
  e->info = info;
  e->t = e->f = C53_NO_JUMP;
}

static int hasjumps(const exp53 *e)
{
  return e->t != e->f;
}

/* A numeral without pending jumps: a candidate for folding. */
static int tonumeral(const exp53 *e, n53_value *v)
{
  if (hasjumps(e))
    return 0;
  if (e->k == E53_KINT) {
    if (v) {
      v->isint = 1;
      v->i = e->ival;
      v->n = 0;
    }
    return 1;
  }
  if (e->k == E53_KFLT) {
    if (v) {
      v->isint = 0;
      v->i = 0;
      v->n = e->nval;
    }
    return 1;
  }
  return 0;
}

/* ---- jump lists ---- */

static int getjump(fs53 *fs, int pc)
{
  int off = INS_sBx(fs->f->code[pc]);
  return off == C53_NO_JUMP ? C53_NO_JUMP : pc + 1 + off;
}

static void fixjump(fs53 *fs, int pc, int dest)
{
  int off = dest - (pc + 1);
  LFSC_ASSERT(dest != C53_NO_JUMP);
  if (off > LFSC_MAXARG_sBx || -off > LFSC_MAXARG_sBx)
    lfsc_lex53_syntax_error(fs->ls, "control structure too long");
  INS_SET_sBx(fs->f->code[pc], off);
}

void lfsc_code53_concat(fs53 *fs, int *l1, int l2)
{
  if (l2 == C53_NO_JUMP)
    return;
  if (*l1 == C53_NO_JUMP) {
    *l1 = l2;
    return;
  }
  int list = *l1, next;
  while ((next = getjump(fs, list)) != C53_NO_JUMP)
    list = next;
  fixjump(fs, list, l2);
}

int lfsc_code53_jump(fs53 *fs)
{
  int jpc = fs->jpc;            /* jumps to here must follow this one */
  fs->jpc = C53_NO_JUMP;
  int j = lfsc_code53_asbx(fs, OP53_JMP, 0, C53_NO_JUMP);
  lfsc_code53_concat(fs, &j, jpc);
  return j;
}

void lfsc_code53_ret(fs53 *fs, int first, int nret)
{
  lfsc_code53_abc(fs, OP53_RETURN, first, nret + 1, 0);
}

static int condjump(fs53 *fs, lfsc_opcode53 op, int a, int b, int c)
{
  lfsc_code53_abc(fs, op, a, b, c);
  return lfsc_code53_jump(fs);
}

int lfsc_code53_getlabel(fs53 *fs)
{
  fs->lasttarget = fs->pc;
  return fs->pc;
}

/* The instruction deciding a jump: the test before it, if any. */
static uint32_t *jumpcontrol(fs53 *fs, int pc)
{
  uint32_t *i = &fs->f->code[pc];
  if (pc >= 1 && lfsc_opcodes53_test[INS_OP(i[-1])])
    return i - 1;
  return i;
}

static int patchtestreg(fs53 *fs, int node, int reg)
{
  uint32_t *i = jumpcontrol(fs, node);
  if (INS_OP(*i) != OP53_TESTSET)
    return 0;
  if (reg != LFSC_NO_REG && reg != INS_B(*i))
    INS_SET_A(*i, reg);
  else
    *i = INS_ABC(OP53_TEST, INS_B(*i), 0, INS_C(*i));
  return 1;
}

static void removevalues(fs53 *fs, int list)
{
  for (; list != C53_NO_JUMP; list = getjump(fs, list))
    patchtestreg(fs, list, LFSC_NO_REG);
}

static void patchlistaux(fs53 *fs, int list, int vtarget, int reg, int dtarget)
{
  while (list != C53_NO_JUMP) {
    int next = getjump(fs, list);
    if (patchtestreg(fs, list, reg))
      fixjump(fs, list, vtarget);
    else
      fixjump(fs, list, dtarget);
    list = next;
  }
}

static void dischargejpc(fs53 *fs)
{
  patchlistaux(fs, fs->jpc, fs->pc, LFSC_NO_REG, fs->pc);
  fs->jpc = C53_NO_JUMP;
}

void lfsc_code53_patchtohere(fs53 *fs, int list)
{
  lfsc_code53_getlabel(fs);
  lfsc_code53_concat(fs, &fs->jpc, list);
}

void lfsc_code53_patchlist(fs53 *fs, int list, int target)
{
  if (target == fs->pc) {
    lfsc_code53_patchtohere(fs, list);
  } else {
    LFSC_ASSERT(target < fs->pc);
    patchlistaux(fs, list, target, LFSC_NO_REG, target);
  }
}

/* Make every jump of the list close upvalues from `level` on (A = level+1). */
void lfsc_code53_patchclose(fs53 *fs, int list, int level)
{
  for (; list != C53_NO_JUMP; list = getjump(fs, list))
    INS_SET_A(fs->f->code[list], level + 1);
}

/* ---- emission ---- */

int lfsc_code53_emit(fs53 *fs, uint32_t ins)
{
  lfsc_proto *f = fs->f;
  int line = fs->ls->lastline;
  if (fs->jpc != C53_NO_JUMP)
    dischargejpc(fs);           /* pending jumps land on this instruction */
  if (fs->pc >= fs->capcode) {
    int cap = fs->capcode;
    lfsc_code53_grow(fs, (void **)&f->code, &cap, fs->pc, sizeof *f->code);
    lfsc_code53_grow(fs, (void **)&f->lineinfo, &fs->capcode, fs->pc, sizeof *f->lineinfo);
  }
  f->code[fs->pc] = ins;
  f->lineinfo[fs->pc] = line;
  if (lfsc_lineinfo_emit(&fs->li, fs->pc, line) != 0)
    lfsc_lex53_nomem(fs->ls);
  return fs->pc++;
}

int lfsc_code53_abc(fs53 *fs, lfsc_opcode53 op, int a, int b, int c)
{
  return lfsc_code53_emit(fs, INS_ABC(op, a, b, c));
}

int lfsc_code53_abx(fs53 *fs, lfsc_opcode53 op, int a, int bx)
{
  return lfsc_code53_emit(fs, INS_ABx(op, a, bx));
}

int lfsc_code53_asbx(fs53 *fs, lfsc_opcode53 op, int a, int sbx)
{
  return lfsc_code53_emit(fs, INS_AsBx(op, a, sbx));
}

static int codeextraarg(fs53 *fs, int a)
{
  return lfsc_code53_emit(fs, INS_ENC_Ax(OP53_EXTRAARG, a));
}

/* LOADK, or LOADKX + EXTRAARG past Bx's range. */
int lfsc_code53_codek(fs53 *fs, int reg, int k)
{
  if (k <= LFSC_MAXARG_Bx)
    return lfsc_code53_abx(fs, OP53_LOADK, reg, k);
  int p = lfsc_code53_abx(fs, OP53_LOADKX, reg, 0);
  codeextraarg(fs, k);
  return p;
}

void lfsc_code53_fixline(fs53 *fs, int line)
{
  fs->f->lineinfo[fs->pc - 1] = line;
  if (lfsc_lineinfo_fix(&fs->li, line) != 0)
    lfsc_lex53_nomem(fs->ls);
}

void lfsc_code53_nil(fs53 *fs, int from, int n)
{
  int l = from + n - 1;         /* last register to set */
  if (fs->pc > fs->lasttarget) {        /* nothing jumps here */
    uint32_t *prev = &fs->f->code[fs->pc - 1];
    if (INS_OP(*prev) == OP53_LOADNIL) {
      int pfrom = INS_A(*prev), pl = pfrom + INS_B(*prev);
      if ((pfrom <= from && from <= pl + 1) || (from <= pfrom && pfrom <= l + 1)) {
        if (pfrom < from)
          from = pfrom;
        if (pl > l)
          l = pl;
        INS_SET_A(*prev, from);
        INS_SET_B(*prev, l - from);
        return;
      }
    }
  }
  lfsc_code53_abc(fs, OP53_LOADNIL, from, n - 1, 0);
}

/* ---- registers ---- */

void lfsc_code53_checkstack(fs53 *fs, int n)
{
  int top = fs->freereg + n;
  if (top > fs->f->maxstacksize) {
    if (top >= C53_MAXREGS)
      lfsc_lex53_syntax_error(fs->ls, "function or expression needs too many registers");
    fs->f->maxstacksize = (uint8_t)top;
  }
}

void lfsc_code53_reserveregs(fs53 *fs, int n)
{
  lfsc_code53_checkstack(fs, n);
  fs->freereg += n;
}

static void freereg(fs53 *fs, int reg)
{
  if (reg >= 0 && !IS_K(reg) && reg >= fs->nactvar) {
    fs->freereg--;
    LFSC_ASSERT(reg == fs->freereg);
  }
}

static void freeexp(fs53 *fs, exp53 *e)
{
  if (e->k == E53_NONRELOC)
    freereg(fs, e->info);
}

/* Free two expressions' registers, the higher one first. */
static void freeexps(fs53 *fs, exp53 *e1, exp53 *e2)
{
  int r1 = e1->k == E53_NONRELOC ? e1->info : -1;
  int r2 = e2->k == E53_NONRELOC ? e2->info : -1;
  if (r1 > r2) {
    freereg(fs, r1);
    freereg(fs, r2);
  } else {
    freereg(fs, r2);
    freereg(fs, r1);
  }
}

/* ---- constants ---- */

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
  case LFSC_K_INT:
    return kmix((uint64_t)k->u.i ^ 0x5555555555555555u);
  case LFSC_K_BOOL:
    return 0x9E3779B9u + (uint32_t)k->u.b;
  default:
    return 0x7F4A7C15u;
  }
}

/* Same key of the scanner table: a float key equal to another float
 * (so 0.0 and -0.0 are one), integers apart from floats. */
static int kequal(const lfsc_const *a, const lfsc_const *b)
{
  if (a->type != b->type)
    return 0;
  switch (a->type) {
  case LFSC_K_STR: return a->u.s == b->u.s;
  case LFSC_K_NUM: return a->u.n == b->u.n;
  case LFSC_K_INT: return a->u.i == b->u.i;
  case LFSC_K_BOOL: return a->u.b == b->u.b;
  default: return 1;
  }
}

static void kmap_grow(fs53 *fs)
{
  kmap53 *m = fs->kmap;
  int cap = m->cap ? m->cap * 2 : 256;
  k53_slot *slot = lfsc_ctx_scratch_resize(fs->ls->ctx, NULL, (size_t)cap * sizeof *slot);
  if (!slot)
    lfsc_lex53_nomem(fs->ls);
  for (int i = 0; i < cap; i++)
    slot[i].idx = -1;
  for (int i = 0; i < m->cap; i++) {
    if (m->slot[i].idx < 0)
      continue;
    uint32_t h = khash(&m->slot[i].key) & (uint32_t)(cap - 1);
    while (slot[h].idx >= 0)
      h = (h + 1) & (uint32_t)(cap - 1);
    slot[h] = m->slot[i];
  }
  lfsc_ctx_scratch_free(fs->ls->ctx, m->slot);
  m->slot = slot;
  m->cap = cap;
}

static int addk(fs53 *fs, const lfsc_const *v)
{
  kmap53 *m = fs->kmap;
  if (2 * (m->n + 1) > m->cap)
    kmap_grow(fs);
  uint32_t mask = (uint32_t)m->cap - 1, h = khash(v) & mask;
  for (; m->slot[h].idx >= 0; h = (h + 1) & mask)
    if (kequal(&m->slot[h].key, v))
      break;
  k53_slot *s = &m->slot[h];
  if (s->idx >= 0) {
    int k = s->idx;
    /* the index is this function's only if its constant there is equal */
    if (k < fs->nk && fs->f->k[k].type == v->type && kequal(&fs->f->k[k], v))
      return k;
  } else {
    m->n++;
    s->key = *v;
  }
  if (fs->nk >= LFSC_MAXARG_Ax)     /* luaM_growvector's limit */
    lfsc_lex53_fail(fs->ls, "too many constants (limit is 67108863)");
  lfsc_code53_grow(fs, (void **)&fs->f->k, &fs->capk, fs->nk, sizeof *fs->f->k);
  fs->f->k[fs->nk] = *v;
  s->idx = fs->nk;
  return fs->nk++;
}

int lfsc_code53_stringk(fs53 *fs, const lfsc_str *s)
{
  lfsc_const k = {.type = LFSC_K_STR};
  k.u.s = s;
  return addk(fs, &k);
}

int lfsc_code53_intk(fs53 *fs, int64_t n)
{
  lfsc_const k = {.type = LFSC_K_INT};
  k.u.i = n;
  return addk(fs, &k);
}

static int numberk(fs53 *fs, double r)
{
  lfsc_const k = {.type = LFSC_K_NUM};
  k.u.n = r;
  return addk(fs, &k);
}

static int boolk(fs53 *fs, int b)
{
  lfsc_const k = {.type = LFSC_K_BOOL};
  k.u.b = b;
  return addk(fs, &k);
}

static int nilk(fs53 *fs)
{
  lfsc_const k = {.type = LFSC_K_NIL};
  return addk(fs, &k);
}

/* ---- expressions to registers ---- */

void lfsc_code53_setreturns(fs53 *fs, exp53 *e, int nresults)
{
  if (e->k == E53_CALL) {
    INS_SET_C(c53_getcode(fs, e), nresults + 1);
  } else if (e->k == E53_VARARG) {
    uint32_t *pc = &c53_getcode(fs, e);
    INS_SET_B(*pc, nresults + 1);
    INS_SET_A(*pc, fs->freereg);
    lfsc_code53_reserveregs(fs, 1);
  }
}

void lfsc_code53_setoneret(fs53 *fs, exp53 *e)
{
  if (e->k == E53_CALL) {
    e->k = E53_NONRELOC;
    e->info = INS_A(c53_getcode(fs, e));
  } else if (e->k == E53_VARARG) {
    INS_SET_B(c53_getcode(fs, e), 2);
    e->k = E53_RELOC;
  }
}

void lfsc_code53_dischargevars(fs53 *fs, exp53 *e)
{
  switch (e->k) {
  case E53_LOCAL:
    e->k = E53_NONRELOC;
    break;
  case E53_UPVAL:
    e->info = lfsc_code53_abc(fs, OP53_GETUPVAL, 0, e->info, 0);
    e->k = E53_RELOC;
    break;
  case E53_INDEXED: {
    lfsc_opcode53 op = OP53_GETTABUP;
    freereg(fs, e->ind.idx);
    if (e->ind.vt == E53_LOCAL) {
      freereg(fs, e->ind.t);
      op = OP53_GETTABLE;
    }
    e->info = lfsc_code53_abc(fs, op, 0, e->ind.t, e->ind.idx);
    e->k = E53_RELOC;
    break;
  }
  case E53_VARARG:
  case E53_CALL:
    lfsc_code53_setoneret(fs, e);
    break;
  default:
    break;
  }
}

static void discharge2reg(fs53 *fs, exp53 *e, int reg)
{
  lfsc_code53_dischargevars(fs, e);
  switch (e->k) {
  case E53_NIL:
    lfsc_code53_nil(fs, reg, 1);
    break;
  case E53_FALSE:
  case E53_TRUE:
    lfsc_code53_abc(fs, OP53_LOADBOOL, reg, e->k == E53_TRUE, 0);
    break;
  case E53_K:
    lfsc_code53_codek(fs, reg, e->info);
    break;
  case E53_KFLT:
    lfsc_code53_codek(fs, reg, numberk(fs, e->nval));
    break;
  case E53_KINT:
    lfsc_code53_codek(fs, reg, lfsc_code53_intk(fs, e->ival));
    break;
  case E53_RELOC:
    INS_SET_A(c53_getcode(fs, e), reg);
    break;
  case E53_NONRELOC:
    if (reg != e->info)
      lfsc_code53_abc(fs, OP53_MOVE, reg, e->info, 0);
    break;
  default:
    return;                     /* E53_JMP: nothing to move */
  }
  e->info = reg;
  e->k = E53_NONRELOC;
}

static void discharge2anyreg(fs53 *fs, exp53 *e)
{
  if (e->k != E53_NONRELOC) {
    lfsc_code53_reserveregs(fs, 1);
    discharge2reg(fs, e, fs->freereg - 1);
  }
}

static int code_loadbool(fs53 *fs, int a, int b, int jump)
{
  lfsc_code53_getlabel(fs);
  return lfsc_code53_abc(fs, OP53_LOADBOOL, a, b, jump);
}

static int need_value(fs53 *fs, int list)
{
  for (; list != C53_NO_JUMP; list = getjump(fs, list))
    if (INS_OP(*jumpcontrol(fs, list)) != OP53_TESTSET)
      return 1;
  return 0;
}

static void exp2reg(fs53 *fs, exp53 *e, int reg)
{
  discharge2reg(fs, e, reg);
  if (e->k == E53_JMP)
    lfsc_code53_concat(fs, &e->t, e->info);
  if (hasjumps(e)) {
    int p_f = C53_NO_JUMP, p_t = C53_NO_JUMP;
    if (need_value(fs, e->t) || need_value(fs, e->f)) {
      int fj = e->k == E53_JMP ? C53_NO_JUMP : lfsc_code53_jump(fs);
      p_f = code_loadbool(fs, reg, 0, 1);
      p_t = code_loadbool(fs, reg, 1, 0);
      lfsc_code53_patchtohere(fs, fj);
    }
    int final = lfsc_code53_getlabel(fs);
    patchlistaux(fs, e->f, final, reg, p_f);
    patchlistaux(fs, e->t, final, reg, p_t);
  }
  e->f = e->t = C53_NO_JUMP;
  e->info = reg;
  e->k = E53_NONRELOC;
}

void lfsc_code53_exp2nextreg(fs53 *fs, exp53 *e)
{
  lfsc_code53_dischargevars(fs, e);
  freeexp(fs, e);
  lfsc_code53_reserveregs(fs, 1);
  exp2reg(fs, e, fs->freereg - 1);
}

int lfsc_code53_exp2anyreg(fs53 *fs, exp53 *e)
{
  lfsc_code53_dischargevars(fs, e);
  if (e->k == E53_NONRELOC) {
    if (!hasjumps(e))
      return e->info;
    if (e->info >= fs->nactvar) {
      exp2reg(fs, e, e->info);
      return e->info;
    }
  }
  lfsc_code53_exp2nextreg(fs, e);
  return e->info;
}

void lfsc_code53_exp2anyregup(fs53 *fs, exp53 *e)
{
  if (e->k != E53_UPVAL || hasjumps(e))
    lfsc_code53_exp2anyreg(fs, e);
}

void lfsc_code53_exp2val(fs53 *fs, exp53 *e)
{
  if (hasjumps(e))
    lfsc_code53_exp2anyreg(fs, e);
  else
    lfsc_code53_dischargevars(fs, e);
}

int lfsc_code53_exp2rk(fs53 *fs, exp53 *e)
{
  lfsc_code53_exp2val(fs, e);
  switch (e->k) {
  case E53_TRUE: e->info = boolk(fs, 1); break;
  case E53_FALSE: e->info = boolk(fs, 0); break;
  case E53_NIL: e->info = nilk(fs); break;
  case E53_KINT: e->info = lfsc_code53_intk(fs, e->ival); break;
  case E53_KFLT: e->info = numberk(fs, e->nval); break;
  case E53_K: break;
  default: return lfsc_code53_exp2anyreg(fs, e);
  }
  e->k = E53_K;                 /* the constant exists even if RK cannot hold it */
  if (e->info <= LFSC_MAXINDEXRK)
    return RKASK(e->info);
  return lfsc_code53_exp2anyreg(fs, e);
}

void lfsc_code53_storevar(fs53 *fs, exp53 *var, exp53 *ex)
{
  switch (var->k) {
  case E53_LOCAL:
    freeexp(fs, ex);
    exp2reg(fs, ex, var->info);
    return;
  case E53_UPVAL: {
    int e = lfsc_code53_exp2anyreg(fs, ex);
    lfsc_code53_abc(fs, OP53_SETUPVAL, e, var->info, 0);
    break;
  }
  case E53_INDEXED: {
    lfsc_opcode53 op = var->ind.vt == E53_LOCAL ? OP53_SETTABLE : OP53_SETTABUP;
    int e = lfsc_code53_exp2rk(fs, ex);
    lfsc_code53_abc(fs, op, var->ind.t, var->ind.idx, e);
    break;
  }
  default:
    break;
  }
  freeexp(fs, ex);
}

void lfsc_code53_self(fs53 *fs, exp53 *e, exp53 *key)
{
  lfsc_code53_exp2anyreg(fs, e);
  int ereg = e->info;
  freeexp(fs, e);
  e->info = fs->freereg;
  e->k = E53_NONRELOC;
  lfsc_code53_reserveregs(fs, 2);
  lfsc_code53_abc(fs, OP53_SELF, e->info, ereg, lfsc_code53_exp2rk(fs, key));
  freeexp(fs, key);
}

/* ---- conditions ---- */

static void negatecondition(fs53 *fs, exp53 *e)
{
  uint32_t *i = jumpcontrol(fs, e->info);
  INS_SET_A(*i, !INS_A(*i));
}

static int jumponcond(fs53 *fs, exp53 *e, int cond)
{
  if (e->k == E53_RELOC) {
    uint32_t ie = c53_getcode(fs, e);
    if (INS_OP(ie) == OP53_NOT) {
      fs->pc--;                 /* drop the NOT and test its operand inverted */
      return condjump(fs, OP53_TEST, INS_B(ie), 0, !cond);
    }
  }
  discharge2anyreg(fs, e);
  freeexp(fs, e);
  return condjump(fs, OP53_TESTSET, LFSC_NO_REG, e->info, cond);
}

void lfsc_code53_goiftrue(fs53 *fs, exp53 *e)
{
  int pc;
  lfsc_code53_dischargevars(fs, e);
  switch (e->k) {
  case E53_JMP:
    negatecondition(fs, e);
    pc = e->info;
    break;
  case E53_K: case E53_KFLT: case E53_KINT: case E53_TRUE:
    pc = C53_NO_JUMP;           /* always true: fall through */
    break;
  default:
    pc = jumponcond(fs, e, 0);
    break;
  }
  lfsc_code53_concat(fs, &e->f, pc);
  lfsc_code53_patchtohere(fs, e->t);
  e->t = C53_NO_JUMP;
}

void lfsc_code53_goiffalse(fs53 *fs, exp53 *e)
{
  int pc;
  lfsc_code53_dischargevars(fs, e);
  switch (e->k) {
  case E53_JMP:
    pc = e->info;
    break;
  case E53_NIL: case E53_FALSE:
    pc = C53_NO_JUMP;           /* always false: fall through */
    break;
  default:
    pc = jumponcond(fs, e, 1);
    break;
  }
  lfsc_code53_concat(fs, &e->t, pc);
  lfsc_code53_patchtohere(fs, e->f);
  e->f = C53_NO_JUMP;
}

static void codenot(fs53 *fs, exp53 *e)
{
  lfsc_code53_dischargevars(fs, e);
  switch (e->k) {
  case E53_NIL: case E53_FALSE:
    e->k = E53_TRUE;
    break;
  case E53_K: case E53_KFLT: case E53_KINT: case E53_TRUE:
    e->k = E53_FALSE;
    break;
  case E53_JMP:
    negatecondition(fs, e);
    break;
  case E53_RELOC:
  case E53_NONRELOC:
    discharge2anyreg(fs, e);
    freeexp(fs, e);
    e->info = lfsc_code53_abc(fs, OP53_NOT, 0, e->info, 0);
    e->k = E53_RELOC;
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

void lfsc_code53_indexed(fs53 *fs, exp53 *t, exp53 *k)
{
  t->ind.t = t->info;
  t->ind.idx = lfsc_code53_exp2rk(fs, k);
  t->ind.vt = t->k == E53_UPVAL ? E53_UPVAL : E53_LOCAL;
  t->k = E53_INDEXED;
}

/* ---- operators ---- */

static int constfolding(fs53 *fs, n53_op op, exp53 *e1, const exp53 *e2)
{
  n53_value v1, v2, r;
  if (!tonumeral(e1, &v1) || !tonumeral(e2, &v2))
    return 0;
  if (!lfsc_num53_fold(&fs->ls->num, op, &v1, &v2, &r))
    return 0;
  if (r.isint) {
    e1->k = E53_KINT;
    e1->ival = r.i;
  } else {
    e1->k = E53_KFLT;
    e1->nval = r.n;
  }
  return 1;
}

static void codebinexpval(fs53 *fs, lfsc_opcode53 op, exp53 *e1, exp53 *e2, int line)
{
  int rk2 = lfsc_code53_exp2rk(fs, e2);
  int rk1 = lfsc_code53_exp2rk(fs, e1);
  freeexps(fs, e1, e2);
  e1->info = lfsc_code53_abc(fs, op, 0, rk1, rk2);
  e1->k = E53_RELOC;
  lfsc_code53_fixline(fs, line);
}

static void codeunexpval(fs53 *fs, lfsc_opcode53 op, exp53 *e, int line)
{
  int r = lfsc_code53_exp2anyreg(fs, e);
  freeexp(fs, e);
  e->info = lfsc_code53_abc(fs, op, 0, r, 0);
  e->k = E53_RELOC;
  lfsc_code53_fixline(fs, line);
}

static void codecomp(fs53 *fs, b53_op opr, exp53 *e1, exp53 *e2)
{
  int rk1 = e1->k == E53_K ? RKASK(e1->info) : e1->info;
  int rk2 = lfsc_code53_exp2rk(fs, e2);
  freeexps(fs, e1, e2);
  switch (opr) {
  case B53_NE:
    e1->info = condjump(fs, OP53_EQ, 0, rk1, rk2);
    break;
  case B53_GT:
  case B53_GE:                  /* a > b is b < a, a >= b is b <= a */
    e1->info = condjump(fs, opr == B53_GT ? OP53_LT : OP53_LE, 1, rk2, rk1);
    break;
  default:
    e1->info = condjump(fs, opr == B53_EQ ? OP53_EQ : opr == B53_LT ? OP53_LT : OP53_LE,
                        1, rk1, rk2);
    break;
  }
  e1->k = E53_JMP;
}

void lfsc_code53_prefix(fs53 *fs, u53_op op, exp53 *e, int line)
{
  exp53 ef;
  lfsc_code53_init_exp(&ef, E53_KINT, 0);
  switch (op) {
  case U53_MINUS:
  case U53_BNOT:
    if (constfolding(fs, op == U53_MINUS ? N53_UNM : N53_BNOT, e, &ef))
      break;
    /* fall through */
  case U53_LEN:
    codeunexpval(fs, op == U53_MINUS ? OP53_UNM : op == U53_BNOT ? OP53_BNOT : OP53_LEN,
                 e, line);
    break;
  case U53_NOT:
    codenot(fs, e);
    break;
  default:
    break;
  }
}

void lfsc_code53_infix(fs53 *fs, b53_op op, exp53 *v)
{
  switch (op) {
  case B53_AND:
    lfsc_code53_goiftrue(fs, v);
    break;
  case B53_OR:
    lfsc_code53_goiffalse(fs, v);
    break;
  case B53_CONCAT:
    lfsc_code53_exp2nextreg(fs, v);  /* operands must be consecutive */
    break;
  case B53_ADD: case B53_SUB: case B53_MUL: case B53_DIV: case B53_IDIV:
  case B53_MOD: case B53_POW: case B53_BAND: case B53_BOR: case B53_BXOR:
  case B53_SHL: case B53_SHR:
    if (!tonumeral(v, NULL))
      lfsc_code53_exp2rk(fs, v);
    break;                      /* a numeral may fold with the second operand */
  default:
    lfsc_code53_exp2rk(fs, v);
    break;
  }
}

void lfsc_code53_posfix(fs53 *fs, b53_op op, exp53 *e1, exp53 *e2, int line)
{
  switch (op) {
  case B53_AND:
    lfsc_code53_dischargevars(fs, e2);
    lfsc_code53_concat(fs, &e2->f, e1->f);
    *e1 = *e2;
    break;
  case B53_OR:
    lfsc_code53_dischargevars(fs, e2);
    lfsc_code53_concat(fs, &e2->t, e1->t);
    *e1 = *e2;
    break;
  case B53_CONCAT:
    lfsc_code53_exp2val(fs, e2);
    if (e2->k == E53_RELOC && INS_OP(c53_getcode(fs, e2)) == OP53_CONCAT) {
      /* a..(b..c): widen the existing CONCAT to start at e1 */
      freeexp(fs, e1);
      INS_SET_B(c53_getcode(fs, e2), e1->info);
      e1->k = E53_RELOC;
      e1->info = e2->info;
    } else {
      lfsc_code53_exp2nextreg(fs, e2);
      codebinexpval(fs, OP53_CONCAT, e1, e2, line);
    }
    break;
  case B53_ADD: case B53_SUB: case B53_MUL: case B53_MOD: case B53_POW:
  case B53_DIV: case B53_IDIV: case B53_BAND: case B53_BOR: case B53_BXOR:
  case B53_SHL: case B53_SHR:
    /* b53_op, n53_op and the opcodes from ADD share one order */
    if (!constfolding(fs, (n53_op)(op - B53_ADD), e1, e2))
      codebinexpval(fs, (lfsc_opcode53)(OP53_ADD + (op - B53_ADD)), e1, e2, line);
    break;
  case B53_EQ: case B53_LT: case B53_LE:
  case B53_NE: case B53_GT: case B53_GE:
    codecomp(fs, op, e1, e2);
    break;
  default:
    break;
  }
}

void lfsc_code53_setlist(fs53 *fs, int base, int nelems, int tostore)
{
  int c = (nelems - 1) / LFSC_FIELDS_PER_FLUSH + 1;
  int b = tostore == C53_MULTRET ? 0 : tostore;
  if (c <= LFSC_MAXARG_C) {
    lfsc_code53_abc(fs, OP53_SETLIST, base, b, c);
  } else if (c <= LFSC_MAXARG_Ax) {
    lfsc_code53_abc(fs, OP53_SETLIST, base, b, 0);
    codeextraarg(fs, c);
  } else {
    lfsc_lex53_syntax_error(fs->ls, "constructor too long");
  }
  fs->freereg = base + 1;
}
