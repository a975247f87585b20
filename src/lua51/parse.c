/* Parser: reads tokens and drives the code generator in a single pass,
 * tracking scopes (blocks), active locals and upvalues per function. */
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "code.h"
#include "base/assert.h"
#include "base/ctx.h"
#include "lex.h"
#include "parse.h"

/* A lexical block: scope of locals, and target of 'break' in loops. */
typedef struct block {
  struct block *previous;
  int breaklist;                /* jumps out of the loop */
  int nactvar;                  /* active locals outside the block */
  int upval;                    /* some local of the block is an upvalue */
  int isbreakable;              /* the block is a loop */
} block;

/* Binary operator precedence: left and right binding power. */
static const struct { int left, right; } priority[] = {
  {6, 6}, {6, 6}, {7, 7}, {7, 7}, {7, 7},   /* + - * / % */
  {10, 9}, {5, 4},                          /* ^ .. (right associative) */
  {3, 3}, {3, 3}, {3, 3}, {3, 3}, {3, 3}, {3, 3},   /* ~= == < <= > >= */
  {2, 2}, {1, 1}                            /* and or */
};
#define UNARY_PRIORITY 8

static void chunk(lex_state *ls);
static void expr(lex_state *ls, expdesc *v);

/* ---- errors and token checks ---- */

static _Noreturn void error_expected(lex_state *ls, int tok)
{
  char msg[64];
  snprintf(msg, sizeof msg, "'%s' expected", lfsc_lex_token_name(ls, tok));
  lfsc_lex_syntax_error(ls, msg);
}

static _Noreturn void errorlimit(fstate *fs, int limit, const char *what)
{
  char msg[128];
  if (fs->f->linedefined == 0)
    snprintf(msg, sizeof msg, "main function has more than %d %s", limit, what);
  else
    snprintf(msg, sizeof msg, "function at line %d has more than %d %s",
             fs->f->linedefined, limit, what);
  lfsc_lex_error(fs->ls, msg, 0);
}

static void checklimit(fstate *fs, int v, int limit, const char *what)
{
  if (v > limit)
    errorlimit(fs, limit, what);
}

static int testnext(lex_state *ls, int tok)
{
  if (ls->t.tok != tok)
    return 0;
  lfsc_lex_next(ls);
  return 1;
}

static void check(lex_state *ls, int tok)
{
  if (ls->t.tok != tok)
    error_expected(ls, tok);
}

static void checknext(lex_state *ls, int tok)
{
  check(ls, tok);
  lfsc_lex_next(ls);
}

static void check_condition(lex_state *ls, int cond, const char *msg)
{
  if (!cond)
    lfsc_lex_syntax_error(ls, msg);
}

static void check_match(lex_state *ls, int what, int who, int where)
{
  if (testnext(ls, what))
    return;
  if (where == ls->line)
    error_expected(ls, what);
  char msg[128], whatname[16];
  snprintf(whatname, sizeof whatname, "%s", lfsc_lex_token_name(ls, what));
  snprintf(msg, sizeof msg, "'%s' expected (to close '%s' at line %d)", whatname,
           lfsc_lex_token_name(ls, who), where);
  lfsc_lex_syntax_error(ls, msg);
}

static const lfsc_str *str_checkname(lex_state *ls)
{
  check(ls, TK_NAME);
  const lfsc_str *s = ls->t.str;
  lfsc_lex_next(ls);
  return s;
}

static void codestring(lex_state *ls, expdesc *e, const lfsc_str *s)
{
  lfsc_code_init_exp(e, EXP_K, lfsc_code_stringk(ls->fs, s));
}

static void checkname(lex_state *ls, expdesc *e)
{
  codestring(ls, e, str_checkname(ls));
}

static void enterlevel(lex_state *ls)
{
  if (++ls->depth > PARSE_MAXLEVELS)
    lfsc_lex_error(ls, "chunk has too many syntax levels", 0);
}

static void leavelevel(lex_state *ls)
{
  ls->depth--;
}

/* ---- variables ---- */

static lfsc_locvar *getlocvar(fstate *fs, int i)
{
  return &fs->f->locvars[fs->actvar[i]];
}

static int registerlocalvar(lex_state *ls, const lfsc_str *name)
{
  fstate *fs = ls->fs;
  if (fs->nlocvars >= SHRT_MAX)       /* the reference's vector limit */
    lfsc_lex_fail(ls, LFSC_ESYNTAX, "too many local variables");
  lfsc_code_grow(fs, (void **)&fs->f->locvars, &fs->caplocvars, fs->nlocvars, sizeof *fs->f->locvars);
  fs->f->locvars[fs->nlocvars].name = name;
  return fs->nlocvars++;
}

static void new_localvar(lex_state *ls, const lfsc_str *name, int n)
{
  fstate *fs = ls->fs;
  checklimit(fs, fs->nactvar + n + 1, CODE_MAXVARS, "local variables");
  fs->actvar[fs->nactvar + n] = registerlocalvar(ls, name);
}

static void new_localvar_lit(lex_state *ls, const char *name, int n)
{
  new_localvar(ls, lfsc_lex_intern(ls, name, strlen(name)), n);
}

static void adjustlocalvars(lex_state *ls, int nvars)
{
  fstate *fs = ls->fs;
  fs->nactvar += nvars;
  for (; nvars; nvars--)
    getlocvar(fs, fs->nactvar - nvars)->startpc = fs->pc;
}

static void removevars(lex_state *ls, int tolevel)
{
  fstate *fs = ls->fs;
  while (fs->nactvar > tolevel)
    getlocvar(fs, --fs->nactvar)->endpc = fs->pc;
}

