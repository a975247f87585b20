/* Parser for Lua 5.3: reads tokens and drives the code generator in a
 * single pass (lua51/parse.c is the model; the rules are 5.3's
 * lparser.c): scopes, active locals, upvalues with their descriptors,
 * _ENV as the main chunk's upvalue, goto and labels. */
#include <limits.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "base/ctx.h"
#include "code53.h"
#include "compile.h"
#include "lex53.h"

/* A label or a pending goto (break is a goto to the label "break"). */
typedef struct label53 {
  const lfsc_str *name;
  int pc;
  int line;
  int nactvar;                  /* active locals at that position */
} label53;

typedef struct lablist53 {
  label53 *arr;
  int n, cap;
} lablist53;

/* The parser's lists shared by all open functions. */
typedef struct dyn53 {
  int *actvar;                  /* locvars index of each active local */
  int nactvar, capactvar;
  lablist53 gt;                 /* pending gotos */
  lablist53 label;              /* active labels */
} dyn53;

/* A lexical block: scope of locals and labels, and target of 'break'. */
typedef struct block53 {
  struct block53 *previous;
  int firstlabel;               /* first label of this block */
  int firstgoto;                /* first pending goto of this block */
  int nactvar;                  /* active locals outside the block */
  int upval;                    /* some local of the block is an upvalue */
  int isloop;
} block53;

/* Binary operator precedence: left and right binding power, b53_op order. */
static const struct { unsigned char left, right; } priority[] = {
  {10, 10}, {10, 10},           /* + - */
  {11, 11}, {11, 11},           /* * % */
  {14, 13},                     /* ^ (right associative) */
  {11, 11}, {11, 11},           /* / // */
  {6, 6}, {4, 4}, {5, 5},       /* & | ~ */
  {7, 7}, {7, 7},               /* << >> */
  {9, 8},                       /* .. (right associative) */
  {3, 3}, {3, 3}, {3, 3},       /* == < <= */
  {3, 3}, {3, 3}, {3, 3},       /* ~= > >= */
  {2, 2}, {1, 1}                /* and or */
};
#define UNARY_PRIORITY 12

static void statement(lex53_state *ls);
static void expr(lex53_state *ls, exp53 *v);

/* ---- errors and token checks ---- */

static _Noreturn void error_expected(lex53_state *ls, int tok)
{
  char msg[64];
  snprintf(msg, sizeof msg, "%s expected", lfsc_lex53_token_name(ls, tok));
  lfsc_lex53_syntax_error(ls, msg);
}

/* An error without "near": the token is not its cause. */
static _Noreturn void semerror(lex53_state *ls, const char *msg)
{
  lfsc_lex53_error(ls, msg, 0);
}

static _Noreturn void errorlimit(fs53 *fs, int limit, const char *what)
{
  char msg[160], where[48];
  if (fs->f->linedefined == 0)
    snprintf(where, sizeof where, "main function");
  else
    snprintf(where, sizeof where, "function at line %d", fs->f->linedefined);
  snprintf(msg, sizeof msg, "too many %s (limit is %d) in %s", what, limit, where);
  lfsc_lex53_syntax_error(fs->ls, msg);
}

static void checklimit(fs53 *fs, int v, int limit, const char *what)
{
  if (v > limit)
    errorlimit(fs, limit, what);
}

static int testnext(lex53_state *ls, int tok)
{
  if (ls->t.tok != tok)
    return 0;
  lfsc_lex53_next(ls);
  return 1;
}

static void check(lex53_state *ls, int tok)
{
  if (ls->t.tok != tok)
    error_expected(ls, tok);
}

static void checknext(lex53_state *ls, int tok)
{
  check(ls, tok);
  lfsc_lex53_next(ls);
}

static void check_condition(lex53_state *ls, int cond, const char *msg)
{
  if (!cond)
    lfsc_lex53_syntax_error(ls, msg);
}

static void check_match(lex53_state *ls, int what, int who, int where)
{
  if (testnext(ls, what))
    return;
  if (where == ls->line)
    error_expected(ls, what);
  char msg[128], whatname[24];
  snprintf(whatname, sizeof whatname, "%s", lfsc_lex53_token_name(ls, what));
  snprintf(msg, sizeof msg, "%s expected (to close %s at line %d)", whatname,
           lfsc_lex53_token_name(ls, who), where);
  lfsc_lex53_syntax_error(ls, msg);
}

static const lfsc_str *str_checkname(lex53_state *ls)
{
  check(ls, T53_NAME);
  const lfsc_str *s = ls->t.str;
  lfsc_lex53_next(ls);
  return s;
}

static void codestring(lex53_state *ls, exp53 *e, const lfsc_str *s)
{
  lfsc_code53_init_exp(e, E53_K, lfsc_code53_stringk(ls->fs, s));
}

static void checkname(lex53_state *ls, exp53 *e)
{
  codestring(ls, e, str_checkname(ls));
}

static void enterlevel(lex53_state *ls)
{
  ++ls->depth;
  checklimit(ls->fs, ls->depth, C53_MAXCCALLS, "C levels");
}

static void leavelevel(lex53_state *ls)
{
  ls->depth--;
}

/* ---- variables ---- */

static void growlist(lex53_state *ls, void **arr, int *cap, int n, size_t elem)
{
  if (n < *cap)
    return;
  int ncap = *cap ? *cap * 2 : 32;
  void *na = lfsc_ctx_scratch_resize(ls->ctx, *cap ? *arr : NULL, (size_t)ncap * elem);
  if (!na)
    lfsc_lex53_nomem(ls);
  *arr = na;
  *cap = ncap;
}

static lfsc_locvar *getlocvar(fs53 *fs, int i)
{
  return &fs->f->locvars[fs->ls->dyd->actvar[fs->firstlocal + i]];
}

static int registerlocalvar(lex53_state *ls, const lfsc_str *name)
{
  fs53 *fs = ls->fs;
  if (fs->nlocvars >= SHRT_MAX)       /* luaM_growvector's limit */
    lfsc_lex53_fail(ls, "too many local variables (limit is 32767)");
  lfsc_code53_grow(fs, (void **)&fs->f->locvars, &fs->caplocvars, fs->nlocvars,
                   sizeof *fs->f->locvars);
  fs->f->locvars[fs->nlocvars].name = name;
  return fs->nlocvars++;
}

static void new_localvar(lex53_state *ls, const lfsc_str *name)
{
  fs53 *fs = ls->fs;
  dyn53 *dyd = ls->dyd;
  int reg = registerlocalvar(ls, name);
  checklimit(fs, dyd->nactvar + 1 - fs->firstlocal, C53_MAXVARS, "local variables");
  growlist(ls, (void **)&dyd->actvar, &dyd->capactvar, dyd->nactvar, sizeof *dyd->actvar);
  dyd->actvar[dyd->nactvar++] = reg;
}

static void new_localvar_lit(lex53_state *ls, const char *name)
{
  new_localvar(ls, lfsc_lex53_intern(ls, name, strlen(name)));
}

