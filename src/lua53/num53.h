/* Lua 5.3 number models: how numerals are read and how constant
 * expressions fold, for lua_Integer of 32 or 64 bits and lua_Number of
 * float or double (NodeMCU's variants; stock 5.3 is int64 + double). The
 * code generator sees only n53_model, never the widths themselves. */
#ifndef LFSC_NUM53_H
#define LFSC_NUM53_H

#include <stdint.h>

#include "lfsc/lfsc.h"

typedef struct n53_model {
  int int_bits;                 /* 32 or 64 */
  int float32;                  /* lua_Number is float */
} n53_model;

/* A number constant: an integer (within int_bits) or a float (already
 * rounded to float under float32). */
typedef struct n53_value {
  int isint;
  int64_t i;
  double n;
} n53_value;

/* The foldable operations, in LUA_OP* order (= 5.3's opcode order from
 * ADD, then UNM and BNOT). */
typedef enum {
  N53_ADD, N53_SUB, N53_MUL, N53_MOD, N53_POW, N53_DIV, N53_IDIV,
  N53_BAND, N53_BOR, N53_BXOR, N53_SHL, N53_SHR, N53_UNM, N53_BNOT
} n53_op;

n53_model lfsc_num53_model(lfsc_nummodel m);
/* Convert a numeral's text as luaO_str2num does; 0, or -1 when it is
 * malformed. */
int lfsc_num53_str2num(const n53_model *m, const char *s, n53_value *out);
/* Fold a op b (b ignored for UNM/BNOT but must be a number) as 5.3's
 * constfolding: 1 with *res set, 0 when the expression must stay (an
 * error at run time, a NaN or zero float result). */
int lfsc_num53_fold(const n53_model *m, n53_op op, const n53_value *a, const n53_value *b,
                    n53_value *res);

#endif
