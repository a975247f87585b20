/*
 * luac-style listings of a Lua 5.3 proto tree, in the format of
 * `luac5.3 -l` / `-l -l` (NodeMCU's 5.3 luac.cross prints the same).
 * Written from the observed output; the one deliberate difference is 5.1's
 * (lua51/listing.h): where luac prints a heap address we print the
 * function's pre-order number as "0x%08x", so listings are reproducible.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/opcodes53.h"
#include "nodemcu/lineinfo.h"
#include "base/escape.h"
#include "base/protowalk.h"
#include "nlc.h"
#include "listing.h"

typedef struct lister {
  lfsc_sink *out;
  int full;
  lfsc_nummodel numbers;
  int packed_first;             /* NodeMCU formats: the lines the firmware reports */
} lister;

static void put(lfsc_sink *out, const char *s)
{
  lfsc_sink_write(out, s, strlen(s));
}

static void print_id(lfsc_sink *out, int id)
{
  lfsc_sink_printf(out, "0x%08x", (unsigned)id);
}

static int single_float(lfsc_nummodel m)
{
  return m == LFSC_NUM_I32_F32 || m == LFSC_NUM_I64_F32;
}

/* A float as luac5.3 shows it: "%.14g" ("%.7g" on a float32 build), with
 * ".0" added when the text would read as an integer. */
static void print_float(lfsc_sink *out, double n, lfsc_nummodel m)
{
  char b[64];
  snprintf(b, sizeof b, single_float(m) ? "%.7g" : "%.14g", n);
  put(out, b);
  if (b[strspn(b, "-0123456789")] == 0)
    put(out, ".0");
}

static void print_constant(lister *l, const lfsc_proto *f, int i)
{
  lfsc_sink *out = l->out;
  if (i < 0 || i >= f->sizek) {
    put(out, "?");              /* only in trees that fail the code check */
    return;
  }
  const lfsc_const *k = &f->k[i];
  switch (k->type) {
  case LFSC_K_NIL: put(out, "nil"); break;
  case LFSC_K_BOOL: put(out, k->u.b ? "true" : "false"); break;
  case LFSC_K_NUM: print_float(out, k->u.n, l->numbers); break;
  case LFSC_K_INT: lfsc_sink_printf(out, "%" PRId64, k->u.i); break;
  case LFSC_K_STR:
    if (!k->u.s) {
      put(out, "(null)");
      break;
    }
    put(out, "\"");
    lfsc_escape(out, k->u.s->data, k->u.s->len, LFSC_ESCAPE_LUAC);
    put(out, "\"");
    break;
  default: lfsc_sink_printf(out, "? type=%d", (int)k->type); break;
  }
}

/* An upvalue's name as luac shows it: "-" when stripped. */
static const char *upval_name(const lfsc_proto *f, int i)
{
  if (i < 0 || i >= f->nups)
    return "?";
  return i < f->sizeupvalues && f->upvalues[i] ? f->upvalues[i]->data : "-";
}

static int is_k(int x)
{
  return (x & LFSC_BITRK) != 0;
}

/* An RK operand: a constant as -1 - index. */
static int rk(int x)
{
  return is_k(x) ? -1 - (x & ~LFSC_BITRK) : x;
}

static void print_operands(lfsc_sink *out, uint32_t i)
{
  int op = INS_OP(i), a = INS_A(i), b = INS_B(i), c = INS_C(i), bx = INS_Bx(i);
  switch (lfsc_opcodes53_format[op]) {
  case OPFMT_ABC:
    lfsc_sink_printf(out, "%d", a);
    if (lfsc_opcodes53_bmode[op] != OPARG_N)
      lfsc_sink_printf(out, " %d", rk(b));
    if (lfsc_opcodes53_cmode[op] != OPARG_N)
      lfsc_sink_printf(out, " %d", rk(c));
    break;
  case OPFMT_ABx:
    lfsc_sink_printf(out, "%d", a);
    if (lfsc_opcodes53_bmode[op] == OPARG_K)
      lfsc_sink_printf(out, " %d", -1 - bx);
    else if (lfsc_opcodes53_bmode[op] == OPARG_U)
      lfsc_sink_printf(out, " %d", bx);
    break;
  case OPFMT_AsBx:
    lfsc_sink_printf(out, "%d %d", a, INS_sBx(i));
    break;
  default:
    lfsc_sink_printf(out, "%d", -1 - INS_Ax(i));
    break;
  }
}

