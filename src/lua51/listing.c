/*
 * luac-style listings of a proto tree (see listing.h for the format and
 * its one deliberate difference from luac5.1's). Written from the
 * observed output of luac5.1 -l / -l -l: every instruction line is
 * "\t<pc>\t[<line>]\t<NAME padded to 9>\t<operands>[\t; <comment>]".
 */
#include <stdlib.h>
#include <string.h>

#include "lfsc/opcodes.h"
#include "base/escape.h"
#include "base/protowalk.h"
#include "nodemcu/lineinfo.h"
#include "listing.h"

typedef struct lister {
  lfsc_sink *out;
  int full;
  lfsc_target target;
} lister;

static void put(lfsc_sink *out, const char *s)
{
  lfsc_sink_write(out, s, strlen(s));
}

/* text, then v in decimal: the listing's most frequent output, written
 * without a printf per number */
static void put_int(lfsc_sink *out, const char *text, long v)
{
  char b[24], *e = b + sizeof b, *d = e;
  unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
  do
    *--d = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--d = '-';
  put(out, text);
  lfsc_sink_write(out, d, (size_t)(e - d));
}

static void print_id(lfsc_sink *out, int id)
{
  lfsc_sink_printf(out, "0x%08x", (unsigned)id);
}

/* A string constant in double quotes, escaped like luac5.1. */
static void print_string(lfsc_sink *out, const lfsc_str *s)
{
  if (!s) {
    put(out, "(null)");         /* an absent string constant (never from source) */
    return;
  }
  put(out, "\"");
  lfsc_escape(out, s->data, s->len, LFSC_ESCAPE_LUAC);
  put(out, "\"");
}

static void print_number(lfsc_sink *out, lfsc_number n, lfsc_target target)
{
  if (lfsc_target_variant(target).numbers == LFSC_NUM_INT32 && n >= -2147483648.0 && n <= 2147483647.0 && n == (long)n)
    lfsc_sink_printf(out, "%ld", (long)n);
  else
    lfsc_sink_printf(out, "%.14g", n);
}

static void print_constant(lfsc_sink *out, const lfsc_proto *f, int i, lfsc_target target)
{
  if (i < 0 || i >= f->sizek) {
    put(out, "?");              /* only in trees that fail codecheck */
    return;
  }
  const lfsc_const *k = &f->k[i];
  switch (k->type) {
  case LFSC_K_NIL:
    put(out, "nil");
    break;
  case LFSC_K_BOOL:
    put(out, k->u.b ? "true" : "false");
    break;
  case LFSC_K_NUM:
    print_number(out, k->u.n, target);
    break;
  case LFSC_K_STR:
    print_string(out, k->u.s);
    break;
  default:
    lfsc_sink_printf(out, "? type=%d", (int)k->type);
    break;
  }
}

/* A C string up to its first NUL, as luac's "%s" shows names. */
static const char *cstr(const lfsc_str *s)
{
  return s ? s->data : "(null)";
}

static int is_rk_const(int x)
{
  return (x & LFSC_BITRK) != 0;
}

/* A B or C operand as shown: a constant as -1 - index. luac decodes it
 * whatever the operand's mode, the fields style only in K mode. */
static int rk_value(int x, int mode, lfsc_instr_style style)
{
  int k = is_rk_const(x) && (style == LFSC_INSTR_LUAC || mode == OPARG_K);
  return k ? -1 - (x & ~LFSC_BITRK) : x;
}

/* The operands after the name: luac omits unused B and C and JMP's A;
 * the fields style shows every field of the format, after a space. */
static void print_operands(lfsc_sink *out, uint32_t i, lfsc_instr_style style)
{
  int op = INS_OP(i), fields = style == LFSC_INSTR_FIELDS;
  int a = INS_A(i), b = INS_B(i), c = INS_C(i), bx = INS_Bx(i), sbx = INS_sBx(i);
  const char *sep = fields ? " " : "";
  switch (lfsc_opcodes_format[op]) {
  case OPFMT_ABC:
    put_int(out, sep, a);
    if (fields || lfsc_opcodes_bmode[op] != OPARG_N)
      put_int(out, " ", rk_value(b, lfsc_opcodes_bmode[op], style));
    if (fields || lfsc_opcodes_cmode[op] != OPARG_N)
      put_int(out, " ", rk_value(c, lfsc_opcodes_cmode[op], style));
    break;
  case OPFMT_ABx:
    put_int(out, sep, a);
    put_int(out, " ", lfsc_opcodes_bmode[op] == OPARG_K ? -1 - bx : bx);
    break;
  default:
    if (op == OP_JMP && !fields) {
      put_int(out, "", sbx);
    } else {
      put_int(out, sep, a);
      put_int(out, " ", sbx);
    }
    break;
  }
}

