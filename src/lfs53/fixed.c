/* The strings a NodeMCU 5.3 firmware holds before loading an image, in its
 * order (spec lfs53-formats §4): lexer tokens, "not enough memory",
 * "_ENV", metamethod names, type names -- each once. */
#include "lfs53.h"

const char *const lfsc_lfs53_fixed[LFSC_LFS53_NFIXED] = {
  /* reserved words (TString extra 1..22) */
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
  "true", "until", "while",
  /* other tokens */
  "//", "..", "...", "==", ">=", "<=", "~=", "<<", ">>", "::", "<eof>",
  "<number>", "<integer>", "<name>", "<string>",
  "not enough memory", "_ENV",
  /* metamethods */
  "__index", "__newindex", "__gc", "__mode", "__len", "__eq", "__add", "__sub",
  "__mul", "__mod", "__pow", "__div", "__idiv", "__band", "__bor", "__bxor",
  "__shl", "__shr", "__unm", "__bnot", "__lt", "__le", "__concat", "__call",
  /* type names not already above ("nil" and "function" are tokens) */
  "no value", "boolean", "userdata", "number", "string", "table", "thread", "proto"
};