/* The "B C" constants comment of table stores, arithmetic and compares:
 * each operand that is a constant, "-" for a register. */
static void print_rk_pair(lister *l, const lfsc_proto *f, int b, int c)
{
  if (!is_k(b) && !is_k(c))
    return;
  put(l->out, "\t; ");
  if (is_k(b))
    print_constant(l, f, b & ~LFSC_BITRK);
  else
    put(l->out, "-");
  put(l->out, " ");
  if (is_k(c))
    print_constant(l, f, c & ~LFSC_BITRK);
  else
    put(l->out, "-");
}

/* luac's comment after the operands; returns the next pc (SETLIST with
 * C == 0 takes its batch number from the next word, not listed). */
static int print_comment(lister *l, const lfsc_proto *f, const int *ids, int pc)
{
  lfsc_sink *out = l->out;
  uint32_t i = f->code[pc];
  int op = INS_OP(i), a = INS_A(i), b = INS_B(i), c = INS_C(i), bx = INS_Bx(i);
  switch (op) {
  case OP53_LOADK:
    put(out, "\t; ");
    print_constant(l, f, bx);
    break;
  case OP53_GETUPVAL:
  case OP53_SETUPVAL:
    lfsc_sink_printf(out, "\t; %s", upval_name(f, b));
    break;
  case OP53_GETTABUP:
    lfsc_sink_printf(out, "\t; %s", upval_name(f, b));
    if (is_k(c)) {
      put(out, " ");
      print_constant(l, f, c & ~LFSC_BITRK);
    }
    break;
  case OP53_SETTABUP:
    lfsc_sink_printf(out, "\t; %s", upval_name(f, a));
    if (is_k(b)) {
      put(out, " ");
      print_constant(l, f, b & ~LFSC_BITRK);
    }
    if (is_k(c)) {
      put(out, " ");
      print_constant(l, f, c & ~LFSC_BITRK);
    }
    break;
  case OP53_GETTABLE:
  case OP53_SELF:
    if (is_k(c)) {
      put(out, "\t; ");
      print_constant(l, f, c & ~LFSC_BITRK);
    }
    break;
  case OP53_SETTABLE: case OP53_ADD: case OP53_SUB: case OP53_MUL: case OP53_MOD:
  case OP53_POW: case OP53_DIV: case OP53_IDIV: case OP53_BAND: case OP53_BOR:
  case OP53_BXOR: case OP53_SHL: case OP53_SHR: case OP53_EQ: case OP53_LT: case OP53_LE:
    print_rk_pair(l, f, b, c);
    break;
  case OP53_JMP: case OP53_FORLOOP: case OP53_FORPREP: case OP53_TFORLOOP:
    lfsc_sink_printf(out, "\t; to %d", INS_sBx(i) + pc + 2);
    break;
  case OP53_CLOSURE:
    put(out, "\t; ");
    if (ids && bx < f->sizep)
      print_id(out, ids[bx]);
    else
      put(out, "?");
    break;
  case OP53_SETLIST:
    if (c == 0 && pc + 1 < f->sizecode)
      lfsc_sink_printf(out, "\t; %d", (int)f->code[++pc]);
    else
      lfsc_sink_printf(out, "\t; %d", c);
    break;
  case OP53_EXTRAARG:
    put(out, "\t; ");
    print_constant(l, f, INS_Ax(i));
    break;
  default:
    break;
  }
  return pc + 1;
}

static void print_header(lister *l, const lfsc_proto *f, int id)
{
  const char *s = f->source ? f->source->data : "=?";
  if (*s == '@' || *s == '=')
    s++;
  else if (*s == 0x1B)
    s = "(bstring)";
  else
    s = "(string)";
  lfsc_sink_printf(l->out, "\n%s <%s:%d,%d> (%d instruction%s at ",
                   f->linedefined == 0 ? "main" : "function", s, f->linedefined,
                   f->lastlinedefined, f->sizecode, f->sizecode == 1 ? "" : "s");
  print_id(l->out, id);
  put(l->out, ")\n");
  lfsc_sink_printf(l->out, "%d%s param%s, %d slot%s, %d upvalue%s, ",
                   f->numparams, f->is_vararg ? "+" : "", f->numparams == 1 ? "" : "s",
                   f->maxstacksize, f->maxstacksize == 1 ? "" : "s", f->nups,
                   f->nups == 1 ? "" : "s");
  lfsc_sink_printf(l->out, "%d local%s, %d constant%s, %d function%s\n",
                   f->sizelocvars, f->sizelocvars == 1 ? "" : "s", f->sizek,
                   f->sizek == 1 ? "" : "s", f->sizep, f->sizep == 1 ? "" : "s");
}