static void adjustlocalvars(lex53_state *ls, int nvars)
{
  fs53 *fs = ls->fs;
  fs->nactvar += nvars;
  for (; nvars; nvars--)
    getlocvar(fs, fs->nactvar - nvars)->startpc = fs->pc;
}

static void removevars(fs53 *fs, int tolevel)
{
  fs->ls->dyd->nactvar -= fs->nactvar - tolevel;
  while (fs->nactvar > tolevel)
    getlocvar(fs, --fs->nactvar)->endpc = fs->pc;
}

static int searchupvalue(fs53 *fs, const lfsc_str *name)
{
  for (int i = 0; i < fs->nups; i++)
    if (fs->upnames[i] == name)
      return i;
  return -1;
}

static int newupvalue(fs53 *fs, const lfsc_str *name, exp53 *v)
{
  checklimit(fs, fs->nups + 1, C53_MAXUPVAL, "upvalues");
  fs->upvals[fs->nups].instack = v->k == E53_LOCAL;
  fs->upvals[fs->nups].idx = (uint8_t)v->info;
  fs->upnames[fs->nups] = name;
  return fs->nups++;
}

static int searchvar(fs53 *fs, const lfsc_str *n)
{
  for (int i = fs->nactvar - 1; i >= 0; i--)
    if (n == getlocvar(fs, i)->name)
      return i;
  return -1;
}

/* Flag the block owning local `level` as holding a captured local. */
static void markupval(fs53 *fs, int level)
{
  block53 *bl = fs->bl;
  while (bl->nactvar > level)
    bl = bl->previous;
  bl->upval = 1;
}

/* Find a variable: a local, an upvalue, or E53_VOID (a global). */
static void singlevaraux(fs53 *fs, const lfsc_str *n, exp53 *var, int base)
{
  if (fs == NULL) {
    lfsc_code53_init_exp(var, E53_VOID, 0);
    return;
  }
  int v = searchvar(fs, n);
  if (v >= 0) {
    lfsc_code53_init_exp(var, E53_LOCAL, v);
    if (!base)
      markupval(fs, v);         /* seen from an inner function */
    return;
  }
  int idx = searchupvalue(fs, n);
  if (idx < 0) {
    singlevaraux(fs->prev, n, var, 0);
    if (var->k == E53_VOID)
      return;
    idx = newupvalue(fs, n, var);
  }
  lfsc_code53_init_exp(var, E53_UPVAL, idx);
}

static void singlevar(lex53_state *ls, exp53 *var)
{
  const lfsc_str *name = str_checkname(ls);
  fs53 *fs = ls->fs;
  singlevaraux(fs, name, var, 1);
  if (var->k == E53_VOID) {     /* a global: _ENV[name] */
    exp53 key;
    singlevaraux(fs, ls->envn, var, 1);
    codestring(ls, &key, name);
    lfsc_code53_indexed(fs, var, &key);
  }
}

/* Fit the values of an expression list to nvars targets. */
static void adjust_assign(lex53_state *ls, int nvars, int nexps, exp53 *e)
{
  fs53 *fs = ls->fs;
  int extra = nvars - nexps;
  if (e53_multret(e->k)) {
    extra++;                    /* the call/vararg itself counts */
    if (extra < 0)
      extra = 0;
    lfsc_code53_setreturns(fs, e, extra);
    if (extra > 1)
      lfsc_code53_reserveregs(fs, extra - 1);
  } else {
    if (e->k != E53_VOID)
      lfsc_code53_exp2nextreg(fs, e);
    if (extra > 0) {
      int reg = fs->freereg;
      lfsc_code53_reserveregs(fs, extra);
      lfsc_code53_nil(fs, reg, extra);
    }
  }
  if (nexps > nvars)
    fs->freereg -= nexps - nvars;   /* drop the surplus values */
}

/* ---- gotos and labels ---- */

static int newlabelentry(lex53_state *ls, lablist53 *l, const lfsc_str *name, int line, int pc)
{
  if (l->n >= SHRT_MAX)         /* luaM_growvector's limit */
    lfsc_lex53_fail(ls, "too many labels/gotos (limit is 32767)");
  growlist(ls, (void **)&l->arr, &l->cap, l->n, sizeof *l->arr);
  label53 *e = &l->arr[l->n];
  e->name = name;
  e->line = line;
  e->nactvar = ls->fs->nactvar;
  e->pc = pc;
  return l->n++;
}

/* Resolve pending goto g to label lb and remove it from the list. */
static void closegoto(lex53_state *ls, int g, label53 *lb)
{
  fs53 *fs = ls->fs;
  lablist53 *gl = &ls->dyd->gt;
  label53 *gt = &gl->arr[g];
  if (gt->nactvar < lb->nactvar) {
    char msg[256];
    const lfsc_str *vname = getlocvar(fs, gt->nactvar)->name;
    snprintf(msg, sizeof msg, "<goto %s> at line %d jumps into the scope of local '%s'",
             gt->name->data, gt->line, vname->data);
    semerror(ls, msg);
  }
  lfsc_code53_patchlist(fs, gt->pc, lb->pc);
  for (int i = g; i < gl->n - 1; i++)
    gl->arr[i] = gl->arr[i + 1];
  gl->n--;
}

/* Try to close goto g with a label of the current block. */
static int findlabel(lex53_state *ls, int g)
{
  block53 *bl = ls->fs->bl;
  dyn53 *dyd = ls->dyd;
  label53 *gt = &dyd->gt.arr[g];
  for (int i = bl->firstlabel; i < dyd->label.n; i++) {
    label53 *lb = &dyd->label.arr[i];
    if (lb->name == gt->name) {
      if (gt->nactvar > lb->nactvar && (bl->upval || dyd->label.n > bl->firstlabel))
        lfsc_code53_patchclose(ls->fs, gt->pc, lb->nactvar);
      closegoto(ls, g, lb);
      return 1;
    }
  }
  return 0;
}

/* Close the block's pending gotos that match new label lb. */
static void findgotos(lex53_state *ls, label53 *lb)
{
  lablist53 *gl = &ls->dyd->gt;
  int i = ls->fs->bl->firstgoto;
  while (i < gl->n) {
    if (gl->arr[i].name == lb->name)
      closegoto(ls, i, lb);
    else
      i++;
  }
}

/* A block ends: its pending gotos move out to the enclosing block,
 * closing upvalues on the way when the block had captured locals. */
static void movegotosout(fs53 *fs, block53 *bl)
{
  int i = bl->firstgoto;
  lablist53 *gl = &fs->ls->dyd->gt;
  while (i < gl->n) {
    label53 *gt = &gl->arr[i];
    if (gt->nactvar > bl->nactvar) {
      if (bl->upval)
        lfsc_code53_patchclose(fs, gt->pc, bl->nactvar);
      gt->nactvar = bl->nactvar;
    }
    if (!findlabel(fs->ls, i))
      i++;
  }
}

static void enterblock(fs53 *fs, block53 *bl, int isloop)
{
  bl->isloop = isloop;
  bl->nactvar = fs->nactvar;
  bl->firstlabel = fs->ls->dyd->label.n;
  bl->firstgoto = fs->ls->dyd->gt.n;
  bl->upval = 0;
  bl->previous = fs->bl;
  fs->bl = bl;
}

