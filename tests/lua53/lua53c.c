/* Test driver of the Lua 5.3 front end: compiles one file as luac5.3
 * does (chunk name "@" + the path as given) and writes the stock chunk,
 * or prints the tree (-d) for the structural comparison with NodeMCU's
 * format-10 vectors.
 *   lua53c [-s] [-p] [-d] [-n MODEL] [-k] [-c] [-o OUT] FILE
 *   -s strip; -p parse only; -d print the tree; -n i64f64|i32f32|i32f64|i64f32;
 *   -k drop names (NodeMCU); -c compat line info; -S N stream the file in
 *   N-byte pieces (lfsc_lua53_compile_stream). Errors: the message on
 *   stderr, exit 1. With -p, several files may be given (one process for
 *   a benchmark against luac5.3 -p). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfsc/lfsc.h"
#include "lfsc/sink.h"
#include "lua53/compile.h"

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0, r;
  char *buf = malloc(cap);
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      char *more = realloc(buf, cap *= 2);
      if (!more)
        free(buf);
      buf = more;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

typedef struct pieces {
  const unsigned char *p;
  size_t left, step;
} pieces;

static const unsigned char *next_piece(void *ud, size_t *size)
{
  pieces *s = ud;
  size_t n = s->left < s->step ? s->left : s->step;
  const unsigned char *p = s->p;
  s->p += n;
  s->left -= n;
  *size = n;
  return n ? p : NULL;
}

static void print_str(FILE *o, const lfsc_str *s)
{
  fputc('"', o);
  for (uint32_t i = 0; i < s->len; i++) {
    unsigned char c = (unsigned char)s->data[i];
    if (c < 32 || c >= 127 || c == '"' || c == '\\')
      fprintf(o, "\\x%02x", c);
    else
      fputc(c, o);
  }
  fputc('"', o);
}

/* One line per field, stable across runs: the comparison script reads it. */
static void dump_tree(FILE *o, const lfsc_proto *f, const char *path)
{
  fprintf(o, "F %s %d %d np=%d va=%d ms=%d nups=%d\n", path, f->linedefined, f->lastlinedefined,
          f->numparams, f->is_vararg, f->maxstacksize, f->nups);
  fprintf(o, "C");
  for (int i = 0; i < f->sizecode; i++)
    fprintf(o, " %08" PRIx32, f->code[i]);
  fprintf(o, "\nK");
  for (int i = 0; i < f->sizek; i++) {
    const lfsc_const *k = &f->k[i];
    switch (k->type) {
    case LFSC_K_NIL: fprintf(o, " nil"); break;
    case LFSC_K_BOOL: fprintf(o, " %s", k->u.b ? "true" : "false"); break;
    case LFSC_K_INT: fprintf(o, " i%" PRId64, k->u.i); break;
    case LFSC_K_NUM: {
      uint64_t b;
      memcpy(&b, &k->u.n, 8);
      fprintf(o, " f%016" PRIx64, b);
      break;
    }
    case LFSC_K_STR: fputc(' ', o); print_str(o, k->u.s); break;
    }
  }
  fprintf(o, "\nU");
  for (int i = 0; i < f->nups; i++)
    fprintf(o, " %d,%d", f->upvaldesc[i].instack, f->upvaldesc[i].idx);
  fprintf(o, "\nL");
  for (uint32_t i = 0; i < f->sizepackedli; i++)
    fprintf(o, " %02x", f->packedli[i]);
  fprintf(o, "\nA");
  for (int i = 0; i < f->sizelineinfo; i++)
    fprintf(o, " %d", f->lineinfo[i]);
  fprintf(o, "\n");
  for (int i = 0; i < f->sizep; i++) {
    char sub[256];
    snprintf(sub, sizeof sub, "%s.%d", path, i);
    dump_tree(o, f->p[i], sub);
  }
}

