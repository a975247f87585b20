# Target loader (src/platform/esp8266/loader): host tests against a simulated NOR flash, and
# when the lx106 cross compiler is there, a run of the real stub under QEMU.
set(LFS_LOADER_SOURCES
  ${PROJECT_SOURCE_DIR}/src/platform/esp8266/loader/loader.c
  ${PROJECT_SOURCE_DIR}/src/platform/esp8266/loader/inflate.c
  ${PROJECT_SOURCE_DIR}/src/platform/esp8266/loader/loader_msg.c)

lfsc_unit_test(test_loader ${CMAKE_CURRENT_SOURCE_DIR}/test_loader.c ${LFS_LOADER_SOURCES})
# The same tests with a 128-byte bitmap buffer, so images over 4 KB span
# several strips and park their bitmap in flash before the writing pass:
# up to 12 KB (bitmap <= 384 bytes) from the window after the check, larger
# ones in a pass of their own. Both ways run, power cuts included.
lfsc_unit_test(test_loader_strips ${CMAKE_CURRENT_SOURCE_DIR}/test_loader.c ${LFS_LOADER_SOURCES})
if(TARGET test_loader_strips)   # not built where unit tests are skipped (-m32)
  target_compile_definitions(test_loader_strips PRIVATE LFS_BMBUF_BYTES=128 LFS_PARK_BYTES=384)
endif()

# lx106: the budget, and real loads on the emulated core (src/platform/esp8266/loader built
# the ELF when the cross tools were found).
find_program(LX106_QEMU qemu-system-xtensa)
find_program(LX106_NM xtensa-lx106-elf-nm)
if(TARGET loader-lx106)
  set(LX106_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/loader)
  add_test(NAME loader_lx106_size
    COMMAND sh ${LX106_SCRIPTS}/lx106-size.sh ${LX106_SIZE} ${LFS_LOADER_LX106_ELF}
            ${LFS_LOADER_LX106_LIB} 3726 ${LX106_NM})
  if(LX106_QEMU AND LX106_NM)
    set(LX106_WORK ${CMAKE_CURRENT_BINARY_DIR}/loader-lx106-runs)
    set(LX106_PLUGIN ${LFSC_SHARED_DIR}/xtensa/kit/plugin/insncount.c)
    # name | image | firmware variant | expected region or exit:N | count?
    set(LX106_RUNS
      "float16_all|float16/all.pi.img|float16|float16/all.abs.img|count"
      "float_all|float/all.pi.img|float|float/all.abs.img|count"
      "int_all|int/all.pi.img|int|int/all.abs.img|"
      "float_c15_empty|float/single/c15_empty.pi.img|float|float/single/c15_empty.abs.img|"
      "int_multi_abs|int/multi.abs.img|int|int/multi.abs.img|"
      "float_quirk_sigbytes|float/quirk_sigbytes.pi.img|float|exit:16|"
      "int_on_float|int/multi.pi.img|float|exit:22|")
    foreach(run ${LX106_RUNS})
      string(REPLACE "|" ";" f "${run}")
      list(GET f 0 name)
      list(GET f 1 image)
      list(GET f 2 variant)
      list(GET f 3 expect)
      list(GET f 4 count)
      if(NOT expect MATCHES "^exit:")
        set(expect ${LFSC_CONFORMANCE_DIR}/${expect})
      endif()
      set(extra)
      if(count AND EXISTS ${LX106_PLUGIN})
        set(extra ${LX106_NM} ${LX106_PLUGIN} ${CMAKE_C_COMPILER})
      endif()
      add_test(NAME loader_lx106_qemu_${name}
        COMMAND sh ${LX106_SCRIPTS}/lx106-run.sh ${LX106_QEMU} ${LFS_LOADER_LX106_ELF}
                ${LFSC_CONFORMANCE_DIR}/${image} ${variant} ${expect} ${LX106_WORK} ${extra})
      set_tests_properties(loader_lx106_qemu_${name} PROPERTIES TIMEOUT 120)
    endforeach()
    # The budgets of issue #21: each load <= half of NodeMCU's instructions
    # (counts under QEMU are deterministic; NodeMCU's recorded in the
    # script), on the conformance images and on 128, 256 and 512 KB images
    # made from the corpus; code + read-only data <= 3,726 B, context
    # <= 23,000 B. bench/loader.sh prints the figures with their ratios.
    if(EXISTS ${LX106_PLUGIN})
      add_test(NAME loader_lx106_insns
        COMMAND sh ${PROJECT_SOURCE_DIR}/bench/loader.sh --check ${PROJECT_BINARY_DIR}
                ${LFSC_SHARED_DIR} ${LFSC_CORPUS_DIR})
      set_tests_properties(loader_lx106_insns PROPERTIES TIMEOUT 300)
    endif()
    if(TARGET luac.cross)
      add_test(NAME loader_lx106_qemu_own_images
        COMMAND sh ${LX106_SCRIPTS}/own-images.sh $<TARGET_FILE:luac.cross> ${LX106_QEMU}
                ${LFS_LOADER_LX106_ELF} ${PROJECT_SOURCE_DIR}/examples/lfs
                ${LFSC_CONFORMANCE_DIR}/src ${LX106_WORK}/own)
      set_tests_properties(loader_lx106_qemu_own_images PROPERTIES TIMEOUT 300)
    endif()
  endif()
endif()
