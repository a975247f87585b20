/*
 * Reader for Lua 5.1 binary chunks: NodeMCU .lc (float and int builds)
 * and stock luac5.1 output. It follows the field order of the writers
 * (nodemcu-lc-format.md §4) and the reference reader's checks (§11), and
 * runs the Lua 5.1 code checker on every function, so that whatever it
 * returns is a well-formed tree. Sizes are checked against the bytes left
 * before anything is allocated, so a hostile count cannot make us
 * allocate more than the input's size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/opcodes.h"
#include "codecheck.h"
#include "lc_read.h"
#include "nodemcu/lineinfo.h"

/* Lua 5.1 refuses to nest functions deeper than its C-call limit while
 * loading; the same bound keeps our recursion safe. */
#define MAX_DEPTH 200

/* How number constants are stored in the input. */
enum {
  NUM_DOUBLE,                   /* 8-byte IEEE double */
  NUM_INT32,                    /* the int build's own 4-byte int32 */
  NUM_CONVERT                   /* signed integer of numsize bytes, converted */
};

typedef struct reader {
  lfsc_ctx *ctx;
  const unsigned char *buf;
  size_t len, pos;              /* bytes in buf (so far, when streaming), read */
  lfsc_read_fn read;            /* streaming: more input, NULL at its end */
  void *read_ud;
  const unsigned char *piece;   /* streaming: the unread rest of its last piece */
  size_t piecelen;
  unsigned char *own;           /* streaming: buf, malloc'd, cap bytes */
  size_t cap;
  const char *name;
  int nodemcu;                  /* Align4 points and packed line info */
  int swap;                     /* big-endian file */
  int sizet;                    /* bytes of a string length: 4 or 8 */
  int numkind, numsize;
  int int_target;               /* numbers become int32 values */
  int status;                   /* first error, sticky */
  int depth;
} reader;

/* {================= primitive fields =================} */

static int fail(reader *r, const char *why)
{
  if (!r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EFORMAT, "%s: %s in precompiled chunk", r->name, why);
  return r->status;
}

static int nomem(reader *r)
{
  if (!r->status)
    r->status = lfsc_seterr(r->ctx, LFSC_EMEM, "not enough memory");
  return r->status;
}

/* Streaming: read until n bytes are unread or the input ends. The buffer
 * grows only as bytes arrive, so a hostile count costs at most what the
 * input really holds; pointers from take() are used before the next one. */
static void want(reader *r, size_t n)
{
  while ((r->read || r->piecelen) && r->len - r->pos < n) {
    if (!r->piecelen) {
      r->piece = r->read(r->read_ud, &r->piecelen);
      if (!r->piece || !r->piecelen) {
        r->read = NULL;
        r->piecelen = 0;
        continue;
      }
    }
    if (r->len == r->cap) {     /* grown only for bytes that did arrive */
      size_t cap = r->cap < 4096 ? 4096 : r->cap * 2;
      unsigned char *b = cap > r->cap ? realloc(r->own, cap) : NULL;
      if (!b) {
        nomem(r);
        return;
      }
      r->own = b;
      r->buf = b;
      r->cap = cap;
    }
    size_t k = r->cap - r->len < r->piecelen ? r->cap - r->len : r->piecelen;
    memcpy(r->own + r->len, r->piece, k);
    r->piece += k;
    r->piecelen -= k;
    r->len += k;
  }
}

/* n items of unit bytes, saturating (32-bit hosts). */
static size_t times(size_t n, size_t unit)
{
  return n > SIZE_MAX / unit ? SIZE_MAX : n * unit;
}

/* How many unread bytes there are, looking no further than n. */
static size_t left(reader *r, size_t n)
{
  want(r, n);
  return r->len - r->pos;
}

/* The next n bytes, or NULL (error set) if the input ends first. */
static const unsigned char *take(reader *r, size_t n)
{
  if (r->status)
    return NULL;
  if (n > left(r, n)) {
    fail(r, "unexpected end");
    return NULL;
  }
  const unsigned char *p = r->buf + r->pos;
  r->pos += n;
  return p;
}

/* An n-byte unsigned value (n <= 8) in the file's byte order. */
static uint64_t get_uint(reader *r, int n)
{
  const unsigned char *p = take(r, (size_t)n);
  uint64_t v = 0;
  if (!p)
    return 0;
  for (int i = 0; i < n; i++) {
    int k = r->swap ? i : n - 1 - i;   /* most significant byte first */
    v = v << 8 | p[k];
  }
  return v;
}

