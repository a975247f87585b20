# Install and package: the .deb unpacked in a scratch root, its tools, man
# pages, completions and pkg-config file used as a user would, and the
# library's example built against an installed prefix. Not for -m32 or
# sanitizer builds (the package is of the normal build).
if(NOT LFSC_M32 AND NOT LFSC_SANITIZE AND NOT WIN32)
  find_program(DPKG_DEB dpkg-deb)
  if(DPKG_DEB)
    add_test(NAME install_deb
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/install/deb.sh ${PROJECT_BINARY_DIR}
              ${PROJECT_SOURCE_DIR} ${LFSC_CONFORMANCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/install_deb)
    set_tests_properties(install_deb PROPERTIES TIMEOUT 300)
  endif()
  # The library as a user installs it: examples/lib/make_image.c built with
  # pkg-config against `cmake --install`'s prefix, its images and .lc files
  # byte for byte luac.cross's.
  add_test(NAME install_example
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/install/example.sh ${PROJECT_BINARY_DIR}
            ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER} ${CMAKE_CURRENT_BINARY_DIR}/install_example)
  set_tests_properties(install_example PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
