# lfsimg on NodeMCU Lua 5.3 files (issue #19 item 4): info, list, dis,
# strings, verify, extract and diff on every conformance53 vector, checked
# against MANIFEST.md and the vectors themselves (tests/lfsimg53/cli.py);
# damaged files exit 1 with a message, never a crash.
find_program(PYTHON3 python3)
if(PYTHON3 AND EXISTS "${LFSC_SHARED_DIR}/conformance53/MANIFEST.md")
  add_test(NAME lfsimg53_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg53/cli.py $<TARGET_FILE:lfsimg>
            $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}/conformance53
            ${LFSC_SHARED_DIR}/conformance-esp32)
  set_tests_properties(lfsimg53_cli PROPERTIES TIMEOUT 600)
endif()

# lfsc_lua53_read_host (luac.cross --lua 5.3 -e's returned function) reads
# luac5.3's chunks of the corpus back to the same bytes.
add_executable(test_stock53_rt ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg53/stock53_rt.c)
target_link_libraries(test_stock53_rt PRIVATE lfsc)
target_include_directories(test_stock53_rt PRIVATE ${PROJECT_SOURCE_DIR}/src)
find_program(LUAC53 luac5.3)
if(LUAC53 AND EXISTS "${LFSC_SHARED_DIR}/conformance53/src")
  add_test(NAME lfsimg53_stock53_read
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg53/stock53_rt.sh $<TARGET_FILE:test_stock53_rt>
            ${LUAC53} ${LFSC_SHARED_DIR}/conformance53/src ${LFSC_CORPUS_DIR})
  set_tests_properties(lfsimg53_stock53_read PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()

# lfsimg run and luac.cross -F/-e on 5.3 images (issue #19 item 5).
if(TARGET lfsc_runtime53 AND EXISTS "${LFSC_SHARED_DIR}/conformance53/src")
  add_test(NAME lfsimg53_run
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg53/run.sh $<TARGET_FILE:lfsimg>
            $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}/conformance53/src)
  set_tests_properties(lfsimg53_run PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
