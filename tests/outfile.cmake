# Output paths (src/outfile.c): devices, FIFOs, symlinks, modes, hard links,
# long names, read-only directories, failures and signals, through every
# tool that writes. The shim lets the test kill a tool at rename time.
# Not in -m32 builds: the same code as the native build, and there the
# binaries may run under qemu-i386, whose process handling is not the test's.
if(TARGET luac.cross AND TARGET lfsimg AND NOT LFSC_M32)
  add_library(outfile_killshim MODULE ${CMAKE_CURRENT_SOURCE_DIR}/outfile/killshim.c)
  target_link_libraries(outfile_killshim PRIVATE ${CMAKE_DL_LIBS})
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME outfile_paths
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/outfile/outpaths.py
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> $<TARGET_FILE:outfile_killshim>
            ${LFSC_CONFORMANCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/outfile_paths)
  # issue #22: in-place writes all or nothing (a full disk, signals)
  add_test(NAME outfile_atomic
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/outfile/atomic.py
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:outfile_killshim>
            ${CMAKE_CURRENT_BINARY_DIR}/outfile_atomic)
  # issue #22: refuse what luac5.1 could not open for writing (77: no
  # normal user to be had)
  add_test(NAME outfile_protect
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/outfile/protect.py
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/outfile_protect)
  set_tests_properties(outfile_protect PROPERTIES SKIP_RETURN_CODE 77)
  # issue #22: the sweep takes only our dead temporary files
  add_test(NAME outfile_sweep
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/outfile/sweep.py
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:outfile_killshim> ${LFSC_CONFORMANCE_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/outfile_sweep)
endif()
