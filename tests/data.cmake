# The repo's test data (tests/data, the default LFSC_SHARED_DIR) are copies
# of files of the project's shared folder; while that folder is at hand,
# they must equal it byte for byte (skipped when it is not there).
set(lfsc_data_dir "${PROJECT_SOURCE_DIR}/tests/data")
get_filename_component(lfsc_data_real "${lfsc_data_dir}" REALPATH)
get_filename_component(lfsc_shared_real "${LFSC_SHARED_DIR}" REALPATH)
if(lfsc_shared_real STREQUAL lfsc_data_real)
  set(lfsc_origin "${PROJECT_SOURCE_DIR}/../shared")
else()
  set(lfsc_origin "${LFSC_SHARED_DIR}")
endif()
set(LFSC_SHARED_ORIGIN "${lfsc_origin}" CACHE PATH
    "The shared/ folder that tests/data was copied from (shared_copies_match compares them)")
add_test(NAME shared_copies_match
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lib/shared_copies.sh ${lfsc_data_dir} ${LFSC_SHARED_ORIGIN})
set_tests_properties(shared_copies_match PROPERTIES SKIP_RETURN_CODE 77)
