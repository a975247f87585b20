# Lua 5.3 front end (src/lua53): the test driver lua53c compiles a file and
# writes the stock luac5.3 chunk or prints the tree.
add_executable(lua53c ${CMAKE_CURRENT_SOURCE_DIR}/lua53/lua53c.c)
target_link_libraries(lua53c PRIVATE lfsc)
target_include_directories(lua53c PRIVATE ${PROJECT_SOURCE_DIR}/src)

find_program(LUAC53 luac5.3)
find_program(PYTHON3 python3)
# Every corpus and conformance53 file: our chunk == luac5.3's (with and
# without -s), or our message == luac5.3's for the files it rejects.
if(LUAC53)
  add_test(NAME lua53_stock_conformance
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lua53/stock_conformance.sh
            $<TARGET_FILE:lua53c> ${LUAC53} ${CMAKE_CURRENT_BINARY_DIR}/lua53_stock
            ${LFSC_CORPUS_DIR} ${LFSC_SHARED_DIR}/conformance53/src
            ${CMAKE_CURRENT_SOURCE_DIR}/lua53/cases)
  set_tests_properties(lua53_stock_conformance PROPERTIES TIMEOUT 900)
endif()