static int indexupvalue(fstate *fs, const lfsc_str *name, expdesc *v)
{
  for (int i = 0; i < fs->nups; i++)
    if (fs->upvalues[i].k == v->k && fs->upvalues[i].info == v->info)
      return i;
  checklimit(fs, fs->nups + 1, CODE_MAXUPVALUES, "upvalues");
  fs->upnames[fs->nups] = name;
  fs->upvalues[fs->nups].k = v->k;
  fs->upvalues[fs->nups].info = v->info;
  return fs->nups++;
}

static int searchvar(fstate *fs, const lfsc_str *n)
{
  for (int i = fs->nactvar - 1; i >= 0; i--)
    if (n == getlocvar(fs, i)->name)
      return i;
  return -1;
}

/* Flag the block owning local `level` as holding a captured local, so it
 * closes its upvalues on exit. */
static void markupval(fstate *fs, int level)
{
  block *bl = fs->bl;
  while (bl && bl->nactvar > level)
    bl = bl->previous;
  if (bl)
    bl->upval = 1;
}

static exp_kind singlevaraux(fstate *fs, const lfsc_str *n, expdesc *var, int base)
{
  if (fs == NULL) {
    lfsc_code_init_exp(var, EXP_GLOBAL, LFSC_NO_REG);
    return EXP_GLOBAL;
  }
  int v = searchvar(fs, n);
  if (v >= 0) {
    lfsc_code_init_exp(var, EXP_LOCAL, v);
    if (!base)
      markupval(fs, v);         /* seen from an inner function */
    return EXP_LOCAL;
  }
  if (singlevaraux(fs->prev, n, var, 0) == EXP_GLOBAL)
    return EXP_GLOBAL;
  var->info = indexupvalue(fs, n, var);
  var->k = EXP_UPVAL;
  return EXP_UPVAL;
}

static void singlevar(lex_state *ls, expdesc *var)
{
  const lfsc_str *name = str_checkname(ls);
  fstate *fs = ls->fs;
  if (singlevaraux(fs, name, var, 1) == EXP_GLOBAL)
    var->info = lfsc_code_stringk(fs, name);
}

/* Fit the values of an expression list to nvars targets. */
static void adjust_assign(lex_state *ls, int nvars, int nexps, expdesc *e)
{
  fstate *fs = ls->fs;
  int extra = nvars - nexps;
  if (code_hasmultret(e->k)) {
    extra++;                    /* the call/vararg itself counts */
    if (extra < 0)
      extra = 0;
    lfsc_code_setreturns(fs, e, extra);
    if (extra > 1)
      lfsc_code_reserveregs(fs, extra - 1);
  } else {
    if (e->k != EXP_VOID)
      lfsc_code_exp2nextreg(fs, e);
    if (extra > 0) {
      int reg = fs->freereg;
      lfsc_code_reserveregs(fs, extra);
      lfsc_code_nil(fs, reg, extra);
    }
  }
}

/* ---- blocks and functions ---- */

static void enterblock(fstate *fs, block *bl, int isbreakable)
{
  bl->breaklist = CODE_NO_JUMP;
  bl->isbreakable = isbreakable;
  bl->nactvar = fs->nactvar;
  bl->upval = 0;
  bl->previous = fs->bl;
  fs->bl = bl;
}

static void leaveblock(fstate *fs)
{
  block *bl = fs->bl;
  fs->bl = bl->previous;
  removevars(fs->ls, bl->nactvar);
  if (bl->upval)
    lfsc_code_abc(fs, OP_CLOSE, bl->nactvar, 0, 0);
  fs->freereg = fs->nactvar;
  lfsc_code_patchtohere(fs, bl->breaklist);
}

static void open_func(lex_state *ls, fstate *fs, const lfsc_str *source,
                      int nonames, int compat)
{
  memset(fs, 0, sizeof *fs);
  fs->f = lfsc_alloc(ls->ctx, sizeof *fs->f);
  if (!fs->f)
    lfsc_lex_nomem(ls);
  fs->prev = ls->fs;
  fs->ls = ls;
  ls->fs = fs;
  fs->lasttarget = -1;
  fs->jpc = CODE_NO_JUMP;
  fs->nonames = nonames;
  lfsc_lineinfo_init(&fs->li, ls->ctx, compat);
  fs->f->source = source;
  fs->f->maxstacksize = 2;      /* registers 0 and 1 are always usable */
}

/* An arena copy of the first n bytes of a scratch array, which is freed. */
static void *keep(lex_state *ls, void *scratch, size_t n)
{
  void *p = lfsc_ctx_arena_copy(ls->ctx, scratch, n);
  if (n && !p)
    lfsc_lex_nomem(ls);
  lfsc_ctx_scratch_free(ls->ctx, scratch);
  return p;
}