/* The implicit label "break" at the end of a loop. */
static void breaklabel(lex53_state *ls)
{
  int l = newlabelentry(ls, &ls->dyd->label, ls->brk, 0, ls->fs->pc);
  findgotos(ls, &ls->dyd->label.arr[l]);
}

static _Noreturn void undefgoto(lex53_state *ls, label53 *gt)
{
  char msg[160];
  if (gt->name == ls->brk)
    snprintf(msg, sizeof msg, "<%s> at line %d not inside a loop", gt->name->data, gt->line);
  else
    snprintf(msg, sizeof msg, "no visible label '%s' for <goto> at line %d", gt->name->data,
             gt->line);
  semerror(ls, msg);
}

static void leaveblock(fs53 *fs)
{
  block53 *bl = fs->bl;
  lex53_state *ls = fs->ls;
  if (bl->previous && bl->upval) {
    /* a jump to the next instruction that closes the block's upvalues */
    int j = lfsc_code53_jump(fs);
    lfsc_code53_patchclose(fs, j, bl->nactvar);
    lfsc_code53_patchtohere(fs, j);
  }
  if (bl->isloop)
    breaklabel(ls);
  fs->bl = bl->previous;
  removevars(fs, bl->nactvar);
  fs->freereg = fs->nactvar;
  ls->dyd->label.n = bl->firstlabel;
  if (bl->previous)
    movegotosout(fs, bl);
  else if (bl->firstgoto < ls->dyd->gt.n)
    undefgoto(ls, &ls->dyd->gt.arr[bl->firstgoto]);
}

/* ---- functions ---- */

static void open_func(lex53_state *ls, fs53 *fs, block53 *bl, lfsc_proto *f)
{
  fs53 *parent = ls->fs;
  memset(fs, 0, offsetof(fs53, upvals));    /* the upvalue arrays fill as used */
  fs->f = f;
  fs->prev = parent;
  fs->ls = ls;
  ls->fs = fs;
  fs->jpc = C53_NO_JUMP;
  fs->firstlocal = ls->dyd->nactvar;
  if (parent) {
    fs->kmap = parent->kmap;
    fs->keep_names = parent->keep_names;
    lfsc_lineinfo_init53(&fs->li, ls->ctx, parent->li.compat);
    f->source = parent->f->source;
  }
  f->lua = LFSC_LUA53;
  f->maxstacksize = 2;          /* registers 0 and 1 are always usable */
  enterblock(fs, bl, 0);
}

/* An arena copy of the first n bytes of a scratch array, which is freed. */
static void *keep(lex53_state *ls, void *scratch, size_t n)
{
  void *p = lfsc_ctx_arena_copy(ls->ctx, scratch, n);
  if (n && !p)
    lfsc_lex53_nomem(ls);
  lfsc_ctx_scratch_free(ls->ctx, scratch);
  return p;
}

static void close_func(lex53_state *ls)
{
  fs53 *fs = ls->fs;
  lfsc_proto *f = fs->f;
  lfsc_code53_ret(fs, 0, 0);    /* final return */
  leaveblock(fs);
  f->sizecode = fs->pc;
  f->sizelineinfo = fs->pc;
  f->sizek = fs->nk;
  f->sizep = fs->np;
  f->nups = (uint8_t)fs->nups;
  f->upvaldesc = lfsc_alloc(ls->ctx, (size_t)(fs->nups ? fs->nups : 1) * sizeof *f->upvaldesc);
  if (!f->upvaldesc)
    lfsc_lex53_nomem(ls);
  memcpy(f->upvaldesc, fs->upvals, (size_t)fs->nups * sizeof *f->upvaldesc);
  if (fs->keep_names) {
    f->sizelocvars = fs->nlocvars;
    f->sizeupvalues = fs->nups;
    if (fs->nups) {
      f->upvalues = lfsc_alloc(ls->ctx, (size_t)fs->nups * sizeof *f->upvalues);
      if (!f->upvalues)
        lfsc_lex53_nomem(ls);
      memcpy(f->upvalues, fs->upnames, (size_t)fs->nups * sizeof *f->upvalues);
    }
  } else {
    f->sizelocvars = 0;
  }
  f->sizepackedli = (uint32_t)lfsc_lineinfo_size(&fs->li);
  f->code = keep(ls, f->code, (size_t)fs->pc * sizeof *f->code);
  f->lineinfo = keep(ls, f->lineinfo, (size_t)fs->pc * sizeof *f->lineinfo);
  f->k = keep(ls, f->k, (size_t)fs->nk * sizeof *f->k);
  f->p = keep(ls, f->p, (size_t)fs->np * sizeof *f->p);
  f->locvars = keep(ls, f->locvars, (size_t)f->sizelocvars * sizeof *f->locvars);
  f->packedli = keep(ls, fs->li.buf, f->sizepackedli);
  ls->fs = fs->prev;
}

/* A new child proto of the current function (in order of appearance). */
static lfsc_proto *addprototype(lex53_state *ls)
{
  fs53 *fs = ls->fs;
  if (fs->np >= LFSC_MAXARG_Bx)
    lfsc_lex53_fail(ls, "too many functions (limit is 262143)");
  lfsc_code53_grow(fs, (void **)&fs->f->p, &fs->capp, fs->np, sizeof *fs->f->p);
  lfsc_proto *p = lfsc_alloc(ls->ctx, sizeof *p);
  if (!p)
    lfsc_lex53_nomem(ls);
  fs->f->p[fs->np++] = p;
  return p;
}

/* The CLOSURE of the function just parsed, in the enclosing function. */
static void codeclosure(lex53_state *ls, exp53 *v)
{
  fs53 *fs = ls->fs->prev;
  lfsc_code53_init_exp(v, E53_RELOC, lfsc_code53_abx(fs, OP53_CLOSURE, 0, fs->np - 1));
  lfsc_code53_exp2nextreg(fs, v);
}

/* ---- expressions ---- */

/* fieldsel -> ['.' | ':'] NAME */
static void fieldsel(lex53_state *ls, exp53 *v)
{
  fs53 *fs = ls->fs;
  exp53 key;
  lfsc_code53_exp2anyregup(fs, v);
  lfsc_lex53_next(ls);
  checkname(ls, &key);
  lfsc_code53_indexed(fs, v, &key);
}

/* yindex -> '[' expr ']' */
static void yindex(lex53_state *ls, exp53 *v)
{
  lfsc_lex53_next(ls);
  expr(ls, v);
  lfsc_code53_exp2val(ls->fs, v);
  checknext(ls, ']');
}

typedef struct cons53 {
  exp53 v;                      /* last list item read */
  exp53 *t;                     /* the table */
  int nh;                       /* number of record fields */
  int na;                       /* number of list items */
  int tostore;                  /* list items waiting for a SETLIST */
} cons53;

