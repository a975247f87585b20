# Structure: what the folders of src/ promise, checked on the built
# archives. nm_public_names: the installed library and the runtime room
# export only lfsc_* names. room_layering: each room's archive and sources
# use only the rooms src/CMakeLists.txt lets them use (rooms.txt, written by
# the build).
if(NOT CMAKE_NM OR WIN32)
  return()
endif()
# each archive with the fewest exported names it may have (today liblfsc.a
# has 192, the runtime room 10)
set(structure_archives $<TARGET_FILE:lfsc> 150)
if(TARGET lfsc_runtime)
  list(APPEND structure_archives $<TARGET_FILE:lfsc_runtime> 5)
endif()
add_test(NAME nm_public_names
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/structure/nm_public.sh ${CMAKE_NM} ${structure_archives})
# two checks a room (its undefined names, its includes): six rooms always,
# seven with the runtime
add_test(NAME room_layering
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/structure/rooms.sh ${CMAKE_NM}
          ${PROJECT_BINARY_DIR}/rooms.txt $<TARGET_FILE_DIR:lfsc> 12 ${PROJECT_SOURCE_DIR}/src)
# startup_needed: libelf, liblua5.1 and readline are loaded when first
# needed, not by the dynamic linker at every start
if(CMAKE_OBJDUMP AND TARGET luac.cross AND TARGET lfsimg)
  add_test(NAME startup_needed
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/structure/needed.sh ${CMAKE_OBJDUMP}
            $<TARGET_FILE:luac.cross> $<TARGET_FILE:lfsimg>)
endif()