static void close_func(lex_state *ls)
{
  fstate *fs = ls->fs;
  lfsc_proto *f = fs->f;
  removevars(ls, 0);            /* locals end before the final return */
  lfsc_code_ret(fs, 0, 0);
  f->sizecode = fs->pc;
  f->sizelineinfo = fs->pc;
  f->sizek = fs->nk;
  f->sizep = fs->np;
  f->nups = (uint8_t)fs->nups;
  if (fs->nonames) {
    f->sizelocvars = 0;
  } else {
    f->sizelocvars = fs->nlocvars;
    f->sizeupvalues = fs->nups;
    if (fs->nups) {
      f->upvalues = lfsc_alloc(ls->ctx, (size_t)fs->nups * sizeof *f->upvalues);
      if (!f->upvalues)
        lfsc_lex_nomem(ls);
      memcpy(f->upvalues, fs->upnames, (size_t)fs->nups * sizeof *f->upvalues);
    }
  }
  f->sizepackedli = (uint32_t)lfsc_lineinfo_size(&fs->li);
  /* the finished function's arrays, at their final sizes, into the arena */
  f->code = keep(ls, f->code, (size_t)fs->pc * sizeof *f->code);
  f->lineinfo = keep(ls, f->lineinfo, (size_t)fs->pc * sizeof *f->lineinfo);
  f->k = keep(ls, f->k, (size_t)fs->nk * sizeof *f->k);
  f->p = keep(ls, f->p, (size_t)fs->np * sizeof *f->p);
  f->locvars = keep(ls, f->locvars, (size_t)f->sizelocvars * sizeof *f->locvars);
  f->packedli = keep(ls, fs->li.buf, f->sizepackedli);
  lfsc_ctx_scratch_free(ls->ctx, fs->kt.slot);
  ls->fs = fs->prev;
}

/* Add the finished function as a child and instantiate it as a closure;
 * each upvalue is described by a MOVE/GETUPVAL pseudo-instruction. */
static void pushclosure(lex_state *ls, fstate *func, expdesc *v)
{
  fstate *fs = ls->fs;
  lfsc_proto *f = fs->f;
  if (fs->np >= LFSC_MAXARG_Bx)       /* sic: the reference's message */
    lfsc_lex_fail(ls, LFSC_ESYNTAX, "constant table overflow");
  lfsc_code_grow(fs, (void **)&f->p, &fs->capp, fs->np, sizeof *f->p);
  f->p[fs->np++] = func->f;
  lfsc_code_init_exp(v, EXP_RELOC, lfsc_code_abx(fs, OP_CLOSURE, 0, fs->np - 1));
  for (int i = 0; i < func->nups; i++) {
    lfsc_opcode op = func->upvalues[i].k == EXP_LOCAL ? OP_MOVE : OP_GETUPVAL;
    lfsc_code_abc(fs, op, 0, func->upvalues[i].info, 0);
  }
}

/* ---- expressions ---- */

/* field -> ['.' | ':'] NAME */
static void field(lex_state *ls, expdesc *v)
{
  fstate *fs = ls->fs;
  expdesc key;
  lfsc_code_exp2anyreg(fs, v);
  lfsc_lex_next(ls);
  checkname(ls, &key);
  lfsc_code_indexed(fs, v, &key);
}

/* index -> '[' expr ']' */
static void yindex(lex_state *ls, expdesc *v)
{
  lfsc_lex_next(ls);
  expr(ls, v);
  lfsc_code_exp2val(ls->fs, v);
  checknext(ls, ']');
}

/* Table constructor state. */
typedef struct cons_state {
  expdesc v;                    /* last list item read */
  expdesc *t;                   /* the table */
  int nh;                       /* number of record fields */
  int na;                       /* number of list items */
  int tostore;                  /* list items waiting for a SETLIST */
} cons_state;

/* recfield -> (NAME | '[' expr ']') '=' expr */
static void recfield(lex_state *ls, cons_state *cc)
{
  fstate *fs = ls->fs;
  int reg = fs->freereg;
  expdesc key, val;
  if (ls->t.tok == TK_NAME) {
    checklimit(fs, cc->nh, INT_MAX - 2, "items in a constructor");
    checkname(ls, &key);
  } else {
    yindex(ls, &key);
  }
  cc->nh++;
  checknext(ls, '=');
  int rkkey = lfsc_code_exp2rk(fs, &key);
  expr(ls, &val);
  lfsc_code_abc(fs, OP_SETTABLE, cc->t->info, rkkey, lfsc_code_exp2rk(fs, &val));
  fs->freereg = reg;
}

static void closelistfield(fstate *fs, cons_state *cc)
{
  if (cc->v.k == EXP_VOID)
    return;
  lfsc_code_exp2nextreg(fs, &cc->v);
  cc->v.k = EXP_VOID;
  if (cc->tostore == LFSC_FIELDS_PER_FLUSH) {
    lfsc_code_setlist(fs, cc->t->info, cc->na, cc->tostore);
    cc->tostore = 0;
  }
}

static void lastlistfield(fstate *fs, cons_state *cc)
{
  if (cc->tostore == 0)
    return;
  if (code_hasmultret(cc->v.k)) {
    lfsc_code_setreturns(fs, &cc->v, CODE_MULTRET);
    lfsc_code_setlist(fs, cc->t->info, cc->na, CODE_MULTRET);
    cc->na--;                   /* the open item is not counted in the size hint */
  } else {
    if (cc->v.k != EXP_VOID)
      lfsc_code_exp2nextreg(fs, &cc->v);
    lfsc_code_setlist(fs, cc->t->info, cc->na, cc->tostore);
  }
}

/* listfield -> expr */
static void listfield(lex_state *ls, cons_state *cc)
{
  expr(ls, &cc->v);
  checklimit(ls->fs, cc->na, INT_MAX - 2, "items in a constructor");
  cc->na++;
  cc->tostore++;
}

/* Size hint in the "floating point byte" of NEWTABLE: eeeeexxx. */
static int int2fb(unsigned x)
{
  int e = 0;
  while (x >= 16) {
    x = (x + 1) >> 1;
    e++;
  }
  if (x < 8)
    return (int)x;
  return ((e + 1) << 3) | ((int)x - 8);
}

