# Firmware-aware LFS: the shared limits table (luac.cross and lfsimg agree),
# the firmware reader, placement rules, provisioning.
if(TARGET lfsimg AND TARGET luac.cross)
  add_test(NAME limits_cli
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/firmware/limits.sh
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> ${LFSC_CONFORMANCE_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/limits_cli)
endif()
