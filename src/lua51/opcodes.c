/* Name and operand-mode tables of the Lua 5.1 instruction set, expanded
 * from opcodes.def so that they cannot drift from the enum. */
#include "lfsc/opcodes.h"

#define ARG_N OPARG_N
#define ARG_U OPARG_U
#define ARG_R OPARG_R
#define ARG_K OPARG_K

const char *const lfsc_opcodes_name[OP__COUNT] = {
#define OP(name, fmt, test, seta, bm, cm) #name,
#include "lfsc/opcodes.def"
#undef OP
};
const uint8_t lfsc_opcodes_format[OP__COUNT] = {
#define OP(name, fmt, test, seta, bm, cm) OPFMT_##fmt,
#include "lfsc/opcodes.def"
#undef OP
};
const uint8_t lfsc_opcodes_test[OP__COUNT] = {
#define OP(name, fmt, test, seta, bm, cm) test,
#include "lfsc/opcodes.def"
#undef OP
};
const uint8_t lfsc_opcodes_seta[OP__COUNT] = {
#define OP(name, fmt, test, seta, bm, cm) seta,
#include "lfsc/opcodes.def"
#undef OP
};
const uint8_t lfsc_opcodes_bmode[OP__COUNT] = {
#define OP(name, fmt, test, seta, bm, cm) ARG_##bm,
#include "lfsc/opcodes.def"
#undef OP
};
const uint8_t lfsc_opcodes_cmode[OP__COUNT] = {
#define OP(name, fmt, test, seta, bm, cm) ARG_##cm,
#include "lfsc/opcodes.def"
#undef OP
};
