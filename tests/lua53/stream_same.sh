#!/bin/sh
# lfsc_lua53_compile_stream gives what lfsc_lua53_compile gives: for every
# .lua file under each DIR (and a few BOM / '#' prefixes made here), the
# tree printed by lua53c -d (or the error message) is the same when the
# file is streamed in 1-, 3- and 64-byte pieces.
#   stream_same.sh LUA53C WORKDIR DIR...
set -u
ours=$1; work=$2; shift 2
mkdir -p "$work/pre"
printf '\357\273\277x = 1\n' > "$work/pre/bom.lua"
printf '\357\273x = 1\n' > "$work/pre/partial_bom.lua"
printf '\357\273\277#!/bin/lua\nx = 1\n' > "$work/pre/bom_hash.lua"
printf '\357#x\ny = 2\n' > "$work/pre/partial_bom_hash.lua"
printf '#only a comment' > "$work/pre/hash_eof.lua"
printf '\357\273' > "$work/pre/bom_eof.lua"
n=0; same=0
for dir in "$work/pre" "$@"; do
  for f in $(find "$dir" -type f -name '*.lua' | LC_ALL=C sort); do
    n=$((n + 1))
    "$ours" -d "$f" > "$work/whole" 2>&1
    ok=1
    for step in 1 3 64; do
      "$ours" -d -S $step "$f" > "$work/streamed" 2>&1
      cmp -s "$work/whole" "$work/streamed" || { ok=0; echo "DIFFERENT: $f in $step-byte pieces"; }
    done
    [ $ok = 1 ] && same=$((same + 1))
  done
done
echo "lua53 stream: $same of $n files give the same tree or message streamed"
[ "$n" -gt 0 ] && [ "$same" -eq "$n" ]