/* recfield -> (NAME | '[' expr ']') '=' expr */
static void recfield(lex53_state *ls, cons53 *cc)
{
  fs53 *fs = ls->fs;
  int reg = fs->freereg;
  exp53 key, val;
  if (ls->t.tok == T53_NAME) {
    checklimit(fs, cc->nh, INT_MAX, "items in a constructor");
    checkname(ls, &key);
  } else {
    yindex(ls, &key);
  }
  cc->nh++;
  checknext(ls, '=');
  int rkkey = lfsc_code53_exp2rk(fs, &key);
  expr(ls, &val);
  lfsc_code53_abc(fs, OP53_SETTABLE, cc->t->info, rkkey, lfsc_code53_exp2rk(fs, &val));
  fs->freereg = reg;
}

static void closelistfield(fs53 *fs, cons53 *cc)
{
  if (cc->v.k == E53_VOID)
    return;
  lfsc_code53_exp2nextreg(fs, &cc->v);
  cc->v.k = E53_VOID;
  if (cc->tostore == LFSC_FIELDS_PER_FLUSH) {
    lfsc_code53_setlist(fs, cc->t->info, cc->na, cc->tostore);
    cc->tostore = 0;
  }
}

static void lastlistfield(fs53 *fs, cons53 *cc)
{
  if (cc->tostore == 0)
    return;
  if (e53_multret(cc->v.k)) {
    lfsc_code53_setreturns(fs, &cc->v, C53_MULTRET);
    lfsc_code53_setlist(fs, cc->t->info, cc->na, C53_MULTRET);
    cc->na--;                   /* the open item is not counted in the size hint */
  } else {
    if (cc->v.k != E53_VOID)
      lfsc_code53_exp2nextreg(fs, &cc->v);
    lfsc_code53_setlist(fs, cc->t->info, cc->na, cc->tostore);
  }
}

/* listfield -> expr */
static void listfield(lex53_state *ls, cons53 *cc)
{
  expr(ls, &cc->v);
  checklimit(ls->fs, cc->na, INT_MAX, "items in a constructor");
  cc->na++;
  cc->tostore++;
}

/* field -> listfield | recfield */
static void field(lex53_state *ls, cons53 *cc)
{
  switch (ls->t.tok) {
  case T53_NAME:
    if (lfsc_lex53_lookahead(ls) != '=')
      listfield(ls, cc);
    else
      recfield(ls, cc);
    break;
  case '[':
    recfield(ls, cc);
    break;
  default:
    listfield(ls, cc);
    break;
  }
}

/* Size hint in the "floating point byte" of NEWTABLE: eeeeexxx. */
static int int2fb(unsigned x)
{
  int e = 0;
  if (x < 8)
    return (int)x;
  while (x >= 16) {
    x = (x + 1) >> 1;
    e++;
  }
  return ((e + 1) << 3) | ((int)x - 8);
}

/* constructor -> '{' [ field { sep field } [sep] ] '}' */
static void constructor(lex53_state *ls, exp53 *t)
{
  fs53 *fs = ls->fs;
  int line = ls->line;
  int pc = lfsc_code53_abc(fs, OP53_NEWTABLE, 0, 0, 0);
  cons53 cc;
  cc.na = cc.nh = cc.tostore = 0;
  cc.t = t;
  lfsc_code53_init_exp(t, E53_RELOC, pc);
  lfsc_code53_init_exp(&cc.v, E53_VOID, 0);
  lfsc_code53_exp2nextreg(fs, t);
  checknext(ls, '{');
  do {
    if (ls->t.tok == '}')
      break;
    closelistfield(fs, &cc);
    field(ls, &cc);
  } while (testnext(ls, ',') || testnext(ls, ';'));
  check_match(ls, '}', '{', line);
  lastlistfield(fs, &cc);
  INS_SET_B(fs->f->code[pc], int2fb((unsigned)cc.na));
  INS_SET_C(fs->f->code[pc], int2fb((unsigned)cc.nh));
}

/* parlist -> [ param { ',' param } ] */
static void parlist(lex53_state *ls)
{
  fs53 *fs = ls->fs;
  lfsc_proto *f = fs->f;
  int nparams = 0;
  f->is_vararg = 0;
  if (ls->t.tok != ')') {
    do {
      switch (ls->t.tok) {
      case T53_NAME:
        new_localvar(ls, str_checkname(ls));
        nparams++;
        break;
      case T53_DOTS:
        lfsc_lex53_next(ls);
        f->is_vararg = 1;
        break;
      default:
        lfsc_lex53_syntax_error(ls, "<name> or '...' expected");
      }
    } while (!f->is_vararg && testnext(ls, ','));
  }
  adjustlocalvars(ls, nparams);
  f->numparams = (uint8_t)fs->nactvar;
  lfsc_code53_reserveregs(fs, fs->nactvar);
}

static void statlist(lex53_state *ls);

/* body -> '(' parlist ')' block END */
static void body(lex53_state *ls, exp53 *e, int ismethod, int line)
{
  fs53 nfs;
  block53 bl;
  lfsc_proto *f = addprototype(ls);
  f->linedefined = line;
  open_func(ls, &nfs, &bl, f);
  checknext(ls, '(');
  if (ismethod) {
    new_localvar_lit(ls, "self");
    adjustlocalvars(ls, 1);
  }
  parlist(ls);
  checknext(ls, ')');
  statlist(ls);
  f->lastlinedefined = ls->line;
  check_match(ls, T53_END, T53_FUNCTION, line);
  codeclosure(ls, e);
  close_func(ls);
}

/* explist -> expr { ',' expr } */
static int explist(lex53_state *ls, exp53 *v)
{
  int n = 1;
  expr(ls, v);
  while (testnext(ls, ',')) {
    lfsc_code53_exp2nextreg(ls->fs, v);
    expr(ls, v);
    n++;
  }
  return n;
}

/* funcargs -> '(' [ explist ] ')' | constructor | STRING */
static void funcargs(lex53_state *ls, exp53 *f, int line)
{
  fs53 *fs = ls->fs;
  exp53 args;
  int base, nparams;
  switch (ls->t.tok) {
  case '(':
    lfsc_lex53_next(ls);
    if (ls->t.tok == ')') {
      args.k = E53_VOID;
    } else {
      explist(ls, &args);
      lfsc_code53_setreturns(fs, &args, C53_MULTRET);
    }
    check_match(ls, ')', '(', line);
    break;
  case '{':
    constructor(ls, &args);
    break;
  case T53_STRING:
    codestring(ls, &args, ls->t.str);
    lfsc_lex53_next(ls);
    break;
  default:
    lfsc_lex53_syntax_error(ls, "function arguments expected");
  }
  base = f->info;
  if (e53_multret(args.k)) {
    nparams = C53_MULTRET;
  } else {
    if (args.k != E53_VOID)
      lfsc_code53_exp2nextreg(fs, &args);
    nparams = fs->freereg - (base + 1);
  }
  lfsc_code53_init_exp(f, E53_CALL, lfsc_code53_abc(fs, OP53_CALL, base, nparams + 1, 2));
  lfsc_code53_fixline(fs, line);
  fs->freereg = base + 1;       /* the call leaves one result in base */
}

