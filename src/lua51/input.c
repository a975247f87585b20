/* Reading inputs the way luac does: stdin or files, '#' first lines,
 * source or precompiled chunks, and the "=(luac)" wrapper. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "base/file.h"
#include "input.h"
#include "lfsc/opcodes.h"
#include "lc_read.h"

/* Inputs are streamed, as luac streams them: the first chunk decides
 * between source and bytecode, and the compiler or the .lc reader pulls
 * the rest as it goes, so a bad token or field stops the reading and
 * memory does not grow with a junk input (luac.cross -p /dev/zero). An
 * input ends at FILE_INPUT_MAX bytes and is then refused, so that what a
 * reader keeps (a long string, a .lc string whose length says 2^40) stays
 * bounded too. */
#define HEAD_SIZE 65536

typedef struct stream {
  FILE *fp;
  unsigned char *buf;           /* HEAD_SIZE bytes: the first piece, then each next */
  size_t start, len;            /* an unserved first piece: buf[start..len) */
  int err;                      /* errno of a failed read, else 0 */
  size_t total;                 /* bytes read so far */
  int over;                     /* more than FILE_INPUT_MAX bytes: ended there */
} stream;

/* Read up to cap bytes, as many as fp gives, recording a failure. The
 * input ends at FILE_INPUT_MAX bytes: a reader that wants more makes us
 * read one byte beyond, only to know that it exists (st->over). A reader
 * done before the limit (a chunk and trailing bytes) is not refused. */
static size_t get(stream *st, unsigned char *buf, size_t cap)
{
  if (st->over)
    return 0;
  size_t room = FILE_INPUT_MAX - st->total;
  if (cap > room) {
    cap = room;
    if (cap == 0) {
      int c = getc(st->fp);
      if (c == EOF && ferror(st->fp) && !st->err)
        st->err = errno ? errno : EIO;
      st->over = c != EOF;
      return 0;
    }
  }
  size_t n = 0, k;
  while (n < cap && (k = fread(buf + n, 1, cap - n, st->fp)) > 0)
    n += k;
  if (n < cap && ferror(st->fp) && !st->err)
    st->err = errno ? errno : EIO;
  n = n < cap ? n : cap;        /* always n; said so for gcc -O2's bounds
                                   check (-Wstringop-overread) */
  st->total += n;
  return n;
}

static const unsigned char *pull(void *ud, size_t *size)
{
  stream *st = ud;
  if (st->len > st->start) {
    *size = st->len - st->start;
    st->len = 0;
    return st->buf + st->start;
  }
  *size = get(st, st->buf, HEAD_SIZE);
  return st->buf;
}


/* The front end's options for a target: its number model, and the local
 * names that a stock host chunk keeps and NodeMCU strips at parse time. */
static lfsc_compile_opts compile_opts(const input_opts *opts)
{
  lfsc_variant v = lfsc_target_variant(opts->target);
  lfsc_compile_opts co = {
    .nummodel = v.numbers,
    .keep_names = v.format == LFSC_FORMAT_HOST,
    .compat_lineinfo = opts->compat_lineinfo,
  };
  return co;
}

