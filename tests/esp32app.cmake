# ESP32 app images (issue #20): the reader/patcher and SHA-256 as unit
# tests, and lfsimg firmware/provision on app images, an ELF and a flash
# dump made by tests/esp32app/mkapp.py, checked independently.
lfsc_unit_test(test_esp32app ${CMAKE_CURRENT_SOURCE_DIR}/esp32app/test_esp32app.c)
if(TARGET lfsimg AND TARGET luac.cross)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME esp32app_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/esp32app/esp32app.py
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/esp32app ${CMAKE_CURRENT_BINARY_DIR}/esp32app_cli)
  set_tests_properties(esp32app_cli PROPERTIES TIMEOUT 300)
endif()
