# The Lua 5.3 host runtime (room runtime53), included by src/CMakeLists.txt
# when the build has the runtime.
#
# One lfsimg process must hold both VMs, and liblua5.1 and liblua5.3 define
# the same names: the whole lua_*/luaL_*/luaopen_* API (and, in the static
# archives, the internal luaH_*/luaV_*/... too). Linked side by side
# unrenamed, a definition in an object wins over the shared liblua5.1's:
# the 5.1 runtime would call 5.3's lua_pushnumber on a 5.1 state, and
# liblua5.1's own calls through its PLT could bind to it too. So the 5.3 VM
# comes from Debian's *static* liblua5.3.a, linked into one relocatable
# object whose every global name then gets the prefix lfsc_vm53_ (objcopy
# --redefine-syms, in vm53_build.cmake); runtime53.c is compiled against
# liblua5.3's own headers through a generated vm53_names.h that maps each
# name to its prefixed form. No unprefixed lua name is left to interpose,
# in either direction, and no loader trickery is needed (a shared module of
# ours dlopen'ed with RTLD_DEEPBIND would be a second file to install, and
# ASan's runtime refuses RTLD_DEEPBIND; a separate executable is not one
# lfsimg).
# tests/runtime53/symbols.sh checks it with nm and ldd. The renamed object
# goes into the room's own archive, so the room exports only lfsc_ names,
# like every room, and liblfsc.a never sees liblua.
find_library(LUA53_STATIC NAMES liblua5.3.a)
find_path(LUA53_INCLUDE_DIR lua.h PATH_SUFFIXES lua5.3 NO_DEFAULT_PATH PATHS /usr/include /usr/local/include)
if(NOT LUA53_STATIC OR NOT LUA53_INCLUDE_DIR OR NOT CMAKE_OBJCOPY OR NOT CMAKE_NM)
  message(STATUS "runtime53: no static liblua5.3 (liblua5.3-dev), objcopy or nm: "
                 "the Lua 5.3 host runtime is left out")
  return()
endif()

set(vm53_dir ${CMAKE_CURRENT_BINARY_DIR}/vm53)
add_custom_command(
  OUTPUT ${vm53_dir}/vm53.o ${vm53_dir}/vm53_names.h
  COMMAND ${CMAKE_COMMAND} -DCC=${CMAKE_C_COMPILER} -DNM=${CMAKE_NM} -DOBJCOPY=${CMAKE_OBJCOPY}
          -DARCHIVE=${LUA53_STATIC} -DOUT=${vm53_dir} -DPREFIX=lfsc_vm53_
          -P ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/vm53_build.cmake
  DEPENDS ${LUA53_STATIC} ${CMAKE_CURRENT_SOURCE_DIR}/runtime53/vm53_build.cmake
  COMMENT "Renaming liblua5.3's global names (lfsc_vm53_*)"
  VERBATIM)
add_custom_target(lfsc_vm53 DEPENDS ${vm53_dir}/vm53.o ${vm53_dir}/vm53_names.h)

lfsc_room(runtime53 runtime53 repl)
add_dependencies(lfsc_runtime53_obj lfsc_vm53)
add_dependencies(lfsc_runtime53 lfsc_vm53)
target_include_directories(lfsc_runtime53_obj PRIVATE ${vm53_dir} ${LUA53_INCLUDE_DIR})
set_source_files_properties(${vm53_dir}/vm53.o PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
target_sources(lfsc_runtime53 PRIVATE ${vm53_dir}/vm53.o)
# what liblua5.3.a itself needs: libm, and dlopen for package.loadlib
target_link_libraries(lfsc_runtime53 PUBLIC m ${CMAKE_DL_LIBS})
target_compile_definitions(lfsc_runtime53 INTERFACE LFSC_HAVE_RUNTIME53=1)