int lfsc_input_load(lfsc_ctx *ctx, const input_opts *opts, const char *path, lfsc_proto **out)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *shown = from_stdin ? "stdin" : path;
  FILE *fp = from_stdin ? stdin : fopen(path, "rb");
  if (!fp)
    return lfsc_seterr(ctx, LFSC_EIO, "cannot open %s: %s", path, strerror(errno));
  /* not in the arena: luac.cross reads hundreds of files in one ctx */
  unsigned char *head = malloc(HEAD_SIZE);
  /* The chunk name is '@' + the path as typed, or "=stdin"; a source prefix
   * (say, the build directory) is dropped so that it stays out of outputs. */
  const char *named = from_stdin ? shown : lfsc_file_source_name(opts->source_prefix, shown);
  size_t plen = strlen(named);
  char *chunkname = lfsc_alloc(ctx, plen + 2);
  if (!head || !chunkname) {
    free(head);
    if (!from_stdin)
      fclose(fp);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  chunkname[0] = from_stdin ? '=' : '@';
  memcpy(chunkname + 1, named, plen + 1);

  stream st = {fp, head, 0, 0, 0, 0, 0};
  size_t len = get(&st, head, HEAD_SIZE);
  /* A named file is bytecode when it starts with ESC, or with a '#' line
   * followed by ESC. stdin is bytecode only when its first byte is ESC:
   * luac feeds a '#' line's newline back first, so the rest is compiled as
   * source. (The compiler itself skips a '#' first line, keeping its
   * newline so that line numbers stay right.) A '#' line longer than the
   * first piece is read through, keeping only its '#': the rest of it
   * matters to neither decision. */
  if (!from_stdin && len == HEAD_SIZE && head[0] == '#' && !memchr(head, '\n', len)) {
    do
      len = 1 + get(&st, head + 1, HEAD_SIZE - 1);
    while (len == HEAD_SIZE && !memchr(head + 1, '\n', len - 1));
    unsigned char *nl = memchr(head + 1, '\n', len - 1);
    if (nl) {                   /* keep "#", then from the line break on */
      memmove(head + 1, nl, (size_t)(head + len - nl));
      len = 1 + (size_t)(head + len - nl);
      len += get(&st, head + len, HEAD_SIZE - len);
    }
  }
  size_t start = lfsc_lc_read_start(head, len);
  if (from_stdin && start != 0)
    start = (size_t)-1;
  int rc;
  if (st.err) {
    rc = LFSC_EIO;              /* reported below */
  } else if (start != (size_t)-1) {
    st.start = start;           /* the chunk begins at its ESC byte */
    st.len = len;
    rc = lfsc_lc_read_stream(ctx, pull, &st, shown, opts->target, out);
  } else {
    lfsc_compile_opts co = compile_opts(opts);
    st.len = len;
    rc = lfsc_compile_stream(ctx, &co, chunkname, pull, &st, out);
  }
  /* A read error ends the stream like its end does: it is reported as
   * what it is, not as the syntax error it may have caused. */
  if (st.err) {
    rc = lfsc_seterr(ctx, LFSC_EIO, "cannot read %s: %s", shown, strerror(st.err));
    *out = NULL;
  } else if (st.over) {
    /* whatever the truncated input made of it (an "unexpected end", a
     * syntax error, a chunk): the input itself is refused */
    rc = lfsc_file_too_large(ctx, shown, FILE_INPUT_MAX);
    *out = NULL;
  }
  free(head);
  if (!from_stdin)
    fclose(fp);
  return rc;
}

int lfsc_input_load_buffer(lfsc_ctx *ctx, const input_opts *opts, const char *path,
                      const unsigned char *buf, size_t len, lfsc_proto **out)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *shown = from_stdin ? "stdin" : path;
  /* named as lfsc_input_load names it */
  const char *named = from_stdin ? shown : lfsc_file_source_name(opts->source_prefix, shown);
  size_t plen = strlen(named);
  char *chunkname = lfsc_alloc(ctx, plen + 2);
  if (!chunkname)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  chunkname[0] = from_stdin ? '=' : '@';
  memcpy(chunkname + 1, named, plen + 1);
  /* bytecode or source, by lfsc_input_load's rules */
  size_t start = lfsc_lc_read_start(buf, len);
  if (from_stdin && start != 0)
    start = (size_t)-1;
  if (start != (size_t)-1)
    return lfsc_lc_read(ctx, buf + start, len - start, shown, opts->target, out);
  lfsc_compile_opts co = compile_opts(opts);
  return lfsc_compile(ctx, &co, chunkname, (const char *)buf, len, out);
}

lfsc_proto *lfsc_input_combine(lfsc_ctx *ctx, lfsc_proto **chunks, int n)
{
  if (n == 1)
    return chunks[0];
  lfsc_proto *f = lfsc_alloc(ctx, sizeof *f);
  uint32_t *code = lfsc_alloc(ctx, sizeof *code * (size_t)(2 * n + 1));
  lfsc_proto **p = lfsc_alloc(ctx, sizeof *p * (size_t)n);
  const lfsc_str *src = lfsc_intern(ctx, "=(luac)", 7);
  if (!f || !code || !p || !src)
    return NULL;
  int pc = 0;
  for (int i = 0; i < n; i++) {
    p[i] = chunks[i];
    code[pc++] = INS_ABx(OP_CLOSURE, 0, i);
    code[pc++] = INS_ABC(OP_CALL, 0, 1, 1);
  }
  code[pc++] = INS_ABC(OP_RETURN, 0, 1, 0);
  f->source = src;
  f->maxstacksize = 1;
  f->sizecode = pc;
  f->code = code;
  f->sizep = n;
  f->p = p;
  return f;
}
