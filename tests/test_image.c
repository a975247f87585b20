/*
 * Image builder unit tests: ROstrt order, module names, the index
 * function (also run under lua5.1 beyond 50 modules), single-module
 * conformance from the reference .lc vectors (lfsc_lc_read -> image -> compare
 * with the reference images), loader rules of PI files, -m and -s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "lfsc/image.h"
#include "lfsc/lfsc.h"
#include "lfsc/opcodes.h"
#include "deflate/gzip.h"
#include "lfs51/builder.h"
#include "lfsc/platform.h"
#include "lfs51/layout.h"
#include "lua51/lc_write.h"
#include "lua51/lc_read.h"
#include "base/sink.h"
#include "lfs51/strtab.h"
#include "test_image_gzcheck.h"

#define TS 1700000000
#define ABS_ADDR 0x40280000u

/* Set when a tool a test needs (lua5.1, python3) is missing: main then
 * reports the run as skipped rather than passed. */
static int tool_missing;

static unsigned char *slurp(const char *path, size_t *n)
{
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  size_t cap = 65536, len = 0, k;
  unsigned char *p = malloc(cap);
  while (p && (k = fread(p + len, 1, cap - len, fp)) > 0) {
    len += k;
    if (len == cap) {
      cap *= 2;
      unsigned char *q = realloc(p, cap);
      if (!q)
        free(p);
      p = q;
    }
  }
  fclose(fp);
  *n = len;
  return p;
}

static unsigned char *gunzip(const unsigned char *p, size_t n, size_t *outlen)
{
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + 15) != Z_OK)
    return NULL;
  size_t cap = 4 * n + 1024;
  unsigned char *o = malloc(cap);
  zs.next_in = (Bytef *)p;
  zs.avail_in = (uInt)n;
  int rc;
  do {
    if (zs.total_out == cap) {
      cap *= 2;
      o = realloc(o, cap);
    }
    zs.next_out = o + zs.total_out;
    zs.avail_out = (uInt)(cap - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
  } while (rc == Z_OK);
  *outlen = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(o);
    return NULL;
  }
  return o;
}

/* ------------------------------------------------------------------ strtab */

static void test_strtab_worked_example(void **state)
{
  (void)state;
  /* spec §17: insertion "=(luac)", "c15_empty", "@c15_empty.lua", "\x01" */
  lfsc_ctx *ctx = lfsc_new();
  const char *in[] = {"=(luac)", "c15_empty", "@c15_empty.lua", "\x01"};
  const char *want[] = {"\x01", "@c15_empty.lua", "=(luac)", "c15_empty"};
  strtab t;
  lfsc_strtab_init(&t);
  for (int i = 0; i < 4; i++) {
    const lfsc_str *s = lfsc_intern(ctx, in[i], strlen(in[i]));
    assert_int_equal(lfsc_strtab_insert(&t, s), LFSC_OK);
    assert_int_equal(lfsc_strtab_insert(&t, s), LFSC_OK);   /* second insert: no-op */
  }
  assert_int_equal(t.count, 4);
  const lfsc_str *order[4];
  lfsc_strtab_order(&t, order, NULL);
  for (int i = 0; i < 4; i++)
    assert_string_equal(order[i]->data, want[i]);
  for (int i = 0; i < 4; i++)
    assert_ptr_equal(t.node[lfsc_strtab_find(&t, order[i])].key, order[i]);
  lfsc_strtab_free(&t);
  lfsc_free(ctx);
}

static void test_strtab_nbuckets(void **state)
{
  (void)state;
  assert_int_equal(lfsc_strtab_nbuckets(1), 2);
  assert_int_equal(lfsc_strtab_nbuckets(4), 8);
  assert_int_equal(lfsc_strtab_nbuckets(6), 8);
  assert_int_equal(lfsc_strtab_nbuckets(8), 16);
  assert_int_equal(lfsc_strtab_nbuckets(17), 32);
  assert_int_equal(lfsc_strtab_nbuckets(3216), 4096);
}

/* Many keys: every key findable, order = ascending node index, and the
 * node count the smallest power of two holding them (spec §6.4 c). */
static void test_strtab_many(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  strtab t;
  lfsc_strtab_init(&t);
  char buf[32];
  for (int i = 0; i < 5000; i++) {
    int n = snprintf(buf, sizeof buf, "k%d", (i * 7919) % 3001);
    assert_int_equal(lfsc_strtab_insert(&t, lfsc_intern(ctx, buf, (size_t)n)), LFSC_OK);
  }
  assert_int_equal(t.count, 3001);
  assert_int_equal(t.size, 4096);
  const lfsc_str **order = malloc(t.count * sizeof *order);
  uint32_t *index = malloc(t.count * sizeof *index);
  lfsc_strtab_order(&t, order, index);
  for (uint32_t i = 0; i < t.count; i++) {
    assert_int_equal(lfsc_strtab_find(&t, order[i]), (int32_t)index[i]);
    if (i)
      assert_true(index[i] > index[i - 1]);
  }
  free(order);
  free(index);
  lfsc_strtab_free(&t);
  lfsc_free(ctx);
}

