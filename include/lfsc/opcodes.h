/* Lua 5.1 instruction encoding: shared by the compiler, writers, reader,
 * verifier, disassembler and (for the field macros only) the loader. */
#ifndef LFSC_OPCODES_H
#define LFSC_OPCODES_H

#include <stdint.h>

/*
 * A 32-bit instruction, least significant bit on the right:
 *
 *   31        23        14        6      0
 *   +---------+---------+--------+------+
 *   |    B:9  |   C:9   |  A:8   | op:6 |   ABC
 *   +---------+---------+--------+------+
 *   |      Bx:18        |  A:8   | op:6 |   ABx, AsBx (sBx = Bx - MAXARG_sBx)
 *   +-------------------+--------+------+
 */
typedef enum {
#define OP(name, fmt, test, seta, bm, cm) OP_##name,
#include "opcodes.def"
#undef OP
  OP__COUNT
} lfsc_opcode;

enum { OPFMT_ABC, OPFMT_ABx, OPFMT_AsBx };
enum { OPARG_N, OPARG_U, OPARG_R, OPARG_K };

#define LFSC_MAXARG_A    255
#define LFSC_MAXARG_B    511
#define LFSC_MAXARG_C    511
#define LFSC_MAXARG_Bx   ((1 << 18) - 1)
#define LFSC_MAXARG_sBx  (LFSC_MAXARG_Bx >> 1)
#define LFSC_BITRK       (1 << 8)       /* B/C operand flag: constant, not register */
#define LFSC_MAXINDEXRK  (LFSC_BITRK - 1)
#define LFSC_NO_REG      LFSC_MAXARG_A
#define LFSC_FIELDS_PER_FLUSH 50        /* SETLIST batch size */

#define INS_OP(i)   ((int)((i) & 0x3Fu))
#define INS_A(i)    ((int)(((i) >> 6) & 0xFFu))
#define INS_C(i)    ((int)(((i) >> 14) & 0x1FFu))
#define INS_B(i)    ((int)(((i) >> 23) & 0x1FFu))
#define INS_Bx(i)   ((int)(((i) >> 14) & 0x3FFFFu))
#define INS_sBx(i)  (INS_Bx(i) - LFSC_MAXARG_sBx)

#define INS_ABC(o, a, b, c) \
  ((uint32_t)(o) | ((uint32_t)(a) << 6) | ((uint32_t)(b) << 23) | ((uint32_t)(c) << 14))
#define INS_ABx(o, a, bx) ((uint32_t)(o) | ((uint32_t)(a) << 6) | ((uint32_t)(bx) << 14))
#define INS_AsBx(o, a, sbx) INS_ABx(o, a, (uint32_t)((sbx) + LFSC_MAXARG_sBx))

#define INS_SET_A(i, v)   ((i) = ((i) & ~(0xFFu << 6)) | ((uint32_t)(v) << 6))
#define INS_SET_B(i, v)   ((i) = ((i) & ~(0x1FFu << 23)) | ((uint32_t)(v) << 23))
#define INS_SET_C(i, v)   ((i) = ((i) & ~(0x1FFu << 14)) | ((uint32_t)(v) << 14))
#define INS_SET_Bx(i, v)  ((i) = ((i) & 0x3FFFu) | ((uint32_t)(v) << 14))
#define INS_SET_sBx(i, v) INS_SET_Bx(i, (uint32_t)((v) + LFSC_MAXARG_sBx))

/* Tables expanded from opcodes.def (src/opcodes.c); not for the loader. */
extern const char *const lfsc_opcodes_name[OP__COUNT];   /* "MOVE", ... */
extern const uint8_t lfsc_opcodes_format[OP__COUNT];     /* OPFMT_* */
extern const uint8_t lfsc_opcodes_test[OP__COUNT];       /* next instruction is a jump */
extern const uint8_t lfsc_opcodes_seta[OP__COUNT];       /* writes register A */
extern const uint8_t lfsc_opcodes_bmode[OP__COUNT];      /* OPARG_* */
extern const uint8_t lfsc_opcodes_cmode[OP__COUNT];      /* OPARG_* */

#endif
