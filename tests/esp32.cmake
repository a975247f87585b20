# ESP32 (#20): the Python generator of ESP32 firmware forms and the
# independent checker test each other (tests/esp32/selftest.py). They share
# no code with lfsc; the end-to-end tests against lfsimg and luac.cross
# (tests/esp32/test_cli.py) build on them. Skipped (77) without the cross
# compilers the generator's ELFs need.
find_program(PYTHON3 python3)
find_program(LFSC_RISCV_GCC riscv64-unknown-elf-gcc)
find_program(LFSC_XTENSA_GCC xtensa-lx106-elf-gcc)
if(NOT PYTHON3)
  add_test(NAME esp32_gen_selftest COMMAND sh -c "echo 'skipped: no python3'; exit 77")
elseif(NOT LFSC_RISCV_GCC OR NOT LFSC_XTENSA_GCC)
  add_test(NAME esp32_gen_selftest
    COMMAND sh -c "echo 'skipped: riscv64-unknown-elf-gcc or xtensa-lx106-elf-gcc missing (sh .ci/deps.sh)'; exit 77")
else()
  add_test(NAME esp32_gen_selftest
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/esp32/selftest.py
            ${CMAKE_CURRENT_BINARY_DIR}/esp32_gen_selftest)
  set_tests_properties(esp32_gen_selftest PROPERTIES TIMEOUT 300)
endif()
set_tests_properties(esp32_gen_selftest PROPERTIES SKIP_RETURN_CODE 77)
# End to end: lfsimg firmware/partitions/provision and luac.cross --chip on
# the generated forms, judged by the generator's facts and espcheck.py.
# Needs libelf (the ELF forms): the -m32 and Windows builds have none, and
# the native and sanitizer builds run it.
if(PYTHON3 AND LFSC_RISCV_GCC AND LFSC_XTENSA_GCC AND TARGET lfsimg AND TARGET luac.cross
   AND LFSC_WITH_LIBELF)
  add_test(NAME esp32_cli
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/esp32/test_cli.py
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_SHARED_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/esp32_cli --with-53)
  set_tests_properties(esp32_cli PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
endif()
