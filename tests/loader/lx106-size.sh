#!/bin/sh
# Section sizes of the lx106 loader stub and its budget for code +
# read-only data (.loader, i.e. .literal and .text with alignment, + .rodata).
# usage: lx106-size.sh SIZE ELF LIB BUDGET [NM]
# .loader in the linked ELF is loader.o + inflate.o after the linker has
# relaxed long calls (what goes on the chip); the archive listing shows
# the per-object worst case. loader_msg.o (messages) is optional.
set -u
size=$1 elf=$2 lib=$3 budget=$4 nm=${5:-}
"$size" -A "$lib" | awk '/^[a-z_]*\.o / { obj = $1 } /^\.(text|literal|rodata)/ { t[obj] += $2 }
  END { for (o in t) printf "  %-14s text+literals+rodata %5d bytes (object)\n", o, t[o] }'
"$size" -A "$elf" | awk '$1 ~ /^\.(loader|loader_msg|rodata|bss)$/ { printf "  ELF %-11s %6d bytes\n", $1, $2 }'
text=$("$size" -A "$elf" | awk '$1 == ".loader" { print $2 }')
rodata=$("$size" -A "$lib" | awk '/^(loader|inflate)\.o / { on = 1 } /^loader_msg\.o / { on = 0 }
  on && /^\.rodata/ { n += $2 } END { print n + 0 }')
code=$((${text:-999999} + rodata))
echo "loader stub code + read-only data: $code bytes (.loader, linked loader.o + inflate.o: $text; + their .rodata: $rodata); budget $budget"
[ "$code" -le "$budget" ] || { echo "FAIL: over budget"; exit 1; }
# Freestanding: the stub may call nothing but itself (no libc, no libgcc
# division or soft-float helpers).
if [ -n "$nm" ]; then
  ext=$("$nm" -u "$lib" | awk 'NF == 2 { print $2 }' | sort -u |
        grep -v -x -e lfs_fail -e lfs_drain -e inf_bits -e inf_copy -e inf_gzip)
  if [ -n "$ext" ]; then
    echo "FAIL: the stub calls outside itself:" $ext
    exit 1
  fi
  echo "external calls: none"
fi