/* ------------------------------------------------------------ module names */

static void test_modname(void **state)
{
  (void)state;
  static const char *cases[][2] = {
    {"@c01_basic.lua", "c01_basic"}, {"@lib.v2/c12.util.lua", "c12"},
    {"@dir/.hidden.lua", "hidden"},  {"@..lua", "lua"},
    {"@noext", "noext"},             {"@dir/...", "dir/..."},
    {"@a\\b.lua", "b"},              {"@x/y\\z.lua", "y\\z"},
    {"@./dir/m.a.b", "m"},           {"=stdin", "stdin"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[64];
    size_t n = lfsc_image_modname(cases[i][0], strlen(cases[i][0]), out);
    out[n] = 0;
    assert_string_equal(out, cases[i][1]);
  }
}

/* ---------------------------------------------------------- index function */

/* A module main that returns the number v. */
static lfsc_proto *module(lfsc_ctx *ctx, const char *source, double v)
{
  lfsc_proto *f = lfsc_alloc(ctx, sizeof *f);
  f->source = lfsc_intern(ctx, source, strlen(source));
  f->is_vararg = LFSC_VARARG_ISVARARG;
  f->maxstacksize = 2;
  f->sizek = 1;
  f->k = lfsc_alloc(ctx, sizeof *f->k);
  f->k[0].type = LFSC_K_NUM;
  f->k[0].u.n = v;
  f->sizecode = 3;
  f->code = lfsc_alloc(ctx, 3 * sizeof *f->code);
  f->code[0] = INS_ABx(OP_LOADK, 0, 0);
  f->code[1] = INS_ABC(OP_RETURN, 0, 2, 0);
  f->code[2] = INS_ABC(OP_RETURN, 0, 1, 0);
  return f;
}

static lfsc_proto **modules(lfsc_ctx *ctx, int n)
{
  lfsc_proto **m = lfsc_alloc(ctx, (size_t)n * sizeof *m);
  for (int i = 0; i < n; i++) {
    char src[32];
    snprintf(src, sizeof src, "@dir/m%d.lua", i + 1);
    m[i] = module(ctx, src, i + 1);
  }
  return m;
}

static void test_index_one(void **state)
{
  (void)state;
  /* spec §9: the instruction words for n = 1 */
  static const uint32_t want[] = {0x00400017, 0x80004016, 0x00000064, 0x0100005E, 0x00004041,
                                  0x0080008A, 0x000000C1, 0x008040A2, 0x0180005E, 0x0080001E};
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *idx;
  assert_int_equal(lfsc_image_index(ctx, modules(ctx, 1), NULL, 1, LFSC_TARGET_FLOAT, TS, &idx),
                   LFSC_OK);
  assert_int_equal(idx->sizecode, 10);
  assert_memory_equal(idx->code, want, sizeof want);
  assert_int_equal(idx->maxstacksize, 4);
  assert_int_equal(idx->numparams, 1);
  assert_int_equal(idx->sizek, 2);
  assert_string_equal(idx->k[0].u.s->data, "m1");
  assert_true(idx->k[1].u.n == TS);
  assert_string_equal(idx->source->data, "=(luac)");
  lfsc_free(ctx);
}

static void test_index_fifty(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *idx;
  assert_int_equal(lfsc_image_index(ctx, modules(ctx, 50), NULL, 50, LFSC_TARGET_INT, TS, &idx),
                   LFSC_OK);
  assert_int_equal(idx->sizecode, 5 * 50 + 5);
  assert_int_equal(idx->maxstacksize, 53);
  uint32_t nt = idx->code[4 * 50 + 1];
  assert_int_equal(INS_OP(nt), OP_NEWTABLE);
  assert_int_equal(INS_B(nt), 29);      /* int2fb(50) */
  uint32_t sl = idx->code[4 * 50 + 2 + 50];
  assert_int_equal(INS_OP(sl), OP_SETLIST);
  assert_int_equal(INS_B(sl), 50);
  assert_int_equal(INS_C(sl), 1);
  lfsc_free(ctx);
}

/* Beyond the reference: n modules, written as a stock Lua 5.1 chunk and
 * run by lua5.1, must return each module's closure by name and the
 * timestamp with the full names list. */
static void run_index_in_lua(int n)
{
  if (system("command -v lua5.1 >/dev/null 2>&1") != 0) {
    print_message("lua5.1 not found; skipping the run of %d modules\n", n);
    tool_missing = 1;
    return;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *idx;
  assert_int_equal(lfsc_image_index(ctx, modules(ctx, n), NULL, (size_t)n, LFSC_TARGET_FLOAT, TS,
                               &idx), LFSC_OK);
  assert_true(idx->maxstacksize <= 53);
  char path[] = "/tmp/lfsc-index-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *fp = fdopen(fd, "wb");
  lfsc_sink s;
  lfsc_sink_file_init(&s, fp);
  assert_int_equal(lfsc_lc_write(ctx, idx, LFSC_TARGET_HOST, 0, &s), LFSC_OK);
  fclose(fp);
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "lua5.1 -e '"
           "local f = assert(loadfile(\"%s\")) "
           "local ts, names = f() "
           "assert(ts == %d, \"timestamp\") assert(#names == %d, \"count\") "
           "for i = 1, %d do assert(names[i] == \"m\" .. i, \"name \" .. i) "
           "  local c = f(names[i]) assert(type(c) == \"function\") assert(c() == i) end "
           "assert(f(\"nope\") == %d)'",
           path, TS, n, n, TS);
  int rc = system(cmd);
  unlink(path);
  assert_int_equal(rc, 0);
  lfsc_free(ctx);
}

static void test_index_lua_small(void **state)
{
  (void)state;
  run_index_in_lua(1);
  run_index_in_lua(50);
}

static void test_index_lua_large(void **state)
{
  (void)state;
  run_index_in_lua(51);
  run_index_in_lua(256);
  run_index_in_lua(257);
  run_index_in_lua(1000);
}

static void test_index_codesize(void **state)
{
  (void)state;
  static const size_t ns[] = {1, 2, 49, 50, 51, 100, 101, 255, 256, 257, 1000, IMAGE_MAX_MODULES};
  for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
    size_t n = ns[k], size = lfsc_image_index_codesize(n);
    uint32_t *code = malloc((size + 1) * sizeof *code);
    code[size] = 0xDEADBEEF;
    assert_int_equal(lfsc_image_index_code(n, code), size);
    assert_int_equal(code[size], 0xDEADBEEF);
    if (n <= 50)
      assert_int_equal(size, 5 * n + 5);
    assert_int_equal(lfsc_image_index_maxstack(n), n <= 50 ? (int)n + 3 : 53);
    free(code);
  }
}

