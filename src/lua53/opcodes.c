/* Name and operand-mode tables of the Lua 5.3 instruction set, expanded
 * from opcodes53.def so that they cannot drift from the enum. */
#include "lfsc/opcodes53.h"

#define ARG_N OPARG_N
#define ARG_U OPARG_U
#define ARG_R OPARG_R
#define ARG_K OPARG_K

const char *const lfsc_opcodes53_name[OP53__COUNT] = {
#define OP53(name, fmt, test, seta, bm, cm) #name,
#include "lfsc/opcodes53.def"
#undef OP53
};
const uint8_t lfsc_opcodes53_format[OP53__COUNT] = {
#define OP53(name, fmt, test, seta, bm, cm) OPFMT_##fmt,
#include "lfsc/opcodes53.def"
#undef OP53
};
const uint8_t lfsc_opcodes53_test[OP53__COUNT] = {
#define OP53(name, fmt, test, seta, bm, cm) test,
#include "lfsc/opcodes53.def"
#undef OP53
};
const uint8_t lfsc_opcodes53_seta[OP53__COUNT] = {
#define OP53(name, fmt, test, seta, bm, cm) seta,
#include "lfsc/opcodes53.def"
#undef OP53
};
const uint8_t lfsc_opcodes53_bmode[OP53__COUNT] = {
#define OP53(name, fmt, test, seta, bm, cm) ARG_##bm,
#include "lfsc/opcodes53.def"
#undef OP53
};
const uint8_t lfsc_opcodes53_cmode[OP53__COUNT] = {
#define OP53(name, fmt, test, seta, bm, cm) ARG_##cm,
#include "lfsc/opcodes53.def"
#undef OP53
};
