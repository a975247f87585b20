# Firmware-aware LFS: the shared limits table (luac.cross and lfsimg agree),
# the firmware reader, placement rules, provisioning.
if(TARGET lfsimg AND TARGET luac.cross)
  add_test(NAME limits_cli
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/firmware/limits.sh
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/limits_cli)
endif()
if(TARGET lfsimg AND TARGET luac.cross AND NOT LFSC_WITH_LIBELF AND NOT LFSC_FIRMWARE_DIR)
  lfsc_needs_firmware(firmware_bin_nolibelf)
elseif(TARGET lfsimg AND TARGET luac.cross AND NOT LFSC_WITH_LIBELF)
  # Without libelf (-m32, Windows) the .bin forms still work, and the ELF
  # form says that it is not available.
  set(LFSC_FW_DIR ${LFSC_FIRMWARE_DIR})
  add_test(NAME firmware_bin_nolibelf
    COMMAND sh -c "\"$1\" firmware \"$2/0x00000.bin\" \"$2/0x10000.bin\" | grep -q 'flash offset 0x78000, 0x20000 bytes' && \"$1\" firmware \"$2/eagle.app.v6.out\" 2>&1 | grep -q 'reading a firmware ELF is not available in this build' && echo '2 passed, 0 failed'"
            sh $<TARGET_FILE:lfsimg> ${LFSC_FW_DIR})
endif()
if(TARGET lfsimg AND TARGET luac.cross AND LFSC_WITH_LIBELF AND NOT LFSC_FIRMWARE_DIR)
  lfsc_needs_firmware(firmware_e2e)
elseif(TARGET lfsimg AND TARGET luac.cross AND LFSC_WITH_LIBELF)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME firmware_e2e
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/firmware/firmware.py
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/firmware ${CMAKE_CURRENT_BINARY_DIR}/firmware_e2e
            ${LFSC_FIRMWARE_DIR})
  set_tests_properties(firmware_e2e PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()
