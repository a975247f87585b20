/* Lua 5.3 instruction set: shared by the 5.3 compiler, writers, readers,
 * checker and listing. The word layout is 5.1's (lfsc/opcodes.h gives the
 * field macros, one definition for both) plus the Ax format of EXTRAARG:
 *
 *   31                              6      0
 *   +-------------------------------+------+
 *   |             Ax:26             | op:6 |   Ax
 *   +-------------------------------+------+
 */
#ifndef LFSC_OPCODES53_H
#define LFSC_OPCODES53_H

#include <stdint.h>

#include "lfsc/opcodes.h"

typedef enum {
#define OP53(name, fmt, test, seta, bm, cm) OP53_##name,
#include "lfsc/opcodes53.def"
#undef OP53
  OP53__COUNT
} lfsc_opcode53;

enum { OPFMT_Ax = OPFMT_AsBx + 1 };

#define LFSC_MAXARG_Ax   ((1 << 26) - 1)
#define INS_Ax(i)        ((int)(((i) >> 6) & 0x3FFFFFFu))
#define INS_ENC_Ax(o, ax) ((uint32_t)(o) | ((uint32_t)(ax) << 6))

/* Tables expanded from opcodes53.def (src/lua53/opcodes.c). */
extern const char *const lfsc_opcodes53_name[OP53__COUNT];   /* "MOVE", ... */
extern const uint8_t lfsc_opcodes53_format[OP53__COUNT];     /* OPFMT_* */
extern const uint8_t lfsc_opcodes53_test[OP53__COUNT];       /* next instruction is a jump */
extern const uint8_t lfsc_opcodes53_seta[OP53__COUNT];       /* writes register A */
extern const uint8_t lfsc_opcodes53_bmode[OP53__COUNT];      /* OPARG_* */
extern const uint8_t lfsc_opcodes53_cmode[OP53__COUNT];      /* OPARG_* */

#endif