static void test_index_limits(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *idx;
  lfsc_proto *m[2] = {module(ctx, "@a/util.lua", 1), module(ctx, "@b/util.lua", 2)};
  const char *files[2] = {"a/util.lua", "b/util.lua"};
  assert_int_equal(lfsc_image_index(ctx, m, files, 2, LFSC_TARGET_FLOAT, TS, &idx), LFSC_EARG);
  assert_non_null(strstr(lfsc_errmsg(ctx), "'util'"));
  assert_non_null(strstr(lfsc_errmsg(ctx), "a/util.lua"));
  assert_non_null(strstr(lfsc_errmsg(ctx), "b/util.lua"));
  assert_int_equal(lfsc_image_index(ctx, m, files, 0, LFSC_TARGET_FLOAT, TS, &idx), LFSC_EARG);
  /* SETLIST's C field counts 511 batches of 50 names */
  size_t big = IMAGE_MAX_MODULES + 1;
  lfsc_proto **many = calloc(big, sizeof *many);
  for (size_t i = 0; i < big; i++)
    many[i] = m[0];
  assert_int_equal(lfsc_image_index(ctx, many, NULL, big, LFSC_TARGET_FLOAT, TS, &idx), LFSC_ELIMIT);
  assert_non_null(strstr(lfsc_errmsg(ctx), "too many modules"));
  free(many);
  /* images exist only for the firmware targets */
  assert_int_equal(lfsc_image_index(ctx, m, files, 1, LFSC_TARGET_HOST, TS, &idx), LFSC_OK);
  image_opts o = {.target = LFSC_TARGET_HOST, .maxsize = 0x40000};
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, NULL), LFSC_EARG);
  lfsc_sink_mem_free(&s);
  lfsc_free(ctx);
}

static void test_timestamp_value(void **state)
{
  (void)state;
  assert_true(lfsc_image_timestamp_value(LFSC_TARGET_FLOAT, TS) == 1700000000.0);
  assert_true(lfsc_image_timestamp_value(LFSC_TARGET_INT, TS) == 1700000000.0);
  assert_true(lfsc_image_timestamp_value(LFSC_TARGET_INT, 0x80000000LL) == -2147483648.0);
  assert_true(lfsc_image_timestamp_value(LFSC_TARGET_FLOAT, 0x80000000LL) == 2147483648.0);
}