static void print_code(lister *l, const lfsc_proto *f, int id)
{
  int *ids = lfsc_proto_child_ids(f, id);
  const int *lines = f->lineinfo && f->sizelineinfo >= f->sizecode ? f->lineinfo : NULL;
  int *decoded = NULL;
  /* a NodeMCU listing shows the packed lines, which --compat-lineinfo's
   * undo bug makes differ from the right ones */
  if (l->packed_first && f->packedli && f->sizepackedli > 0 && f->sizecode > 0 &&
      (decoded = malloc((size_t)f->sizecode * sizeof *decoded)) != NULL) {
    lfsc_lineinfo_decode53(f->packedli, f->sizepackedli, decoded, f->sizecode, NULL);
    lines = decoded;
  }
  for (int pc = 0; pc < f->sizecode;) {
    uint32_t i = f->code[pc];
    int line = lines ? lines[pc] : 0;
    lfsc_sink_printf(l->out, "\t%d\t", pc + 1);
    if (line > 0)
      lfsc_sink_printf(l->out, "[%d]\t", line);
    else
      put(l->out, "[-]\t");
    if (INS_OP(i) >= OP53__COUNT) {
      lfsc_sink_printf(l->out, "%-9s\t0x%08lx\n", "?", (unsigned long)i);
      pc++;
      continue;
    }
    lfsc_sink_printf(l->out, "%-9s\t", lfsc_opcodes53_name[INS_OP(i)]);
    print_operands(l->out, i);
    pc = print_comment(l, f, ids, pc);
    put(l->out, "\n");
  }
  free(ids);
  free(decoded);
}

static void print_tables(lister *l, const lfsc_proto *f, int id)
{
  lfsc_sink *out = l->out;
  lfsc_sink_printf(out, "constants (%d) for ", f->sizek);
  print_id(out, id);
  put(out, ":\n");
  for (int i = 0; i < f->sizek; i++) {
    lfsc_sink_printf(out, "\t%d\t", i + 1);
    print_constant(l, f, i);
    put(out, "\n");
  }
  lfsc_sink_printf(out, "locals (%d) for ", f->sizelocvars);
  print_id(out, id);
  put(out, ":\n");
  for (int i = 0; i < f->sizelocvars; i++)
    lfsc_sink_printf(out, "\t%d\t%s\t%lld\t%lld\n", i,
                     f->locvars[i].name ? f->locvars[i].name->data : "(null)",
                     (long long)f->locvars[i].startpc + 1, (long long)f->locvars[i].endpc + 1);
  lfsc_sink_printf(out, "upvalues (%d) for ", f->nups);
  print_id(out, id);
  put(out, ":\n");
  for (int i = 0; i < f->nups; i++)
    lfsc_sink_printf(out, "\t%d\t%s\t%d\t%d\n", i, upval_name(f, i),
                     f->upvaldesc ? f->upvaldesc[i].instack : 0,
                     f->upvaldesc ? f->upvaldesc[i].idx : 0);
}

static void print_function(lister *l, const lfsc_proto *f, int id)
{
  print_header(l, f, id);
  print_code(l, f, id);
  if (l->full)
    print_tables(l, f, id);
  int next = id + 1;
  for (int i = 0; i < f->sizep; i++)
    if (f->p[i]) {
      print_function(l, f->p[i], next);
      next += lfsc_proto_count(f->p[i]);
    }
}

int lfsc_lua53_list(lfsc_sink *out, const lfsc_proto *p, int full, lfsc_target target)
{
  lfsc_variant v = lfsc_target_variant(target);
  /* the host chunk is stock 5.3: 64-bit numbers */
  lister l = {out, full, v.format == LFSC_FORMAT_HOST ? LFSC_NUM_I64_F64 : v.numbers,
              v.format != LFSC_FORMAT_HOST};
  print_function(&l, p, 1);
  return out->status;
}
