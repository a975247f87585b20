/* The function record of the NodeMCU 5.3 dump (spec lfs53-formats §3),
 * written and read field by field; string fields go through the caller's
 * hook, which is all that differs between a .lc and an image. */
#include <math.h>
#include <string.h>

#include "base/ctx.h"
#include "nodemcu/lineinfo.h"
#include "nlc.h"

/* {================= writing =================} */

static void put_str(nlc_writer *w, const lfsc_str *s)
{
  if (w->put_str)
    w->put_str(w->put_str_ud, w->out, s);
  else
    lfsc_nlc_put_string(w->out, s);
}

static void set_status(nlc_writer *w, int code, const char *msg)
{
  if (!w->status)
    w->status = lfsc_seterr(w->ctx, code, "%s", msg);
}

static void put_number(nlc_writer *w, double n)
{
  if (w->sizes.num_bytes == 8) {
    lfsc_sink_f64le(w->out, n);
  } else {
    float f = (float)n;           /* a float32 tree holds float values already */
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    lfsc_sink_u32le(w->out, bits);
  }
}

static void put_constants(nlc_writer *w, const lfsc_proto *f)
{
  lfsc_nlc_put_count(w->out, (uint64_t)f->sizek);
  for (int i = 0; i < f->sizek; i++) {
    const lfsc_const *k = &f->k[i];
    switch (k->type) {
    case LFSC_K_NIL:
      lfsc_sink_u8(w->out, NLC_TNIL << 4);
      break;
    case LFSC_K_BOOL:
      lfsc_sink_u8(w->out, NLC_TBOOL << 4 | (k->u.b ? 1u : 0u));
      break;
    case LFSC_K_NUM:
      lfsc_sink_u8(w->out, NLC_TFLT << 4);
      put_number(w, k->u.n);
      break;
    case LFSC_K_INT:
      if (w->sizes.int_bytes == 4 && (k->u.i < INT32_MIN || k->u.i > INT32_MAX))
        set_status(w, LFSC_ELIMIT, "integer constant does not fit the target's 32-bit lua_Integer");
      lfsc_nlc_put_integer(w->out, k->u.i);
      break;
    case LFSC_K_STR:
      put_str(w, k->u.s);
      break;
    default:
      set_status(w, LFSC_EARG, "bad constant type in a Lua 5.3 tree");
      break;
    }
  }
}

void lfsc_nlc_put_function(nlc_writer *w, const lfsc_proto *f, const lfsc_str *parent_source)
{
  if (f->lua != LFSC_LUA53) {
    set_status(w, LFSC_EARG, "a Lua 5.1 tree cannot be written as Lua 5.3");
    return;
  }
  put_str(w, f->source == parent_source ? NULL : f->source);
  lfsc_nlc_put_count(w->out, (uint64_t)(unsigned)f->linedefined);
  lfsc_nlc_put_count(w->out, (uint64_t)(unsigned)f->lastlinedefined);
  lfsc_sink_u8(w->out, f->numparams);
  lfsc_sink_u8(w->out, f->is_vararg);
  lfsc_sink_u8(w->out, f->maxstacksize);
  /* children first: the device builds them before their parent */
  lfsc_nlc_put_count(w->out, (uint64_t)f->sizep);
  for (int i = 0; i < f->sizep; i++)
    lfsc_nlc_put_function(w, f->p[i], f->source);
  lfsc_nlc_put_count(w->out, (uint64_t)f->sizecode);
  for (int i = 0; i < f->sizecode; i++)
    lfsc_sink_u32le(w->out, f->code[i]);
  put_constants(w, f);
  /* upvalues: NodeMCU strips names at parse time, so unstripped output
   * holds NULL names unless the tree kept some; -s drops the field */
  lfsc_sink_u8(w->out, w->strip ? 0 : 1);
  lfsc_nlc_put_count(w->out, f->nups);
  for (int i = 0; i < f->nups; i++) {
    if (!w->strip)
      put_str(w, i < f->sizeupvalues ? f->upvalues[i] : NULL);
    lfsc_sink_u8(w->out, f->upvaldesc ? f->upvaldesc[i].instack : 0);
    lfsc_sink_u8(w->out, f->upvaldesc ? f->upvaldesc[i].idx : 0);
  }
  /* line info is kept under -s (spec §2) */
  if (f->sizepackedli) {
    lfsc_nlc_put_count(w->out, (uint64_t)f->sizepackedli + 1);
    lfsc_sink_write(w->out, f->packedli, f->sizepackedli);
    lfsc_sink_u8(w->out, 0);
  } else {
    lfsc_nlc_put_count(w->out, 0);
  }
  /* local names are never written (LUAI_OPTIMIZE_DEBUG) */
  lfsc_nlc_put_count(w->out, 0);
}

