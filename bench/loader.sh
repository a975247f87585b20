#!/bin/sh
# Benchmark: the target loader stub on the emulated lx106. Loads three
# conformance images with loader-lx106.elf under qemu-system-xtensa, counts
# the instructions of the whole lfs_load (stub plus the harness's flash and
# input callbacks) with the QEMU plugin of the xtensa kit (tests/data/xtensa/kit/plugin),
# and prints them with their ratio to NodeMCU's own loader (lflash.c +
# uzlib), whose figures are the ones published in issue #10, measured with
# the same plugin and flags on the same images (NodeMCU's loader cannot be
# built here). Also prints the stub's lx106 .text and .rodata and the
# context size. Instruction counts under QEMU are deterministic.
#
# usage: bench/loader.sh [--check] [BUILD_DIR] [SHARED_DIR]
#   SHARED_DIR: the test data (default tests/data, or $LFSC_SHARED_DIR)
#   --check  also hold the budgets (issue #10 goal 5) and exit non-zero when
#            one is exceeded: each load <= half of NodeMCU's instructions,
#            .text <= 3,600 bytes, context <= 23,000 bytes. Ends with
#            "N passed, N failed" (the ctest loader_lx106_insns runs this).
set -u
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shared=${2:-${LFSC_SHARED_DIR:-$top/tests/data}}
elf=$build/src/platform/esp8266/loader/loader-lx106.elf
lib=$build/src/platform/esp8266/loader/libloader-lx106.a
conf=$shared/conformance
plugin=$shared/xtensa/kit/plugin/insncount.c
work=$build/bench-loader
qemu=$(command -v qemu-system-xtensa) || { echo "qemu-system-xtensa not found"; exit 1; }
nm=$(command -v xtensa-lx106-elf-nm) || { echo "xtensa-lx106-elf-nm not found"; exit 1; }
size=$(command -v xtensa-lx106-elf-size) || { echo "xtensa-lx106-elf-size not found"; exit 1; }
cc=$(command -v cc || command -v gcc) || { echo "no host C compiler for the plugin"; exit 1; }
for f in "$elf" "$lib" "$plugin"; do
  [ -f "$f" ] || { echo "missing $f (build the loader-lx106 target first)"; exit 1; }
done
mkdir -p "$work" || exit 1

pass=0 fail=0
verdict() {  # verdict WHAT VALUE LIMIT
  if [ "$2" -le "$3" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "  FAIL: $1 $2 exceeds its budget $3"
  fi
}

echo "loader stub under qemu-system-xtensa -cpu lx106, whole lfs_load (stub + harness callbacks)"
printf '  %-24s %12s %12s %8s\n' image instructions NodeMCU ratio
ctx=
# image | firmware variant | NodeMCU's instructions (issue #10)
for row in "float16/all.pi.img float16 42600000" "float/all.pi.img float 40500000" \
           "int/multi.pi.img int 4330000"; do
  set -- $row
  expect=$conf/$(echo "$1" | sed 's/\.pi\.img$/.abs.img/')
  out=$(sh "$top/tests/loader/lx106-run.sh" "$qemu" "$elf" "$conf/$1" "$2" "$expect" "$work" \
          "$nm" "$plugin" "$cc" 2>&1)
  n=$(echo "$out" | sed -n 's/^instructions for lfs_load of [^:]*: \([0-9]*\) .*/\1/p')
  c=$(echo "$out" | sed -n 's/^loader: ctx \([0-9]*\) bytes.*/\1/p' | head -1)
  [ -n "$c" ] && ctx=$c
  if [ -z "$n" ]; then
    echo "  FAIL: $1: no instruction count"
    echo "$out" | sed 's/^/    /'
    fail=$((fail + 1))
    continue
  fi
  printf '  %-24s %12s %12s %7.3fx\n' "$1" "$n" "$3" "$(echo "$n $3" | awk '{print $1 / $2}')"
  verdict "$1 instructions" "$n" "$(($3 / 2))"
done

text=$("$size" -A "$elf" | awk '$1 == ".loader" { print $2 }')
rodata=$("$size" -A "$lib" | awk '/^(loader|inflate)\.o / { on = 1 } /^loader_msg\.o / { on = 0 }
  on && /^\.rodata/ { n += $2 } END { print n + 0 }')
echo "lx106 .text of the stub (loader.o + inflate.o, linked): $text bytes (NodeMCU: 3754, ratio $(echo "$text" | awk '{printf "%.3f", $1 / 3754}')x), + $rodata bytes .rodata"
echo "context (sizeof(lfs_ctx) on lx106): ${ctx:-?} bytes for any image size (NodeMCU: 23068 + image_size / 32)"
verdict ".text bytes" "${text:-999999}" 3600
verdict "context bytes" "${ctx:-999999}" 23000
if [ $check = 1 ]; then
  echo "$pass passed, $fail failed"
  [ $fail -eq 0 ]
fi