/* constructor -> '{' [ field { fieldsep field } [fieldsep] ] '}' */
static void constructor(lex_state *ls, expdesc *t)
{
  fstate *fs = ls->fs;
  int line = ls->line;
  int pc = lfsc_code_abc(fs, OP_NEWTABLE, 0, 0, 0);
  cons_state cc;
  cc.na = cc.nh = cc.tostore = 0;
  cc.t = t;
  lfsc_code_init_exp(t, EXP_RELOC, pc);
  lfsc_code_init_exp(&cc.v, EXP_VOID, 0);
  lfsc_code_exp2nextreg(fs, t);
  checknext(ls, '{');
  do {
    if (ls->t.tok == '}')
      break;
    closelistfield(fs, &cc);
    switch (ls->t.tok) {
    case TK_NAME:
      if (lfsc_lex_lookahead(ls) != '=')
        listfield(ls, &cc);
      else
        recfield(ls, &cc);
      break;
    case '[':
      recfield(ls, &cc);
      break;
    default:
      listfield(ls, &cc);
      break;
    }
  } while (testnext(ls, ',') || testnext(ls, ';'));
  check_match(ls, '}', '{', line);
  lastlistfield(fs, &cc);
  INS_SET_B(fs->f->code[pc], int2fb((unsigned)cc.na));
  INS_SET_C(fs->f->code[pc], int2fb((unsigned)cc.nh));
}

/* parlist -> [ param { ',' param } ] */
static void parlist(lex_state *ls)
{
  fstate *fs = ls->fs;
  lfsc_proto *f = fs->f;
  int nparams = 0;
  f->is_vararg = 0;
  if (ls->t.tok != ')') {
    do {
      switch (ls->t.tok) {
      case TK_NAME:
        new_localvar(ls, str_checkname(ls), nparams++);
        break;
      case TK_DOTS:
        lfsc_lex_next(ls);
        /* Lua 5.1 compatibility: a vararg function gets a local 'arg'
         * unless it uses '...' itself */
        new_localvar_lit(ls, "arg", nparams++);
        f->is_vararg = LFSC_VARARG_HASARG | LFSC_VARARG_NEEDSARG | LFSC_VARARG_ISVARARG;
        break;
      default:
        lfsc_lex_syntax_error(ls, "<name> or '...' expected");
      }
    } while (!f->is_vararg && testnext(ls, ','));
  }
  adjustlocalvars(ls, nparams);
  f->numparams = (uint8_t)(fs->nactvar - (f->is_vararg & LFSC_VARARG_HASARG));
  lfsc_code_reserveregs(fs, fs->nactvar);
}

/* body -> '(' parlist ')' chunk END */
static void body(lex_state *ls, expdesc *e, int needself, int line)
{
  fstate nfs;
  open_func(ls, &nfs, ls->fs->f->source, ls->fs->nonames, ls->fs->li.compat);
  nfs.f->linedefined = line;
  checknext(ls, '(');
  if (needself) {
    new_localvar_lit(ls, "self", 0);
    adjustlocalvars(ls, 1);
  }
  parlist(ls);
  checknext(ls, ')');
  chunk(ls);
  nfs.f->lastlinedefined = ls->line;
  check_match(ls, TK_END, TK_FUNCTION, line);
  close_func(ls);
  pushclosure(ls, &nfs, e);
}

/* explist1 -> expr { ',' expr } */
static int explist1(lex_state *ls, expdesc *v)
{
  int n = 1;
  expr(ls, v);
  while (testnext(ls, ',')) {
    lfsc_code_exp2nextreg(ls->fs, v);
    expr(ls, v);
    n++;
  }
  return n;
}

/* funcargs -> '(' [ explist1 ] ')' | constructor | STRING */
static void funcargs(lex_state *ls, expdesc *f)
{
  fstate *fs = ls->fs;
  expdesc args;
  int line = ls->line;
  switch (ls->t.tok) {
  case '(':
    if (line != ls->lastline)
      lfsc_lex_syntax_error(ls, "ambiguous syntax (function call x new statement)");
    lfsc_lex_next(ls);
    if (ls->t.tok == ')') {
      args.k = EXP_VOID;
    } else {
      explist1(ls, &args);
      lfsc_code_setreturns(fs, &args, CODE_MULTRET);
    }
    check_match(ls, ')', '(', line);
    break;
  case '{':
    constructor(ls, &args);
    break;
  case TK_STRING:
    codestring(ls, &args, ls->t.str);
    lfsc_lex_next(ls);
    break;
  default:
    lfsc_lex_syntax_error(ls, "function arguments expected");
  }
  int base = f->info, nparams;
  if (code_hasmultret(args.k)) {
    nparams = CODE_MULTRET;
  } else {
    if (args.k != EXP_VOID)
      lfsc_code_exp2nextreg(fs, &args);
    nparams = fs->freereg - (base + 1);
  }
  lfsc_code_init_exp(f, EXP_CALL, lfsc_code_abc(fs, OP_CALL, base, nparams + 1, 2));
  lfsc_code_fixline(fs, line);       /* the call belongs to the line of its '(' */
  fs->freereg = base + 1;       /* one result, unless changed later */
}

/* prefixexp -> NAME | '(' expr ')' */
static void prefixexp(lex_state *ls, expdesc *v)
{
  switch (ls->t.tok) {
  case '(': {
    int line = ls->line;
    lfsc_lex_next(ls);
    expr(ls, v);
    check_match(ls, ')', '(', line);
    lfsc_code_dischargevars(ls->fs, v);
    return;
  }
  case TK_NAME:
    singlevar(ls, v);
    return;
  default:
    lfsc_lex_syntax_error(ls, "unexpected symbol");
  }
}

