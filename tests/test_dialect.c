/*
 * The dialect table (lfsc/dialect.h): lookup by name, and that a program
 * going through the table gets the bytes the rooms' own functions write
 * (a .lc of each firmware variant, a host chunk, an image). And the target
 * presets (lfsc_target_variant): what each named target is, field by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lfsc/dialect.h"
#include "lfsc/image.h"
#include "lfs51/layout.h"
#include "lua51/lc_write.h"

static void test_find(void **state)
{
  (void)state;
  assert_ptr_equal(lfsc_dialect_find(NULL), &lfsc_dialect_lua51);
  assert_ptr_equal(lfsc_dialect_find(""), &lfsc_dialect_lua51);
  assert_ptr_equal(lfsc_dialect_find("5.1"), &lfsc_dialect_lua51);
  assert_ptr_equal(lfsc_dialect_find("51"), &lfsc_dialect_lua51);
  assert_null(lfsc_dialect_find("5.2"));
  assert_ptr_equal(lfsc_dialect_find("5.3"), &lfsc_dialect_lua53);
  assert_ptr_equal(lfsc_dialect_find("53"), &lfsc_dialect_lua53);
  assert_null(lfsc_dialect_find("5.4"));
  assert_string_equal(lfsc_dialect_lua51.name, "5.1");
  assert_int_equal(lfsc_dialect_lua51.lua, LFSC_LUA51);
  assert_string_equal(lfsc_dialect_lua53.name, "5.3");
  assert_int_equal(lfsc_dialect_lua53.lua, LFSC_LUA53);
}

static const char src[] =
    "local t = {1, 2.5, 'x', true}\n"
    "return function(a, ...) return #t + a, ... end\n";

static void test_same_bytes(void **state)
{
  (void)state;
  const lfsc_dialect *d = lfsc_dialect_find("5.1");
  lfsc_ctx *ctx = lfsc_new();
  assert_non_null(ctx);
  lfsc_compile_opts co = {.nummodel = LFSC_NUM_DOUBLE};
  lfsc_proto *f = NULL;
  assert_int_equal(d->compile(ctx, &co, "@m.lua", src, sizeof src - 1, &f), LFSC_OK);
  assert_int_equal(f->lua, LFSC_LUA51);
  const char *why = NULL;
  assert_int_equal(d->check_code(f, &why, NULL), 1);
  lfsc_target targets[] = {LFSC_TARGET_FLOAT, LFSC_TARGET_FLOAT16, LFSC_TARGET_HOST};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    lfsc_sink a, b;
    lfsc_sink_mem_init(&a);
    lfsc_sink_mem_init(&b);
    assert_int_equal(d->write_chunk(ctx, f, targets[i], 0, &a), LFSC_OK);
    assert_int_equal(lfsc_lc_write(ctx, f, targets[i], 0, &b), LFSC_OK);
    assert_true(a.len > 12);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    lfsc_sink_mem_free(&a);
    lfsc_sink_mem_free(&b);
  }
  /* an image through the table, read back through it */
  lfsc_proto *index = NULL;
  assert_int_equal(d->image_index(ctx, &f, NULL, 1, LFSC_TARGET_FLOAT, 1700000000, &index),
                   LFSC_OK);
  lfsc_image_opts io = {.target = LFSC_TARGET_FLOAT, .maxsize = LFSC_IMAGE_MAXSIZE};
  lfsc_sink img;
  lfsc_sink_mem_init(&img);
  uint32_t size = 0;
  assert_int_equal(d->image_write(ctx, index, &io, &img, &size), LFSC_OK);
  assert_true(size > 0);
  lfsc_image_info info;
  assert_int_equal(d->image_read(ctx, img.buf, img.len, &info), LFSC_OK);
  assert_int_equal(info.nmodules, 1);
  assert_non_null(info.modules[0].name);
  assert_string_equal(info.modules[0].name->data, "m");
  lfsc_sink_mem_free(&img);
  lfsc_free(ctx);
}

/* Each preset as its fields, the signature and .lc header it makes, and
 * its name both ways. */