static void test_check_addr(void **state)
{
  (void)state;
  const lfsc_platform *pf = lfsc_platform_find("esp8266");
  assert_ptr_equal(pf, &lfsc_platform_esp8266);
  assert_null(lfsc_platform_find("esp8267"));
  lfsc_ctx *ctx = lfsc_new();
  assert_int_equal(pf->check_addr(ctx, 0x40210000u, 0), LFSC_OK);
  assert_int_equal(pf->check_addr(ctx, 0x402FF000u, 0), LFSC_OK);
  assert_int_equal(pf->check_addr(ctx, 0x40280000u, 0), LFSC_OK);
  assert_int_equal(pf->check_addr(ctx, 0x40300000u, 0), LFSC_EARG);
  assert_int_equal(pf->check_addr(ctx, 0x40310000u, 0), LFSC_EARG);
  assert_int_equal(pf->check_addr(ctx, 0x40310000u, LFSC_PLATFORM_NO_WINDOW), LFSC_OK);
  assert_int_equal(pf->check_addr(ctx, 0x40280004u, 0), LFSC_EARG);
  assert_non_null(strstr(lfsc_errmsg(ctx), "4096-byte flash sector"));
  assert_int_equal(pf->check_addr(ctx, 0x40280004u, LFSC_PLATFORM_NO_WINDOW), LFSC_OK);
  assert_int_equal(pf->check_addr(ctx, 0x4020FFFCu, 0), LFSC_EARG);
  assert_int_equal(pf->check_addr(ctx, 0x40310004u, LFSC_PLATFORM_NO_WINDOW), LFSC_EARG);
  assert_int_equal(pf->check_addr(ctx, 0x40210002u, LFSC_PLATFORM_NO_WINDOW), LFSC_EARG);
  assert_non_null(strstr(lfsc_errmsg(ctx), "multiple of 4"));
  assert_int_equal(pf->check_addr(ctx, 0x80000u, 0), LFSC_EARG);
  assert_non_null(strstr(lfsc_errmsg(ctx), "did you mean 0x40280000?"));
  /* start and end: 0xF0000 bytes fill the window from 0x40210000 */
  assert_int_equal(pf->check_image(ctx, 1, 0x40210000u, 0xF0000u, 0), LFSC_OK);
  assert_int_equal(pf->check_image(ctx, 1, 0x40211000u, 0xF0000u, 0), LFSC_ELIMIT);
  assert_non_null(strstr(lfsc_errmsg(ctx), "4096 bytes past the 1 MiB flash window"));
  assert_int_equal(pf->check_image(ctx, 0, 0, 0xF0004u, 0), LFSC_ELIMIT);
  assert_int_equal(pf->check_image(ctx, 0, 0, 0xF0004u, LFSC_PLATFORM_NO_WINDOW), LFSC_OK);
  assert_int_equal(pf->check_maxsize(ctx, 0xF0000u, 0), LFSC_OK);
  assert_int_equal(pf->check_maxsize(ctx, 0xF1000u, 0), LFSC_EARG);
  assert_int_equal(pf->check_maxsize(ctx, 0xF1000u, LFSC_PLATFORM_NO_WINDOW), LFSC_OK);
  assert_int_equal(pf->check_maxsize(ctx, 0x3E1000u, LFSC_PLATFORM_NO_WINDOW), LFSC_EARG);
  assert_int_equal(pf->check_partition(ctx, 0x78000u, 0x20000u, 0), LFSC_OK);
  assert_int_equal(pf->check_partition(ctx, 0xF0000u, 0x20000u, 0), LFSC_ELIMIT);
  assert_int_equal(pf->check_partition(ctx, 0x78800u, 0x20000u, 0), LFSC_ELIMIT);
  lfsc_free(ctx);
}

/* ---------------------------------------------- conformance from .lc files */

typedef struct built {
  unsigned char *abs, *pi, *pi_inflated;
  size_t abslen, pilen, pi_inflated_len;
  uint32_t size;
} built;

static void build_both(lfsc_ctx *ctx, lfsc_proto **chunks, size_t n, lfsc_target t, int strip,
                       built *b)
{
  lfsc_proto *idx;
  assert_int_equal(lfsc_image_index(ctx, chunks, NULL, n, t, TS, &idx), LFSC_OK);
  image_opts o = {.target = t, .absolute = 1, .addr = ABS_ADDR, .maxsize = 0x40000,
                  .strip = strip, .platform = &lfsc_platform_esp8266};
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &b->size), LFSC_OK);
  b->abs = s.buf;
  b->abslen = s.len;
  o.absolute = 0;
  lfsc_sink_mem_init(&s);
  uint32_t size2;
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size2), LFSC_OK);
  assert_int_equal(size2, b->size);
  b->pi = s.buf;
  b->pilen = s.len;
  b->pi_inflated = gunzip(b->pi, b->pilen, &b->pi_inflated_len);
  assert_non_null(b->pi_inflated);
}

