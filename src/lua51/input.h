/* Inputs: read a source or bytecode file (or stdin), turn it into a proto
 * tree, and combine several chunks under one main function like luac. */
#ifndef LFSC_INPUT_H
#define LFSC_INPUT_H

#include "lfsc/lfsc.h"
#include "lfsc/build.h"

/* lfsc_input_load, lfsc_input_load_buffer and lfsc_input_combine are
 * public (lfsc/build.h). */
typedef lfsc_input_opts input_opts;

#endif
