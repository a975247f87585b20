/* Reading inputs the way luac does: stdin or files, '#' first lines,
 * source or precompiled chunks, and the "=(luac)" wrapper. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "input.h"
#include "lfsc/opcodes.h"
#include "lc_read.h"

static int read_stream(lfsc_ctx *ctx, FILE *fp, const char *what, unsigned char **buf, size_t *len)
{
  size_t cap = 1 << 16, n = 0;
  unsigned char *b = malloc(cap);
  if (!b)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (;;) {
    if (n == cap) {
      unsigned char *nb = cap < SIZE_MAX / 2 ? realloc(b, cap * 2) : NULL;
      if (!nb) {
        free(b);
        return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
      }
      b = nb;
      cap *= 2;
    }
    size_t k = fread(b + n, 1, cap - n, fp);
    n += k;
    if (k == 0)
      break;
  }
  if (ferror(fp)) {
    int e = errno;
    free(b);
    return lfsc_seterr(ctx, LFSC_EIO, "cannot read %s: %s", what, strerror(e));
  }
  *buf = b;
  *len = n;
  return LFSC_OK;
}

const char *input_source_name(const input_opts *opts, const char *path)
{
  const char *pre = opts->source_prefix;
  size_t n = pre ? strlen(pre) : 0;
  while (n > 1 && pre[n - 1] == '/')
    n--;
  if (n == 0 || strncmp(path, pre, n) != 0 || (path[n] != '/' && pre[n - 1] != '/'))
    return path;
  path += n;
  while (*path == '/')
    path++;
  return *path ? path : ".";
}

int input_load(lfsc_ctx *ctx, const input_opts *opts, const char *path, lfsc_proto **out)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *shown = from_stdin ? "stdin" : path;
  FILE *fp = from_stdin ? stdin : fopen(path, "rb");
  if (!fp)
    return lfsc_seterr(ctx, LFSC_EIO, "cannot open %s: %s", path, strerror(errno));
  unsigned char *buf = NULL;
  size_t len = 0;
  int rc = read_stream(ctx, fp, shown, &buf, &len);
  if (!from_stdin)
    fclose(fp);
  if (rc)
    return rc;

  /* The chunk name is '@' + the path as typed, or "=stdin"; a source prefix
   * (say, the build directory) is dropped so that it stays out of outputs. */
  const char *named = from_stdin ? shown : input_source_name(opts, shown);
  size_t plen = strlen(named);
  char *chunkname = malloc(plen + 2);
  if (!chunkname) {
    free(buf);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  chunkname[0] = from_stdin ? '=' : '@';
  memcpy(chunkname + 1, named, plen + 1);

  /* A named file is bytecode when it starts with ESC, or with a '#' line
   * followed by ESC. stdin is bytecode only when its first byte is ESC:
   * luac feeds a '#' line's newline back first, so the rest is compiled as
   * source. (The compiler itself skips a '#' first line, keeping its
   * newline so that line numbers stay right.) */
  size_t start = lc_read_start(buf, len);
  if (from_stdin && start != 0)
    start = (size_t)-1;
  if (start != (size_t)-1) {
    rc = lc_read(ctx, buf + start, len - start, shown, opts->target, out);
  } else {
    lfsc_compile_opts co = {
      .nummodel = lfsc_target_nummodel(opts->target),
      .keep_names = opts->target == LFSC_TARGET_HOST,
      .compat_lineinfo = opts->compat_lineinfo,
    };
    rc = lfsc_compile(ctx, &co, chunkname, (const char *)buf, len, out);
  }
  free(chunkname);
  free(buf);
  return rc;
}

lfsc_proto *input_combine(lfsc_ctx *ctx, lfsc_proto **chunks, int n)
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
