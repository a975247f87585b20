# The ESP-IDF partition table (src/platform/esp32/parttable*.c, md5.c) and
# lfsimg partitions: unit tests, and an independent Python writer compared
# byte for byte with ours both ways.
lfsc_unit_test(test_esp32pt ${CMAKE_CURRENT_SOURCE_DIR}/esp32pt/test_esp32pt.c)
if(TARGET lfsimg)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME esp32pt_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/esp32pt/esp32pt.py
            $<TARGET_FILE:lfsimg> ${CMAKE_CURRENT_BINARY_DIR}/esp32pt_cli)
endif()
