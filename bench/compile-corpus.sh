#!/bin/sh
# Benchmark: compile the whole third-party corpus with lfsc's luac.cross
# (-t host) and with Debian's luac5.1 in the same run, and print the ratio
# of instruction counts (valgrind --tool=callgrind, repeatable on a noisy
# machine) and of median wall time (hyperfine). Not a test: it asserts
# nothing, it prints figures. Also peak RSS (/usr/bin/time -v, package
# `time`).
#
# usage: bench/compile-corpus.sh [LUAC_CROSS] [CORPUS_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
LUAC=${1:-$top/build/luac.cross}
CORPUS=${2:-$top/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cut -f2 "$CORPUS/MANIFEST.txt" | sed "s|^|$CORPUS/|" > "$tmp/files"
n=$(wc -l < "$tmp/files")
bytes=$(xargs cat < "$tmp/files" | wc -c)
echo "corpus: $n files, $bytes bytes, all compiled by one process per compiler (-o, files combined under one main)"

ours=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.ours" \
  "$LUAC" -t host -o "$tmp/ours.out" $(cat "$tmp/files") 2> "$tmp/vg.ours" >/dev/null; sed -n 's/^summary: *//p' "$tmp/cg.ours")
ref=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.ref" \
  luac5.1 -o "$tmp/ref.out" $(cat "$tmp/files") 2> "$tmp/vg.ref" >/dev/null; sed -n 's/^summary: *//p' "$tmp/cg.ref")
cmp -s "$tmp/ours.out" "$tmp/ref.out" && same="identical" || same="DIFFERENT"
echo "instructions: lfsc $ours, luac5.1 $ref, ratio $(echo "$ours $ref" | awk '{printf "%.3f", $1/$2}')x (outputs $same)"

if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "$LUAC" -t host -o "$tmp/ours.out" $(cat "$tmp/files") 2> "$tmp/rss.ours" > /dev/null
  /usr/bin/time -v luac5.1 -o "$tmp/ref.out" $(cat "$tmp/files") 2> "$tmp/rss.ref" > /dev/null
  a=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/rss.ours")
  b=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/rss.ref")
  echo "peak RSS: lfsc $a KiB, luac5.1 $b KiB, ratio $(echo "$a $b" | awk '{printf "%.3f", $1/$2}')x"
fi

if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 2 --runs 15 --export-json "$tmp/t.json" \
    "$LUAC -t host -o $tmp/ours.out $(tr '\n' ' ' < "$tmp/files")" \
    "luac5.1 -o $tmp/ref.out $(tr '\n' ' ' < "$tmp/files")" > /dev/null 2>&1
  python3 - "$tmp/t.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, ref = r[0]["median"], r[1]["median"]
print("median wall time: lfsc %.1f ms, luac5.1 %.1f ms, ratio %.3fx" % (ours * 1e3, ref * 1e3, ours / ref))
PY
fi
