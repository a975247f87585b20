/* Lua 5.3 code generator: instruction emission, registers, jump lists,
 * constants and constant folding, driven by the parser (lua51/code.h is
 * the model; the rules are 5.3's lcode.c). */
#ifndef LFSC_CODE53_H
#define LFSC_CODE53_H

#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/opcodes53.h"
#include "lex53.h"
#include "nodemcu/lineinfo.h"

#define C53_NO_JUMP (-1)        /* end of a jump list */
#define C53_MULTRET (-1)        /* "all results" */
#define C53_MAXREGS 255         /* registers per function */
#define C53_MAXVARS 200         /* active locals per function */
#define C53_MAXUPVAL 255
#define C53_MAXCCALLS 200       /* syntactic nesting (luac's C levels) */

/* What an expression is while it is being compiled. */
typedef enum {
  E53_VOID,                     /* no value (empty list end) */
  E53_NIL, E53_TRUE, E53_FALSE,
  E53_K,                        /* info = constant index */
  E53_KFLT,                     /* nval = float numeral */
  E53_KINT,                     /* ival = integer numeral */
  E53_NONRELOC,                 /* info = register holding the value */
  E53_LOCAL,                    /* info = register of the local */
  E53_UPVAL,                    /* info = upvalue index */
  E53_INDEXED,                  /* ind: table (register or upvalue), key RK */
  E53_JMP,                      /* info = pc of the comparison's jump */
  E53_RELOC,                    /* info = pc of an instruction whose A is still open */
  E53_CALL,                     /* info = pc of the CALL */
  E53_VARARG                    /* info = pc of the VARARG */
} e53_kind;

#define e53_isvar(k) (E53_LOCAL <= (k) && (k) <= E53_INDEXED)
#define e53_multret(k) ((k) == E53_CALL || (k) == E53_VARARG)

typedef struct exp53 {
  e53_kind k;
  int info;
  struct {
    int t;                      /* table: register or upvalue */
    int idx;                    /* key: RK */
    e53_kind vt;                /* E53_LOCAL (t is a register) or E53_UPVAL */
  } ind;
  int64_t ival;
  double nval;
  int t;                        /* jumps taken when the value is true */
  int f;                        /* jumps taken when the value is false */
} exp53;

/* The constant scanner table of the whole compile (5.3's ls->h): from a
 * constant to the index the last function that added it gave it. A
 * function reuses the index only if its own constant there is the same,
 * so a constant used again after an inner function used it is added a
 * second time, as luac5.3 does. */
typedef struct k53_slot {
  lfsc_const key;
  int idx;                      /* -1: empty */
} k53_slot;
typedef struct kmap53 {
  k53_slot *slot;
  int cap, n;                   /* cap: power of two */
} kmap53;

struct block53;

typedef struct fs53 {
  lfsc_proto *f;                /* the proto being built */
  struct fs53 *prev;            /* enclosing function */
  lex53_state *ls;
  struct block53 *bl;           /* innermost block */
  kmap53 *kmap;
  int pc;                       /* next instruction index */
  int lasttarget;               /* pc of the last jump target */
  int jpc;                      /* jumps pending to the next instruction */
  int nk, np, nlocvars, firstlocal;
  int nactvar, nups, freereg;
  int capcode, capk, capp, caplocvars;
  int keep_names;
  lineinfo li;
  /* last, so that open_func need not clear them */
  lfsc_upvaldesc upvals[C53_MAXUPVAL];
  const lfsc_str *upnames[C53_MAXUPVAL];
} fs53;

typedef enum {
  B53_ADD, B53_SUB, B53_MUL, B53_MOD, B53_POW, B53_DIV, B53_IDIV,
  B53_BAND, B53_BOR, B53_BXOR, B53_SHL, B53_SHR,
  B53_CONCAT,
  B53_EQ, B53_LT, B53_LE, B53_NE, B53_GT, B53_GE,
  B53_AND, B53_OR,
  B53_NONE
} b53_op;

typedef enum { U53_MINUS, U53_BNOT, U53_NOT, U53_LEN, U53_NONE } u53_op;

#define c53_getcode(fs, e) ((fs)->f->code[(e)->info])

void lfsc_code53_grow(fs53 *fs, void **arr, int *cap, int n, size_t elem);
void lfsc_code53_init_exp(exp53 *e, e53_kind k, int info);
int lfsc_code53_emit(fs53 *fs, uint32_t ins);
int lfsc_code53_abc(fs53 *fs, lfsc_opcode53 op, int a, int b, int c);
int lfsc_code53_abx(fs53 *fs, lfsc_opcode53 op, int a, int bx);
int lfsc_code53_asbx(fs53 *fs, lfsc_opcode53 op, int a, int sbx);
int lfsc_code53_codek(fs53 *fs, int reg, int k);
void lfsc_code53_fixline(fs53 *fs, int line);
void lfsc_code53_nil(fs53 *fs, int from, int n);
void lfsc_code53_reserveregs(fs53 *fs, int n);
void lfsc_code53_checkstack(fs53 *fs, int n);
int lfsc_code53_stringk(fs53 *fs, const lfsc_str *s);
int lfsc_code53_intk(fs53 *fs, int64_t n);
void lfsc_code53_dischargevars(fs53 *fs, exp53 *e);
int lfsc_code53_exp2anyreg(fs53 *fs, exp53 *e);
void lfsc_code53_exp2anyregup(fs53 *fs, exp53 *e);
void lfsc_code53_exp2nextreg(fs53 *fs, exp53 *e);
void lfsc_code53_exp2val(fs53 *fs, exp53 *e);
int lfsc_code53_exp2rk(fs53 *fs, exp53 *e);
void lfsc_code53_self(fs53 *fs, exp53 *e, exp53 *key);
void lfsc_code53_indexed(fs53 *fs, exp53 *t, exp53 *k);
void lfsc_code53_goiftrue(fs53 *fs, exp53 *e);
void lfsc_code53_goiffalse(fs53 *fs, exp53 *e);
void lfsc_code53_storevar(fs53 *fs, exp53 *var, exp53 *ex);
void lfsc_code53_setreturns(fs53 *fs, exp53 *e, int nresults);
void lfsc_code53_setoneret(fs53 *fs, exp53 *e);
int lfsc_code53_jump(fs53 *fs);
void lfsc_code53_ret(fs53 *fs, int first, int nret);
void lfsc_code53_patchlist(fs53 *fs, int list, int target);
void lfsc_code53_patchtohere(fs53 *fs, int list);
void lfsc_code53_patchclose(fs53 *fs, int list, int level);
void lfsc_code53_concat(fs53 *fs, int *l1, int l2);
int lfsc_code53_getlabel(fs53 *fs);
void lfsc_code53_prefix(fs53 *fs, u53_op op, exp53 *e, int line);
void lfsc_code53_infix(fs53 *fs, b53_op op, exp53 *v);
void lfsc_code53_posfix(fs53 *fs, b53_op op, exp53 *e1, exp53 *e2, int line);
void lfsc_code53_setlist(fs53 *fs, int base, int nelems, int tostore);

#endif