/* primaryexp -> NAME | '(' expr ')' */
static void primaryexp(lex53_state *ls, exp53 *v)
{
  switch (ls->t.tok) {
  case '(': {
    int line = ls->line;
    lfsc_lex53_next(ls);
    expr(ls, v);
    check_match(ls, ')', '(', line);
    lfsc_code53_dischargevars(ls->fs, v);
    return;
  }
  case T53_NAME:
    singlevar(ls, v);
    return;
  default:
    lfsc_lex53_syntax_error(ls, "unexpected symbol");
  }
}

/* suffixedexp -> primaryexp { '.' NAME | '[' exp ']' | ':' NAME funcargs | funcargs } */
static void suffixedexp(lex53_state *ls, exp53 *v)
{
  fs53 *fs = ls->fs;
  int line = ls->line;
  primaryexp(ls, v);
  for (;;) {
    switch (ls->t.tok) {
    case '.':
      fieldsel(ls, v);
      break;
    case '[': {
      exp53 key;
      lfsc_code53_exp2anyregup(fs, v);
      yindex(ls, &key);
      lfsc_code53_indexed(fs, v, &key);
      break;
    }
    case ':': {
      exp53 key;
      lfsc_lex53_next(ls);
      checkname(ls, &key);
      lfsc_code53_self(fs, v, &key);
      funcargs(ls, v, line);
      break;
    }
    case '(': case T53_STRING: case '{':
      lfsc_code53_exp2nextreg(fs, v);
      funcargs(ls, v, line);
      break;
    default:
      return;
    }
  }
}

/* simpleexp -> FLT | INT | STRING | NIL | TRUE | FALSE | '...'
 *            | constructor | FUNCTION body | suffixedexp */
static void simpleexp(lex53_state *ls, exp53 *v)
{
  switch (ls->t.tok) {
  case T53_FLT:
    lfsc_code53_init_exp(v, E53_KFLT, 0);
    v->nval = ls->t.num.n;
    break;
  case T53_INT:
    lfsc_code53_init_exp(v, E53_KINT, 0);
    v->ival = ls->t.num.i;
    break;
  case T53_STRING:
    codestring(ls, v, ls->t.str);
    break;
  case T53_NIL:
    lfsc_code53_init_exp(v, E53_NIL, 0);
    break;
  case T53_TRUE:
    lfsc_code53_init_exp(v, E53_TRUE, 0);
    break;
  case T53_FALSE:
    lfsc_code53_init_exp(v, E53_FALSE, 0);
    break;
  case T53_DOTS: {
    fs53 *fs = ls->fs;
    check_condition(ls, fs->f->is_vararg, "cannot use '...' outside a vararg function");
    lfsc_code53_init_exp(v, E53_VARARG, lfsc_code53_abc(fs, OP53_VARARG, 0, 1, 0));
    break;
  }
  case '{':
    constructor(ls, v);
    return;
  case T53_FUNCTION:
    lfsc_lex53_next(ls);
    body(ls, v, 0, ls->line);
    return;
  default:
    suffixedexp(ls, v);
    return;
  }
  lfsc_lex53_next(ls);
}

static u53_op getunopr(int tok)
{
  switch (tok) {
  case T53_NOT: return U53_NOT;
  case '-': return U53_MINUS;
  case '~': return U53_BNOT;
  case '#': return U53_LEN;
  default: return U53_NONE;
  }
}

static b53_op getbinopr(int tok)
{
  switch (tok) {
  case '+': return B53_ADD;
  case '-': return B53_SUB;
  case '*': return B53_MUL;
  case '%': return B53_MOD;
  case '^': return B53_POW;
  case '/': return B53_DIV;
  case T53_IDIV: return B53_IDIV;
  case '&': return B53_BAND;
  case '|': return B53_BOR;
  case '~': return B53_BXOR;
  case T53_SHL: return B53_SHL;
  case T53_SHR: return B53_SHR;
  case T53_CONCAT: return B53_CONCAT;
  case T53_NE: return B53_NE;
  case T53_EQ: return B53_EQ;
  case '<': return B53_LT;
  case T53_LE: return B53_LE;
  case '>': return B53_GT;
  case T53_GE: return B53_GE;
  case T53_AND: return B53_AND;
  case T53_OR: return B53_OR;
  default: return B53_NONE;
  }
}

/* subexpr -> (simpleexp | unop subexpr) { binop subexpr }
 * where each binop binds tighter than `limit`. Returns the first operator
 * that was not consumed. */
static b53_op subexpr(lex53_state *ls, exp53 *v, int limit)
{
  enterlevel(ls);
  u53_op uop = getunopr(ls->t.tok);
  if (uop != U53_NONE) {
    int line = ls->line;
    lfsc_lex53_next(ls);
    subexpr(ls, v, UNARY_PRIORITY);
    lfsc_code53_prefix(ls->fs, uop, v, line);
  } else {
    simpleexp(ls, v);
  }
  b53_op op = getbinopr(ls->t.tok);
  while (op != B53_NONE && priority[op].left > limit) {
    exp53 v2;
    int line = ls->line;
    lfsc_lex53_next(ls);
    lfsc_code53_infix(ls->fs, op, v);
    b53_op nextop = subexpr(ls, &v2, priority[op].right);
    lfsc_code53_posfix(ls->fs, op, v, &v2, line);
    op = nextop;
  }
  leavelevel(ls);
  return op;
}

/* expr -> subexpr */
static void expr(lex53_state *ls, exp53 *v)
{
  subexpr(ls, v, 0);
}

/* ---- statements ---- */

static int block_follow(lex53_state *ls, int withuntil)
{
  switch (ls->t.tok) {
  case T53_ELSE: case T53_ELSEIF: case T53_END: case T53_EOS:
    return 1;
  case T53_UNTIL:
    return withuntil;
  default:
    return 0;
  }
}

/* statlist -> { stat [';'] } */
static void statlist(lex53_state *ls)
{
  while (!block_follow(ls, 1)) {
    if (ls->t.tok == T53_RETURN) {
      statement(ls);
      return;                   /* 'return' must be the last statement */
    }
    statement(ls);
  }
}

/* block -> statlist */
static void block(lex53_state *ls)
{
  fs53 *fs = ls->fs;
  block53 bl;
  enterblock(fs, &bl, 0);
  statlist(ls);
  leaveblock(fs);
}

/* One target of a multiple assignment, linked to the ones before it. */
typedef struct lhs53 {
  struct lhs53 *prev;
  exp53 v;
} lhs53;

/* A local (or upvalue) assigned in a multiple assignment may be used as
 * table or key by an earlier target; those must see its old value. */
static void check_conflict(lex53_state *ls, lhs53 *lh, exp53 *v)
{
  fs53 *fs = ls->fs;
  int extra = fs->freereg;
  int conflict = 0;
  for (; lh; lh = lh->prev) {
    if (lh->v.k == E53_INDEXED) {
      if (lh->v.ind.vt == v->k && lh->v.ind.t == v->info) {
        conflict = 1;
        lh->v.ind.vt = E53_LOCAL;
        lh->v.ind.t = extra;
      }
      if (v->k == E53_LOCAL && lh->v.ind.idx == v->info) {
        conflict = 1;
        lh->v.ind.idx = extra;
      }
    }
  }
  if (conflict) {
    lfsc_code53_abc(fs, v->k == E53_LOCAL ? OP53_MOVE : OP53_GETUPVAL, extra, v->info, 0);
    lfsc_code53_reserveregs(fs, 1);
  }
}