static int get_byte(reader *r)
{
  const unsigned char *p = take(r, 1);
  return p ? *p : 0;
}

/* An Int field: counts, line numbers and pcs, all non-negative. */
static int get_int(reader *r)
{
  int32_t v = (int32_t)(uint32_t)get_uint(r, 4);
  if (v < 0) {
    fail(r, "bad integer");
    return 0;
  }
  return v;
}

/* A count of items, each at least `unit` bytes long in the input. *cap is
 * how many of them the remaining bytes can possibly hold (at most n): the
 * caller allocates that many and goes on reading items until the input
 * fails it, so that a corrupt count reports the same error as the
 * reference reader (which allocates n first), without our allocating
 * more than the input's size. */
static int get_count(reader *r, size_t unit, int *cap)
{
  int n = get_int(r);
  size_t room = left(r, times((size_t)n, unit)) / unit + 1;
  *cap = (size_t)n < room ? n : (int)room;
  return n;
}

/* Item i of a count read by get_count fits in the allocation: guaranteed
 * while reading succeeds (cap items cannot all fit in the input), checked
 * anyway. */
static int item_fits(reader *r, int i, int cap)
{
  if (i < cap)
    return 1;
  fail(r, "unexpected end");
  return 0;
}

/* NodeMCU pads to a multiple of 4 counted from the ESC byte; pad values
 * are not checked. */
static void align4(reader *r)
{
  if (r->nodemcu)
    take(r, (size_t)(-r->pos & 3));
}

/* A String field; NULL when absent (length 0). */
static const lfsc_str *get_string(reader *r)
{
  uint64_t n = get_uint(r, r->sizet);
  if (r->status || n == 0)
    return NULL;
  if (r->sizet == 4 && n == 0xFFFFFFFFu) {
    /* The reference tries to allocate this much and fails (§11.4). */
    nomem(r);
    return NULL;
  }
  if (n > left(r, (size_t)n)) {
    fail(r, "unexpected end");
    return NULL;
  }
  const unsigned char *p = take(r, (size_t)n);
  /* The stored length counts a terminating NUL; the reference does not
   * check that it is one. */
  const lfsc_str *s = lfsc_intern(r->ctx, (const char *)p, (size_t)n - 1);
  if (!s)
    nomem(r);
  return s;
}

