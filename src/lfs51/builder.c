/*
 * LFS image build: the index function (image spec §9) and the PI / ABS
 * output of the laid-out image (§4, §10, §12).
 */
#include <stdlib.h>
#include <string.h>

#include "lfsc/image.h"
#include "lfsc/opcodes.h"
#include "deflate/gzip.h"
#include "builder.h"
#include "layout.h"
#include "reader.h"

size_t lfsc_image_modname(const char *source, size_t len, char *out)
{
  if (len == 0)
    return 0;
  const char *s = source + 1, *end = source + len;   /* drop '@' or '=' */
  const char *base = s;
  for (const char *p = s; p < end; p++)
    if (*p == '/')
      base = p + 1;
  if (base == s)                /* no '/': Windows-style separators */
    for (const char *p = s; p < end; p++)
      if (*p == '\\')
        base = p + 1;
  while (base < end && *base == '.')
    base++;
  const char *stop = base;
  while (stop < end && *stop != '.')
    stop++;
  if (stop == base) {           /* nothing left: keep the whole name */
    base = s;
    stop = end;
  }
  memcpy(out, base, (size_t)(stop - base));
  return (size_t)(stop - base);
}

lfsc_number lfsc_image_timestamp_value(lfsc_target target, int64_t timestamp)
{
  if (lfsc_target_variant(target).numbers != LFSC_NUM_INT32)
    return (lfsc_number)timestamp;
  /* The integer build stores time_t in an int32 (it wraps in 2038). */
  uint32_t v = (uint32_t)((uint64_t)timestamp & 0xFFFFFFFFu);
  int64_t s = v <= 0x7FFFFFFFu ? (int64_t)v : (int64_t)v - 0x100000000LL;
  return (lfsc_number)s;
}

/* Lua 5.1's "floating point byte" for NEWTABLE sizes: eeeeexxx. */
static unsigned int2fb(unsigned x)
{
  unsigned e = 0;
  while (x >= 16) {
    x = (x + 1) >> 1;
    e++;
  }
  return x < 8 ? x : ((e + 1) << 3) | (x - 8);
}

/* Printable name of chunk i for messages. */
static const char *chunk_label(lfsc_proto *const *chunks, const char *const *files, size_t i)
{
  if (files && files[i])
    return files[i];
  const lfsc_str *src = chunks[i]->source;
  return src && src->len > 0 ? src->data + 1 : "?";
}

/* Module names as interned strings; duplicates are an error. */
static int module_names(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                        size_t n, const lfsc_str **names)
{
  size_t cap = 16;
  while (cap < 2 * n)
    cap *= 2;
  size_t *seen = malloc(cap * sizeof *seen);   /* chunk index + 1, 0 = empty */
  if (!seen)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  memset(seen, 0, cap * sizeof *seen);
  int rc = LFSC_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const char *src;
    size_t len;
    char *tmp = NULL;
    if (chunks[i]->source) {
      src = chunks[i]->source->data;
      len = chunks[i]->source->len;
    } else {                    /* stripped bytecode: name it after its file */
      const char *f = files && files[i] ? files[i] : "?";
      len = strlen(f) + 1;
      tmp = malloc(len + 1);
      if (!tmp) {
        rc = lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
        break;
      }
      tmp[0] = '@';
      memcpy(tmp + 1, f, len);
      src = tmp;
    }
    char *buf = malloc(len + 1);
    if (!buf) {
      free(tmp);
      rc = lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
      break;
    }
    size_t nl = lfsc_image_modname(src, len, buf);
    names[i] = lfsc_intern(ctx, buf, nl);
    free(buf);
    free(tmp);
    if (!names[i]) {
      rc = lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
      break;
    }
    /* interned: equal names are equal pointers */
    for (size_t h = names[i]->hash & (cap - 1);; h = (h + 1) & (cap - 1)) {
      if (!seen[h]) {
        seen[h] = i + 1;
        break;
      }
      size_t j = seen[h] - 1;
      if (names[j] == names[i]) {
        rc = lfsc_seterr(ctx, LFSC_EARG, "duplicate module name '%s': %s and %s",
                         names[i]->data, chunk_label(chunks, files, j),
                         chunk_label(chunks, files, i));
        break;
      }
    }
  }
  free(seen);
  return rc;
}

/* The index function's code (§9). For n <= 50 it is the reference's
 * instruction for instruction. Beyond that, the two limits of its scheme
 * are lifted: names past constant 255 cannot be RK operands of EQ, so
 * they are loaded into R1 first; and the names table is filled by
 * SETLIST in batches of 50, reusing R3..R52. */
size_t lfsc_image_index_code(size_t n, uint32_t *code)
{
  size_t pc = 0;
  for (size_t i = 0; i < n; i++) {
    if (i <= LFSC_MAXINDEXRK) {
      code[pc++] = INS_ABC(OP_EQ, 0, 0, LFSC_BITRK | i);
    } else {
      code[pc++] = INS_ABx(OP_LOADK, 1, i);
      code[pc++] = INS_ABC(OP_EQ, 0, 0, 1);
    }
    code[pc++] = INS_AsBx(OP_JMP, 0, 2);
    code[pc++] = INS_ABx(OP_CLOSURE, 1, i);
    code[pc++] = INS_ABC(OP_RETURN, 1, 2, 0);
  }
  code[pc++] = INS_ABx(OP_LOADK, 1, n);
  code[pc++] = INS_ABC(OP_NEWTABLE, 2, int2fb((unsigned)n), 0);
  for (size_t start = 0; start < n; start += LFSC_FIELDS_PER_FLUSH) {
    size_t cnt = n - start < LFSC_FIELDS_PER_FLUSH ? n - start : LFSC_FIELDS_PER_FLUSH;
    for (size_t j = 0; j < cnt; j++)
      code[pc++] = INS_ABx(OP_LOADK, 3 + j, start + j);
    code[pc++] = INS_ABC(OP_SETLIST, 2, cnt, start / LFSC_FIELDS_PER_FLUSH + 1);
  }
  code[pc++] = INS_ABC(OP_RETURN, 1, 3, 0);
  code[pc++] = INS_ABC(OP_RETURN, 0, 1, 0);
  return pc;
}