/* luac's comment after the operands ("\t; ..."), if the opcode has one;
 * returns the pc of the next instruction. ids: lfsc_proto_child_ids(f, id), or NULL
 * to work out the one a CLOSURE names. */
static int print_comment(lfsc_sink *out, const lfsc_proto *f, int id, const int *ids, int pc,
                         lfsc_target target)
{
  uint32_t i = f->code[pc];
  int op = INS_OP(i), b = INS_B(i), c = INS_C(i), bx = INS_Bx(i), sbx = INS_sBx(i);
  switch (op) {
  case OP_LOADK:
    put(out, "\t; ");
    print_constant(out, f, bx, target);
    break;
  case OP_GETUPVAL:
  case OP_SETUPVAL:
    put(out, "\t; ");
    put(out, f->sizeupvalues == 0 ? "-" : b < f->sizeupvalues ? cstr(f->upvalues[b]) : "?");
    break;
  case OP_GETGLOBAL:
  case OP_SETGLOBAL:
    put(out, "\t; ");
    put(out, bx < f->sizek && f->k[bx].type == LFSC_K_STR ? cstr(f->k[bx].u.s) : "?");
    break;
  case OP_GETTABLE:
  case OP_SELF:
    if (is_rk_const(c)) {
      put(out, "\t; ");
      print_constant(out, f, c & ~LFSC_BITRK, target);
    }
    break;
  /* MOD is missing from this list in luac5.1 (and NodeMCU): its
   * constant operands get no comment. */
  case OP_SETTABLE: case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
  case OP_POW: case OP_EQ: case OP_LT: case OP_LE:
    if (is_rk_const(b) || is_rk_const(c)) {
      put(out, "\t; ");
      if (is_rk_const(b))
        print_constant(out, f, b & ~LFSC_BITRK, target);
      else
        put(out, "-");
      put(out, " ");
      if (is_rk_const(c))
        print_constant(out, f, c & ~LFSC_BITRK, target);
      else
        put(out, "-");
    }
    break;
  case OP_JMP:
  case OP_FORLOOP:
  case OP_FORPREP:
    put_int(out, "\t; to ", sbx + pc + 2);
    break;
  case OP_CLOSURE: {
    int *own = ids ? NULL : lfsc_proto_child_ids(f, id);     /* one instruction alone */
    const int *cids = ids ? ids : own;
    put(out, "\t; ");
    if (bx < f->sizep && cids)
      print_id(out, cids[bx]);
    else
      put(out, "?");
    free(own);
    break;
  }
  case OP_SETLIST:
    /* C == 0: the batch number is the next word, which luac does not
     * list as an instruction. */
    if (c == 0 && pc + 1 < f->sizecode)
      put_int(out, "\t; ", (int32_t)f->code[++pc]);
    else
      put_int(out, "\t; ", c);
    break;
  default:
    break;
  }
  return pc + 1;
}

/* The formatter of listing.h; ids as print_comment's. */
static int format_instr(lfsc_sink *out, const lfsc_proto *f, int pc, lfsc_instr_style style,
                        lfsc_target target, int id, const int *ids)
{
  uint32_t i = f->code[pc];
  int op = INS_OP(i);
  if (op >= OP__COUNT) {
    if (style == LFSC_INSTR_LUAC)
      lfsc_sink_printf(out, "%-9s\t0x%08lx", "?", (unsigned long)i);
    else
      lfsc_sink_printf(out, "0x%08x (invalid opcode %d)", (unsigned)i, op);
    return pc + 1;
  }
  const char *name = lfsc_opcodes_name[op];
  put(out, name);
  if (style == LFSC_INSTR_LUAC) {
    static const char pad[] = "         \t";   /* as "%-9s\t" */
    size_t n = strlen(name) < 9 ? strlen(name) : 9;
    lfsc_sink_write(out, pad + n, sizeof pad - 1 - n);
  }
  print_operands(out, i, style);
  return style == LFSC_INSTR_LUAC ? print_comment(out, f, id, ids, pc, target) : pc + 1;
}

