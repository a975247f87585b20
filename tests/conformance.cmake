# Conformance: byte-for-byte against luac5.1 over the Debian corpus, and
# against NodeMCU's reference .lc vectors.
set(LFSC_CORPUS_DIR "${PROJECT_SOURCE_DIR}/corpus" CACHE PATH
    "Corpus gathered by tests/corpus/gather.sh")
find_program(PYTHON3 python3 REQUIRED)
if(NOT TARGET luac.cross)
  return()
endif()

if(NOT LFSC_M32)
  add_test(NAME conformance_corpus_host
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/corpus.sh
            $<TARGET_FILE:luac.cross> ${LFSC_CORPUS_DIR} ${LFSC_CONFORMANCE_DIR}/src)
  set_tests_properties(conformance_corpus_host PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
  add_test(NAME conformance_listing_host
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/listing.sh
            $<TARGET_FILE:luac.cross> ${LFSC_CORPUS_DIR} ${LFSC_CONFORMANCE_DIR}/src)
  set_tests_properties(conformance_listing_host PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
endif()

# -t host means this host's luac format (4-byte size_t on a 32-bit host), so
# a -m32 build is compared with a 64-bit build of ours on the float target.
set(LFSC_OTHER_LUAC "" CACHE FILEPATH "A 64-bit build's luac.cross to compare a -m32 build with")
if(LFSC_OTHER_LUAC)
  add_test(NAME conformance_corpus_crosshost
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/corpus.sh
            $<TARGET_FILE:luac.cross> ${LFSC_CORPUS_DIR} ${LFSC_CONFORMANCE_DIR}/src ${LFSC_OTHER_LUAC})
  set_tests_properties(conformance_corpus_crosshost PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
endif()

add_test(NAME conformance_lc_vectors
  COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/conformance/lc_vectors.py
          $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR})
set_tests_properties(conformance_lc_vectors PROPERTIES TIMEOUT 600)

# Big-endian host: an s390x build of luac.cross under qemu-user must write
# the same bytes as this one (not under the sanitizer or -m32 builds).
find_program(S390X_CLANG clang)
find_program(S390X_LD s390x-linux-gnu-ld)
find_program(QEMU_S390X qemu-s390x)
if(S390X_CLANG AND S390X_LD AND EXISTS /usr/s390x-linux-gnu/lib/libc.a AND QEMU_S390X AND NOT LFSC_SANITIZE AND NOT LFSC_M32)
  add_test(NAME conformance_bigendian_host
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bigendian/run.sh $<TARGET_FILE:luac.cross>
            ${PROJECT_SOURCE_DIR} ${LFSC_CONFORMANCE_DIR}/src ${LFSC_CORPUS_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/bigendian)
  set_tests_properties(conformance_bigendian_host PROPERTIES TIMEOUT 900)
endif()
