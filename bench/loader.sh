#!/bin/sh
# Benchmark: the target loader stub on the emulated lx106 against NodeMCU's
# own loader (lflash.c + uzlib), on the same image files. Loads three
# conformance images and three images of about 128, 256 and 512 KB made
# here from real code (bench/loader-images.sh: the corpus, luac.cross -f
# --compat-deflate, i.e. NodeMCU's own deflate bytes) with
# loader-lx106.elf under qemu-system-xtensa, counts the instructions of the
# whole lfs_load (stub plus the harness's flash and input callbacks) with
# the QEMU plugin of the xtensa kit, and prints them with their ratio to
# NodeMCU's loader. Instruction counts under QEMU are deterministic.
#
# NodeMCU's side: with NODEMCU_FW set to a NodeMCU firmware checkout (Lua
# 5.1, e.g. NODEMCU_FW=/work/ref51/fw), its loader is built for the same
# harness (bench/nodemcu-loader/build.sh) and measured in this run on the
# same files (count.sh: luaL_lfsreload, both passes, with its shim's flash,
# file and allocator calls). Without it, the figures recorded below are
# used: measured that way at NodeMCU ca8d008a; the output says which.
# Recorded figures hold only for the same bytes: a made image whose
# checksum differs from the recorded one is reported (and fails --check).
#
# Also prints the stub's lx106 code + read-only data (the .loader section
# of the linked ELF: .literal and .text of loader.o and inflate.o with
# their alignment, plus those objects' .rodata) and its context size.
#
# usage: bench/loader.sh [--check] [BUILD_DIR] [SHARED_DIR] [CORPUS_DIR]
#   SHARED_DIR  the test data (default tests/data, or $LFSC_SHARED_DIR)
#   CORPUS_DIR  real Lua code with MANIFEST.txt (default $LFSC_CORPUS_DIR,
#               else corpus/); without one the big images are skipped
#   --check  also hold the budgets of issue #21 and exit non-zero when one
#            is exceeded: each load <= half of NodeMCU's instructions,
#            code + read-only data <= 3,726 bytes, context <= 23,000
#            bytes. Ends with "N passed, N failed" (the ctest
#            loader_lx106_insns runs this).
set -u
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shared=${2:-${LFSC_SHARED_DIR:-$top/tests/data}}
corpus=${3:-${LFSC_CORPUS_DIR:-$top/corpus}}
elf=$build/src/platform/esp8266/loader/loader-lx106.elf
lib=$build/src/platform/esp8266/loader/libloader-lx106.a
luac=$build/luac.cross
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
bad() { fail=$((fail + 1)); echo "  FAIL: $*"; }

# The big images, made from the corpus.
imgs=$work/images
big=
if [ -f "$corpus/MANIFEST.txt" ] && [ -x "$luac" ]; then
  if sh "$top/bench/loader-images.sh" "$luac" "$corpus" "$imgs" > "$work/images.log" 2>&1; then
    big=1
  else
    sed 's/^/    /' "$work/images.log"
    bad "bench/loader-images.sh could not make the big images"
  fi
else
  echo "(no corpus with MANIFEST.txt at $corpus, or no $luac: the 128/256/512 KB images are skipped)"
fi

# NodeMCU's loader, measured in this run when a firmware checkout is given.
nmout=$work/nodemcu-loader
live=
if [ -n "${NODEMCU_FW:-}" ]; then
  if sh "$top/bench/nodemcu-loader/build.sh" "$NODEMCU_FW" "$nmout" > "$work/nodemcu-build.log" 2>&1; then
    live=1
    nmcode=$(sed -n 's/.*its loader code: \([0-9]*\) bytes.*/\1/p' "$work/nodemcu-build.log" | head -1)
    echo "NodeMCU's loader: built from $NODEMCU_FW and measured in this run on the same files"
  else
    sed 's/^/    /' "$work/nodemcu-build.log"
    bad "NodeMCU's loader could not be built from $NODEMCU_FW"
  fi
