# examples: the example pipelines as a user runs them (examples/project's
# Makefile, its GitHub Actions workflow run step by step, the OTA example).
# They need the host runtime (make test, lfsimg run); none needs the network.
# examples_workflow_install also runs the workflow's lfsc step (clone, build,
# install lfsc), from a clone of this checkout's HEAD (not under sanitizers).
function(lfsc_example name script)
  add_test(NAME examples_${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/examples/${script}.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${ARGN})
  set_tests_properties(examples_${name} PROPERTIES TIMEOUT 600)
endfunction()

if(TARGET lfsc_runtime AND TARGET lfsimg AND TARGET luac.cross)
  set(fw "${LFSC_FIRMWARE_DIR}")
  lfsc_example(ota ota)
  if(NOT fw)
    lfsc_needs_firmware(examples_project)
    lfsc_needs_firmware(examples_workflow)
  else()
    lfsc_example(project project ${fw})
    lfsc_example(workflow workflow ${fw})
    if(EXISTS ${PROJECT_SOURCE_DIR}/.git AND NOT LFSC_SANITIZE)
      lfsc_example(workflow_install workflow ${fw} file://${PROJECT_SOURCE_DIR})
    endif()
  endif()
endif()
