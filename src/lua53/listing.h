/*
 * Bytecode listings of Lua 5.3 trees in the format of `luac5.3 -l` and
 * `-l -l` (NodeMCU's 5.3 luac.cross prints the same), function by function
 * in luac's recursive order. Addresses are pre-order numbers, as in 5.1's
 * listing (lua51/listing.h). Lines come from lineinfo[]; instructions
 * without one print "[-]". Floats print with "%.7g" for the float32
 * variants, else "%.14g" (".0" added to an integral one), integers in
 * decimal. Returns the sink's status.
 */
#ifndef LFSC_LUA53_LISTING_H
#define LFSC_LUA53_LISTING_H

#include "lfsc/lfsc.h"
#include "base/sink.h"

int lfsc_lua53_list(lfsc_sink *out, const lfsc_proto *p, int full, lfsc_target target);

#endif
