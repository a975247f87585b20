#!/bin/sh
# Count the instructions NodeMCU's own loader (built by build.sh) spends
# loading IMAGE on the emulated lx106: everything between the driver's
# loader_mark_begin and loader_mark_end (luaL_lfsreload: both inflate
# passes, CRC, header checks, bitmap, relocation, and the shim's flash,
# file and allocator calls), counted by the xtensa kit's QEMU plugin.
# Deterministic. Prints one line on stdout:
#   nodemcu-loader IMAGE: N instructions
# and exits non-zero with a message if the load could not run or was
# refused (the refusal's message included).
#
# usage: bench/nodemcu-loader/count.sh OUT_DIR IMAGE VARIANT [EXPECT]
#   VARIANT  float, float16 or int (the firmware build that loads it)
#   EXPECT   also check the loaded region against this absolute image
#            (-a 0x40280000): equal byte for byte except that NodeMCU's
#            loader leaves word 0's ABSOLUTE bit (0x01) clear; prints
#            the details (NodeMCU's own share, heap) on a second line.
# The plugin source: $INSNCOUNT_SRC, else
# ${LFSC_SHARED_DIR:-tests/data}/xtensa/kit/plugin/insncount.c.
set -u
[ $# = 3 ] || [ $# = 4 ] || { echo "usage: $0 OUT_DIR IMAGE VARIANT [EXPECT]" >&2; exit 2; }
out=$1 img=$2 variant=$3 expect=${4:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
src=${INSNCOUNT_SRC:-${LFSC_SHARED_DIR:-$top/tests/data}/xtensa/kit/plugin/insncount.c}
elf=$out/nodemcu-loader-$variant.elf
fail() { echo "nodemcu-loader $img: $*" >&2; exit 1; }

case $variant in float|float16|int) ;; *) fail "unknown variant $variant" ;; esac
[ -f "$elf" ] || fail "missing $elf (run bench/nodemcu-loader/build.sh FW_DIR $out)"
[ -f "$img" ] || fail "no such image"
qemu=$(command -v qemu-system-xtensa) || fail "qemu-system-xtensa not found"
nm=$(command -v xtensa-lx106-elf-nm) || fail "xtensa-lx106-elf-nm not found"
cc=$(command -v cc || command -v gcc) || fail "no host C compiler for the plugin"

so=$out/libinsncount.so
if [ ! -f "$so" ] || [ "$src" -nt "$so" ]; then
  [ -f "$src" ] || fail "plugin source $src not found (set INSNCOUNT_SRC or LFSC_SHARED_DIR)"
  # runs may be parallel: build privately, then rename into place
  "$cc" -O2 -shared -fPIC -o "$so.$$" "$src" && mv -f "$so.$$" "$so" ||
    { rm -f "$so.$$"; fail "the plugin could not be built"; }
fi
addr() { "$nm" "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
tag=$(echo "$img" | sed 's|/|_|g').$$
region=$out/$tag.region counts=$out/$tag.insns
rm -f "$region" "$counts"
log=$(timeout 300 "$qemu" -M sim -cpu lx106 -display none \
  -semihosting-config enable=on,target=native,arg=nodemcu-loader,arg="$img",arg="$region",arg="$variant" \
  -plugin "$so,begin=$(addr loader_mark_begin),end=$(addr loader_mark_end),lo=$(addr _nodemcu_start),hi=$(addr _nodemcu_end),out=$counts" \
  -kernel "$elf" < /dev/null 2>&1)
rc=$?
n=$(awk '$1 == "insns_begin_to_end" { print $2 }' "$counts" 2>/dev/null)
own=$(awk '$1 == "insns_in_range" { print $2 }' "$counts" 2>/dev/null)
rm -f "$counts"
if [ $rc != 0 ]; then
  rm -f "$region"
  msg=$(echo "$log" | sed -n 's/^nodemcu-loader: \(refused: \)\{0,1\}//p' | head -1)
  case $rc in
    10) fail "refused in the first pass: $msg" ;;
    11) fail "failed in the second pass (region erased): $msg" ;;
    124) fail "timed out" ;;
    *) fail "exit status $rc${msg:+: $msg}" ;;
  esac
fi
[ -n "$n" ] || { rm -f "$region"; fail "no instruction count (QEMU could not run the plugin)"; }

if [ -n "$expect" ]; then
  # the only difference allowed: byte 0 of word 0, ABSOLUTE (0x01) set in
  # EXPECT and clear in the region (IN_PROGRESS, 0x08, must be clear too)
  diffs=$(cmp -l "$region" "$expect" 2>&1)
  ok=1
  [ "$(wc -c < "$region")" = "$(wc -c < "$expect")" ] || ok=0
  if [ -n "$diffs" ]; then
    set -- $diffs
    if [ $# != 3 ] || [ "$1" != 1 ] || [ $((0$2 ^ 0$3)) != 1 ] || [ $((0$2 & 9)) != 0 ]; then
      ok=0
    fi
  fi
  [ $ok = 1 ] || { cmp "$region" "$expect" >&2; rm -f "$region"; fail "region differs from $expect"; }
fi
rm -f "$region"
echo "nodemcu-loader $img: $n instructions"
if [ -n "$expect" ]; then
  heap=$(echo "$log" | sed -n 's/^nodemcu-loader: heap peak \([0-9]*\) bytes/\1/p')
  echo "  region == ${expect##*/} but the ABSOLUTE bit; $own in NodeMCU's code, the rest in the shim; heap peak $heap bytes"
fi
