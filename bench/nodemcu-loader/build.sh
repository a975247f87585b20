#!/bin/sh
# Build NodeMCU's own LFS loader as an lx106 program for the QEMU harness:
# app/lua/lflash.c (luaN_init, luaL_lfsreload -> loadLFS, procFirstPass,
# procSecondPass) + app/uzlib/uzlib_inflate.c + app/uzlib/crc32.c from a
# NodeMCU firmware checkout (Lua 5.1 dev branch), compiled unchanged with
# the flags of our loader stub, linked with our shims (shim.c, setjmp.S,
# include/; crt0.S and semihost.h from the stub's lx106/). One ELF per firmware variant:
#   OUT_DIR/nodemcu-loader-{float,float16,int}.elf
# Run them with count.sh (or verify.sh); see README.md.
#
# usage: bench/nodemcu-loader/build.sh FW_DIR OUT_DIR
set -u
[ $# = 2 ] || { echo "usage: $0 FW_DIR OUT_DIR" >&2; exit 2; }
fw=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
gcc=$(command -v xtensa-lx106-elf-gcc) || { echo "xtensa-lx106-elf-gcc not found" >&2; exit 1; }
size=$(command -v xtensa-lx106-elf-size) || { echo "xtensa-lx106-elf-size not found" >&2; exit 1; }

# The firmware's files, used as they are. They are copied into OUT_DIR/fw
# (not edited: cmp checks it) only because a quoted #include looks in the
# including file's own directory first: in the firmware tree lflash.c
# would get the real Lua and SDK headers, which need the whole firmware
# build; next to nothing but lflash.h and uzlib.h it gets include/'s stubs.
srcs="app/lua/lflash.c app/lua/lflash.h app/uzlib/uzlib_inflate.c app/uzlib/uzlib.h app/uzlib/crc32.c"
mkdir -p "$out/fw" || exit 1
for f in $srcs; do
  [ -f "$fw/$f" ] || { echo "$fw/$f not found: FW_DIR must be a NodeMCU firmware (Lua 5.1) checkout" >&2; exit 1; }
  cp "$fw/$f" "$out/fw/" && cmp -s "$fw/$f" "$out/fw/${f##*/}" || exit 1
done
rev=$(git -C "$fw" rev-parse --short HEAD 2>/dev/null || echo unknown)

# Our loader stub's lx106 flags (src/platform/esp8266/loader/CMakeLists.txt)
# minus its warnings (not ours to fix in NodeMCU's code). NM_CFLAGS
# replaces them, to see what other flags make of the count.
cflags=${NM_CFLAGS:-"-std=gnu99 -Os -mlongcalls -ffreestanding -fno-builtin
  -fno-tree-loop-distribute-patterns -mno-target-align -ffunction-sections -fdata-sections"}

for v in float float16 int; do
  # the variant's switches in the firmware's app/include/user_config.h
  case $v in
    float) defs= ;;
    float16) defs=-DLUA_DWORD_ALIGNED_TVALUES ;;
    int) defs=-DLUA_NUMBER_INTEGRAL ;;
  esac
  d=$out/$v
  mkdir -p "$d" || exit 1
  for f in lflash uzlib_inflate crc32; do
    src=$out/fw/$f.c
    "$gcc" $cflags $defs -I"$out/fw" -I"$here/include" -c "$src" -o "$d/$f.o" || exit 1
  done
  "$gcc" $cflags $defs -Wall -Wextra -Werror -DNM_VARIANT=$v -I"$here/include" -I"$here/../../src/platform/esp8266/loader/lx106" \
    -c "$here/shim.c" -o "$d/shim.o" || exit 1
  "$gcc" -mlongcalls -c "$here/setjmp.S" -o "$d/setjmp.o" || exit 1
  "$gcc" -mlongcalls -c "$here/../../src/platform/esp8266/loader/lx106/crt0.S" -o "$d/crt0.o" || exit 1
  "$gcc" -nostdlib -T "$here/nodemcu-loader.ld" -Wl,--gc-sections -Wl,-Map="$d/map" \
    -o "$out/nodemcu-loader-$v.elf" "$d/crt0.o" "$d/shim.o" "$d/setjmp.o" \
    "$d/lflash.o" "$d/uzlib_inflate.o" "$d/crc32.o" -lgcc || exit 1
  text=$("$size" -A "$out/nodemcu-loader-$v.elf" | awk '$1 == ".nodemcu" { print $2 }')
  echo "built $out/nodemcu-loader-$v.elf (NodeMCU $rev; its loader code: $text bytes)"
done