static lfsc_number get_number(reader *r)
{
  switch (r->numkind) {
  case NUM_DOUBLE: {
    uint64_t bits = get_uint(r, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
  }
  case NUM_INT32:
    return (lfsc_number)(int32_t)(uint32_t)get_uint(r, 4);
  default: {
    /* Sign-extend an integer of numsize bytes. */
    uint64_t u = get_uint(r, r->numsize);
    int bits = 8 * r->numsize;
    if (bits < 64 && (u >> (bits - 1) & 1))
      u |= ~(uint64_t)0 << bits;
    int64_t v = (int64_t)u;
    if (r->int_target)
      return (lfsc_number)(int32_t)(uint32_t)(uint64_t)v;   /* wraps like a C cast */
    return (lfsc_number)v;
  }
  }
}

static void *alloc_array(reader *r, size_t n, size_t size)
{
  if (r->status || n == 0)
    return NULL;
  void *p = lfsc_alloc(r->ctx, n * size);
  if (!p)
    nomem(r);
  return p;
}

/* }================================================} */

/* {================= line info =================} */

/* A stock chunk's plain lines, also packed, so that the tree can be
 * written as NodeMCU .lc or put in an image. */
static void pack_lines(reader *r, lfsc_proto *f)
{
  uint8_t *buf = alloc_array(r, lfsc_lineinfo_pack_bound(f->sizelineinfo), 1);
  if (!buf)
    return;
  f->packedli = buf;
  f->sizepackedli = (uint32_t)lfsc_lineinfo_pack(f->lineinfo, f->sizelineinfo, buf);
}

static void read_lineinfo(reader *r, lfsc_proto *f)
{
  if (r->nodemcu) {
    int n = get_int(r);
    align4(r);
    const unsigned char *p = take(r, (size_t)n);
    if (!p || n == 0)
      return;                   /* none */
    /* Keep the bytes before the terminating NUL; they must describe the
     * code as NodeMCU's encoder would. */
    f->sizepackedli = (uint32_t)n - 1;
    f->packedli = alloc_array(r, (size_t)n, 1);
    f->lineinfo = alloc_array(r, (size_t)f->sizecode, sizeof(int));
    if (r->status)
      return;
    memcpy(f->packedli, p, (size_t)n - 1);
    const char *why;
    if (lfsc_lineinfo_decode(f->packedli, f->sizepackedli, f->lineinfo, f->sizecode, &why)) {
      char msg[80];
      snprintf(msg, sizeof msg, "bad line info (%s)", why);
      fail(r, msg);
      return;
    }
    f->sizelineinfo = f->sizecode;
    return;
  }
  int cap, n = get_count(r, 4, &cap);
  if (!r->status && n > cap)
    fail(r, "unexpected end");  /* plain ints: nothing else can go wrong */
  f->lineinfo = alloc_array(r, (size_t)n, sizeof(int));
  if (r->status)
    return;
  for (int i = 0; i < n; i++)
    f->lineinfo[i] = (int)(int32_t)(uint32_t)get_uint(r, 4);
  if (r->status)
    return;
  f->sizelineinfo = n;
  if (n > 0)
    pack_lines(r, f);
}

/* }================================================} */

/* {================= function records =================} */

static lfsc_proto *read_function(reader *r, const lfsc_str *parent_source);

static void read_constants(reader *r, lfsc_proto *f)
{
  int cap, n = get_count(r, 1, &cap);
  f->k = alloc_array(r, (size_t)cap, sizeof *f->k);
  if (r->status)
    return;
  for (int i = 0; i < n && !r->status && item_fits(r, i, cap); i++) {
    lfsc_const *k = &f->k[i];
    int t = get_byte(r);
    switch (t) {
    case LFSC_K_NIL:
      k->type = LFSC_K_NIL;
      break;
    case LFSC_K_BOOL:
      k->type = LFSC_K_BOOL;
      k->u.b = get_byte(r) != 0;
      break;
    case LFSC_K_NUM:
      k->type = LFSC_K_NUM;
      k->u.n = get_number(r);
      break;
    case LFSC_K_STR:
      k->type = LFSC_K_STR;
      k->u.s = get_string(r);   /* may be NULL: kept as a null string */
      break;
    default:
      fail(r, "bad constant");
      return;
    }
  }
  if (!r->status)
    f->sizek = n;
}

static void read_children(reader *r, lfsc_proto *f)
{
  int cap, n = get_count(r, 1, &cap);
  f->p = alloc_array(r, (size_t)cap, sizeof *f->p);
  if (r->status)
    return;
  for (int i = 0; i < n && !r->status && item_fits(r, i, cap); i++)
    f->p[i] = read_function(r, f->source);
  if (!r->status)
    f->sizep = n;
}

static void read_debug_names(reader *r, lfsc_proto *f)
{
  int cap, n = get_count(r, (size_t)r->sizet + 8, &cap);
  f->locvars = alloc_array(r, (size_t)cap, sizeof *f->locvars);
  if (r->status)
    return;
  for (int i = 0; i < n && !r->status && item_fits(r, i, cap); i++) {
    f->locvars[i].name = get_string(r);
    f->locvars[i].startpc = get_int(r);
    f->locvars[i].endpc = get_int(r);
  }
  if (r->status)
    return;
  f->sizelocvars = n;
  n = get_count(r, (size_t)r->sizet, &cap);
  f->upvalues = alloc_array(r, (size_t)cap, sizeof *f->upvalues);
  if (r->status)
    return;
  for (int i = 0; i < n && !r->status && item_fits(r, i, cap); i++)
    f->upvalues[i] = get_string(r);
  if (!r->status)
    f->sizeupvalues = n;
}

static lfsc_proto *read_function(reader *r, const lfsc_str *parent_source)
{
  if (++r->depth > MAX_DEPTH) {
    fail(r, "code too deep");
    return NULL;
  }
  lfsc_proto *f = alloc_array(r, 1, sizeof *f);
  if (!f)
    return NULL;
  f->source = get_string(r);
  if (!f->source)
    f->source = parent_source;
  f->linedefined = get_int(r);
  f->lastlinedefined = get_int(r);
  f->nups = (uint8_t)get_byte(r);
  f->numparams = (uint8_t)get_byte(r);
  f->is_vararg = (uint8_t)get_byte(r);
  f->maxstacksize = (uint8_t)get_byte(r);

  int n = get_int(r);
  align4(r);
  if (!r->status && (size_t)n > left(r, times((size_t)n, 4)) / 4)
    fail(r, "unexpected end");
  f->code = alloc_array(r, (size_t)n, sizeof *f->code);
  if (r->status)
    return NULL;
  f->sizecode = n;
  for (int i = 0; i < n; i++)
    f->code[i] = (uint32_t)get_uint(r, 4);

  read_constants(r, f);
  read_children(r, f);
  read_lineinfo(r, f);
  read_debug_names(r, f);
  if (r->status)
    return NULL;
  if (!lfsc_codecheck_proto(f, NULL)) {
    fail(r, "bad code");
    return NULL;
  }
  r->depth--;
  return f;
}

/* }================================================} */

/* {================= header =================} */

static int read_header(reader *r, lfsc_target target)
{
  static const unsigned char sig[6] = {0x1B, 'L', 'u', 'a', 0x51, 0};
  const unsigned char *h = take(r, 12);
  if (!h)
    return r->status;
  if (memcmp(h, sig, sizeof sig) != 0 || h[6] > 1 || h[7] != 4 || h[9] != 4)
    return fail(r, "bad header");
  r->swap = h[6] == 0;
  r->sizet = h[8];
  int integral = (int8_t)h[11];   /* the reference compares it signed */
  lfsc_variant v = lfsc_target_variant(target);
  if (v.format == LFSC_FORMAT_HOST) {
    /* Stock luac5.1 of a 32- or 64-bit host: only the string-length width
     * and the byte order may vary. */
    if ((h[8] != 4 && h[8] != 8) || h[10] != 8 || h[11] != 0)
      return fail(r, "bad header");
    r->numkind = NUM_DOUBLE;
    return 0;
  }
  r->nodemcu = 1;
  if (h[8] != 4)
    return fail(r, "bad header");
  r->int_target = v.numbers == LFSC_NUM_INT32;
  if (r->int_target ? integral < 1 : integral < 0)
    return fail(r, "bad header");
  if (integral == 0) {
    r->numkind = NUM_DOUBLE;    /* byte 10 is not checked */
  } else if (integral == 1 && r->int_target) {
    r->numkind = NUM_INT32;
  } else {
    /* Integer numbers of the size byte 10 gives, converted. */
    if (h[10] != 1 && h[10] != 2 && h[10] != 4 && h[10] != 8)
      return fail(r, "bad header");
    r->numkind = NUM_CONVERT;
    r->numsize = h[10];
  }
  return 0;
}

/* }================================================} */

static int read_chunk(reader *r, lfsc_target target, lfsc_proto **out)
{
  *out = NULL;
  if (read_header(r, target))
    return r->status;
  const lfsc_str *unknown = lfsc_intern(r->ctx, "=?", 2);
  if (!unknown)
    return nomem(r);
  lfsc_proto *f = read_function(r, unknown);
  if (r->status)
    return r->status;
  *out = f;
  return LFSC_OK;
}

int lfsc_lc_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len,
            const char *name, lfsc_target target, lfsc_proto **out)
{
  reader r;
  memset(&r, 0, sizeof r);
  r.ctx = ctx;
  r.buf = buf;
  r.len = buf ? len : 0;
  r.name = name ? name : "?";
  return read_chunk(&r, target, out);
}

int lfsc_lc_read_stream(lfsc_ctx *ctx, lfsc_read_fn read, void *ud, const char *name,
                   lfsc_target target, lfsc_proto **out)
{
  reader r;
  memset(&r, 0, sizeof r);
  r.ctx = ctx;
  r.name = name ? name : "?";
  r.read = read;
  r.read_ud = ud;
  int rc = read_chunk(&r, target, out);
  free(r.own);
  return rc;
}

size_t lfsc_lc_read_start(const unsigned char *buf, size_t len)
{
  if (len == 0)
    return (size_t)-1;
  if (buf[0] == 0x1B)
    return 0;
  if (buf[0] != '#')
    return (size_t)-1;
  const unsigned char *nl = memchr(buf, '\n', len);
  if (!nl || (size_t)(nl - buf) + 1 >= len || nl[1] != 0x1B)
    return (size_t)-1;
  return (size_t)(nl - buf) + 1;
}