/* primaryexp -> prefixexp { '.' NAME | '[' expr ']' | ':' NAME funcargs | funcargs } */
static void primaryexp(lex_state *ls, expdesc *v)
{
  fstate *fs = ls->fs;
  prefixexp(ls, v);
  for (;;) {
    switch (ls->t.tok) {
    case '.':
      field(ls, v);
      break;
    case '[': {
      expdesc key;
      lfsc_code_exp2anyreg(fs, v);
      yindex(ls, &key);
      lfsc_code_indexed(fs, v, &key);
      break;
    }
    case ':': {
      expdesc key;
      lfsc_lex_next(ls);
      checkname(ls, &key);
      lfsc_code_self(fs, v, &key);
      funcargs(ls, v);
      break;
    }
    case '(':
    case TK_STRING:
    case '{':
      lfsc_code_exp2nextreg(fs, v);
      funcargs(ls, v);
      break;
    default:
      return;
    }
  }
}

/* simpleexp -> NUMBER | STRING | NIL | true | false | ... | constructor
 *            | FUNCTION body | primaryexp */
static void simpleexp(lex_state *ls, expdesc *v)
{
  switch (ls->t.tok) {
  case TK_NUMBER:
    lfsc_code_init_exp(v, EXP_KNUM, 0);
    v->nval = ls->t.num;
    break;
  case TK_STRING:
    codestring(ls, v, ls->t.str);
    break;
  case TK_NIL:
    lfsc_code_init_exp(v, EXP_NIL, 0);
    break;
  case TK_TRUE:
    lfsc_code_init_exp(v, EXP_TRUE, 0);
    break;
  case TK_FALSE:
    lfsc_code_init_exp(v, EXP_FALSE, 0);
    break;
  case TK_DOTS: {
    fstate *fs = ls->fs;
    check_condition(ls, fs->f->is_vararg, "cannot use '...' outside a vararg function");
    fs->f->is_vararg &= (uint8_t)~LFSC_VARARG_NEEDSARG;   /* 'arg' is not needed */
    lfsc_code_init_exp(v, EXP_VARARG, lfsc_code_abc(fs, OP_VARARG, 0, 1, 0));
    break;
  }
  case '{':
    constructor(ls, v);
    return;
  case TK_FUNCTION:
    lfsc_lex_next(ls);
    body(ls, v, 0, ls->line);
    return;
  default:
    primaryexp(ls, v);
    return;
  }
  lfsc_lex_next(ls);
}

static un_op getunopr(int tok)
{
  switch (tok) {
  case TK_NOT: return UN_NOT;
  case '-': return UN_MINUS;
  case '#': return UN_LEN;
  default: return UN_NONE;
  }
}

static bin_op getbinopr(int tok)
{
  switch (tok) {
  case '+': return BIN_ADD;
  case '-': return BIN_SUB;
  case '*': return BIN_MUL;
  case '/': return BIN_DIV;
  case '%': return BIN_MOD;
  case '^': return BIN_POW;
  case TK_CONCAT: return BIN_CONCAT;
  case TK_NE: return BIN_NE;
  case TK_EQ: return BIN_EQ;
  case '<': return BIN_LT;
  case TK_LE: return BIN_LE;
  case '>': return BIN_GT;
  case TK_GE: return BIN_GE;
  case TK_AND: return BIN_AND;
  case TK_OR: return BIN_OR;
  default: return BIN_NONE;
  }
}

/* subexpr -> (simpleexp | unop subexpr) { binop subexpr }
 * where each binop binds tighter than `limit`. Returns the first operator
 * that was not consumed. */
static bin_op subexpr(lex_state *ls, expdesc *v, int limit)
{
  enterlevel(ls);
  un_op uop = getunopr(ls->t.tok);
  if (uop != UN_NONE) {
    lfsc_lex_next(ls);
    subexpr(ls, v, UNARY_PRIORITY);
    lfsc_code_prefix(ls->fs, uop, v);
  } else {
    simpleexp(ls, v);
  }
  bin_op op = getbinopr(ls->t.tok);
  while (op != BIN_NONE && priority[op].left > limit) {
    expdesc v2;
    lfsc_lex_next(ls);
    lfsc_code_infix(ls->fs, op, v);
    bin_op nextop = subexpr(ls, &v2, priority[op].right);
    lfsc_code_posfix(ls->fs, op, v, &v2);
    op = nextop;
  }
  leavelevel(ls);
  return op;
}

/* expr -> subexpr */
static void expr(lex_state *ls, expdesc *v)
{
  subexpr(ls, v, 0);
}

/* ---- statements ---- */

static int block_follow(int tok)
{
  switch (tok) {
  case TK_ELSE: case TK_ELSEIF: case TK_END: case TK_UNTIL: case TK_EOS:
    return 1;
  default:
    return 0;
  }
}

/* block -> chunk */
static void block_stat(lex_state *ls)
{
  fstate *fs = ls->fs;
  block bl;
  enterblock(fs, &bl, 0);
  chunk(ls);
  leaveblock(fs);
}

/* One target of a multiple assignment, linked to the ones before it. */
typedef struct lhs_assign {
  struct lhs_assign *prev;
  expdesc v;
} lhs_assign;

/* A local assigned in a multiple assignment may be used as table or key
 * by an earlier target; those must see its old value, so copy it. */
static void check_conflict(lex_state *ls, lhs_assign *lh, expdesc *v)
{
  fstate *fs = ls->fs;
  int extra = fs->freereg;
  int conflict = 0;
  for (; lh; lh = lh->prev) {
    if (lh->v.k == EXP_INDEXED) {
      if (lh->v.info == v->info) {
        conflict = 1;
        lh->v.info = extra;
      }
      if (lh->v.aux == v->info) {
        conflict = 1;
        lh->v.aux = extra;
      }
    }
  }
  if (conflict) {
    lfsc_code_abc(fs, OP_MOVE, fs->freereg, v->info, 0);
    lfsc_code_reserveregs(fs, 1);
  }
}

