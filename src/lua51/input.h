/* Inputs: read a source or bytecode file (or stdin), turn it into a proto
 * tree, and combine several chunks under one main function like luac. */
#ifndef LFSC_INPUT_H
#define LFSC_INPUT_H

#include "lfsc/lfsc.h"

typedef struct input_opts {
  lfsc_target target;           /* selects number model and bytecode format */
  int compat_lineinfo;          /* reproduce the reference line-info bug */
  const char *source_prefix;    /* dropped from the front of source names */
} input_opts;

/* Load path ("-" or NULL for stdin). Lua source is compiled, a binary
 * chunk (first byte ESC, possibly after a '#' line in a named file) is
 * read in the target's bytecode format. Errors are luac's messages
 * without the program name, e.g. "cannot open x.lua: No such file or
 * directory" or "x.lua:3: unexpected symbol near '@'". */
int lfsc_input_load(lfsc_ctx *ctx, const input_opts *opts, const char *path, lfsc_proto **out);

/* path as it is named in outputs: without opts->source_prefix when it
 * starts with that directory ("/src/app" makes "/src/app/lib/x.lua"
 * "lib/x.lua"). */
const char *lfsc_input_source_name(const input_opts *opts, const char *path);

/* lfsc_input_load of a whole input read before (lfsc_file_read): path
 * names the chunk and selects stdin's rules. */
int lfsc_input_load_buffer(lfsc_ctx *ctx, const input_opts *opts, const char *path,
                      const unsigned char *buf, size_t len, lfsc_proto **out);

/* luac's wrapper for several chunks: a main "=(luac)" function that
 * creates and calls each chunk in order. With n == 1, the chunk itself. */
lfsc_proto *lfsc_input_combine(lfsc_ctx *ctx, lfsc_proto **chunks, int n);

#endif
