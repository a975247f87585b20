# Image builder (luac.cross -f / -a): unit tests, and the conformance run
# of luac.cross over every reference image vector.
lfsc_unit_test(test_image ${CMAKE_CURRENT_SOURCE_DIR}/test_image.c
               ${CMAKE_CURRENT_SOURCE_DIR}/test_image_gzcheck.c)

add_executable(image_picheck ${CMAKE_CURRENT_SOURCE_DIR}/test_image_picheck.c
               ${CMAKE_CURRENT_SOURCE_DIR}/test_image_gzcheck.c)
target_link_libraries(image_picheck PRIVATE ZLIB::ZLIB)

# Every image vector of the reference, rebuilt by luac.cross from the
# manifest's command lines (ABS: bytes; PI: inflated content + loader rules).
find_program(PYTHON3 python3 REQUIRED)
add_test(NAME image_conformance
  COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/image/conformance.py
          $<TARGET_FILE:luac.cross> $<TARGET_FILE:image_picheck> ${LFSC_CONFORMANCE_DIR}
          ${CMAKE_CURRENT_BINARY_DIR}/image_conformance)
set_tests_properties(image_conformance PROPERTIES TIMEOUT 300)

# luac.cross image options and the fixes to the reference's CLI defects.
add_test(NAME image_cli
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/image/cli.sh
          $<TARGET_FILE:luac.cross> $<TARGET_FILE:image_picheck> ${LFSC_CONFORMANCE_DIR}
          ${CMAKE_CURRENT_BINARY_DIR}/image_cli $<TARGET_FILE:lfsimg>)

# Random module sets (1-200 modules, all variants, PI and ABS) checked
# against the spec's decoder and independent layout model.
set(LFSC_SPEC_TOOLS "${LFSC_SHARED_DIR}/spec/tools")
add_test(NAME image_random_sets
  COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/image/random_sets.py
          $<TARGET_FILE:luac.cross> $<TARGET_FILE:image_picheck> ${LFSC_SPEC_TOOLS}
          ${CMAKE_CURRENT_BINARY_DIR}/image_random_sets 1 16)
set_tests_properties(image_random_sets PROPERTIES TIMEOUT 300)

# Our deflate encoder (squeeze.c, the default for -f and --best): zlib round
# trips and the loader's rules on reference image contents and odd shapes.
lfsc_unit_test(test_squeeze ${CMAKE_CURRENT_SOURCE_DIR}/test_squeeze.c
               ${CMAKE_CURRENT_SOURCE_DIR}/test_image_gzcheck.c)