/* assignment -> ',' primaryexp assignment | '=' explist1 */
static void assignment(lex_state *ls, lhs_assign *lh, int nvars)
{
  expdesc e;
  check_condition(ls, EXP_LOCAL <= lh->v.k && lh->v.k <= EXP_INDEXED, "syntax error");
  if (testnext(ls, ',')) {
    lhs_assign nv;
    nv.prev = lh;
    primaryexp(ls, &nv.v);
    if (nv.v.k == EXP_LOCAL)
      check_conflict(ls, lh, &nv.v);
    checklimit(ls->fs, nvars, PARSE_MAXLEVELS - ls->depth, "variables in assignment");
    assignment(ls, &nv, nvars + 1);
  } else {
    checknext(ls, '=');
    int nexps = explist1(ls, &e);
    if (nexps != nvars) {
      adjust_assign(ls, nvars, nexps, &e);
      if (nexps > nvars)
        ls->fs->freereg -= nexps - nvars;   /* drop the surplus values */
    } else {
      lfsc_code_setoneret(ls->fs, &e);
      lfsc_code_storevar(ls->fs, &lh->v, &e);
      return;
    }
  }
  lfsc_code_init_exp(&e, EXP_NONRELOC, ls->fs->freereg - 1);
  lfsc_code_storevar(ls->fs, &lh->v, &e);
}

/* cond -> expr; returns the jumps taken when it is false */
static int cond(lex_state *ls)
{
  expdesc v;
  expr(ls, &v);
  if (v.k == EXP_NIL)
    v.k = EXP_FALSE;            /* all falsy constants jump alike */
  lfsc_code_goiftrue(ls->fs, &v);
  return v.f;
}

/* breakstat -> BREAK */
static void breakstat(lex_state *ls)
{
  fstate *fs = ls->fs;
  block *bl = fs->bl;
  int upval = 0;
  while (bl && !bl->isbreakable) {
    upval |= bl->upval;
    bl = bl->previous;
  }
  if (!bl)
    lfsc_lex_syntax_error(ls, "no loop to break");
  if (upval)
    lfsc_code_abc(fs, OP_CLOSE, bl->nactvar, 0, 0);
  lfsc_code_concat(fs, &bl->breaklist, lfsc_code_jump(fs));
}

/* whilestat -> WHILE cond DO block END */
static void whilestat(lex_state *ls, int line)
{
  fstate *fs = ls->fs;
  block bl;
  lfsc_lex_next(ls);
  int whileinit = lfsc_code_getlabel(fs);
  int condexit = cond(ls);
  enterblock(fs, &bl, 1);
  checknext(ls, TK_DO);
  block_stat(ls);
  lfsc_code_patchlist(fs, lfsc_code_jump(fs), whileinit);
  check_match(ls, TK_END, TK_WHILE, line);
  leaveblock(fs);
  lfsc_code_patchtohere(fs, condexit);
}

/* repeatstat -> REPEAT block UNTIL cond */
static void repeatstat(lex_state *ls, int line)
{
  fstate *fs = ls->fs;
  int repeat_init = lfsc_code_getlabel(fs);
  block bl1, bl2;
  enterblock(fs, &bl1, 1);      /* the loop */
  enterblock(fs, &bl2, 0);      /* the scope, which the condition sees */
  lfsc_lex_next(ls);
  chunk(ls);
  check_match(ls, TK_UNTIL, TK_REPEAT, line);
  int condexit = cond(ls);
  if (!bl2.upval) {
    leaveblock(fs);
    lfsc_code_patchlist(fs, condexit, repeat_init);
  } else {
    /* captured locals must be closed on every iteration: exit via break */
    breakstat(ls);
    lfsc_code_patchtohere(fs, condexit);
    leaveblock(fs);
    lfsc_code_patchlist(fs, lfsc_code_jump(fs), repeat_init);
  }
  leaveblock(fs);
}

/* exp1 -> expr, into the next register */
static void exp1(lex_state *ls)
{
  expdesc e;
  expr(ls, &e);
  lfsc_code_exp2nextreg(ls->fs, &e);
}

/* forbody -> DO block */
static void forbody(lex_state *ls, int base, int line, int nvars, int isnum)
{
  fstate *fs = ls->fs;
  block bl;
  adjustlocalvars(ls, 3);       /* the hidden control variables */
  checknext(ls, TK_DO);
  int prep = isnum ? lfsc_code_asbx(fs, OP_FORPREP, base, CODE_NO_JUMP) : lfsc_code_jump(fs);
  enterblock(fs, &bl, 0);
  adjustlocalvars(ls, nvars);
  lfsc_code_reserveregs(fs, nvars);
  block_stat(ls);
  leaveblock(fs);
  lfsc_code_patchtohere(fs, prep);
  int endfor = isnum ? lfsc_code_asbx(fs, OP_FORLOOP, base, CODE_NO_JUMP)
                     : lfsc_code_abc(fs, OP_TFORLOOP, base, 0, nvars);
  lfsc_code_fixline(fs, line);       /* the loop instruction belongs to 'for' */
  lfsc_code_patchlist(fs, isnum ? endfor : lfsc_code_jump(fs), prep + 1);
}

