# The ESP32 as a platform (issue #20 items 1-2): the chips' tables through
# the platform interface, the 5.1 rows of NodeMCU's ESP32 reference made by
# luac.cross --chip esp32 byte for byte, and --chip through both tools.
find_program(PYTHON3 python3 REQUIRED)
lfsc_unit_test(test_esp32plat esp32plat/test_esp32plat.c)
if(TARGET luac.cross AND EXISTS ${LFSC_SHARED_DIR}/conformance-esp32/MANIFEST.md)
  add_test(NAME conformance_esp32_51
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/esp32plat/esp32_51.py
            $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}/conformance-esp32 ${LFSC_CONFORMANCE_DIR})
  set_tests_properties(conformance_esp32_51 PROPERTIES TIMEOUT 600)
endif()
if(TARGET lfsimg AND EXISTS ${LFSC_SHARED_DIR}/conformance-esp32/MANIFEST.md)
  add_test(NAME esp32_chips
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/esp32plat/chips.py
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg>
            ${LFSC_SHARED_DIR}/conformance-esp32 ${LFSC_CONFORMANCE_DIR}/src)
  set_tests_properties(esp32_chips PROPERTIES TIMEOUT 600)
endif()
