# Windows: the mingw-w64 cross build run under wine against the conformance
# vectors (tests/windows/run.sh). Only from the normal native build.
find_program(MINGW_GCC x86_64-w64-mingw32-gcc)
find_program(WINE wine)
if(MINGW_GCC AND WINE AND TARGET luac.cross AND NOT LFSC_M32 AND NOT LFSC_SANITIZE AND NOT WIN32
   AND EXISTS /usr/x86_64-w64-mingw32/lib/libz.a)
  add_test(NAME windows_wine_conformance
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/windows/run.sh ${PROJECT_SOURCE_DIR}
            ${LFSC_CONFORMANCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/windows
            $<TARGET_FILE:image_picheck> $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross>)
  set_tests_properties(windows_wine_conformance PROPERTIES TIMEOUT 2700)
elseif(TARGET luac.cross AND NOT LFSC_M32 AND NOT LFSC_SANITIZE AND NOT WIN32)
  # the normal build without the cross tools: say so, counted as skipped
  add_test(NAME windows_wine_conformance
    COMMAND sh -c "echo 'no mingw-w64 gcc, its zlib or wine (.ci/deps.sh installs them)'; exit 77")
  set_tests_properties(windows_wine_conformance PROPERTIES SKIP_RETURN_CODE 77)
endif()