static void built_free(built *b)
{
  free(b->abs);
  free(b->pi);
  free(b->pi_inflated);
}

static const char *const stems[] = {
  "c01_basic", "c02_control", "c03_closures", "c04_varargs", "c05_strings",
  "c06_manyconst", "c07_methods", "c08_multiassign", "c09_bigtable", "c10_intonly",
  "c11_nested", "c12", "c13_lines", "c14_misc", "c15_empty", "c16_scopes",
  "c17_bytes", "c18_tailcalls", "c19_manyint", "c20_linefix",
};

/* One reference vector pair: <variant>/single/<stem>.{abs,pi}.img from the
 * protos of lc/<lcdir>/<stem>.lc. Returns 1 if compared, 0 if absent. */
static int single_vector(const char *variant, const char *lcdir, lfsc_target t,
                         const char *stem)
{
  char path[512];
  size_t lclen, abslen, pilen;
  snprintf(path, sizeof path, "%s/lc/%s/%s.lc", LFSC_CONFORMANCE_DIR, lcdir, stem);
  unsigned char *lc = slurp(path, &lclen);
  if (!lc)
    return 0;
  snprintf(path, sizeof path, "%s/%s/single/%s.abs.img", LFSC_CONFORMANCE_DIR, variant, stem);
  unsigned char *ref_abs = slurp(path, &abslen);
  snprintf(path, sizeof path, "%s/%s/single/%s.pi.img", LFSC_CONFORMANCE_DIR, variant, stem);
  unsigned char *ref_pi = slurp(path, &pilen);
  if (!ref_abs || !ref_pi) {
    free(lc);
    free(ref_abs);
    free(ref_pi);
    return 0;
  }
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *chunk;
  assert_int_equal(lfsc_lc_read(ctx, lc, lclen, stem, t, &chunk), LFSC_OK);
  built b;
  build_both(ctx, &chunk, 1, t, 0, &b);
  size_t reflen;
  unsigned char *ref = gunzip(ref_pi, pilen, &reflen);
  assert_non_null(ref);
  if (b.abslen != abslen || memcmp(b.abs, ref_abs, abslen) != 0)
    fail_msg("%s/single/%s.abs.img differs", variant, stem);
  if (b.pi_inflated_len != reflen || memcmp(b.pi_inflated, ref, reflen) != 0)
    fail_msg("%s/single/%s.pi.img: inflated content differs", variant, stem);
  gzcheck_result r;
  if (gzcheck(b.pi, b.pilen, lfsc_layout_signature(t), 0x40000, &r) != 0)
    fail_msg("%s/single/%s.pi.img: loader rejects our file: %s", variant, stem, r.err);
  assert_int_equal(r.len, reflen);
  free(r.data);
  assert_true(b.pilen <= pilen);
  built_free(&b);
  free(ref);
  free(lc);
  free(ref_abs);
  free(ref_pi);
  lfsc_free(ctx);
  return 1;
}

static void test_single_vectors(void **state)
{
  (void)state;
  int n = 0;
  for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
    n += single_vector("float", "float", LFSC_TARGET_FLOAT, stems[i]);
    n += single_vector("float16", "float", LFSC_TARGET_FLOAT16, stems[i]);
    n += single_vector("int", "int", LFSC_TARGET_INT, stems[i]);
  }
  print_message("%d single-module vector pairs identical\n", n);
  assert_true(n >= 55);
}

