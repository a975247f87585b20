/* The number model seam: how numerals are read and which constant
 * expressions may be folded. The code generator only sees num_ops, so it
 * never knows whether doubles or the integer firmware's int32 are in use. */
#ifndef LFSC_NUMERIC_H
#define LFSC_NUMERIC_H

#include "lfsc/lfsc.h"

/* Foldable operations, in no particular relation to opcode numbers. */
typedef enum {
  NUM_ADD, NUM_SUB, NUM_MUL, NUM_DIV, NUM_MOD, NUM_POW, NUM_UNM
} num_op;

typedef struct num_ops {
  /* Convert the NUL-terminated text of a numeral token; 0 on success,
   * -1 when the model rejects it (the lexer then says "malformed number"). */
  int (*parse)(const char *text, lfsc_number *out);
  /* Fold a op b (b is ignored for NUM_UNM); 1 with *out set when the
   * result may replace the expression at compile time, 0 otherwise. */
  int (*fold)(num_op op, lfsc_number a, lfsc_number b, lfsc_number *out);
} num_ops;

const num_ops *lfsc_num_model(lfsc_nummodel model);

#endif