/* fornum -> NAME = exp1 ',' exp1 [',' exp1] forbody */
static void fornum(lex_state *ls, const lfsc_str *varname, int line)
{
  fstate *fs = ls->fs;
  int base = fs->freereg;
  new_localvar_lit(ls, "(for index)", 0);
  new_localvar_lit(ls, "(for limit)", 1);
  new_localvar_lit(ls, "(for step)", 2);
  new_localvar(ls, varname, 3);
  checknext(ls, '=');
  exp1(ls);
  checknext(ls, ',');
  exp1(ls);
  if (testnext(ls, ',')) {
    exp1(ls);
  } else {
    lfsc_code_abx(fs, OP_LOADK, fs->freereg, lfsc_code_numberk(fs, 1));
    lfsc_code_reserveregs(fs, 1);
  }
  forbody(ls, base, line, 1, 1);
}

/* forlist -> NAME {',' NAME} IN explist1 forbody */
static void forlist(lex_state *ls, const lfsc_str *indexname)
{
  fstate *fs = ls->fs;
  expdesc e;
  int nvars = 0;
  int base = fs->freereg;
  new_localvar_lit(ls, "(for generator)", nvars++);
  new_localvar_lit(ls, "(for state)", nvars++);
  new_localvar_lit(ls, "(for control)", nvars++);
  new_localvar(ls, indexname, nvars++);
  while (testnext(ls, ','))
    new_localvar(ls, str_checkname(ls), nvars++);
  checknext(ls, TK_IN);
  int line = ls->line;
  adjust_assign(ls, 3, explist1(ls, &e), &e);
  lfsc_code_checkstack(fs, 3);       /* room to call the generator */
  forbody(ls, base, line, nvars - 3, 0);
}

/* forstat -> FOR (fornum | forlist) END */
static void forstat(lex_state *ls, int line)
{
  fstate *fs = ls->fs;
  block bl;
  enterblock(fs, &bl, 1);
  lfsc_lex_next(ls);
  const lfsc_str *varname = str_checkname(ls);
  switch (ls->t.tok) {
  case '=':
    fornum(ls, varname, line);
    break;
  case ',':
  case TK_IN:
    forlist(ls, varname);
    break;
  default:
    lfsc_lex_syntax_error(ls, "'=' or 'in' expected");
  }
  check_match(ls, TK_END, TK_FOR, line);
  leaveblock(fs);
}

/* test_then_block -> [IF | ELSEIF] cond THEN block */
static int test_then_block(lex_state *ls)
{
  lfsc_lex_next(ls);
  int condexit = cond(ls);
  checknext(ls, TK_THEN);
  block_stat(ls);
  return condexit;
}

/* ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END */
static void ifstat(lex_state *ls, int line)
{
  fstate *fs = ls->fs;
  int escapelist = CODE_NO_JUMP;
  int flist = test_then_block(ls);
  while (ls->t.tok == TK_ELSEIF) {
    lfsc_code_concat(fs, &escapelist, lfsc_code_jump(fs));
    lfsc_code_patchtohere(fs, flist);
    flist = test_then_block(ls);
  }
  if (ls->t.tok == TK_ELSE) {
    lfsc_code_concat(fs, &escapelist, lfsc_code_jump(fs));
    lfsc_code_patchtohere(fs, flist);
    lfsc_lex_next(ls);               /* after the patch, so lines come out right */
    block_stat(ls);
  } else {
    lfsc_code_concat(fs, &escapelist, flist);
  }
  lfsc_code_patchtohere(fs, escapelist);
  check_match(ls, TK_END, TK_IF, line);
}

/* localfunc -> LOCAL FUNCTION NAME body */
static void localfunc(lex_state *ls)
{
  fstate *fs = ls->fs;
  expdesc v, b;
  new_localvar(ls, str_checkname(ls), 0);
  lfsc_code_init_exp(&v, EXP_LOCAL, fs->freereg);
  lfsc_code_reserveregs(fs, 1);
  adjustlocalvars(ls, 1);       /* visible inside its own body (recursion) */
  body(ls, &b, 0, ls->line);
  lfsc_code_storevar(fs, &v, &b);
  getlocvar(fs, fs->nactvar - 1)->startpc = fs->pc;
}

/* localstat -> LOCAL NAME {',' NAME} ['=' explist1] */
static void localstat(lex_state *ls)
{
  int nvars = 0, nexps;
  expdesc e;
  do
    new_localvar(ls, str_checkname(ls), nvars++);
  while (testnext(ls, ','));
  if (testnext(ls, '=')) {
    nexps = explist1(ls, &e);
  } else {
    e.k = EXP_VOID;
    nexps = 0;
  }
  adjust_assign(ls, nvars, nexps, &e);
  adjustlocalvars(ls, nvars);
}

/* funcname -> NAME {'.' NAME} [':' NAME] */
static int funcname(lex_state *ls, expdesc *v)
{
  int needself = 0;
  singlevar(ls, v);
  while (ls->t.tok == '.')
    field(ls, v);
  if (ls->t.tok == ':') {
    needself = 1;
    field(ls, v);
  }
  return needself;
}

/* funcstat -> FUNCTION funcname body */
static void funcstat(lex_state *ls, int line)
{
  expdesc v, b;
  lfsc_lex_next(ls);
  int needself = funcname(ls, &v);
  body(ls, &b, needself, line);
  lfsc_code_storevar(ls->fs, &v, &b);
  lfsc_code_fixline(ls->fs, line);   /* the definition happens at 'function' */
}

/* exprstat -> functioncall | assignment */
static void exprstat(lex_state *ls)
{
  fstate *fs = ls->fs;
  lhs_assign v;
  primaryexp(ls, &v.v);
  if (v.v.k == EXP_CALL) {
    INS_SET_C(code_getcode(fs, &v.v), 1);   /* a call statement keeps no result */
  } else {
    v.prev = NULL;
    assignment(ls, &v, 1);
  }
}