fi
[ -n "$live" ] ||
  echo "NodeMCU's loader: figures recorded at NodeMCU ca8d008a on this harness (set NODEMCU_FW to measure it in this run)"

echo "loader stub under qemu-system-xtensa -cpu lx106, whole lfs_load (stub + harness callbacks)"
printf '  %-22s %9s %12s %12s %8s\n' image "file B" instructions NodeMCU ratio
ctx=
# image | firmware variant | NodeMCU's instructions (recorded) | cksum of the file
for row in "conf:float16/all float16 45289773 -" "conf:float/all float 42988406 -" \
           "conf:int/multi int 4596530 -" "big:img128 float 51719387 105960869" \
           "big:img256 float 109624622 347856587" "big:img512 float 222468833 2555325484"; do
  set -- $row
  case $1 in
    conf:*) pi=$conf/${1#conf:}.pi.img abs=$conf/${1#conf:}.abs.img name=${1#conf:}.pi.img ;;
    big:*) [ -n "$big" ] || continue
           pi=$imgs/${1#big:}.pi.img abs=$imgs/${1#big:}.abs.img name=${1#big:}.pi.img ;;
  esac
  out=$(sh "$top/tests/loader/lx106-run.sh" "$qemu" "$elf" "$pi" "$2" "$abs" "$work" \
          "$nm" "$plugin" "$cc" 2>&1)
  n=$(echo "$out" | sed -n 's/^instructions for lfs_load of [^:]*: \([0-9]*\) .*/\1/p')
  c=$(echo "$out" | sed -n 's/^loader: ctx \([0-9]*\) bytes.*/\1/p' | head -1)
  [ -n "$c" ] && ctx=$c
  if [ -z "$n" ]; then
    bad "$name: no instruction count"
    echo "$out" | sed 's/^/    /'
    continue
  fi
  ref=$3
  if [ -n "$live" ]; then
    ref=$(sh "$top/bench/nodemcu-loader/count.sh" "$nmout" "$pi" "$2" 2>&1 |
          sed -n 's/^nodemcu-loader .*: \([0-9]*\) instructions$/\1/p')
    [ -n "$ref" ] || { bad "$name: NodeMCU's loader gave no count"; continue; }
  elif [ "$4" != - ] && [ "$(cksum < "$pi" | awk '{ print $1 }')" != "$4" ]; then
    bad "$name differs from the file NodeMCU's figure was recorded for (set NODEMCU_FW to measure it)"
    continue
  fi
  printf '  %-22s %9s %12s %12s %7.3fx\n' "$name" "$(wc -c < "$pi" | tr -d ' ')" "$n" "$ref" \
    "$(echo "$n $ref" | awk '{print $1 / $2}')"
  verdict "$name instructions" "$n" "$((ref / 2))"
done

text=$("$size" -A "$elf" | awk '$1 == ".loader" { print $2 }')
rodata=$("$size" -A "$lib" | awk '/^(loader|inflate)\.o / { on = 1 } /^loader_msg\.o / { on = 0 }
  on && /^\.rodata/ { n += $2 } END { print n + 0 }')
code=$((${text:-999999} + rodata))
echo "lx106 code + read-only data of the stub: $code bytes (.loader: .literal + .text of loader.o and inflate.o, linked, $text; + their .rodata, $rodata); budget 3726 (NodeMCU's loader, issue #21)"
[ -n "$live" ] && [ -n "${nmcode:-}" ] &&
  echo "  NodeMCU's .nodemcu section as built here (all of lflash.c, uzlib_inflate.c, crc32.c: code + literals): $nmcode bytes"
echo "context (sizeof(lfs_ctx) on lx106): ${ctx:-?} bytes for any image size (NodeMCU: about 23,000 + image_size / 32 of heap)"
verdict "code + read-only data bytes" "$code" 3726
verdict "context bytes" "${ctx:-999999}" 23000
if [ $check = 1 ]; then
  echo "$pass passed, $fail failed"
  [ $fail -eq 0 ]
fi
