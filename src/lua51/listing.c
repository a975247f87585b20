/*
 * luac-style listings of a proto tree (see listing.h for the format and
 * its one deliberate difference from luac5.1's). Written from the
 * observed output of luac5.1 -l / -l -l: every instruction line is
 * "\t<pc>\t[<line>]\t<NAME padded to 9>\t<operands>[\t; <comment>]".
 */
#include <stdlib.h>

#include "lfsc/opcodes.h"
#include "lineinfo.h"
#include "listing.h"

typedef struct lister {
  FILE *out;
  int full;
  lfsc_target target;
} lister;

static int nfuncs(const lfsc_proto *p)
{
  int n = 1;
  for (int i = 0; i < p->sizep; i++)
    if (p->p[i])
      n += nfuncs(p->p[i]);
  return n;
}

/* Pre-order numbers of f's children, f being number id; malloc'd (NULL
 * when f has no children or memory is short: then "?" is printed). */
static int *child_ids(const lfsc_proto *f, int id)
{
  if (f->sizep <= 0)
    return NULL;
  int *ids = malloc((size_t)f->sizep * sizeof *ids);
  if (!ids)
    return NULL;
  int next = id + 1;
  for (int i = 0; i < f->sizep; i++) {
    ids[i] = next;
    if (f->p[i])
      next += nfuncs(f->p[i]);
  }
  return ids;
}

static void print_id(lister *l, int id)
{
  fprintf(l->out, "0x%08x", (unsigned)id);
}

/* A string constant in double quotes, escaped like luac5.1: C escapes for
 * the usual control characters, \ddd for other unprintable bytes. */
static void print_string(lister *l, const lfsc_str *s)
{
  FILE *out = l->out;
  if (!s) {
    fputs("(null)", out);       /* an absent string constant (never from source) */
    return;
  }
  putc('"', out);
  for (uint32_t i = 0; i < s->len; i++) {
    unsigned char c = (unsigned char)s->data[i];
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\a': fputs("\\a", out); break;
    case '\b': fputs("\\b", out); break;
    case '\f': fputs("\\f", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    case '\v': fputs("\\v", out); break;
    default:
      if (c >= 0x20 && c < 0x7F)   /* isprint in the C locale */
        putc(c, out);
      else
        fprintf(out, "\\%03u", (unsigned)c);
    }
  }
  putc('"', out);
}

static void print_number(lister *l, lfsc_number n)
{
  if (l->target == LFSC_TARGET_INT && n >= -2147483648.0 && n <= 2147483647.0 && n == (long)n)
    fprintf(l->out, "%ld", (long)n);
  else
    fprintf(l->out, "%.14g", n);
}

