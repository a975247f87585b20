# Issue #22 (safe to run, safe to write): the one input limit of every
# reader, and --embed c's #include line for any header name.
if(TARGET luac.cross AND NOT LFSC_M32)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME safety_include_name
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/safety/include_name.py
            $<TARGET_FILE:luac.cross> ${CMAKE_CURRENT_BINARY_DIR}/safety_include_name)
  set_tests_properties(safety_include_name PROPERTIES SKIP_RETURN_CODE 77)
endif()
