# Issue #22 (safe to run, safe to write): the one input limit of every
# reader, and --embed c's #include line for any header name.
if(TARGET luac.cross AND NOT LFSC_M32)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME safety_include_name
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/safety/include_name.py
            $<TARGET_FILE:luac.cross> ${CMAKE_CURRENT_BINARY_DIR}/safety_include_name)
  set_tests_properties(safety_include_name PROPERTIES SKIP_RETURN_CODE 77)
  if(TARGET lfsimg)
    add_test(NAME safety_input_limit
      COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/safety/input_limit.py
              $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg> ${PROJECT_SOURCE_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/safety_input_limit)
  endif()
endif()