size_t lfsc_image_index_codesize(size_t n)
{
  size_t big = n > LFSC_MAXINDEXRK + 1 ? n - (LFSC_MAXINDEXRK + 1) : 0;
  size_t batches = (n + LFSC_FIELDS_PER_FLUSH - 1) / LFSC_FIELDS_PER_FLUSH;
  return 5 * n + big + (batches > 1 ? batches - 1 : 0) + 5;
}

int lfsc_image_index_maxstack(size_t n)
{
  return 3 + (int)(n < LFSC_FIELDS_PER_FLUSH ? n : LFSC_FIELDS_PER_FLUSH);
}

int lfsc_image_index(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                size_t n, lfsc_target target, int64_t timestamp, lfsc_proto **out)
{
  *out = NULL;
  if (n == 0)
    return lfsc_seterr(ctx, LFSC_EARG, "no chunks for the index function");
  if (n > IMAGE_MAX_MODULES)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "too many modules: %zu (at most %d)", n,
                       IMAGE_MAX_MODULES);
  lfsc_proto *f = lfsc_alloc(ctx, sizeof *f);
  lfsc_const *k = lfsc_alloc(ctx, (n + 1) * sizeof *k);
  lfsc_proto **p = lfsc_alloc(ctx, n * sizeof *p);
  uint32_t *code = lfsc_alloc(ctx, lfsc_image_index_codesize(n) * sizeof *code);
  const lfsc_str **names = calloc(n, sizeof *names);
  const lfsc_str *source = lfsc_intern(ctx, "=(luac)", 7);
  if (!f || !k || !p || !code || !names || !source) {
    free(names);
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  }
  int rc = module_names(ctx, chunks, files, n, names);
  if (rc) {
    free(names);
    return rc;
  }
  for (size_t i = 0; i < n; i++) {
    k[i].type = LFSC_K_STR;
    k[i].u.s = names[i];
    p[i] = chunks[i];
  }
  free(names);
  k[n].type = LFSC_K_NUM;
  k[n].u.n = lfsc_image_timestamp_value(target, timestamp);

  f->source = source;
  f->numparams = 1;
  f->is_vararg = 0;
  f->nups = 0;
  f->maxstacksize = (uint8_t)lfsc_image_index_maxstack(n);
  f->sizek = (int)(n + 1);
  f->k = k;
  f->sizep = (int)n;
  f->p = p;
  f->code = code;
  f->sizecode = (int)lfsc_image_index_code(n, code);
  *out = f;
  return LFSC_OK;
}

int lfsc_image_build(lfsc_ctx *ctx, const lfsc_proto *index, const image_opts *opts,
                lfsc_sink *out, uint32_t *size)
{
  layout l;
  /* the platform's builder rules: its bucket count and what -s keeps */
  const lfsc_platform *pf = opts->platform;
  layout_opts lo = {.target = opts->target, .strip = opts->strip,
                    .strip_keeps_source = pf && pf->strip_keeps_source,
                    .ro_buckets = pf ? pf->ro_buckets : NULL};
  int rc = lfsc_layout_build(ctx, index, &lo, &l);
  if (rc)
    return rc;
  uint32_t fsize = lfsc_layout_size(&l);
  if (size)
    *size = fsize;
  if (opts->platform)
    rc = opts->platform->check_image(ctx, opts->absolute, opts->addr, fsize, opts->limits);
  else if (fsize > READER_IMAGE_MAX)
    rc = lfsc_seterr(ctx, LFSC_ELIMIT, "image of %lu bytes is larger than the image format "
                     "allows: %lu bytes", (unsigned long)fsize, (unsigned long)READER_IMAGE_MAX);
  if (rc) {
    lfsc_layout_free(&l);
    return rc;
  }
  if (fsize > opts->maxsize) {
    lfsc_layout_free(&l);
    return lfsc_seterr(ctx, LFSC_ELIMIT,
                       "image is %lu bytes, %llu bytes over the maximum size of %llu bytes"
                       " (-m)", (unsigned long)fsize,
                       (unsigned long long)(fsize - opts->maxsize),
                       (unsigned long long)opts->maxsize);
  }
  if (opts->absolute) {
    lfsc_layout_write_abs(&l, opts->addr, out);
    rc = out->status;
  } else {
    lfsc_sink pi;
    lfsc_sink_mem_init(&pi);
    lfsc_layout_write_pi(&l, &pi);
    rc = pi.status;
    if (!rc)
      rc = lfsc_gzip_write(pi.buf, pi.len, opts->gzip_flags, LFSIMG_GZ_MIN_FILE, out);
    lfsc_sink_mem_free(&pi);
  }
  lfsc_layout_free(&l);
  if (rc == LFSC_EMEM)
    return lfsc_seterr(ctx, rc, "out of memory");
  if (rc)
    return lfsc_seterr(ctx, rc, "write error");
  return LFSC_OK;
}
