# NodeMCU Lua 5.3 formats (issue #19): the .lc (format 10) reader/writer
# and the LFS image (format 11) writer, reader and -a builder, against
# every reference vector of conformance53/.
set(LFSC_CONFORMANCE53_DIR "${LFSC_SHARED_DIR}/conformance53")
add_executable(test_formats53 ${CMAKE_CURRENT_SOURCE_DIR}/lfs53/test_formats53.c)
target_link_libraries(test_formats53 PRIVATE lfsc)
target_include_directories(test_formats53 PRIVATE ${PROJECT_SOURCE_DIR}/src)
if(EXISTS "${LFSC_CONFORMANCE53_DIR}/MANIFEST.md")
  set(esp32_dir "")
  if(EXISTS "${LFSC_SHARED_DIR}/conformance-esp32/MANIFEST.md")
    set(esp32_dir "${LFSC_SHARED_DIR}/conformance-esp32")
  endif()
  add_test(NAME formats53 COMMAND test_formats53 ${LFSC_CONFORMANCE53_DIR} ${esp32_dir})
else()
  add_test(NAME formats53 COMMAND sh -c "echo 'no conformance53 vectors'; exit 77")
  set_tests_properties(formats53 PROPERTIES SKIP_RETURN_CODE 77)
endif()

# k70000 and k_loadkx (not stored; sha256 in MANIFEST.md), via luac5.3.
find_program(PYTHON3 python3)
if(PYTHON3 AND EXISTS "${LFSC_CONFORMANCE53_DIR}/gen_vectors.py")
  add_test(NAME formats53_huge
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lfs53/huge.sh $<TARGET_FILE:test_formats53>
            ${LFSC_CONFORMANCE53_DIR} ${LFSC_SHARED_DIR}/spec/tools
            ${CMAKE_CURRENT_BINARY_DIR}/formats53_huge)
  set_tests_properties(formats53_huge PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
