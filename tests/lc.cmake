# Binary chunk reader, code checker and luac-style listings
# (src/lc_read.c, src/codecheck.c, src/listing.c).

lfsc_unit_test(test_lc_read test_lc_read.c)
lfsc_unit_test(test_listing test_listing.c)

# lclist: load a chunk and print its listing; driven by the scripts below.
add_executable(lclist listing/lclist.c)
target_link_libraries(lclist PRIVATE lfsc)
target_include_directories(lclist PRIVATE ${PROJECT_SOURCE_DIR}/src)

# Third-party Lua files for the luac5.1 listing comparison (gathered by
# tests/corpus/gather.sh): LFSC_CORPUS_DIR (conformance.cmake) if it
# exists, else a corpus next to LFSC_SHARED_DIR; skipped when neither does.
# LFSC_CORPUS_MAX > 0 caps how many files are used (evenly spaced).
set(LFSC_CORPUS_MAX 0 CACHE STRING "Listing test: use at most this many corpus files (0 = all)")
set(lc_corpus "${LFSC_CORPUS_DIR}")
if(NOT EXISTS "${lc_corpus}/MANIFEST.txt")
  get_filename_component(lc_corpus "${LFSC_SHARED_DIR}/../corpus" ABSOLUTE)
endif()
# the fewest files compared: 76 without the corpus today, 647 with it
set(lc_listing_inputs -m 70 -g ${LFSC_CONFORMANCE_DIR}/src)
if(EXISTS "${lc_corpus}/MANIFEST.txt")   # not tests/corpus, the recipe
  set(lc_listing_min 600)
  if(LFSC_CORPUS_MAX GREATER 0)
    math(EXPR lc_listing_min "${LFSC_CORPUS_MAX} * 9 / 10 + 70")
  endif()
  set(lc_listing_inputs -m ${lc_listing_min} -g ${LFSC_CONFORMANCE_DIR}/src
      -n ${LFSC_CORPUS_MAX} ${lc_corpus})
endif()

# Our listing of luac5.1's own chunks == luac5.1 -l -l (and -l stripped).
add_test(NAME lc_listing_luac51
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/listing/compare.sh $<TARGET_FILE:lclist>
          ${CMAKE_CURRENT_BINARY_DIR}/lc_listing_luac51 ${lc_listing_inputs})
set_tests_properties(lc_listing_luac51 PROPERTIES SKIP_RETURN_CODE 77)

# Our listing of NodeMCU float .lc vectors == NodeMCU's -l -l listings.
add_test(NAME lc_listing_nodemcu
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/listing/nodemcu.sh $<TARGET_FILE:lclist>
          ${LFSC_CONFORMANCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/lc_listing_nodemcu)

# Every single-bit variant of four luac5.1 chunks: our host reader and code
# checker give the same verdict as lua5.1's own loader (see the script for
# what is not comparable).
add_test(NAME lc_undump_diff
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/listing/undump_diff.sh $<TARGET_FILE:lclist>
          ${CMAKE_CURRENT_BINARY_DIR}/lc_undump_diff
          ${LFSC_CONFORMANCE_DIR}/src/c03_closures.lua ${LFSC_CONFORMANCE_DIR}/src/c04_varargs.lua
          ${LFSC_CONFORMANCE_DIR}/src/c14_misc.lua ${LFSC_CONFORMANCE_DIR}/src/c18_tailcalls.lua)
set_tests_properties(lc_undump_diff PROPERTIES SKIP_RETURN_CODE 77)

# The .lc vectors re-written byte for byte (also in -m32 builds).
add_test(NAME lc_roundtrip
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/listing/roundtrip.sh $<TARGET_FILE:lclist>
          ${LFSC_CONFORMANCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/lc_roundtrip)