/* retstat -> RETURN [explist1] */
static void retstat(lex_state *ls)
{
  fstate *fs = ls->fs;
  expdesc e;
  int first, nret;
  lfsc_lex_next(ls);
  if (block_follow(ls->t.tok) || ls->t.tok == ';') {
    first = nret = 0;
  } else {
    nret = explist1(ls, &e);
    if (code_hasmultret(e.k)) {
      lfsc_code_setreturns(fs, &e, CODE_MULTRET);
      if (e.k == EXP_CALL && nret == 1) {
        uint32_t *i = &code_getcode(fs, &e);
        *i = (*i & ~0x3Fu) | OP_TAILCALL;
      }
      first = fs->nactvar;
      nret = CODE_MULTRET;
    } else if (nret == 1) {
      first = lfsc_code_exp2anyreg(fs, &e);
    } else {
      lfsc_code_exp2nextreg(fs, &e);
      first = fs->nactvar;
    }
  }
  lfsc_code_ret(fs, first, nret);
}

/* statement -> ifstat | whilestat | DO block END | forstat | repeatstat
 *            | funcstat | localstat | LOCAL FUNCTION localfunc | retstat
 *            | BREAK | exprstat
 * Returns 1 for the statements that must end a block (return, break). */
static int statement(lex_state *ls)
{
  int line = ls->line;
  switch (ls->t.tok) {
  case TK_IF:
    ifstat(ls, line);
    return 0;
  case TK_WHILE:
    whilestat(ls, line);
    return 0;
  case TK_DO:
    lfsc_lex_next(ls);
    block_stat(ls);
    check_match(ls, TK_END, TK_DO, line);
    return 0;
  case TK_FOR:
    forstat(ls, line);
    return 0;
  case TK_REPEAT:
    repeatstat(ls, line);
    return 0;
  case TK_FUNCTION:
    funcstat(ls, line);
    return 0;
  case TK_LOCAL:
    lfsc_lex_next(ls);
    if (testnext(ls, TK_FUNCTION))
      localfunc(ls);
    else
      localstat(ls);
    return 0;
  case TK_RETURN:
    retstat(ls);
    return 1;
  case TK_BREAK:
    lfsc_lex_next(ls);
    breakstat(ls);
    return 1;
  default:
    exprstat(ls);
    return 0;
  }
}

/* chunk -> { stat [';'] } */
static void chunk(lex_state *ls)
{
  int islast = 0;
  enterlevel(ls);
  while (!islast && !block_follow(ls->t.tok)) {
    islast = statement(ls);
    testnext(ls, ';');
    /* the registers in use lie above the locals and within the stack */
    LFSC_ASSERT(ls->fs->f->maxstacksize >= ls->fs->freereg && ls->fs->freereg >= ls->fs->nactvar);
    ls->fs->freereg = ls->fs->nactvar;
  }
  leavelevel(ls);
}

/* Parse and generate under the catch point. Nothing here is modified
 * after setjmp, so nothing is clobbered by the longjmp back. */
static int compile_protected(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                             const char *chunkname, const char *src, size_t len,
                             lfsc_read_fn read, void *ud, lfsc_proto **out)
{
  jmp_buf catcher;
  lex_state *ls = lfsc_ctx_scratch_resize(ctx, NULL, sizeof *ls);
  fstate *fs = lfsc_ctx_scratch_resize(ctx, NULL, sizeof *fs);
  if (!ls || !fs) {
    lfsc_ctx_scratch_free_all(ctx);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  memset(ls, 0, sizeof *ls);
  int code = setjmp(catcher);   /* the front end's only catch point */
  if (code != 0) {
    lfsc_ctx_scratch_free_all(ctx);  /* the unfinished functions' work arrays */
    return -code;
  }
  if (read)
    lfsc_lex_init_stream(ls, ctx, &catcher, lfsc_num_model(opts->nummodel), chunkname, read, ud);
  else
    lfsc_lex_init(ls, ctx, &catcher, lfsc_num_model(opts->nummodel), chunkname, src, len);
  open_func(ls, fs, lfsc_lex_intern(ls, chunkname, strlen(chunkname)), !opts->keep_names,
            opts->compat_lineinfo != 0);
  fs->f->is_vararg = LFSC_VARARG_ISVARARG;   /* the main chunk takes ... */
  lfsc_lex_next(ls);
  chunk(ls);
  check(ls, TK_EOS);
  close_func(ls);
  *out = fs->f;
  lfsc_ctx_scratch_free_all(ctx);    /* the token buffer, ls and fs */
  return LFSC_OK;
}

static const lfsc_compile_opts defaults = {LFSC_NUM_DOUBLE, 1, 0};

int lfsc_compile(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                 const char *chunkname, const char *src, size_t len,
                 lfsc_proto **out)
{
  *out = NULL;
  /* Like luaL_loadfile, skip a first line starting with '#' (a Unix
   * "#!" line) but keep its line break so line numbers stay right. */
  if (len > 0 && src[0] == '#') {
    const char *nl = memchr(src, '\n', len);
    if (nl) {
      len -= (size_t)(nl - src);
      src = nl;
    } else {
      src = "\n";
      len = 1;
    }
  }
  return compile_protected(ctx, opts ? opts : &defaults, chunkname, src, len, NULL, NULL, out);
}

int lfsc_compile_stream(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                        const char *chunkname, lfsc_read_fn read, void *ud,
                        lfsc_proto **out)
{
  *out = NULL;
  return compile_protected(ctx, opts ? opts : &defaults, chunkname, NULL, 0, read, ud, out);
}
