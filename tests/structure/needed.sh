#!/bin/sh
# No start-up cost for a library a run may not use: the tools load libelf
# (src/elf), liblua5.1 (src/runtime) and readline (src/repl) when a run
# first needs them, so none of them is a shared library the dynamic linker
# loads at every start (objdump -p: NEEDED). That the loading works is
# tested where each is used (firmware, embed, runtime, REPL tests).
# usage: needed.sh OBJDUMP TOOL...
set -u
. "$(dirname "$0")/../lib/tally.sh"
OBJDUMP=$1; shift
for tool in "$@"; do
  needed=$("$OBJDUMP" -p "$tool" | awk '$1 == "NEEDED" { print $2 }')
  if [ -z "$needed" ]; then bad "$tool: no NEEDED entries read"; continue; fi
  ok
  for lib in libelf liblua readline; do
    case " $(echo $needed) " in
      *" $lib"*) bad "$tool needs $lib at start-up: $(echo $needed)" ;;
      *) ok ;;
    esac
  done
  echo "$(basename "$tool"): needs $(echo $needed)"
done
tally_end $((4 * $#))
