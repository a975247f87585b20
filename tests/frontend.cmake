# Front end (src/lex.c, src/parse.c, src/code.c, src/lineinfo.c,
# src/numeric.c): lexer and code generator unit tests.
lfsc_unit_test(test_lex test_lex.c)
lfsc_unit_test(test_code test_code.c)

# Differential test against luac5.1: tricky snippets (valid and invalid)
# and seeded random programs must give identical bytes or messages. A -m32
# build cannot write luac5.1's 64-bit host format; it is compared with a
# 64-bit build of ours (LFSC_OTHER_LUAC) on the float target instead.
find_program(PYTHON3 python3)
if(PYTHON3 AND TARGET luac.cross)
  # thousands of random programs against luac5.1 (checked in bulk); the
  # -m32 comparison runs one process per program, so fewer there
  set(frontend_diff_args $<TARGET_FILE:luac.cross> ${CMAKE_CURRENT_BINARY_DIR}/frontend_diff 3000)
  if(LFSC_M32)
    set(frontend_diff_args $<TARGET_FILE:luac.cross> ${CMAKE_CURRENT_BINARY_DIR}/frontend_diff 300
        ${LFSC_OTHER_LUAC})
  endif()
  if(NOT LFSC_M32 OR LFSC_OTHER_LUAC)
    add_test(NAME frontend_diff_luac
      COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/frontend/diff_luac.py ${frontend_diff_args})
    set_tests_properties(frontend_diff_luac PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
  endif()
  # bounded input: streamed sources and .lc files (issue #12 item 2);
  # compares -t host output, which a -m32 build writes for 32-bit hosts
  if(NOT LFSC_M32)
    add_test(NAME frontend_bounded_input
      COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/frontend/bounded_input.py
              $<TARGET_FILE:luac.cross>)
    set_tests_properties(frontend_bounded_input PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
  endif()
endif()

# The packed line-info codec (src/lua51/lineinfo.c): round trips, the
# strict decoder's refusals, and every reference vector's line info.
lfsc_unit_test(test_lineinfo test_lineinfo.c)
# the dialect table: lookup, and the same bytes as the rooms' own calls
lfsc_unit_test(test_dialect test_dialect.c)
