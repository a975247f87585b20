# Target loader (src/loader): host tests against a simulated NOR flash, and
# when the lx106 cross compiler is there, a run of the real stub under QEMU.
set(LFS_LOADER_SOURCES
  ${PROJECT_SOURCE_DIR}/src/loader/loader.c
  ${PROJECT_SOURCE_DIR}/src/loader/inflate.c
  ${PROJECT_SOURCE_DIR}/src/loader/loader_msg.c)

lfsc_unit_test(test_loader ${CMAKE_CURRENT_SOURCE_DIR}/test_loader.c ${LFS_LOADER_SOURCES})
# The same tests with a 128-byte bitmap buffer: pass 2 then needs one
# inflate per 4 KB of image, which exercises the strip logic.
lfsc_unit_test(test_loader_strips ${CMAKE_CURRENT_SOURCE_DIR}/test_loader.c ${LFS_LOADER_SOURCES})
target_compile_definitions(test_loader_strips PRIVATE LFS_BMBUF_BYTES=128)