/* restassign -> ',' suffixedexp restassign | '=' explist */
static void restassign(lex53_state *ls, lhs53 *lh, int nvars)
{
  exp53 e;
  check_condition(ls, e53_isvar(lh->v.k), "syntax error");
  if (testnext(ls, ',')) {
    lhs53 nv;
    nv.prev = lh;
    suffixedexp(ls, &nv.v);
    if (nv.v.k != E53_INDEXED)
      check_conflict(ls, lh, &nv.v);
    checklimit(ls->fs, nvars + ls->depth, C53_MAXCCALLS, "C levels");
    restassign(ls, &nv, nvars + 1);
  } else {
    checknext(ls, '=');
    int nexps = explist(ls, &e);
    if (nexps != nvars) {
      adjust_assign(ls, nvars, nexps, &e);
    } else {
      lfsc_code53_setoneret(ls->fs, &e);
      lfsc_code53_storevar(ls->fs, &lh->v, &e);
      return;
    }
  }
  lfsc_code53_init_exp(&e, E53_NONRELOC, ls->fs->freereg - 1);
  lfsc_code53_storevar(ls->fs, &lh->v, &e);
}

/* cond -> expr; returns the jumps taken when it is false */
static int cond(lex53_state *ls)
{
  exp53 v;
  expr(ls, &v);
  if (v.k == E53_NIL)
    v.k = E53_FALSE;            /* all falsy constants jump alike */
  lfsc_code53_goiftrue(ls->fs, &v);
  return v.f;
}

/* gotostat -> GOTO NAME | BREAK */
static void gotostat(lex53_state *ls, int pc)
{
  int line = ls->line;
  const lfsc_str *label;
  if (testnext(ls, T53_GOTO)) {
    label = str_checkname(ls);
  } else {
    lfsc_lex53_next(ls);        /* break */
    label = ls->brk;
  }
  int g = newlabelentry(ls, &ls->dyd->gt, label, line, pc);
  findlabel(ls, g);
}

static void checkrepeated(fs53 *fs, lablist53 *ll, const lfsc_str *label)
{
  for (int i = fs->bl->firstlabel; i < ll->n; i++) {
    if (label == ll->arr[i].name) {
      char msg[160];
      snprintf(msg, sizeof msg, "label '%s' already defined on line %d", label->data,
               ll->arr[i].line);
      semerror(fs->ls, msg);
    }
  }
}

static void skipnoopstat(lex53_state *ls)
{
  while (ls->t.tok == ';' || ls->t.tok == T53_DBCOLON)
    statement(ls);
}

/* labelstat -> '::' NAME '::' */
static void labelstat(lex53_state *ls, const lfsc_str *label, int line)
{
  fs53 *fs = ls->fs;
  lablist53 *ll = &ls->dyd->label;
  checkrepeated(fs, ll, label);
  checknext(ls, T53_DBCOLON);
  int l = newlabelentry(ls, ll, label, line, lfsc_code53_getlabel(fs));
  skipnoopstat(ls);
  if (block_follow(ls, 0))      /* a label at the block's end: its locals are gone */
    ll->arr[l].nactvar = fs->bl->nactvar;
  findgotos(ls, &ll->arr[l]);
}

/* whilestat -> WHILE cond DO block END */
static void whilestat(lex53_state *ls, int line)
{
  fs53 *fs = ls->fs;
  block53 bl;
  lfsc_lex53_next(ls);
  int whileinit = lfsc_code53_getlabel(fs);
  int condexit = cond(ls);
  enterblock(fs, &bl, 1);
  checknext(ls, T53_DO);
  block(ls);
  lfsc_code53_patchlist(fs, lfsc_code53_jump(fs), whileinit);
  check_match(ls, T53_END, T53_WHILE, line);
  leaveblock(fs);
  lfsc_code53_patchtohere(fs, condexit);
}

/* repeatstat -> REPEAT block UNTIL cond */
static void repeatstat(lex53_state *ls, int line)
{
  fs53 *fs = ls->fs;
  int repeat_init = lfsc_code53_getlabel(fs);
  block53 bl1, bl2;
  enterblock(fs, &bl1, 1);      /* the loop */
  enterblock(fs, &bl2, 0);      /* the scope, which the condition sees */
  lfsc_lex53_next(ls);
  statlist(ls);
  check_match(ls, T53_UNTIL, T53_REPEAT, line);
  int condexit = cond(ls);
  if (bl2.upval)
    lfsc_code53_patchclose(fs, condexit, bl2.nactvar);
  leaveblock(fs);
  lfsc_code53_patchlist(fs, condexit, repeat_init);
  leaveblock(fs);
}

/* exp1 -> expr, into the next register */
static void exp1(lex53_state *ls)
{
  exp53 e;
  expr(ls, &e);
  lfsc_code53_exp2nextreg(ls->fs, &e);
}

/* forbody -> DO block */
static void forbody(lex53_state *ls, int base, int line, int nvars, int isnum)
{
  fs53 *fs = ls->fs;
  block53 bl;
  int endfor;
  adjustlocalvars(ls, 3);       /* the hidden control variables */
  checknext(ls, T53_DO);
  int prep = isnum ? lfsc_code53_asbx(fs, OP53_FORPREP, base, C53_NO_JUMP)
                   : lfsc_code53_jump(fs);
  enterblock(fs, &bl, 0);
  adjustlocalvars(ls, nvars);
  lfsc_code53_reserveregs(fs, nvars);
  block(ls);
  leaveblock(fs);
  lfsc_code53_patchtohere(fs, prep);
  if (isnum) {
    endfor = lfsc_code53_asbx(fs, OP53_FORLOOP, base, C53_NO_JUMP);
  } else {
    lfsc_code53_abc(fs, OP53_TFORCALL, base, 0, nvars);
    lfsc_code53_fixline(fs, line);
    endfor = lfsc_code53_asbx(fs, OP53_TFORLOOP, base + 2, C53_NO_JUMP);
  }
  lfsc_code53_patchlist(fs, endfor, prep + 1);
  lfsc_code53_fixline(fs, line);     /* the loop instruction belongs to 'for' */
}

/* fornum -> NAME = exp1 ',' exp1 [',' exp1] forbody */
static void fornum(lex53_state *ls, const lfsc_str *varname, int line)
{
  fs53 *fs = ls->fs;
  int base = fs->freereg;
  new_localvar_lit(ls, "(for index)");
  new_localvar_lit(ls, "(for limit)");
  new_localvar_lit(ls, "(for step)");
  new_localvar(ls, varname);
  checknext(ls, '=');
  exp1(ls);
  checknext(ls, ',');
  exp1(ls);
  if (testnext(ls, ',')) {
    exp1(ls);
  } else {
    lfsc_code53_codek(fs, fs->freereg, lfsc_code53_intk(fs, 1));
    lfsc_code53_reserveregs(fs, 1);
  }
  forbody(ls, base, line, 1, 1);
}