static void test_presets(void **state)
{
  (void)state;
  static const struct {
    lfsc_target t;
    const char *name;
    lfsc_format format;
    lfsc_nummodel numbers;
    unsigned tvalue_size;
    uint32_t sig;               /* 0: no image */
    unsigned number_bytes, integral;  /* of the 5.1 .lc format */
    lfsc_lua lua;
  } want[] = {
    {LFSC_TARGET_FLOAT, "float", LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, 12, 0xFAFAA154u, 8, 0, LFSC_LUA51},
    {LFSC_TARGET_FLOAT16, "float16", LFSC_FORMAT_NODEMCU, LFSC_NUM_DOUBLE, 16, 0xFAFAA150u, 8, 0, LFSC_LUA51},
    {LFSC_TARGET_INT, "int", LFSC_FORMAT_NODEMCU, LFSC_NUM_INT32, 8, 0xFAFAA152u, 4, 1, LFSC_LUA51},
    {LFSC_TARGET_HOST, "host", LFSC_FORMAT_HOST, LFSC_NUM_DOUBLE, 0, 0, 8, 0, LFSC_LUA51},
    {LFSC_TARGET_53_INT32_SINGLEFP, "5.3-int32-singlefp", LFSC_FORMAT_NODEMCU, LFSC_NUM_I32_F32,
     8, 0, 0, 0, LFSC_LUA53},
    {LFSC_TARGET_53_INT64_DOUBLEFP, "5.3-int64-doublefp", LFSC_FORMAT_NODEMCU, LFSC_NUM_I64_F64,
     12, 0, 0, 0, LFSC_LUA53},
    {LFSC_TARGET_53_INT32_DOUBLEFP, "5.3-int32-doublefp", LFSC_FORMAT_NODEMCU, LFSC_NUM_I32_F64,
     12, 0, 0, 0, LFSC_LUA53},
    {LFSC_TARGET_53_INT64_SINGLEFP, "5.3-int64-singlefp", LFSC_FORMAT_NODEMCU, LFSC_NUM_I64_F32,
     12, 0, 0, 0, LFSC_LUA53},
  };
  assert_int_equal(sizeof want / sizeof want[0], LFSC_TARGET_COUNT);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    lfsc_variant v = lfsc_target_variant(want[i].t);
    assert_int_equal(v.format, want[i].format);
    assert_int_equal(v.numbers, want[i].numbers);
    assert_int_equal(v.tvalue_size, want[i].tvalue_size);
    assert_int_equal(v.lua, want[i].lua);
    assert_int_equal(lfsc_target_nummodel(want[i].t), want[i].numbers);
    assert_string_equal(lfsc_target_name(want[i].t), want[i].name);
    lfsc_target back = LFSC_TARGET_COUNT;
    assert_int_equal(lfsc_target_parse(want[i].name, &back), LFSC_OK);
    assert_int_equal(back, want[i].t);
    if (want[i].sig)
      assert_int_equal(lfsc_layout_signature(want[i].t), want[i].sig);
    if (want[i].lua != LFSC_LUA51)
      continue;
    lc_format f = lfsc_lc_format_for(want[i].t);
    assert_int_equal(f.number_bytes, want[i].number_bytes);
    assert_int_equal(f.integral, want[i].integral);
    assert_int_equal(f.nodemcu, want[i].format == LFSC_FORMAT_NODEMCU);
  }
  assert_int_equal(LFSIMG_SIG_FLOAT, 0xFAFAA154u);
  assert_int_equal(LFSIMG_SIG_FLOAT16, 0xFAFAA150u);
  assert_int_equal(LFSIMG_SIG_INT, 0xFAFAA152u);
  /* not a preset: no name, no image layout */
  assert_string_equal(lfsc_target_name(LFSC_TARGET_COUNT), "?");
  assert_int_equal(lfsc_target_variant(LFSC_TARGET_COUNT).tvalue_size, 0);
  lfsc_target t = LFSC_TARGET_INT;
  assert_int_equal(lfsc_target_parse("double", &t), LFSC_EARG);
  assert_int_equal(t, LFSC_TARGET_INT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_find),
    cmocka_unit_test(test_same_bytes),
    cmocka_unit_test(test_presets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
