/* Code generator: instruction emission, registers, jump lists, constants
 * and constant folding, driven by the parser. */
#ifndef LFSC_CODE_H
#define LFSC_CODE_H

#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/opcodes.h"
#include "lex.h"
#include "nodemcu/lineinfo.h"

#define CODE_NO_JUMP (-1)       /* end of a jump list */
#define CODE_MULTRET (-1)       /* "all results" */
#define CODE_MAXSTACK 250
#define CODE_MAXVARS 200        /* active locals per function */
#define CODE_MAXUPVALUES 60

/* What an expression is while it is being compiled. */
typedef enum {
  EXP_VOID,                     /* no value (empty list end) */
  EXP_NIL, EXP_TRUE, EXP_FALSE,
  EXP_K,                        /* info = constant index */
  EXP_KNUM,                     /* nval = numeric literal, not yet a constant */
  EXP_LOCAL,                    /* info = register of the local */
  EXP_UPVAL,                    /* info = upvalue index */
  EXP_GLOBAL,                   /* info = constant index of the name */
  EXP_INDEXED,                  /* info = table register, aux = key RK */
  EXP_JMP,                      /* info = pc of the comparison's jump */
  EXP_RELOC,                    /* info = pc of an instruction whose A is still open */
  EXP_NONRELOC,                 /* info = register holding the value */
  EXP_CALL,                     /* info = pc of the CALL */
  EXP_VARARG                    /* info = pc of the VARARG */
} exp_kind;

typedef struct expdesc {
  exp_kind k;
  int info, aux;
  lfsc_number nval;
  int t;                        /* jumps taken when the value is true */
  int f;                        /* jumps taken when the value is false */
} expdesc;

/* Upvalue as seen from the enclosing function. */
typedef struct upval_ref {
  exp_kind k;                   /* EXP_LOCAL or EXP_UPVAL */
  int info;
} upval_ref;

struct block;

/* Constant lookup: open addressing over constant indices. */
typedef struct ktable {
  int *slot;                    /* constant index + 1, 0 = empty */
  int cap;                      /* power of two */
} ktable;

/* Per-function compile state. */
typedef struct fstate {
  lfsc_proto *f;                /* the proto being built */
  struct fstate *prev;          /* enclosing function */
  lex_state *ls;
  struct block *bl;             /* innermost block */
  int pc;                       /* next instruction index */
  int lasttarget;               /* pc of the last jump target */
  int jpc;                      /* jumps pending to the next instruction */
  int freereg;                  /* first free register */
  int nk, np, nlocvars, nactvar;
  int capcode, capk, capp, caplocvars;
  ktable kt;
  lineinfo li;
  upval_ref upvalues[CODE_MAXUPVALUES];
  int actvar[CODE_MAXVARS];     /* locvars index of each active local */
  const lfsc_str *upnames[CODE_MAXUPVALUES];
  int nups;
  int nonames;                  /* strip names from the finished proto */
} fstate;

typedef enum {
  BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_MOD, BIN_POW,
  BIN_CONCAT,
  BIN_NE, BIN_EQ, BIN_LT, BIN_LE, BIN_GT, BIN_GE,
  BIN_AND, BIN_OR,
  BIN_NONE
} bin_op;

typedef enum { UN_MINUS, UN_NOT, UN_LEN, UN_NONE } un_op;

#define code_getcode(fs, e) ((fs)->f->code[(e)->info])
#define code_hasmultret(k) ((k) == EXP_CALL || (k) == EXP_VARARG)

/* Make room for element n of a work array of the function being built
 * (doubling; new elements zeroed); the array is scratch until close. */
void lfsc_code_grow(fstate *fs, void **arr, int *cap, int n, size_t elem);
void lfsc_code_init_exp(expdesc *e, exp_kind k, int info);
int lfsc_code_emit(fstate *fs, uint32_t ins, int line);
int lfsc_code_abc(fstate *fs, lfsc_opcode op, int a, int b, int c);
int lfsc_code_abx(fstate *fs, lfsc_opcode op, int a, int bx);
int lfsc_code_asbx(fstate *fs, lfsc_opcode op, int a, int sbx);
void lfsc_code_fixline(fstate *fs, int line);
void lfsc_code_nil(fstate *fs, int from, int n);
void lfsc_code_reserveregs(fstate *fs, int n);
void lfsc_code_checkstack(fstate *fs, int n);
int lfsc_code_stringk(fstate *fs, const lfsc_str *s);
int lfsc_code_numberk(fstate *fs, lfsc_number r);
void lfsc_code_dischargevars(fstate *fs, expdesc *e);
int lfsc_code_exp2anyreg(fstate *fs, expdesc *e);
void lfsc_code_exp2nextreg(fstate *fs, expdesc *e);
void lfsc_code_exp2val(fstate *fs, expdesc *e);
int lfsc_code_exp2rk(fstate *fs, expdesc *e);
void lfsc_code_self(fstate *fs, expdesc *e, expdesc *key);
void lfsc_code_indexed(fstate *fs, expdesc *t, expdesc *k);
void lfsc_code_goiftrue(fstate *fs, expdesc *e);
void lfsc_code_storevar(fstate *fs, expdesc *var, expdesc *ex);
void lfsc_code_setreturns(fstate *fs, expdesc *e, int nresults);
void lfsc_code_setoneret(fstate *fs, expdesc *e);
int lfsc_code_jump(fstate *fs);
void lfsc_code_ret(fstate *fs, int first, int nret);
void lfsc_code_patchlist(fstate *fs, int list, int target);
void lfsc_code_patchtohere(fstate *fs, int list);
void lfsc_code_concat(fstate *fs, int *l1, int l2);
int lfsc_code_getlabel(fstate *fs);
void lfsc_code_prefix(fstate *fs, un_op op, expdesc *e);
void lfsc_code_infix(fstate *fs, bin_op op, expdesc *v);
void lfsc_code_posfix(fstate *fs, bin_op op, expdesc *e1, expdesc *e2);
void lfsc_code_setlist(fstate *fs, int base, int nelems, int tostore);

#endif