int lfsc_listing_instr(lfsc_sink *out, const lfsc_proto *f, int pc, lfsc_instr_style style,
                       lfsc_target target, int id)
{
  return format_instr(out, f, pc, style, target, id, NULL);
}

/* Per-instruction lines for f, or NULL when it has none. *tofree is set
 * when the array was decoded here. */
static const int *lines_of(lister *l, const lfsc_proto *f, int **tofree)
{
  *tofree = NULL;
  int packed_first = lfsc_target_variant(l->target).format != LFSC_FORMAT_HOST;
  int have_plain = f->lineinfo && f->sizelineinfo >= f->sizecode;
  int have_packed = f->packedli && f->sizepackedli > 0;
  if (have_plain && !(packed_first && have_packed))
    return f->lineinfo;
  if (have_packed && f->sizecode > 0) {
    int *lines = malloc((size_t)f->sizecode * sizeof *lines);
    if (!lines)
      return have_plain ? f->lineinfo : NULL;
    /* a damaged image's line info: what decodes, then line 0 */
    lfsc_lineinfo_decode(f->packedli, f->sizepackedli, lines, f->sizecode, NULL);
    *tofree = lines;
    return lines;
  }
  return NULL;
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
  lfsc_sink_printf(l->out, "\n%s <%s:%d,%d> (%d instruction%s, %d bytes at ",
                   f->linedefined == 0 ? "main" : "function", s, f->linedefined,
                   f->lastlinedefined, f->sizecode, f->sizecode == 1 ? "" : "s",
                   f->sizecode * 4);
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
  int *tofree;
  const int *lines = lines_of(l, f, &tofree);
  int *ids = lfsc_proto_child_ids(f, id);
  for (int pc = 0; pc < f->sizecode;) {
    int line = lines ? lines[pc] : 0;
    put_int(l->out, "\t", pc + 1);
    if (line > 0) {
      put_int(l->out, "\t[", line);
      put(l->out, "]\t");
    } else {
      put(l->out, "\t[-]\t");
    }
    pc = format_instr(l->out, f, pc, LFSC_INSTR_LUAC, l->target, id, ids);
    put(l->out, "\n");
  }
  free(ids);
  free(tofree);
}

static void print_tables(lister *l, const lfsc_proto *f, int id)
{
  lfsc_sink *out = l->out;
  lfsc_sink_printf(out, "constants (%d) for ", f->sizek);
  print_id(out, id);
  put(out, ":\n");
  for (int i = 0; i < f->sizek; i++) {
    put_int(out, "\t", i + 1);
    put(out, "\t");
    print_constant(out, f, i, l->target);
    put(out, "\n");
  }
  lfsc_sink_printf(out, "locals (%d) for ", f->sizelocvars);
  print_id(out, id);
  put(out, ":\n");
  for (int i = 0; i < f->sizelocvars; i++)
    /* wide: an image's locals carry any 32-bit pcs (INT_MAX + 1 must print) */
    lfsc_sink_printf(out, "\t%d\t%s\t%lld\t%lld\n", i, cstr(f->locvars[i].name),
                     (long long)f->locvars[i].startpc + 1, (long long)f->locvars[i].endpc + 1);
  lfsc_sink_printf(out, "upvalues (%d) for ", f->sizeupvalues);
  print_id(out, id);
  put(out, ":\n");
  for (int i = 0; i < f->sizeupvalues; i++)
    lfsc_sink_printf(out, "\t%d\t%s\n", i, cstr(f->upvalues[i]));
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

int lfsc_listing_print(lfsc_sink *out, const lfsc_proto *p, int full, lfsc_target target)
{
  lister l = {out, full, target};
  print_function(&l, p, 1);
  return out->status;
}
