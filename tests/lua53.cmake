# Lua 5.3 front end (src/lua53): the test driver lua53c compiles a file and
# writes the stock luac5.3 chunk or prints the tree.
add_executable(lua53c ${CMAKE_CURRENT_SOURCE_DIR}/lua53/lua53c.c)
target_link_libraries(lua53c PRIVATE lfsc)
target_include_directories(lua53c PRIVATE ${PROJECT_SOURCE_DIR}/src)

find_program(LUAC53 luac5.3)
find_program(PYTHON3 python3)
set(lua53_conf ${LFSC_SHARED_DIR}/conformance53)
if(PYTHON3 AND EXISTS ${lua53_conf}/gen_vectors.py)
  # the generated inputs conformance53 does not store (k70000.lua,
  # k_loadkx.lua, setlist_extraarg.lua), made byte for byte
  add_test(NAME lua53_gen_sources
    COMMAND ${PYTHON3} ${lua53_conf}/gen_vectors.py ${CMAKE_CURRENT_BINARY_DIR}/lua53_gen)
  set_tests_properties(lua53_gen_sources PROPERTIES FIXTURES_SETUP lua53_gen)
endif()
# Every corpus and conformance53 file (and the generated ones): our chunk
# == luac5.3's (with and without -s), or our message == luac5.3's for the
# files it rejects.
if(LUAC53)
  add_test(NAME lua53_stock_conformance
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lua53/stock_conformance.sh
            $<TARGET_FILE:lua53c> ${LUAC53} ${CMAKE_CURRENT_BINARY_DIR}/lua53_stock
            ${LFSC_CORPUS_DIR} ${lua53_conf}/src ${CMAKE_CURRENT_BINARY_DIR}/lua53_gen)
  set_tests_properties(lua53_stock_conformance PROPERTIES TIMEOUT 900
                       FIXTURES_REQUIRED lua53_gen)
endif()
# NodeMCU's format-10 vectors (int32+float32 and int64+double), decoded by
# the spec's nlc53.py: code, constants, upvalues, sizes, packed line info;
# and the ESP32's four 5.3 variants, the mixed ones included.
if(PYTHON3 AND EXISTS ${lua53_conf}/out/32/lc)
  set(lua53_esp32 "")
  if(EXISTS ${LFSC_SHARED_DIR}/conformance-esp32/out/53-i32f64)
    set(lua53_esp32 ${LFSC_SHARED_DIR}/conformance-esp32 ${LFSC_CONFORMANCE_DIR}/src)
  endif()
  add_test(NAME lua53_nodemcu_structural
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lua53/nodemcu_structural.py
            $<TARGET_FILE:lua53c> ${LFSC_SHARED_DIR}/spec/tools ${lua53_conf} ${lua53_esp32})
  set_tests_properties(lua53_nodemcu_structural PROPERTIES TIMEOUT 600)
endif()
# Snippets (valid ones and every error-message family), limits, and seeded
# random programs against luac5.3.
if(PYTHON3 AND LUAC53)
  add_test(NAME lua53_diff_luac
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lua53/diff_luac53.py
            $<TARGET_FILE:lua53c> ${CMAKE_CURRENT_BINARY_DIR}/lua53_diff 2000)
  set_tests_properties(lua53_diff_luac PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
endif()
# The streamed front end against the whole-buffer one.
add_test(NAME lua53_stream
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lua53/stream_same.sh $<TARGET_FILE:lua53c>
          ${CMAKE_CURRENT_BINARY_DIR}/lua53_streamtest ${lua53_conf}/src)
# 5.3's packed line info through the shared codec, and the front end's lines.
lfsc_unit_test(test_lineinfo53 lua53/test_lineinfo53.c)
# Programs compiled by luac.cross --lua 5.3 -t host (and -s) print under
# lua5.3 what their sources print: our nine 5.3 programs and every
# conformance53 source.
find_program(LUA53 lua5.3)
if(LUA53 AND TARGET luac.cross)
  add_test(NAME lua53_programs
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lua53/programs.sh $<TARGET_FILE:luac.cross> ${LUA53}
            ${CMAKE_CURRENT_BINARY_DIR}/lua53_programs ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/programs
            ${lua53_conf}/src)
endif()
# -i: the lookup main NodeMCU's 5.3 luac.cross writes (module names and the
# timestamp as the main's constants), decoded by the spec's nlc53.py.
if(PYTHON3 AND TARGET luac.cross)
  add_test(NAME lua53_lookup
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lua53/lookup.py $<TARGET_FILE:luac.cross>
            ${LFSC_SHARED_DIR}/spec/tools/nlc53.py ${lua53_conf}/src)
endif()
