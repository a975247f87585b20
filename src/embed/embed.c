/* The set of modules to embed: compile each input (or each SPLIT piece)
 * to one chunk of target bytecode, name it, check and sort the names. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "lfsc/dialect.h"
#include "lfs51/builder.h"
#include "lua51/input.h"
#include "lua51/lc_write.h"
#include "lua51/lc_read.h"
#include "base/file.h"
#include "base/outfile.h"
#include "split.h"

static int is_ident(const char *s)
{
  if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
    return 0;
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
          *s == '_'))
      return 0;
  return 1;
}

int lfsc_embed_check_ident(lfsc_ctx *ctx, const char *what, const char *s)
{
  if (is_ident(s))
    return LFSC_OK;
  return lfsc_seterr(ctx, LFSC_EARG, "%s: '%s' is not a C identifier", what, s);
}

/* Append one module: name = base, or base-part for a split piece. */
static int add_module(lfsc_ctx *ctx, embed_set *set, const embed_opts *o, const char *file,
                      const char *base, size_t baselen, const split_piece *piece,
                      const lfsc_proto *f)
{
  if (set->n == set->cap) {
    size_t cap = set->cap ? 2 * set->cap : 16;
    embed_module *m = realloc(set->mods, cap * sizeof *m);
    if (!m)
      return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
    set->mods = m;
    set->cap = cap;
  }
  embed_module *m = &set->mods[set->n];
  memset(m, 0, sizeof *m);
  size_t partlen = piece && piece->name ? piece->namelen + 1 : 0;
  m->name = malloc(baselen + partlen + 1);
  m->file = strdup(file);
  if (!m->name || !m->file) {
    free(m->name);
    free(m->file);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  set->n++;                     /* from here on lfsc_embed_free releases it */
  memcpy(m->name, base, baselen);
  if (partlen) {
    m->name[baselen] = '-';
    memcpy(m->name + baselen + 1, piece->name, piece->namelen);
  }
  m->name[baselen + partlen] = 0;
  m->line = piece ? piece->line : 1;
  m->ident = strdup(m->name);
  if (!m->ident)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (char *c = m->ident; *c; c++)
    if (*c == '-')
      *c = '_';

  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  int rc = o->dialect ? o->dialect->write_chunk(ctx, f, o->target, o->strip, &s)
                      : lfsc_lc_write(ctx, f, o->target, o->strip, &s);
  if (rc != LFSC_OK) {
    lfsc_sink_mem_free(&s);
    if (rc == LFSC_EMEM)
      return lfsc_seterr(ctx, rc, "not enough memory");
    /* the writer's message does not say which input */
    return lfsc_seterr(ctx, rc, "%s: %s", file, lfsc_errmsg(ctx));
  }
  m->data = s.buf;              /* the sink's buffer becomes ours */
  m->size = s.len;
  return LFSC_OK;
}

/* A source or precompiled piece through the dialect's reader (5.1's by
 * default). */
static int load(lfsc_ctx *ctx, const embed_opts *o, const input_opts *io, const char *path,
                const unsigned char *buf, size_t len, lfsc_proto **f)
{
  if (o->dialect)
    return o->dialect->load_buffer(ctx, io, path, buf, len, f);
  return lfsc_input_load_buffer(ctx, io, path, buf, len, f);
}

int lfsc_embed_add_file(lfsc_ctx *ctx, embed_set *set, const embed_opts *o, const char *path)
{
  int from_stdin = path == NULL || strcmp(path, "-") == 0;
  const char *shown = from_stdin ? "stdin" : path;
  /* the module name, as an LFS image would give it */
  size_t srclen = strlen(shown) + 1;
  char *source = malloc(srclen + 1), *base = malloc(srclen + 1);
  if (!source || !base) {
    free(source);
    free(base);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  source[0] = from_stdin ? '=' : '@';
  memcpy(source + 1, shown, srclen);
  size_t baselen = lfsc_image_modname(source, srclen, base);
  free(source);

  input_opts io = {o->target, o->compat_lineinfo, o->source_prefix};
  unsigned char *buf = NULL;
  size_t len = 0;
  int rc = lfsc_file_read(ctx, path, FILE_INPUT_MAX, &buf, &len);   /* --split cuts it whole */
  split_piece *pieces = NULL, whole = {.start = 0, .end = len, .line = 1};
  size_t n = 1;
  /* precompiled chunks are embedded whole */
  if (rc == LFSC_OK && o->split && lfsc_lc_read_start(buf, len) == (size_t)-1)
    rc = lfsc_split_source(ctx, shown, buf, len, &pieces, &n);
  for (size_t k = 0; rc == LFSC_OK && k < n; k++) {
    const split_piece *p = pieces ? &pieces[k] : &whole;
    lfsc_proto *f = NULL;
    if (pieces) {
      size_t tlen;
      unsigned char *text = lfsc_split_text(buf, p, &tlen);
      if (!text)
        rc = lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
      else
        rc = load(ctx, o, &io, path, text, tlen, &f);
      free(text);
    } else {
      rc = load(ctx, o, &io, path, buf, len, &f);
    }
    if (rc == LFSC_OK)
      rc = add_module(ctx, set, o, shown, base, baselen, pieces ? p : NULL, f);
  }
  free(pieces);
  free(buf);
  free(base);
  return rc;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(((const embed_module *)a)->name, ((const embed_module *)b)->name);
}

static int by_ident(const void *a, const void *b)
{
  const embed_module *const *x = a, *const *y = b;
  return strcmp((*x)->ident, (*y)->ident);
}

static const char *where(const embed_module *m, char *buf, size_t size)
{
  if (m->line > 1)
    snprintf(buf, size, "%s:%lu", m->file, m->line);
  else
    snprintf(buf, size, "%s", m->file);
  return buf;
}

int lfsc_embed_finish(lfsc_ctx *ctx, embed_set *set)
{
  char w1[512], w2[512];
  for (size_t i = 0; i < set->n; i++) {
    const embed_module *m = &set->mods[i];
    if (!is_ident(m->ident))
      return lfsc_seterr(ctx, LFSC_EARG,
                         "%s: module name '%s' is not a C identifier when mangled ('-' -> '_')",
                         where(m, w1, sizeof w1), m->name);
  }
  /* equal names are duplicates; equal mangled names would clash as symbols */
  const embed_module **order = malloc((set->n ? set->n : 1) * sizeof *order);
  if (!order)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  for (size_t i = 0; i < set->n; i++)
    order[i] = &set->mods[i];
  qsort(order, set->n, sizeof *order, by_ident);
  int rc = LFSC_OK;
  for (size_t i = 1; i < set->n && rc == LFSC_OK; i++) {
    const embed_module *a = order[i - 1], *b = order[i];
    if (strcmp(a->ident, b->ident) != 0)
      continue;
    if (a > b) {                /* name them in input order */
      const embed_module *t = a;
      a = b;
      b = t;
    }
    if (strcmp(a->name, b->name) == 0)
      rc = lfsc_seterr(ctx, LFSC_EARG, "duplicate module name '%s': %s and %s", a->name,
                       where(a, w1, sizeof w1), where(b, w2, sizeof w2));
    else
      rc = lfsc_seterr(ctx, LFSC_EARG, "module names '%s' (%s) and '%s' (%s) both mangle to '%s'",
                       a->name, where(a, w1, sizeof w1), b->name, where(b, w2, sizeof w2),
                       a->ident);
  }
  free(order);
  if (rc == LFSC_OK)
    qsort(set->mods, set->n, sizeof *set->mods, by_name);
  return rc;
}

void lfsc_embed_free(embed_set *set)
{
  for (size_t i = 0; i < set->n; i++) {
    free(set->mods[i].name);
    free(set->mods[i].ident);
    free(set->mods[i].file);
    free(set->mods[i].data);
  }
  free(set->mods);
  set->mods = NULL;
  set->n = set->cap = 0;
}

int lfsc_embed_kind_parse(lfsc_ctx *ctx, const char *name, embed_kind *out)
{
  if (strcmp(name, "c") == 0)
    *out = EMBED_C;
  else if (strcmp(name, "elf") == 0)
    *out = EMBED_ELF;
  else
    return lfsc_seterr(ctx, LFSC_EARG, "--embed: unknown kind '%s' (c or elf)", name);
  return LFSC_OK;
}

static int open_out(lfsc_ctx *ctx, outfile *f, lfsc_sink *s, const char *name)
{
  if (lfsc_outfile_open(f, name) != 0)
    return lfsc_seterr(ctx, LFSC_EIO, "cannot open %s: %s", name, strerror(errno));
  lfsc_sink_file_init(s, f->fp);
  return LFSC_OK;
}

/* The writer's error, or the sink's: "cannot write NAME". */
static int write_failed(lfsc_ctx *ctx, int rc, const char *name)
{
  if (rc == LFSC_EIO && !*lfsc_errmsg(ctx))
    return lfsc_seterr(ctx, rc, "cannot write %s", name);
  return rc;
}

/* The source and header names for output (NULL: PREFIX.c), malloc'd. */
static int c_names(lfsc_ctx *ctx, const embed_opts *o, const char *output, char **src, char **hdr)
{
  const char *p = o->prefix ? o->prefix : EMBED_PREFIX;
  if (output && strcmp(output, "-") == 0)
    return lfsc_seterr(ctx, LFSC_EARG, "--embed c writes a source and a header: '-o -' is not possible");
  size_t len = output ? strlen(output) : strlen(p) + 2;
  *src = malloc(len + 3);
  *hdr = malloc(len + 3);
  if (!*src || !*hdr) {
    free(*src);
    free(*hdr);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  if (output)
    memcpy(*src, output, len + 1);
  else
    snprintf(*src, len + 3, "%s.c", p);
  memcpy(*hdr, *src, len + 1);
  if (len >= 2 && strcmp(*hdr + len - 2, ".c") == 0)
    (*hdr)[len - 1] = 'h';
  else
    memcpy(*hdr + len, ".h", 3);
  return LFSC_OK;
}

/* What the source #includes: the header's name without its directory. */
static const char *include_name(const char *hdr)
{
  const char *base = hdr;
  for (const char *c = hdr; *c; c++)
#if defined(_WIN32)
    if (*c == '/' || *c == '\\' || *c == ':')
#else
    if (*c == '/')
#endif
      base = c + 1;
  return base;
}

/* A "q-char-sequence" has no escapes: the name goes into #include "..."
 * as it is, so it must not hold '"' or a line break, nor what C11 6.4.7
 * leaves undefined there (' and \; a base name has no // or slash-star),
 * nor other control bytes. */
static int check_include(lfsc_ctx *ctx, const char *name)
{
  for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
    if (*c < 0x20 || *c == 0x7F)
      return lfsc_seterr(ctx, LFSC_EARG, "--embed c: the header's name holds byte 0x%02x, which "
                         "an #include line cannot hold: choose another -o name", *c);
    if (*c == '"' || *c == '\'' || *c == '\\')
      return lfsc_seterr(ctx, LFSC_EARG, "--embed c: the header %s cannot be #included (an "
                         "#include \"...\" line cannot hold its '%c'): choose another -o name",
                         name, *c);
  }
  return LFSC_OK;
}

int lfsc_embed_check_output(lfsc_ctx *ctx, const embed_opts *o, embed_kind kind,
                            const char *output)
{
  if (kind != EMBED_C)
    return LFSC_OK;
  char *src, *hdr;
  int rc = c_names(ctx, o, output, &src, &hdr);
  if (rc != LFSC_OK)
    return rc;
  rc = check_include(ctx, include_name(hdr));
  free(src);
  free(hdr);
  return rc;
}

static int write_c(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o, const char *output)
{
  char *src, *hdr;
  int rc = c_names(ctx, o, output, &src, &hdr);
  if (rc != LFSC_OK)
    return rc;
  const char *include = include_name(hdr);
  rc = check_include(ctx, include);
  if (rc != LFSC_OK) {
    free(src);
    free(hdr);
    return rc;
  }

  outfile fs, fh;
  lfsc_sink ss, sh;
  rc = open_out(ctx, &fs, &ss, src);
  if (rc == LFSC_OK) {
    rc = open_out(ctx, &fh, &sh, hdr);
    if (rc != LFSC_OK)
      lfsc_outfile_abort(&fs);
  }
  if (rc == LFSC_OK) {
    rc = lfsc_embed_c_write(ctx, set, o, include, &ss, &sh);
    if (rc != LFSC_OK) {
      lfsc_outfile_abort(&fs);
      lfsc_outfile_abort(&fh);
      rc = write_failed(ctx, rc, src);
    } else if (lfsc_outfile_commit(&fh) != 0) {
      /* nothing delivered yet: the source's temporary file goes too */
      rc = lfsc_seterr(ctx, LFSC_EIO, "cannot write %s: %s", hdr, strerror(errno));
      lfsc_outfile_abort(&fs);
    } else if (lfsc_outfile_commit(&fs) != 0) {
      rc = lfsc_seterr(ctx, LFSC_EIO, "cannot write %s: %s", src, strerror(errno));
    }
  }
  free(src);
  free(hdr);
  return rc;
}

int lfsc_embed_write(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o, embed_kind kind,
                const char *output)
{
  if (kind == EMBED_C)
    return write_c(ctx, set, o, output);
  if (!lfsc_embed_elf_available())
    return lfsc_embed_elf_write(ctx, set, o, NULL);   /* says why */
  const char *p = o->prefix ? o->prefix : EMBED_PREFIX;
  char *name = NULL;
  if (!output) {
    name = malloc(strlen(p) + 3);
    if (!name)
      return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
    sprintf(name, "%s.o", p);
    output = name;
  }
  outfile f;
  lfsc_sink s;
  int rc = open_out(ctx, &f, &s, output);
  if (rc == LFSC_OK) {
    rc = lfsc_embed_elf_write(ctx, set, o, &s);
    if (rc != LFSC_OK) {
      lfsc_outfile_abort(&f);
      rc = write_failed(ctx, rc, output);
    } else if (lfsc_outfile_commit(&f) != 0) {
      rc = lfsc_seterr(ctx, LFSC_EIO, "cannot write %s: %s",
                       strcmp(output, "-") == 0 ? "stdout" : output, strerror(errno));
    }
  }
  free(name);
  return rc;
}
