# runtime53: Lua 5.3 modules on the host's Lua 5.3 VM (src/runtime53), run
# by a test driver (tests/runtime53/driver53.c) from chunks luac5.3 makes:
# every conformance53 source and our 5.3 programs print what lua5.3 prints
# for their source, and so do the modules of the reference NodeMCU images
# (made stock chunks by img2luac.py until the format-11 reader is wired); NodeMCU's LFS API, _init and require, reload, the command line, exit
# status, the int32 note, the REPL on a terminal (tmux); and that the 5.1
# and the 5.3 VM live in one binary without a shared name (nm, ldd).
if(NOT TARGET lfsc_runtime53)
  return()
endif()
add_executable(runtime53_driver runtime53/driver53.c)
target_link_libraries(runtime53_driver PRIVATE lfsc_runtime53 lfsc_runtime lfsc)
target_include_directories(runtime53_driver PRIVATE ${PROJECT_SOURCE_DIR}/src)
find_program(LUAC53 luac5.3)
add_test(NAME runtime53_api
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/api.sh
          $<TARGET_FILE:runtime53_driver> ${LUAC53} $<TARGET_FILE:luac.cross>
          $<TARGET_FILE:lfsimg>)
add_test(NAME runtime53_modules
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/modules.sh
          $<TARGET_FILE:runtime53_driver> ${LUAC53} ${LFSC_SHARED_DIR}/conformance53/src)
add_test(NAME runtime53_images
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/images.sh
          $<TARGET_FILE:runtime53_driver> ${LFSC_SHARED_DIR}/conformance53
          ${LFSC_SHARED_DIR}/spec/tools)
add_test(NAME runtime53_symbols
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/symbols.sh ${CMAKE_NM}
          $<TARGET_FILE:runtime53_driver> $<TARGET_FILE:lfsc> $<TARGET_FILE:lfsc_runtime53>
          $<TARGET_FILE:lfsc_runtime> $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross>)
add_test(NAME runtime53_repl_tty
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/repl_tty.sh
          $<TARGET_FILE:runtime53_driver> ${LUAC53})
set_tests_properties(runtime53_api runtime53_modules runtime53_images runtime53_symbols runtime53_repl_tty
  PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
