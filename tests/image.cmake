# Image builder (luac.cross -f / -a): unit tests, and the conformance run
# of luac.cross over every reference image vector.
lfsc_unit_test(test_image ${CMAKE_CURRENT_SOURCE_DIR}/test_image.c
               ${CMAKE_CURRENT_SOURCE_DIR}/test_image_gzcheck.c)

add_executable(image_picheck ${CMAKE_CURRENT_SOURCE_DIR}/test_image_picheck.c
               ${CMAKE_CURRENT_SOURCE_DIR}/test_image_gzcheck.c)
target_link_libraries(image_picheck PRIVATE ZLIB::ZLIB)
