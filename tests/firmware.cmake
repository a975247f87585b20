# Firmware-aware LFS: the shared limits table (luac.cross and lfsimg agree),
# the firmware reader, placement rules, provisioning.
if(TARGET lfsimg AND TARGET luac.cross)
  add_test(NAME limits_cli
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/firmware/limits.sh
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/limits_cli)
endif()
if(TARGET lfsimg AND TARGET luac.cross)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME firmware_e2e
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/firmware/firmware.py
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/firmware ${CMAKE_CURRENT_BINARY_DIR}/firmware_e2e)
  set_tests_properties(firmware_e2e PROPERTIES TIMEOUT 600)
endif()
