/* The NodeMCU Lua 5.3 .lc file (format 10): header, the main function's
 * upvalue count as one byte, the main function record. */
#include <string.h>

#include "lfsc/opcodes53.h"
#include "nlc.h"

int lfsc_nlc_write(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_variant v, int strip,
                   lfsc_sink *out)
{
  nlc_sizes sz;
  int rc = lfsc_nlc_sizes(ctx, v, &sz);
  if (rc)
    return rc;
  nlc_writer w = {ctx, out, sz, strip, NULL, NULL, 0};
  lfsc_nlc_put_header(out, NLC_FORMAT_LC, sz);
  lfsc_sink_u8(out, main->nups);
  lfsc_nlc_put_function(&w, main, NULL);
  if (w.status)
    return w.status;
  if (out->status)
    return lfsc_seterr(ctx, out->status, "cannot write output");
  return LFSC_OK;
}

int lfsc_nlc_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                  const lfsc_variant *want, lfsc_proto **out, lfsc_variant *got)
{
  nlc_reader r = {0};
  r.ctx = ctx;
  r.buf = buf;
  r.len = len;
  r.name = name;
  *out = NULL;
  nlc_sizes wsz;
  if (want) {
    int rc = lfsc_nlc_sizes(ctx, *want, &wsz);
    if (rc)
      return rc;
  }
  if (lfsc_nlc_get_header(&r, NLC_FORMAT_LC, want ? &wsz : NULL))
    return r.status;
  int nups = lfsc_nlc_get_byte(&r);
  lfsc_proto *f = lfsc_nlc_get_function(&r, NULL);
  if (r.status)
    return r.status;
  if (nups != f->nups)
    return lfsc_nlc_fail(&r, "bad upvalue count in");
  if (!f->source)
    f->source = lfsc_intern(ctx, "=?", 2);
  if (got)
    *got = lfsc_target_variant(lfsc_nlc_target(r.sizes));
  *out = f;
  return LFSC_OK;
}

static lfsc_proto *with_env_instack(lfsc_ctx *ctx, const lfsc_proto *chunk, uint8_t instack)
{
  lfsc_proto *c = lfsc_alloc(ctx, sizeof *c);
  if (!c)
    return NULL;
  *c = *chunk;
  if (chunk->nups > 0 && chunk->upvaldesc) {
    c->upvaldesc = lfsc_alloc(ctx, chunk->nups * sizeof *c->upvaldesc);
    if (!c->upvaldesc)
      return NULL;
    memcpy(c->upvaldesc, chunk->upvaldesc, chunk->nups * sizeof *c->upvaldesc);
    c->upvaldesc[0].instack = instack;
  }
  return c;
}

lfsc_proto *lfsc_nlc_toplevel(lfsc_ctx *ctx, const lfsc_proto *chunk)
{
  return with_env_instack(ctx, chunk, 0);
}

lfsc_proto *lfsc_nlc_standalone(lfsc_ctx *ctx, const lfsc_proto *chunk)
{
  return with_env_instack(ctx, chunk, 1);
}

lfsc_proto *lfsc_nlc_combine(lfsc_ctx *ctx, lfsc_proto *const *chunks, int n)
{
  /* RETURN 0 1 on line 1: the main only carries its chunks */
  static const uint8_t li_line1[1] = {1};
  lfsc_proto *m = lfsc_alloc(ctx, sizeof *m);
  uint32_t *code = lfsc_alloc(ctx, sizeof *code);
  int *lines = lfsc_alloc(ctx, sizeof *lines);
  uint8_t *packed = lfsc_alloc(ctx, 1);
  lfsc_upvaldesc *up = lfsc_alloc(ctx, sizeof *up);
  lfsc_proto **p = n > 0 ? lfsc_alloc(ctx, (size_t)n * sizeof *p) : NULL;
  if (!m || !code || !lines || !packed || !up || (n > 0 && !p))
    return NULL;
  for (int i = 0; i < n; i++)
    if (!(p[i] = lfsc_nlc_toplevel(ctx, chunks[i])))
      return NULL;
  code[0] = (uint32_t)OP53_RETURN | 1u << 23;  /* A 0, B 1 */
  lines[0] = 1;
  packed[0] = li_line1[0];
  up->instack = 1;
  up->idx = 0;
  m->lua = LFSC_LUA53;
  m->source = lfsc_intern(ctx, "=(luac.cross)", 13);
  if (!m->source)
    return NULL;
  m->nups = 1;
  m->is_vararg = 1;
  m->maxstacksize = 1;
  m->sizecode = 1;
  m->code = code;
  m->sizelineinfo = 1;
  m->lineinfo = lines;
  m->sizepackedli = 1;
  m->packedli = packed;
  m->sizep = n;
  m->p = p;
  m->upvaldesc = up;
  return m;
}
