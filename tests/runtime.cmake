# runtime: LFS images on the host's Lua 5.1 VM (src/runtime/runtime.c, src/repl/repl.c):
# every module of the float reference images against lua5.1 running its
# source, NodeMCU's LFS API and the command lines (lfsimg run, luac.cross
# -e/-F), the REPL on a terminal (tmux), and the README's CI example.
# Builds without the runtime (-m32, Windows) check that it says so.
if(TARGET lfsc_runtime AND TARGET lfsimg AND TARGET luac.cross)
  add_test(NAME runtime_modules
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime/modules.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR})
  add_test(NAME runtime_api
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime/api.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR})
  # two NodeMCU-style test suites with mocks, through run without a wrapper
  add_test(NAME runtime_suites
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime/suites.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross>)
  add_test(NAME runtime_repl_tty
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime/repl_tty.sh
            $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR}/float/multi.pi.img)
  add_test(NAME runtime_example
    COMMAND sh ${PROJECT_SOURCE_DIR}/examples/host_test.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross>)
  set_tests_properties(runtime_modules runtime_api runtime_suites runtime_repl_tty runtime_example
    PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
elseif(TARGET lfsimg AND TARGET luac.cross)
  add_test(NAME runtime_unavailable
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/runtime/unavailable.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross>)
endif()