/* {================= reading =================} */

static int nomem(nlc_reader *r)
{
  if (!r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  return r->status;
}

/* A count of items taking at least `each` bytes apiece: never more than
 * the rest of the input can hold, so no count makes us allocate more
 * than the input's size. */
static int get_n(nlc_reader *r, size_t each, int max)
{
  uint64_t n = lfsc_nlc_get_count(r);
  if (r->status)
    return 0;
  if (n > (uint64_t)max || n * each > r->len - r->pos) {
    lfsc_nlc_fail(r, "truncated");
    return 0;
  }
  return (int)n;
}

static void *alloc_n(nlc_reader *r, size_t n, size_t each)
{
  if (n == 0 || r->status)
    return NULL;
  void *p = lfsc_alloc(r->ctx, n * each);
  if (!p)
    nomem(r);
  return p;
}

static double get_number(nlc_reader *r)
{
  size_t nb = r->sizes.num_bytes;
  if (r->len - r->pos < nb) {
    lfsc_nlc_fail(r, "truncated");
    return 0;
  }
  const unsigned char *p = r->buf + r->pos;
  r->pos += nb;
  if (nb == 8) {
    uint64_t bits = (uint64_t)rd_u32le(p + 4) << 32 | rd_u32le(p);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
  }
  uint32_t bits = rd_u32le(p);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static void get_constants(nlc_reader *r, lfsc_proto *f)
{
  f->sizek = get_n(r, 1, INT32_MAX);
  f->k = alloc_n(r, (size_t)f->sizek, sizeof *f->k);
  for (int i = 0; i < f->sizek && !r->status; i++) {
    lfsc_const *k = &f->k[i];
    size_t at = r->pos;
    unsigned tt;
    uint64_t v = lfsc_nlc_get_typed(r, &tt);
    switch (tt) {
    case NLC_TNIL:
      k->type = LFSC_K_NIL;
      break;
    case NLC_TBOOL:
      k->type = LFSC_K_BOOL;
      k->u.b = v != 0;
      if (v > 1)
        lfsc_nlc_fail(r, "bad constant in");
      break;
    case NLC_TFLT:
      k->type = LFSC_K_NUM;
      k->u.n = get_number(r);
      break;
    case NLC_TINT:
    case NLC_TNINT:
      k->type = LFSC_K_INT;
      k->u.i = lfsc_nlc_integer(r, tt, v);
      break;
    case NLC_TSSTR:
    case NLC_TLSTR:
      r->pos = at;                /* the string field reads its own type byte */
      k->type = LFSC_K_STR;
      k->u.s = lfsc_nlc_get_string(r);
      if (!k->u.s && !r->status)
        lfsc_nlc_fail(r, "bad constant in");   /* a NULL string constant */
      break;
    default:
      lfsc_nlc_fail(r, "bad constant in");
      break;
    }
  }
}

static void get_upvalues(nlc_reader *r, lfsc_proto *f)
{
  int nostrip = lfsc_nlc_get_byte(r);
  if (nostrip > 1)
    lfsc_nlc_fail(r, "bad upvalues in");
  r->nostrip_seen |= nostrip == 1;
  int n = get_n(r, nostrip > 0 ? 3 : 2, 255);
  if (r->status)
    return;
  f->nups = (uint8_t)n;
  f->upvaldesc = alloc_n(r, (size_t)n, sizeof *f->upvaldesc);
  const lfsc_str **names = nostrip > 0 ? alloc_n(r, (size_t)n, sizeof *names) : NULL;
  int named = 0;
  for (int i = 0; i < n && !r->status; i++) {
    if (names) {
      names[i] = lfsc_nlc_get_string(r);
      named |= names[i] != NULL;
    }
    int instack = lfsc_nlc_get_byte(r);
    int idx = lfsc_nlc_get_byte(r);
    if (r->status)
      return;
    if (instack > 1)
      lfsc_nlc_fail(r, "bad upvalues in");
    f->upvaldesc[i].instack = (uint8_t)instack;
    f->upvaldesc[i].idx = (uint8_t)idx;
  }
  if (named) {
    f->sizeupvalues = n;
    f->upvalues = names;
  }
}

static void get_lineinfo(nlc_reader *r, lfsc_proto *f)
{
  int n = get_n(r, 1, INT32_MAX);
  if (r->status || n == 0)
    return;
  const uint8_t *p = r->buf + r->pos;
  r->pos += (size_t)n;
  if (p[n - 1] != 0) {
    lfsc_nlc_fail(r, "bad line info in");
    return;
  }
  f->sizepackedli = (uint32_t)n - 1;
  f->packedli = lfsc_ctx_arena_copy(r->ctx, p, (size_t)n - 1);
  if (n > 1 && !f->packedli) {
    nomem(r);
    return;
  }
  if (f->sizecode == 0) {
    if (n > 1)
      lfsc_nlc_fail(r, "bad line info in");
    return;
  }
  f->lineinfo = alloc_n(r, (size_t)f->sizecode, sizeof *f->lineinfo);
  if (r->status)
    return;
  const char *why = NULL;
  if (lfsc_lineinfo_decode53(p, (size_t)n - 1, f->lineinfo, f->sizecode, &why) != LFSC_OK) {
    lfsc_nlc_fail(r, "bad line info in");
    return;
  }
  f->sizelineinfo = f->sizecode;
}

static void get_locvars(nlc_reader *r, lfsc_proto *f)
{
  int n = get_n(r, 3, INT32_MAX);
  f->locvars = alloc_n(r, (size_t)n, sizeof *f->locvars);
  for (int i = 0; i < n && !r->status; i++) {
    f->locvars[i].name = lfsc_nlc_get_string(r);
    uint64_t a = lfsc_nlc_get_count(r), b = lfsc_nlc_get_count(r);
    if (a > INT32_MAX || b > INT32_MAX)
      lfsc_nlc_fail(r, "bad local variable in");
    f->locvars[i].startpc = (int)a;
    f->locvars[i].endpc = (int)b;
  }
  if (!r->status)
    f->sizelocvars = n;
}

lfsc_proto *lfsc_nlc_get_function(nlc_reader *r, const lfsc_str *parent_source)
{
  if (r->status)
    return NULL;
  if (++r->depth > NLC_MAX_DEPTH) {
    lfsc_nlc_fail(r, "functions nested too deep in");
    return NULL;
  }
  lfsc_proto *f = lfsc_alloc(r->ctx, sizeof *f);
  if (!f) {
    nomem(r);
    return NULL;
  }
  f->lua = LFSC_LUA53;
  f->source = lfsc_nlc_get_string(r);
  if (!f->source)
    f->source = parent_source;
  uint64_t ld = lfsc_nlc_get_count(r), lld = lfsc_nlc_get_count(r);
  if (ld > INT32_MAX || lld > INT32_MAX)
    lfsc_nlc_fail(r, "bad line number in");
  f->linedefined = (int)ld;
  f->lastlinedefined = (int)lld;
  int np = lfsc_nlc_get_byte(r), va = lfsc_nlc_get_byte(r), ms = lfsc_nlc_get_byte(r);
  if (va > 1)
    lfsc_nlc_fail(r, "bad vararg flag in");
  f->numparams = (uint8_t)np;
  f->is_vararg = (uint8_t)va;
  f->maxstacksize = (uint8_t)ms;
  /* a function record takes at least 13 bytes */
  f->sizep = get_n(r, 13, INT32_MAX);
  f->p = alloc_n(r, (size_t)f->sizep, sizeof *f->p);
  for (int i = 0; i < f->sizep && !r->status; i++)
    f->p[i] = lfsc_nlc_get_function(r, f->source);
  f->sizecode = get_n(r, 4, INT32_MAX / 4);
  f->code = alloc_n(r, (size_t)f->sizecode, sizeof *f->code);
  for (int i = 0; i < f->sizecode && !r->status; i++) {
    f->code[i] = rd_u32le(r->buf + r->pos);
    r->pos += 4;
  }
  get_constants(r, f);
  get_upvalues(r, f);
  get_lineinfo(r, f);
  get_locvars(r, f);
  r->depth--;
  return r->status ? NULL : f;
}