/* bytecode_dbg: .lc inputs that carry local and upvalue names. */
static void test_bytecode_dbg(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  const char *files[2] = {"bytecode/c03_closures.dbg0.lc", "bytecode/c11_nested.dbg0.lc"};
  lfsc_proto *chunks[2];
  for (int i = 0; i < 2; i++) {
    char path[512];
    size_t n;
    snprintf(path, sizeof path, "%s/src/%s", LFSC_CONFORMANCE_DIR, files[i]);
    unsigned char *p = slurp(path, &n);
    assert_non_null(p);
    assert_int_equal(lfsc_lc_read(ctx, p, n, files[i], LFSC_TARGET_FLOAT, &chunks[i]), LFSC_OK);
    free(p);
  }
  built b;
  build_both(ctx, chunks, 2, LFSC_TARGET_FLOAT, 0, &b);
  size_t reflen;
  unsigned char *ref = slurp(LFSC_CONFORMANCE_DIR "/float/bytecode_dbg.abs.img", &reflen);
  assert_non_null(ref);
  assert_int_equal(b.abslen, reflen);
  assert_memory_equal(b.abs, ref, reflen);
  free(ref);

  /* -s: no line info, locals or upvalue names, and a smaller image */
  built s;
  build_both(ctx, chunks, 2, LFSC_TARGET_FLOAT, 1, &s);
  assert_true(s.size < b.size);
  size_t words = s.pi_inflated_len / 4;
  uint32_t size = rd_u32le(s.pi_inflated + 4);
  assert_int_equal(size, s.size);
  /* walk every Proto: the main one is last; children through p vectors */
  uint32_t stack[256];
  int sp = 0;
  stack[sp++] = rd_u32le(s.pi_inflated + 8);
  int nprotos = 0;
  while (sp > 0) {
    uint32_t po = stack[--sp];
    assert_true(po < words);
    const unsigned char *p = s.pi_inflated + 4 * po;
    assert_int_equal(rd_u32le(p + 4 * LFSIMG_P_LINEINFO), 0);
    assert_int_equal(rd_u32le(p + 4 * LFSIMG_P_LOCVARS), 0);
    assert_int_equal(rd_u32le(p + 4 * LFSIMG_P_UPVALUES), 0);
    assert_int_equal(rd_u32le(p + 4 * LFSIMG_P_SIZELOCVARS), 0);
    assert_int_equal(rd_u32le(p + 4 * LFSIMG_P_SIZEUPVALUES), 0);
    assert_int_not_equal(rd_u32le(p + 4 * LFSIMG_P_SOURCE), 0);
    uint32_t np = rd_u32le(p + 4 * LFSIMG_P_SIZEP), pv = rd_u32le(p + 4 * LFSIMG_P_P);
    for (uint32_t i = 0; i < np; i++) {
      assert_true(sp < 256);
      stack[sp++] = rd_u32le(s.pi_inflated + 4 * (pv + i));
    }
    nprotos++;
  }
  assert_true(nprotos > 3);
  built_free(&s);
  built_free(&b);
  lfsc_free(ctx);
}

/* ------------------------------------------------------------ PI file rules */

/* A PI image relocated to base B with the ABSOLUTE bit set is the ABS
 * image at B (spec §4.3), and the bitmap has exactly the required size. */
static void test_pi_abs_equivalence(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  built b;
  build_both(ctx, modules(ctx, 60), 60, LFSC_TARGET_FLOAT16, 0, &b);
  assert_int_equal(b.abslen, b.size);
  assert_int_equal(b.pi_inflated_len, b.size + LFSIMG_BITMAP_BYTES(b.size));
  for (size_t i = 0; i < b.size / 4; i++) {
    uint32_t w = rd_u32le(b.pi_inflated + 4 * i);
    uint32_t bit = rd_u32le(b.pi_inflated + b.size + 4 * (i / 32)) >> (i % 32) & 1;
    if (i == 0)
      w |= LFSIMG_SIG_ABSOLUTE;
    else if (bit)
      w = ABS_ADDR + 4 * w;
    assert_int_equal(w, rd_u32le(b.abs + 4 * i));
  }
  built_free(&b);
  lfsc_free(ctx);
}

/* The smallest image still makes a file the loader accepts (> 200
 * bytes), and the first byte is never the target of a back-reference
 * even when the signature bytes recur (the reference's quirk_sigbytes). */
static void test_pi_loader_rules(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *m = module(ctx, "@x.lua", 1);
  static const lfsc_target targets[] = {LFSC_TARGET_FLOAT, LFSC_TARGET_FLOAT16,
                                        LFSC_TARGET_INT};
  for (int t = 0; t < 3; t++) {
    for (int fixed = 0; fixed < 2; fixed++) {
      /* a constant equal to the first four image bytes */
      unsigned char sig[4];
      wr_u32le(sig, lfsc_layout_signature(targets[t]));
      m->k[0].type = LFSC_K_STR;
      m->k[0].u.s = lfsc_intern(ctx, (const char *)sig, 4);
      lfsc_proto *idx;
      assert_int_equal(lfsc_image_index(ctx, &m, NULL, 1, targets[t], TS, &idx), LFSC_OK);
      image_opts o = {.target = targets[t], .maxsize = 0x40000,
                      .gzip_flags = fixed ? GZIP_FIXED : 0};
      lfsc_sink s;
      lfsc_sink_mem_init(&s);
      assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, NULL), LFSC_OK);
      gzcheck_result r;
      if (gzcheck(s.buf, s.len, lfsc_layout_signature(targets[t]), 0x40000, &r) != 0)
        fail_msg("target %d fixed %d: %s", t, fixed, r.err);
      assert_true(s.len > 200);
      if (fixed)
        assert_int_equal(r.blocks[0] + r.blocks[2], 0);
      free(r.data);
      lfsc_sink_mem_free(&s);
    }
  }
  lfsc_free(ctx);
}

