#!/bin/sh
# Benchmark for superlinear corners: the synthetic inputs of
# bench/gen-synthetic.py (10,000 numeric constants, 10,000 distinct
# strings, 10,000 functions, deep nesting, 3,000 modules), each compiled by
# luac.cross -t host and by luac5.1 in the same run, with the ratio of
# callgrind instruction counts; the 3,000 modules also as an -f image
# against luac5.1 -s. Not a test: it prints figures.
#
# usage: bench/synthetic.sh [LUAC_CROSS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
LUAC=${1:-$top/build/luac.cross}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$top/bench/gen-synthetic.py" "$tmp/in"

icount() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" > /dev/null 2> "$tmp/vg"
  sed -n 's/^summary: *//p' "$tmp/cg"
}
row() {                           # name, our command, luac5.1 command
  name=$1; ours=$(eval icount "$2"); ref=$(eval icount "$3")
  echo "$name $ours $ref" | awk '{printf "%-22s lfsc %12d  luac5.1 %12d  ratio %.3fx\n", $1, $2, $3, $2/$3}'
}
for f in numbers strings functions nesting; do
  row "$f.lua" "\"$LUAC\" -t host -o $tmp/o $tmp/in/$f.lua" "luac5.1 -o $tmp/r $tmp/in/$f.lua"
done
row "3000-modules" "\"$LUAC\" -t host -o $tmp/o $tmp/in/modules/*.lua" "luac5.1 -o $tmp/r $tmp/in/modules/*.lua"
row "3000-modules-f/-s" "\"$LUAC\" -f --no-window-check -m 0x3e0000 -o $tmp/o $tmp/in/modules/*.lua" "luac5.1 -s -o $tmp/r $tmp/in/modules/*.lua"
row "functions-f/-s" "\"$LUAC\" -f --no-window-check -m 0x3e0000 -o $tmp/o $tmp/in/functions.lua" "luac5.1 -s -o $tmp/r $tmp/in/functions.lua"
