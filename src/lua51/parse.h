/* Recursive-descent parser for Lua 5.1; lfsc_compile (lfsc.h) is its
 * entry point. */
#ifndef LFSC_PARSE_H
#define LFSC_PARSE_H

#include "lfsc/lfsc.h"

/* Syntax nesting limit (C levels in the reference). */
#define PARSE_MAXLEVELS 200

#endif
