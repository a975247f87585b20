#!/bin/sh
# Benchmark: compile every corpus file that luac5.3 accepts with
# `luac.cross --lua 5.3 -t host -p` (one process) and with Debian's
# `luac5.3 -p`, and print the ratio of instruction counts (valgrind
# --tool=callgrind). Not a test: it prints figures. Goal of issue #19: at
# most 0.65x. Measure a release build (-DLFSC_TESTS=OFF): test builds
# carry internal checks.
#
# usage: bench/compile53-corpus.sh [LUAC_CROSS] [CORPUS_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
OURS=${1:-$top/build/luac.cross}
CORPUS=${2:-$top/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$CORPUS"
: > "$tmp/files"
for f in $(cut -f2 MANIFEST.txt); do
  luac5.3 -p "$f" 2>/dev/null && echo "$f" >> "$tmp/files"
done
n=$(wc -l < "$tmp/files")
bytes=$(xargs cat < "$tmp/files" | wc -c)
echo "corpus: $n files luac5.3 accepts, $bytes bytes, each tool in one process (-p)"
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.ours" \
  "$OURS" --lua 5.3 -t host -p $(cat "$tmp/files") 2> /dev/null
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.ref" \
  luac5.3 -p $(cat "$tmp/files") 2> /dev/null
ours=$(sed -n 's/^summary: *//p' "$tmp/cg.ours")
ref=$(sed -n 's/^summary: *//p' "$tmp/cg.ref")
echo "instructions: lfsc 5.3 front end $ours, luac5.3 -p $ref, ratio $(echo "$ours $ref" | awk '{printf "%.3f", $1/$2}')x"