/* Cross-check with the spec's Python model of the firmware loader, which
 * decodes fixed-Huffman blocks only: our fixed-block files of every
 * single-module vector must all be accepted, and our C rules must agree. */
static void test_python_loader(void **state)
{
  (void)state;
  const char *tools = LFSC_CONFORMANCE_DIR "/../spec/tools/lfs51loader.py";
  if (access(tools, R_OK) != 0 || system("command -v python3 >/dev/null 2>&1") != 0) {
    print_message("python3 or lfs51loader.py missing; skipped\n");
    tool_missing = 1;
    return;
  }
  char dir[] = "/tmp/lfsc-pyloader-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char cmd[8192];
  int len = snprintf(cmd, sizeof cmd, "python3 %s", tools);
  int nfiles = 0;
  static const lfsc_target targets[] = {LFSC_TARGET_FLOAT, LFSC_TARGET_FLOAT16,
                                        LFSC_TARGET_INT};
  for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
    for (int t = 0; t < 3; t++) {
      char path[512];
      size_t lclen;
      snprintf(path, sizeof path, "%s/lc/%s/%s.lc", LFSC_CONFORMANCE_DIR,
               targets[t] == LFSC_TARGET_INT ? "int" : "float", stems[i]);
      unsigned char *lc = slurp(path, &lclen);
      if (!lc)
        continue;
      lfsc_ctx *ctx = lfsc_new();
      lfsc_proto *chunk, *idx;
      if (lfsc_lc_read(ctx, lc, lclen, stems[i], targets[t], &chunk) != LFSC_OK) {
        free(lc);
        lfsc_free(ctx);
        continue;               /* lc/int/c10_intonly.fail.lc and the like */
      }
      assert_int_equal(lfsc_image_index(ctx, &chunk, NULL, 1, targets[t], TS, &idx), LFSC_OK);
      image_opts o = {.target = targets[t], .maxsize = 0x40000, .gzip_flags = GZIP_FIXED};
      lfsc_sink s;
      lfsc_sink_mem_init(&s);
      assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, NULL), LFSC_OK);
      gzcheck_result r;
      if (gzcheck(s.buf, s.len, lfsc_layout_signature(targets[t]), 0x40000, &r) != 0)
        fail_msg("%s: %s", stems[i], r.err);
      free(r.data);
      snprintf(path, sizeof path, "%s/%s.%d.img", dir, stems[i], t);
      FILE *fp = fopen(path, "wb");
      assert_non_null(fp);
      assert_int_equal(fwrite(s.buf, 1, s.len, fp), s.len);
      fclose(fp);
      len += snprintf(cmd + len, sizeof cmd - (size_t)len, " %s", path);
      nfiles++;
      lfsc_sink_mem_free(&s);
      free(lc);
      lfsc_free(ctx);
    }
  }
  assert_true(nfiles >= 55);
  snprintf(cmd + len, sizeof cmd - (size_t)len, " > %s/verdicts.txt", dir);
  assert_int_equal(system(cmd), 0);
  char path[512];
  snprintf(path, sizeof path, "%s/verdicts.txt", dir);
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  char line[1024];
  int ok = 0;
  while (fgets(line, sizeof line, fp)) {
    if (strstr(line, " OK matches="))
      ok++;
    else
      print_message("lfs51loader.py: %s", line);
  }
  fclose(fp);
  assert_int_equal(ok, nfiles);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

/* gzip sink on its own: round trip of data of many sizes. */
static void test_gzip_roundtrip(void **state)
{
  (void)state;
  static const size_t sizes[] = {1, 2, 3, 100, 5000, 70000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    size_t n = sizes[k];
    unsigned char *data = malloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      data[i] = (unsigned char)((x >> 16) % (i % 7 + 2));   /* compressible */
    }
    for (int fixed = 0; fixed < 2; fixed++) {
      lfsc_sink s;
      lfsc_sink_mem_init(&s);
      assert_int_equal(lfsc_gzip_write(data, n, fixed ? GZIP_FIXED : 0, 201, &s), LFSC_OK);
      assert_true(s.len >= 201);
      size_t m;
      unsigned char *back = gunzip(s.buf, s.len, &m);
      assert_non_null(back);
      assert_int_equal(m, n);
      assert_memory_equal(back, data, n);
      free(back);
      lfsc_sink_mem_free(&s);
    }
    free(data);
  }
}

/* ---------------------------------------------------------------- limits */