int main(int argc, char **argv)
{
  int strip = 0, parse_only = 0, tree = 0;
  size_t step = 0;
  const char *outpath = "luac.out";
  lfsc_compile_opts opts = {LFSC_NUM_I64_F64, 1, 0};
  int i;
  for (i = 1; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "-s")) strip = 1;
    else if (!strcmp(argv[i], "-p")) parse_only = 1;
    else if (!strcmp(argv[i], "-d")) tree = 1;
    else if (!strcmp(argv[i], "-k")) opts.keep_names = 0;
    else if (!strcmp(argv[i], "-c")) opts.compat_lineinfo = 1;
    else if (!strcmp(argv[i], "-o") && i + 1 < argc) outpath = argv[++i];
    else if (!strcmp(argv[i], "-S") && i + 1 < argc) step = (size_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
      const char *m = argv[++i];
      opts.nummodel = !strcmp(m, "i32f32") ? LFSC_NUM_I32_F32
                    : !strcmp(m, "i32f64") ? LFSC_NUM_I32_F64
                    : !strcmp(m, "i64f32") ? LFSC_NUM_I64_F32 : LFSC_NUM_I64_F64;
    } else {
      fprintf(stderr, "lua53c: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (parse_only && i + 1 < argc) {
    int bad = 0;
    lfsc_ctx *ctx = lfsc_new();   /* one job, as luac5.3 -p runs one state */
    for (; i < argc; i++) {
      size_t len;
      char *src = slurp(argv[i], &len);
      if (!src) {
        fprintf(stderr, "cannot open %s\n", argv[i]);
        return 1;
      }
      size_t nlen = strlen(argv[i]) + 2;
      char *name = malloc(nlen);
      snprintf(name, nlen, "@%s", argv[i]);
      lfsc_proto *f;
      if (lfsc_lua53_compile(ctx, &opts, name, src, len, &f) != LFSC_OK) {
        fprintf(stderr, "%s\n", lfsc_errmsg(ctx));
        bad = 1;
      }
      free(name);
      free(src);
    }
    lfsc_free(ctx);
    return bad;
  }
  if (i + 1 != argc) {
    fprintf(stderr, "usage: lua53c [-s] [-p] [-d] [-n MODEL] [-k] [-c] [-o OUT] FILE\n");
    return 2;
  }
  size_t len;
  char *src = slurp(argv[i], &len);
  if (!src) {
    fprintf(stderr, "cannot open %s\n", argv[i]);
    return 1;
  }
  size_t nlen = strlen(argv[i]) + 2;
  char *name = malloc(nlen);
  snprintf(name, nlen, "@%s", argv[i]);
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *f;
  int rc;
  if (step) {
    pieces st = {(const unsigned char *)src, len, step};
    rc = lfsc_lua53_compile_stream(ctx, &opts, name, next_piece, &st, &f);
  } else {
    rc = lfsc_lua53_compile(ctx, &opts, name, src, len, &f);
  }
  if (rc != LFSC_OK) {
    fprintf(stderr, "%s\n", lfsc_errmsg(ctx));
    lfsc_free(ctx);
    free(src);
    free(name);
    return 1;
  }
  if (tree) {
    dump_tree(stdout, f, "main");
  } else if (!parse_only) {
    FILE *o = fopen(outpath, "wb");
    if (!o) {
      fprintf(stderr, "cannot open %s\n", outpath);
      lfsc_free(ctx);
      free(src);
      free(name);
      return 1;
    }
    lfsc_sink s;
    lfsc_sink_file_init(&s, o);
    rc = lfsc_lua53_write_host(ctx, f, strip, &s);
    if (fclose(o) != 0 || rc != LFSC_OK) {
      fprintf(stderr, "%s\n", rc ? lfsc_errmsg(ctx) : "write error");
      lfsc_free(ctx);
      free(src);
      free(name);
      return 1;
    }
  }
  lfsc_free(ctx);
  free(src);
  free(name);
  return 0;
}
