/*
 * Inputs of the 5.3 dialect, as NodeMCU's 5.3 luac.cross reads them: a
 * source file (or stdin) compiled for the target's number model, or a
 * NodeMCU 5.3 .lc of the same variant; and several chunks under one main
 * function, in the form of the target (NodeMCU's never-called
 * "=(luac.cross)" main, or luac5.3's "=(luac)" main that calls each).
 */
#include <stdlib.h>
#include <string.h>

#include "lfsc/opcodes53.h"
#include "base/file.h"
#include "compile.h"
#include "input53.h"
#include "nlc.h"

/* A named file is bytecode when it starts with ESC, or with a '#' line
 * followed by ESC (as luaL_loadfile skips it); stdin only when its first
 * byte is ESC. Returns the offset of the ESC byte, or -1 for source. */
static long bytecode_at(const unsigned char *b, size_t len, int from_stdin)
{
  if (len > 0 && b[0] == 0x1B)
    return 0;
  if (from_stdin || len == 0 || b[0] != '#')
    return -1;
  const unsigned char *nl = memchr(b, '\n', len);
  return nl && (size_t)(nl - b) + 1 < len && nl[1] == 0x1B ? (long)(nl - b) + 1 : -1;
}

int lfsc_lua53_input_load_buffer(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                                 const unsigned char *buf, size_t len, lfsc_proto **out)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *shown = from_stdin ? "stdin" : path;
  lfsc_variant v = lfsc_target_variant(opts->target);
  if (v.format == LFSC_FORMAT_NODEMCU && v.lua != LFSC_LUA53)
    return lfsc_seterr(ctx, LFSC_EARG, "'%s' is not a Lua 5.3 target",
                       lfsc_target_name(opts->target));
  long at = bytecode_at(buf, len, from_stdin);
  if (at >= 0) {
    if (v.format == LFSC_FORMAT_HOST)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: a precompiled chunk cannot be an input of "
                         "-t host (give its source)", shown);
    return lfsc_nlc_read(ctx, buf + at, len - (size_t)at, shown, &v, out, NULL);
  }
  /* '@' + the path as typed (less --source-prefix), or "=stdin" */
  const char *named = from_stdin ? shown : lfsc_file_source_name(opts->source_prefix, shown);
  size_t n = strlen(named);
  char *chunkname = lfsc_alloc(ctx, n + 2);
  if (!chunkname)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  chunkname[0] = from_stdin ? '=' : '@';
  memcpy(chunkname + 1, named, n + 1);
  /* a stock host chunk keeps local and upvalue names; NodeMCU's compiler
   * drops them while parsing */
  lfsc_compile_opts co = {
    .nummodel = v.format == LFSC_FORMAT_HOST ? LFSC_NUM_I64_F64 : v.numbers,
    .keep_names = v.format == LFSC_FORMAT_HOST,
    .compat_lineinfo = opts->compat_lineinfo,
  };
  return lfsc_lua53_compile(ctx, &co, chunkname, (const char *)buf, len, out);
}

int lfsc_lua53_input_load(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                          lfsc_proto **out)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  unsigned char *buf;
  size_t len;
  int rc = lfsc_file_read(ctx, from_stdin ? "-" : path, FILE_INPUT_MAX, &buf, &len);
  if (rc != LFSC_OK)
    return rc;
  rc = lfsc_lua53_input_load_buffer(ctx, opts, path, buf, len, out);
  free(buf);
  return rc;
}

/* luac5.3's main for several files: "=(luac)", vararg, no line info, _ENV
 * as its one upvalue, and CLOSURE i; CALL per chunk, then RETURN. */
static lfsc_proto *combine_host(lfsc_ctx *ctx, lfsc_proto *const *chunks, int n)
{
  lfsc_proto *m = lfsc_alloc(ctx, sizeof *m);
  uint32_t *code = lfsc_alloc(ctx, (size_t)(2 * n + 1) * sizeof *code);
  lfsc_proto **p = lfsc_alloc(ctx, (size_t)n * sizeof *p);
  lfsc_upvaldesc *up = lfsc_alloc(ctx, sizeof *up);
  const lfsc_str **names = lfsc_alloc(ctx, sizeof *names);
  if (!m || !code || !p || !up || !names)
    return NULL;
  for (int i = 0; i < n; i++) {
    if (!(p[i] = lfsc_nlc_toplevel(ctx, chunks[i])))
      return NULL;
    code[2 * i] = INS_ABx(OP53_CLOSURE, 0, i);
    code[2 * i + 1] = INS_ABC(OP53_CALL, 0, 1, 1);
  }
  code[2 * n] = INS_ABC(OP53_RETURN, 0, 1, 0);
  up->instack = 1;
  names[0] = lfsc_intern(ctx, "_ENV", 4);
  m->lua = LFSC_LUA53;
  m->source = lfsc_intern(ctx, "=(luac)", 7);
  if (!m->source || !names[0])
    return NULL;
  m->nups = 1;
  m->is_vararg = 1;             /* a main chunk, though it takes no arguments */
  m->maxstacksize = 2;
  m->sizecode = 2 * n + 1;
  m->code = code;
  m->sizep = n;
  m->p = p;
  m->upvaldesc = up;
  m->sizeupvalues = 1;
  m->upvalues = names;
  return m;
}

lfsc_proto *lfsc_lua53_combine(lfsc_ctx *ctx, lfsc_proto **chunks, int n, lfsc_target target)
{
  if (n == 1)
    return chunks[0];
  if (lfsc_target_variant(target).format == LFSC_FORMAT_HOST)
    return combine_host(ctx, chunks, n);
  return lfsc_nlc_combine(ctx, chunks, n);
}