static void test_maxsize(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  lfsc_proto *idx;
  assert_int_equal(lfsc_image_index(ctx, modules(ctx, 20), NULL, 20, LFSC_TARGET_FLOAT, TS, &idx),
                   LFSC_OK);
  image_opts o = {.target = LFSC_TARGET_FLOAT, .maxsize = 0x40000};
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  uint32_t size = 0;
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size), LFSC_OK);
  assert_true(size > 1000);
  lfsc_sink_mem_free(&s);

  o.maxsize = size;             /* exactly fits */
  lfsc_sink_mem_init(&s);
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, NULL), LFSC_OK);
  lfsc_sink_mem_free(&s);

  o.maxsize = size - 4;
  lfsc_sink_mem_init(&s);
  uint32_t size2 = 0;
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size2), LFSC_ELIMIT);
  assert_int_equal(size2, size);
  assert_int_equal(s.len, 0);   /* nothing written */
  assert_non_null(strstr(lfsc_errmsg(ctx), "4 bytes over"));
  lfsc_sink_mem_free(&s);
  lfsc_free(ctx);
}

/* An image past 256 KiB (the reference's fixed buffer) is fine when -m
 * allows it; strings of every kind land in the ROstrt exactly once. */
static void test_big_image(void **state)
{
  (void)state;
  lfsc_ctx *ctx = lfsc_new();
  int n = 120;
  lfsc_proto **m = modules(ctx, n);
  for (int i = 0; i < n; i++) {
    lfsc_proto *f = m[i];
    f->sizek = 300;
    f->k = lfsc_alloc(ctx, 300 * sizeof *f->k);
    for (int j = 0; j < 300; j++) {
      char buf[64];
      int len = snprintf(buf, sizeof buf, "string constant %d of module %d", j, i % 40);
      f->k[j].type = LFSC_K_STR;
      f->k[j].u.s = lfsc_intern(ctx, buf, (size_t)len);
    }
  }
  lfsc_proto *idx;
  assert_int_equal(lfsc_image_index(ctx, m, NULL, (size_t)n, LFSC_TARGET_FLOAT, TS, &idx), LFSC_OK);
  image_opts o = {.target = LFSC_TARGET_FLOAT, .maxsize = 0x40000,
                  .platform = &lfsc_platform_esp8266};
  lfsc_sink s;
  lfsc_sink_mem_init(&s);
  uint32_t size;
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size), LFSC_ELIMIT);
  assert_true(size > 0x40000);
  o.maxsize = 0x400000;
  /* bigger than the device's mapped window allows: only the format's
   * limit applies with the window check off */
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size), LFSC_ELIMIT);
  assert_non_null(strstr(lfsc_errmsg(ctx), "larger than any LFS image can be: 983040 bytes"));
  o.limits = LFSC_PLATFORM_NO_WINDOW;
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size), LFSC_OK);
  gzcheck_result r;
  assert_int_equal(gzcheck(s.buf, s.len, LFSIMG_SIG_FLOAT, 0x400000, &r), 0);
  /* 40 * 300 distinct constants + 120 sources + 120 names + "=(luac)" */
  assert_int_equal(rd_u32le(r.data + 16), 40 * 300 + 120 + 120 + 1);
  assert_int_equal(r.maxdist <= 16384, 1);
  free(r.data);
  /* no platform: only the format's own bound, so the same bytes */
  size_t len = s.len;
  lfsc_sink_mem_free(&s);
  lfsc_sink_mem_init(&s);
  o.limits = 0;
  o.platform = NULL;
  assert_int_equal(lfsc_image_build(ctx, idx, &o, &s, &size), LFSC_OK);
  assert_int_equal(s.len, len);
  lfsc_sink_mem_free(&s);
  lfsc_free(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_strtab_worked_example),
    cmocka_unit_test(test_strtab_nbuckets),
    cmocka_unit_test(test_strtab_many),
    cmocka_unit_test(test_modname),
    cmocka_unit_test(test_index_one),
    cmocka_unit_test(test_index_fifty),
    cmocka_unit_test(test_index_lua_small),
    cmocka_unit_test(test_index_lua_large),
    cmocka_unit_test(test_index_codesize),
    cmocka_unit_test(test_index_limits),
    cmocka_unit_test(test_timestamp_value),
    cmocka_unit_test(test_check_addr),
    cmocka_unit_test(test_single_vectors),
    cmocka_unit_test(test_bytecode_dbg),
    cmocka_unit_test(test_pi_abs_equivalence),
    cmocka_unit_test(test_pi_loader_rules),
    cmocka_unit_test(test_python_loader),
    cmocka_unit_test(test_gzip_roundtrip),
    cmocka_unit_test(test_maxsize),
    cmocka_unit_test(test_big_image),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0 && tool_missing) {
    printf("SKIP: a tool was missing, part of the test did not run\n");
    return 77;                  /* ctest: skipped (SKIP_RETURN_CODE) */
  }
  return rc;
}
