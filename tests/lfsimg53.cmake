# lfsimg on NodeMCU Lua 5.3 files (issue #19 item 4): info, list, dis,
# strings, verify, extract and diff on every conformance53 vector, checked
# against MANIFEST.md and the vectors themselves (tests/lfsimg53/cli.py);
# damaged files exit 1 with a message, never a crash.
find_program(PYTHON3 python3)
if(PYTHON3 AND EXISTS "${LFSC_SHARED_DIR}/conformance53/MANIFEST.md")
  add_test(NAME lfsimg53_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg53/cli.py $<TARGET_FILE:lfsimg>
            $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}/conformance53)
  set_tests_properties(lfsimg53_cli PROPERTIES TIMEOUT 600)
endif()
