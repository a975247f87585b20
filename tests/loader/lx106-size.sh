#!/bin/sh
# Section sizes of the lx106 loader stub and the 3 KB .text budget.
# usage: lx106-size.sh SIZE ELF LIB [BUDGET]
# .loader in the linked ELF is loader.o + inflate.o after the linker has
# relaxed long calls (what goes on the chip); the archive listing shows
# the per-object worst case. loader_msg.o (messages) is optional.
set -u
size=$1 elf=$2 lib=$3 budget=${4:-3072}
"$size" -A "$lib" | awk '/^[a-z_]*\.o / { obj = $1 } /^\.(text|literal|rodata)/ { t[obj] += $2 }
  END { for (o in t) printf "  %-14s text+literals+rodata %5d bytes (object)\n", o, t[o] }'
"$size" -A "$elf" | awk '$1 ~ /^\.(loader|loader_msg|rodata|bss)$/ { printf "  ELF %-11s %6d bytes\n", $1, $2 }'
text=$("$size" -A "$elf" | awk '$1 == ".loader" { print $2 }')
rodata=$("$size" -A "$lib" | awk '/^(loader|inflate)\.o / { on = 1 } /^loader_msg\.o / { on = 0 }
  on && /^\.rodata/ { n += $2 } END { print n + 0 }')
echo "loader stub .text (linked, loader.o + inflate.o): $text bytes, + $rodata bytes .rodata; budget $budget"
[ -n "$text" ] && [ "$text" -le "$budget" ]
