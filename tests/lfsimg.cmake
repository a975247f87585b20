# lfsimg: the LFS image reader and verifier (unit tests), and the lfsimg
# front end over every conformance vector (tests/lfsimg/vectors.sh).
lfsc_unit_test(test_reader test_reader.c)
lfsc_unit_test(test_verify test_verify.c)

if(TARGET lfsimg)
  add_test(NAME lfsimg_vectors
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg/vectors.sh
            $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR})
  set_tests_properties(lfsimg_vectors PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  if(TARGET luac.cross)
    add_test(NAME lfsimg_ownimages
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg/ownimages.sh
              $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR})
    set_tests_properties(lfsimg_ownimages PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
    # check before you write: verify-accepted mutants extract to chunks
    # lua5.1 loads; rejected ones are refused (issue #12 item 4)
    if(LFSC_SANITIZE)
      set(checked_write_mutants 250)   # each run is slower there
    else()
      set(checked_write_mutants 1000)
    endif()
    # (not -m32: its -t host chunks are 32-bit ones, which a 64-bit lua5.1
    # refuses by design)
    if(NOT LFSC_M32)
      add_test(NAME lfsimg_checked_write
        COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg/checked_write.py
                $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR}
                ${checked_write_mutants})
      set_tests_properties(lfsimg_checked_write PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
    endif()
    # info --json: UTF-8-safe, strict JSON on non-ASCII names (issue #12 item 5)
    add_test(NAME lfsimg_json_utf8
      COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg/json_utf8.py
              $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross>)
    # one option convention for every subcommand, "-" = stdin, --json of
    # list/strings/verify/diff/firmware parsed strictly (issue #11 items 3, 5);
    # not in the -m32 run, which is there for host-width differences (its
    # 80 s under qemu-i386 went to option parsing)
    if(NOT LFSC_M32)
      add_test(NAME lfsimg_cli_conventions
        COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg/cli_conventions.py
                $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR}
                ${PROJECT_SOURCE_DIR} ${LFSC_FIRMWARE_DIR})
      set_tests_properties(lfsimg_cli_conventions PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
    endif()
  endif()
endif()
# the run-safe level: every compiler's output passes, the VM-breaking
# mutations are flagged and refused by run (needs the 5.1 runtime)
if(TARGET lfsimg AND TARGET luac.cross AND TARGET lfsc_runtime)
  find_program(PYTHON3 python3 REQUIRED)
  set(corpus "")
  if(EXISTS ${LFSC_CORPUS_DIR})
    set(corpus ${LFSC_CORPUS_DIR})
  endif()
  add_test(NAME lfsimg_runsafe
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/lfsimg/runsafe.py
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR}
            ${LFSC_SHARED_DIR}/conformance-esp32 "${corpus}")
  set_tests_properties(lfsimg_runsafe PROPERTIES TIMEOUT 900)
endif()

