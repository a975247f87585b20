# Lua 5.3 through luac.cross itself: every NodeMCU 5.3 reference vector
# (conformance53/MANIFEST.md: .lc, -s .lc, listings, images, -s images,
# -a images, error messages) reproduced by the command-line tool.
find_program(PYTHON3 python3 REQUIRED)
if(TARGET luac.cross AND EXISTS ${LFSC_SHARED_DIR}/conformance53/MANIFEST.md)
  add_test(NAME conformance53_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/conformance53/run.py
            $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}/conformance53)
  set_tests_properties(conformance53_cli PROPERTIES TIMEOUT 600)
endif()
# The Lua 5.3 rows of NodeMCU's ESP32 reference: .lc files and images of the
# four number variants of its Kconfig, made by luac.cross.
if(TARGET luac.cross AND EXISTS ${LFSC_SHARED_DIR}/conformance-esp32/MANIFEST.md)
  add_test(NAME conformance53_esp32_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/conformance53/esp32.py
            $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}/conformance-esp32 ${LFSC_CONFORMANCE_DIR}/src)
endif()