/* forlist -> NAME {',' NAME} IN explist forbody */
static void forlist(lex53_state *ls, const lfsc_str *indexname)
{
  fs53 *fs = ls->fs;
  exp53 e;
  int nvars = 4;                /* generator, state, control and one name */
  int base = fs->freereg;
  new_localvar_lit(ls, "(for generator)");
  new_localvar_lit(ls, "(for state)");
  new_localvar_lit(ls, "(for control)");
  new_localvar(ls, indexname);
  while (testnext(ls, ',')) {
    new_localvar(ls, str_checkname(ls));
    nvars++;
  }
  checknext(ls, T53_IN);
  int line = ls->line;
  adjust_assign(ls, 3, explist(ls, &e), &e);
  lfsc_code53_checkstack(fs, 3);     /* room to call the generator */
  forbody(ls, base, line, nvars - 3, 0);
}

/* forstat -> FOR (fornum | forlist) END */
static void forstat(lex53_state *ls, int line)
{
  fs53 *fs = ls->fs;
  block53 bl;
  enterblock(fs, &bl, 1);
  lfsc_lex53_next(ls);
  const lfsc_str *varname = str_checkname(ls);
  switch (ls->t.tok) {
  case '=':
    fornum(ls, varname, line);
    break;
  case ',':
  case T53_IN:
    forlist(ls, varname);
    break;
  default:
    lfsc_lex53_syntax_error(ls, "'=' or 'in' expected");
  }
  check_match(ls, T53_END, T53_FOR, line);
  leaveblock(fs);
}

/* test_then_block -> [IF | ELSEIF] cond THEN block */
static void test_then_block(lex53_state *ls, int *escapelist)
{
  block53 bl;
  fs53 *fs = ls->fs;
  exp53 v;
  int jf;
  lfsc_lex53_next(ls);
  expr(ls, &v);
  checknext(ls, T53_THEN);
  if (ls->t.tok == T53_GOTO || ls->t.tok == T53_BREAK) {
    lfsc_code53_goiffalse(fs, &v);   /* jump to the label when true */
    enterblock(fs, &bl, 0);
    gotostat(ls, v.t);
    while (testnext(ls, ';'))
      ;
    if (block_follow(ls, 0)) {  /* the goto is the whole block */
      leaveblock(fs);
      return;
    }
    jf = lfsc_code53_jump(fs);
  } else {
    lfsc_code53_goiftrue(fs, &v);
    enterblock(fs, &bl, 0);
    jf = v.f;
  }
  statlist(ls);
  leaveblock(fs);
  if (ls->t.tok == T53_ELSE || ls->t.tok == T53_ELSEIF)
    lfsc_code53_concat(fs, escapelist, lfsc_code53_jump(fs));
  lfsc_code53_patchtohere(fs, jf);
}

/* ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END */
static void ifstat(lex53_state *ls, int line)
{
  int escapelist = C53_NO_JUMP;
  test_then_block(ls, &escapelist);
  while (ls->t.tok == T53_ELSEIF)
    test_then_block(ls, &escapelist);
  if (testnext(ls, T53_ELSE))
    block(ls);
  check_match(ls, T53_END, T53_IF, line);
  lfsc_code53_patchtohere(ls->fs, escapelist);
}

/* localfunc -> LOCAL FUNCTION NAME body */
static void localfunc(lex53_state *ls)
{
  exp53 b;
  fs53 *fs = ls->fs;
  new_localvar(ls, str_checkname(ls));
  adjustlocalvars(ls, 1);       /* visible inside its own body (recursion) */
  body(ls, &b, 0, ls->line);
  getlocvar(fs, b.info)->startpc = fs->pc;
}

/* localstat -> LOCAL NAME {',' NAME} ['=' explist] */
static void localstat(lex53_state *ls)
{
  int nvars = 0, nexps;
  exp53 e;
  do {
    new_localvar(ls, str_checkname(ls));
    nvars++;
  } while (testnext(ls, ','));
  if (testnext(ls, '=')) {
    nexps = explist(ls, &e);
  } else {
    e.k = E53_VOID;
    nexps = 0;
  }
  adjust_assign(ls, nvars, nexps, &e);
  adjustlocalvars(ls, nvars);
}

/* funcname -> NAME {'.' NAME} [':' NAME] */
static int funcname(lex53_state *ls, exp53 *v)
{
  int ismethod = 0;
  singlevar(ls, v);
  while (ls->t.tok == '.')
    fieldsel(ls, v);
  if (ls->t.tok == ':') {
    ismethod = 1;
    fieldsel(ls, v);
  }
  return ismethod;
}

/* funcstat -> FUNCTION funcname body */
static void funcstat(lex53_state *ls, int line)
{
  exp53 v, b;
  lfsc_lex53_next(ls);
  int ismethod = funcname(ls, &v);
  body(ls, &b, ismethod, line);
  lfsc_code53_storevar(ls->fs, &v, &b);
  lfsc_code53_fixline(ls->fs, line);   /* the definition happens at 'function' */
}

/* exprstat -> func | assignment */
static void exprstat(lex53_state *ls)
{
  fs53 *fs = ls->fs;
  lhs53 v;
  suffixedexp(ls, &v.v);
  if (ls->t.tok == '=' || ls->t.tok == ',') {
    v.prev = NULL;
    restassign(ls, &v, 1);
  } else {
    check_condition(ls, v.v.k == E53_CALL, "syntax error");
    INS_SET_C(c53_getcode(fs, &v.v), 1);   /* a call statement keeps no result */
  }
}

/* retstat -> RETURN [explist] [';'] */
static void retstat(lex53_state *ls)
{
  fs53 *fs = ls->fs;
  exp53 e;
  int first, nret;
  if (block_follow(ls, 1) || ls->t.tok == ';') {
    first = nret = 0;
  } else {
    nret = explist(ls, &e);
    if (e53_multret(e.k)) {
      lfsc_code53_setreturns(fs, &e, C53_MULTRET);
      if (e.k == E53_CALL && nret == 1) {
        uint32_t *i = &c53_getcode(fs, &e);
        *i = (*i & ~0x3Fu) | OP53_TAILCALL;
      }
      first = fs->nactvar;
      nret = C53_MULTRET;
    } else if (nret == 1) {
      first = lfsc_code53_exp2anyreg(fs, &e);
    } else {
      lfsc_code53_exp2nextreg(fs, &e);
      first = fs->nactvar;
    }
  }
  lfsc_code53_ret(fs, first, nret);
  testnext(ls, ';');
}

/* statement -> ';' | ifstat | whilestat | DO block END | forstat
 *            | repeatstat | funcstat | localstat | LOCAL FUNCTION localfunc
 *            | '::' NAME '::' | retstat | BREAK | GOTO NAME | exprstat */
