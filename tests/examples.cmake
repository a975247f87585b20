# examples: the example pipelines as a user runs them (examples/project's
# Makefile, its GitHub Actions workflow run step by step, the OTA example).
# They need the host runtime (make test, lfsimg run); none needs the network.
# The workflow's lfsc step (clone, build, install lfsc) runs in
# examples_workflow_install, from a clone of this checkout's HEAD.
set(LFSC_FIRMWARE_DIR "${LFSC_SHARED_DIR}/firmware/nodemcu-dev-float-lfs128k")
if(TARGET lfsc_runtime AND TARGET lfsimg AND TARGET luac.cross)
  add_test(NAME examples_project
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/examples/project.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_FIRMWARE_DIR})
  add_test(NAME examples_workflow
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/examples/workflow.sh
            $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_FIRMWARE_DIR})
  set(examples_tests examples_project examples_workflow)
  if(EXISTS ${PROJECT_SOURCE_DIR}/.git AND NOT LFSC_SANITIZE)
    add_test(NAME examples_workflow_install
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/examples/workflow.sh
              $<TARGET_FILE:lfsimg> $<TARGET_FILE:luac.cross> ${LFSC_FIRMWARE_DIR}
              file://${PROJECT_SOURCE_DIR})
    list(APPEND examples_tests examples_workflow_install)
  endif()
  set_tests_properties(${examples_tests} PROPERTIES TIMEOUT 600)
endif()