static void print_constant(lister *l, const lfsc_proto *f, int i)
{
  if (i < 0 || i >= f->sizek) {
    fputs("?", l->out);         /* only in trees that fail codecheck */
    return;
  }
  const lfsc_const *k = &f->k[i];
  switch (k->type) {
  case LFSC_K_NIL:
    fputs("nil", l->out);
    break;
  case LFSC_K_BOOL:
    fputs(k->u.b ? "true" : "false", l->out);
    break;
  case LFSC_K_NUM:
    print_number(l, k->u.n);
    break;
  case LFSC_K_STR:
    print_string(l, k->u.s);
    break;
  default:
    fprintf(l->out, "? type=%d", (int)k->type);
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

static int rk_value(int x)
{
  return is_rk_const(x) ? -1 - (x & ~LFSC_BITRK) : x;
}

/* Per-instruction lines for f, or NULL when it has none. *tofree is set
 * when the array was decoded here. */
static const int *lines_of(lister *l, const lfsc_proto *f, int **tofree)
{
  *tofree = NULL;
  int packed_first = l->target != LFSC_TARGET_HOST;
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
  fprintf(l->out, "\n%s <%s:%d,%d> (%d instruction%s, %d bytes at ",
          f->linedefined == 0 ? "main" : "function", s, f->linedefined, f->lastlinedefined,
          f->sizecode, f->sizecode == 1 ? "" : "s", f->sizecode * 4);
  print_id(l, id);
  fputs(")\n", l->out);
  fprintf(l->out, "%d%s param%s, %d slot%s, %d upvalue%s, ",
          f->numparams, f->is_vararg ? "+" : "", f->numparams == 1 ? "" : "s",
          f->maxstacksize, f->maxstacksize == 1 ? "" : "s", f->nups, f->nups == 1 ? "" : "s");
  fprintf(l->out, "%d local%s, %d constant%s, %d function%s\n",
          f->sizelocvars, f->sizelocvars == 1 ? "" : "s", f->sizek, f->sizek == 1 ? "" : "s",
          f->sizep, f->sizep == 1 ? "" : "s");
}

static void print_code(lister *l, const lfsc_proto *f, const int *ids)
{
  FILE *out = l->out;
  int *tofree;
  const int *lines = lines_of(l, f, &tofree);
  for (int pc = 0; pc < f->sizecode; pc++) {
    uint32_t i = f->code[pc];
    int op = INS_OP(i);
    int a = INS_A(i), b = INS_B(i), c = INS_C(i), bx = INS_Bx(i), sbx = INS_sBx(i);
    int line = lines ? lines[pc] : 0;
    fprintf(out, "\t%d\t", pc + 1);
    if (line > 0)
      fprintf(out, "[%d]\t", line);
    else
      fputs("[-]\t", out);
    if (op >= OP__COUNT) {
      fprintf(out, "%-9s\t0x%08lx\n", "?", (unsigned long)i);
      continue;
    }
    fprintf(out, "%-9s\t", lfsc_opcodes_name[op]);
    switch (lfsc_opcodes_format[op]) {
    case OPFMT_ABC:
      fprintf(out, "%d", a);
      if (lfsc_opcodes_bmode[op] != OPARG_N)
        fprintf(out, " %d", rk_value(b));
      if (lfsc_opcodes_cmode[op] != OPARG_N)
        fprintf(out, " %d", rk_value(c));
      break;
    case OPFMT_ABx:
      fprintf(out, "%d %d", a, lfsc_opcodes_bmode[op] == OPARG_K ? -1 - bx : bx);
      break;
    default:
      if (op == OP_JMP)
        fprintf(out, "%d", sbx);
      else
        fprintf(out, "%d %d", a, sbx);
      break;
    }
    switch (op) {
    case OP_LOADK:
      fputs("\t; ", out);
      print_constant(l, f, bx);
      break;
    case OP_GETUPVAL:
    case OP_SETUPVAL:
      fprintf(out, "\t; %s", f->sizeupvalues == 0 ? "-"
              : b < f->sizeupvalues ? cstr(f->upvalues[b]) : "?");
      break;
    case OP_GETGLOBAL:
    case OP_SETGLOBAL:
      fprintf(out, "\t; %s", bx < f->sizek && f->k[bx].type == LFSC_K_STR ? cstr(f->k[bx].u.s) : "?");
      break;
    case OP_GETTABLE:
    case OP_SELF:
      if (is_rk_const(c)) {
        fputs("\t; ", out);
        print_constant(l, f, c & ~LFSC_BITRK);
      }
      break;
    /* MOD is missing from this list in luac5.1 (and NodeMCU): its
     * constant operands get no comment. */
    case OP_SETTABLE: case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
    case OP_POW: case OP_EQ: case OP_LT: case OP_LE:
      if (is_rk_const(b) || is_rk_const(c)) {
        fputs("\t; ", out);
        if (is_rk_const(b))
          print_constant(l, f, b & ~LFSC_BITRK);
        else
          fputs("-", out);
        fputs(" ", out);
        if (is_rk_const(c))
          print_constant(l, f, c & ~LFSC_BITRK);
        else
          fputs("-", out);
      }
      break;
    case OP_JMP:
    case OP_FORLOOP:
    case OP_FORPREP:
      fprintf(out, "\t; to %d", sbx + pc + 2);
      break;
    case OP_CLOSURE:
      fputs("\t; ", out);
      if (bx < f->sizep && ids)
        print_id(l, ids[bx]);
      else
        fputs("?", out);
      break;
    case OP_SETLIST:
      /* C == 0: the batch number is the next word, which luac does not
       * list as an instruction. */
      if (c == 0 && pc + 1 < f->sizecode)
        fprintf(out, "\t; %ld", (long)(int32_t)f->code[++pc]);
      else
        fprintf(out, "\t; %d", c);
      break;
    default:
      break;
    }
    putc('\n', out);
  }
  free(tofree);
}

static void print_tables(lister *l, const lfsc_proto *f, int id)
{
  FILE *out = l->out;
  fprintf(out, "constants (%d) for ", f->sizek);
  print_id(l, id);
  fputs(":\n", out);
  for (int i = 0; i < f->sizek; i++) {
    fprintf(out, "\t%d\t", i + 1);
    print_constant(l, f, i);
    putc('\n', out);
  }
  fprintf(out, "locals (%d) for ", f->sizelocvars);
  print_id(l, id);
  fputs(":\n", out);
  for (int i = 0; i < f->sizelocvars; i++)
    /* wide: an image's locals carry any 32-bit pcs (INT_MAX + 1 must print) */
    fprintf(out, "\t%d\t%s\t%lld\t%lld\n", i, cstr(f->locvars[i].name),
            (long long)f->locvars[i].startpc + 1, (long long)f->locvars[i].endpc + 1);
  fprintf(out, "upvalues (%d) for ", f->sizeupvalues);
  print_id(l, id);
  fputs(":\n", out);
  for (int i = 0; i < f->sizeupvalues; i++)
    fprintf(out, "\t%d\t%s\n", i, cstr(f->upvalues[i]));
}

static void print_function(lister *l, const lfsc_proto *f, int id)
{
  int *ids = child_ids(f, id);
  print_header(l, f, id);
  print_code(l, f, ids);
  if (l->full)
    print_tables(l, f, id);
  int next = id + 1;
  for (int i = 0; i < f->sizep; i++)
    if (f->p[i]) {
      print_function(l, f->p[i], next);
      next += nfuncs(f->p[i]);
    }
  free(ids);
}

int lfsc_listing_print(FILE *out, const lfsc_proto *p, int full, lfsc_target target)
{
  lister l = {out, full, target};
  print_function(&l, p, 1);
  return ferror(out) ? LFSC_EIO : LFSC_OK;
}