static void statement(lex53_state *ls)
{
  int line = ls->line;
  enterlevel(ls);
  switch (ls->t.tok) {
  case ';':
    lfsc_lex53_next(ls);
    break;
  case T53_IF:
    ifstat(ls, line);
    break;
  case T53_WHILE:
    whilestat(ls, line);
    break;
  case T53_DO:
    lfsc_lex53_next(ls);
    block(ls);
    check_match(ls, T53_END, T53_DO, line);
    break;
  case T53_FOR:
    forstat(ls, line);
    break;
  case T53_REPEAT:
    repeatstat(ls, line);
    break;
  case T53_FUNCTION:
    funcstat(ls, line);
    break;
  case T53_LOCAL:
    lfsc_lex53_next(ls);
    if (testnext(ls, T53_FUNCTION))
      localfunc(ls);
    else
      localstat(ls);
    break;
  case T53_DBCOLON:
    lfsc_lex53_next(ls);
    labelstat(ls, str_checkname(ls), line);
    break;
  case T53_RETURN:
    lfsc_lex53_next(ls);
    retstat(ls);
    break;
  case T53_BREAK:
  case T53_GOTO:
    gotostat(ls, lfsc_code53_jump(ls->fs));
    break;
  default:
    exprstat(ls);
    break;
  }
  ls->fs->freereg = ls->fs->nactvar;
  leavelevel(ls);
}

/* The input as luaL_loadfilex gives it to the parser: a whole UTF-8 BOM
 * dropped (the bytes of a partial one kept), then a first line starting
 * with '#' replaced by its line break. The first bytes are looked at
 * here and served as a piece of their own; the rest passes through. */
typedef struct prefixed {
  lfsc_read_fn read;            /* the caller's stream */
  void *ud;
  const unsigned char *cur;     /* unread part of the caller's current piece */
  size_t ncur;
  unsigned char head[8];        /* the rewritten first bytes */
  size_t nhead;
  int state;                    /* 0: head next, 1: rest of the piece, 2: pass through */
} prefixed;

static int pgetc(prefixed *p)
{
  while (p->ncur == 0) {
    size_t n = 0;
    const unsigned char *piece = p->read ? p->read(p->ud, &n) : NULL;
    if (!piece || n == 0) {
      p->read = NULL;           /* the end is sticky */
      return -1;
    }
    p->cur = piece;
    p->ncur = n;
  }
  p->ncur--;
  return *p->cur++;
}

static void prefix_init(prefixed *p)
{
  static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
  int c, k = 0;
  for (;;) {
    c = pgetc(p);
    if (c != bom[k])
      break;
    p->head[p->nhead++] = (unsigned char)c;
    if (++k == 3) {             /* a whole BOM: dropped */
      p->nhead = 0;
      c = pgetc(p);
      break;
    }
  }
  if (c == '#') {
    do
      c = pgetc(p);
    while (c != -1 && c != '\n');
    p->head[p->nhead++] = '\n';
    c = pgetc(p);
  }
  if (c != -1)
    p->head[p->nhead++] = (unsigned char)c;
}

static const unsigned char *prefix_read(void *ud, size_t *size)
{
  prefixed *p = ud;
  if (p->state == 0) {
    p->state = 1;
    if (p->nhead) {
      *size = p->nhead;
      return p->head;
    }
  }
  if (p->state == 1) {
    p->state = 2;
    if (p->ncur) {
      *size = p->ncur;
      p->ncur = 0;
      return p->cur;
    }
  }
  if (!p->read) {
    *size = 0;
    return NULL;
  }
  return p->read(p->ud, size);
}

/* A buffer as a stream of one piece. */
typedef struct whole {
  const unsigned char *p;
  size_t len;
} whole;

static const unsigned char *whole_read(void *ud, size_t *size)
{
  whole *w = ud;
  const unsigned char *p = w->p;
  *size = w->len;
  w->len = 0;
  return *size ? p : NULL;
}

/* Parse and generate under the catch point. Nothing here is modified
 * after setjmp, so nothing is clobbered by the longjmp back. */
static int compile_protected(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                             const char *chunkname, prefixed *in, lfsc_proto **out)
{
  jmp_buf catcher;
  lex53_state *ls = lfsc_ctx_scratch_resize(ctx, NULL, sizeof *ls);
  fs53 *fs = lfsc_ctx_scratch_resize(ctx, NULL, sizeof *fs);
  dyn53 *dyd = lfsc_ctx_scratch_resize(ctx, NULL, sizeof *dyd);
  kmap53 *kmap = lfsc_ctx_scratch_resize(ctx, NULL, sizeof *kmap);
  lfsc_proto *mainf = lfsc_alloc(ctx, sizeof *mainf);
  if (!ls || !fs || !dyd || !kmap || !mainf) {
    lfsc_ctx_scratch_free_all(ctx);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  memset(ls, 0, sizeof *ls);
  memset(dyd, 0, sizeof *dyd);
  memset(kmap, 0, sizeof *kmap);
  int code = setjmp(catcher);   /* the front end's only catch point */
  if (code != 0) {
    lfsc_ctx_scratch_free_all(ctx);
    return -code;
  }
  lfsc_nummodel nm = opts->nummodel == LFSC_NUM_DOUBLE ? LFSC_NUM_I64_F64 : opts->nummodel;
  lfsc_lex53_init_stream(ls, ctx, &catcher, lfsc_num53_model(nm), chunkname, prefix_read, in);
  ls->dyd = dyd;
  ls->depth = 1;                /* luac runs the parser one C call deep */
  block53 bl;
  open_func(ls, fs, &bl, mainf);
  fs->kmap = kmap;
  fs->keep_names = opts->keep_names != 0;
  lfsc_lineinfo_init53(&fs->li, ctx, opts->compat_lineinfo != 0);
  mainf->source = lfsc_lex53_intern(ls, chunkname, strlen(chunkname));
  mainf->is_vararg = 1;         /* the main chunk takes ... */
  exp53 v;
  lfsc_code53_init_exp(&v, E53_LOCAL, 0);
  newupvalue(fs, ls->envn, &v); /* _ENV, the environment */
  lfsc_lex53_next(ls);
  statlist(ls);
  check(ls, T53_EOS);
  close_func(ls);
  *out = mainf;
  lfsc_ctx_scratch_free_all(ctx);
  return LFSC_OK;
}

static const lfsc_compile_opts defaults = {LFSC_NUM_I64_F64, 1, 0};

int lfsc_lua53_compile_stream(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                              const char *chunkname, lfsc_read_fn read, void *ud,
                              lfsc_proto **out)
{
  prefixed in;
  *out = NULL;
  if (opts && opts->nummodel == LFSC_NUM_INT32)
    return lfsc_seterr(ctx, LFSC_EARG, "Lua 5.3 has no integer-only number model");
  memset(&in, 0, sizeof in);
  in.read = read;
  in.ud = ud;
  prefix_init(&in);
  return compile_protected(ctx, opts ? opts : &defaults, chunkname, &in, out);
}

int lfsc_lua53_compile(lfsc_ctx *ctx, const lfsc_compile_opts *opts, const char *chunkname,
                       const char *src, size_t len, lfsc_proto **out)
{
  whole w = {(const unsigned char *)src, len};
  return lfsc_lua53_compile_stream(ctx, opts, chunkname, whole_read, &w, out);
}
