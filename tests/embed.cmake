# luac.cross --embed (src/embed.c, embed_c.c, embed_elf.c, split.c): C and
# ELF outputs for every target on the conformance sources, read back with
# the xtensa binutils, linked and walked on lx106 under QEMU and on the
# host; SPLIT overlays; bad input; the bootstrap example.
find_program(EMBED_XGCC xtensa-lx106-elf-gcc)
find_program(EMBED_XLD xtensa-lx106-elf-ld)
find_program(EMBED_XREADELF xtensa-lx106-elf-readelf)
find_program(EMBED_XOBJDUMP xtensa-lx106-elf-objdump)
find_program(EMBED_XOBJCOPY xtensa-lx106-elf-objcopy)
find_program(EMBED_QEMU qemu-system-xtensa)
find_program(EMBED_LUA lua5.1)
foreach(v XGCC XLD XREADELF XOBJDUMP XOBJCOPY QEMU LUA)
  set(embed_${v} "${EMBED_${v}}")
  if(NOT EMBED_${v})
    set(embed_${v} "")
  endif()
endforeach()
# a -m32 luac.cross writes 32-bit host chunks, which the host's lua5.1
# does not load: "none" tells embed.sh that this is by design (an empty
# tool is a missing one)
set(embed_LUA_RUN "${embed_LUA}")
if(LFSC_M32)
  set(embed_LUA_RUN none)
endif()
if(LFSC_WITH_LIBELF)
  set(embed_have_elf 1)
else()
  set(embed_have_elf 0)
endif()
set(EMBED_DIR ${CMAKE_CURRENT_SOURCE_DIR}/embed)

if(TARGET luac.cross)
  # the two ESP8266 Lua 5.3 variants too: their chunks are 5.3 .lc files
  foreach(t float float16 int host 5.3-int32-singlefp 5.3-int64-doublefp)
    add_test(NAME embed_${t}
      COMMAND sh ${EMBED_DIR}/embed.sh $<TARGET_FILE:luac.cross> ${LFSC_CONFORMANCE_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/embed_${t} ${t} ${EMBED_DIR}/walk.c ${CMAKE_C_COMPILER}
              "${embed_XGCC}" "${embed_XLD}" "${embed_XREADELF}" "${embed_XOBJDUMP}"
              "${embed_XOBJCOPY}" "${embed_QEMU}" ${LFSC_SHARED_DIR}/xtensa/kit "${embed_LUA_RUN}"
              ${embed_have_elf})
    set_tests_properties(embed_${t} PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
  endforeach()
  if(NOT LFSC_M32)
    add_test(NAME embed_split
      COMMAND sh ${EMBED_DIR}/split.sh $<TARGET_FILE:luac.cross> ${EMBED_DIR}/walk.c
              ${CMAKE_C_COMPILER} "${embed_LUA}" ${EMBED_DIR}/split
              ${CMAKE_CURRENT_BINARY_DIR}/embed_split)
    set_tests_properties(embed_split PROPERTIES SKIP_RETURN_CODE 77)
  endif()
  add_test(NAME embed_bad
    COMMAND sh ${EMBED_DIR}/bad.sh $<TARGET_FILE:luac.cross> ${CMAKE_CURRENT_BINARY_DIR}/embed_bad
            ${embed_have_elf})
endif()

# The bootstrap example users copy into NodeMCU: syntax and types against
# stub Lua/NodeMCU headers.
add_test(NAME embed_example
  COMMAND ${CMAKE_C_COMPILER} -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only
          -I${EMBED_DIR}/stub ${PROJECT_SOURCE_DIR}/examples/embed/fast.c)
