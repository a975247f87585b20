#!/bin/sh
# Benchmark for -f: every corpus directory with two or more .lua files is
# one module set, plus the whole corpus as one image (~4.3 MB, module names
# made unique). For each: the image size (default and --best, and with an
# optional earlier luac.cross for comparison), and callgrind instruction
# counts of `luac.cross -f` against `luac5.1 -s` compiling the same files
# in the same run. Not a test: it asserts nothing, it prints figures.
#
# The module sets are built with -m 0xF0000 (the largest image the flash
# window allows). The whole corpus is larger than any LFS image may be, so
# it is built with --no-window-check up to the format's limit, leaving out
# the largest modules until it fits (BASE gets the same files).
# ICOUNT_EVERY=k measures instructions on every k-th set only (sizes are
# always measured on all); the default 1 measures all.
#
# usage: bench/image-sets.sh [LUAC_CROSS] [CORPUS_DIR] [BASE_LUAC_CROSS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
LUAC=${1:-$top/build/luac.cross}
CORPUS=${2:-$top/corpus}
BASE=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
M=0xF0000                         # the largest image the window allows
EVERY=${ICOUNT_EVERY:-1}

icount() {                        # instructions of one command
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" > /dev/null 2> "$tmp/vg"
  sed -n 's/^summary: *//p' "$tmp/cg"
}
size() { stat -c %s "$1"; }

cut -f2 "$CORPUS/MANIFEST.txt" | xargs -n1 dirname | sort | uniq -c |
  awk '$1 >= 2 {print $2}' > "$tmp/dirs"
: > "$tmp/rows"
k=0
while read -r d; do
  k=$((k + 1))
  cut -f2 "$CORPUS/MANIFEST.txt" | grep "^$d/[^/]*$" | sed "s|^|$CORPUS/|" > "$tmp/files"
  "$LUAC" -f -m $M -o "$tmp/d.img" $(cat "$tmp/files") > "$tmp/fout" 2>&1 || continue
  echo "$(sed -n 's/Image size: //p' "$tmp/fout") $d" >> "$tmp/isizes"
  "$LUAC" --best -f -m $M -o "$tmp/b.img" $(cat "$tmp/files") > /dev/null
  base=0
  if [ -n "$BASE" ]; then
    "$BASE" -f -m $M -o "$tmp/o.img" $(cat "$tmp/files") > /dev/null
    base=$(size "$tmp/o.img")
  fi
  ours=0 ref=0
  if [ $((k % EVERY)) -eq 0 ]; then
    ours=$(icount "$LUAC" -f -m $M -o "$tmp/d.img" $(cat "$tmp/files"))
    ref=$(icount luac5.1 -s -o "$tmp/ref.out" $(cat "$tmp/files"))
  fi
  echo "$d $(size "$tmp/d.img") $(size "$tmp/b.img") $base $ours $ref" >> "$tmp/rows"
done < "$tmp/dirs"
awk -v base="$BASE" '
  { n++; if ($2 > $4 && $4 > 0 && $2 / $4 > wsz) { wsz = $2 / $4; wszd = $1 }
    d += $2; b += $3; o += $4; i += $5; r += $6
    if ($6 > 0 && $5 / $6 > worst) { worst = $5 / $6; wd = $1 }
    if ($4 > 0 && $2 > $4) wo++ }
  END {
    printf "module sets: %d (corpus directories with 2+ files)\n", n
    printf "image bytes: default %d, --best %d (%.4fx of default)\n", d, b, b / d
    worse = wo ? sprintf(" (worst %.4fx, %s)", wsz, wszd) : ""
    if (base != "")
      printf "  vs %s: default %.4fx, --best %.4fx of its %d bytes; default larger on %d sets%s\n",
             base, d / o, b / o, o, wo, worse
    printf "instructions, -f vs luac5.1 -s: %.0f vs %.0f, ratio %.3fx (worst set %.3fx, %s)\n",
           i, r, i / r, worst, wd
  }' "$tmp/rows"

# --best's time on the set whose image is nearest 256 KiB (goal: <= 2 s)
set -- $(awk '{x = $1 - 262144; if (x < 0) x = -x; print x, $1, $2}' "$tmp/isizes" | sort -n | head -1)
cut -f2 "$CORPUS/MANIFEST.txt" | grep "^$3/[^/]*$" | sed "s|^|$CORPUS/|" > "$tmp/files"
if command -v hyperfine > /dev/null; then
  hyperfine -N --runs 3 --export-json "$tmp/b.json" \
    "$LUAC --best -f -m 0xF0000 -o $tmp/b.img $(cat "$tmp/files" | tr '\n' ' ')" > /dev/null 2>&1
  t=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$tmp/b.json")
  echo "--best on $3 ($2 bytes of image): median wall time $t s, $(size "$tmp/b.img") bytes"
fi

# the whole corpus as one image
mkdir "$tmp/flat"
cut -f2 "$CORPUS/MANIFEST.txt" | while read -r p; do
  cp "$CORPUS/$p" "$tmp/flat/$(echo "$p" | sed 's|\.lua$||; s|[/.-]|_|g').lua"
done
M=0x3E0000                        # the format's limit (--no-window-check)
ls -S "$tmp"/flat/*.lua > "$tmp/big"  # largest first
until "$LUAC" --no-window-check -f -m $M -o "$tmp/all.img" $(cat "$tmp/big" | sort) > "$tmp/out" 2> "$tmp/err"; do
  grep -q 'larger than any LFS image' "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  sed -i 1d "$tmp/big"
done
set -- $(sort "$tmp/big")
echo "whole corpus: $# of $(ls "$tmp"/flat | wc -l) modules (the largest left out to fit), $(sed -n 's/Image size: //p' "$tmp/out") bytes of image"
ours=$(icount "$LUAC" --no-window-check -f -m $M -o "$tmp/all.img" "$@")
ref=$(icount luac5.1 -s -o "$tmp/ref.out" "$@")
echo "  instructions, -f vs luac5.1 -s: $ours vs $ref, ratio $(echo "$ours $ref" | awk '{printf "%.3f", $1/$2}')x"
line="  image bytes: default $(size "$tmp/all.img")"
if [ -n "$BASE" ]; then
  "$BASE" -f -m $M -o "$tmp/o.img" "$@" > /dev/null
  line="$line ($(echo "$(size "$tmp/all.img") $(size "$tmp/o.img")" | awk '{printf "%.4f", $1/$2}')x of $BASE's $(size "$tmp/o.img"))"
fi
echo "$line"
if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 1 --runs 5 --export-json "$tmp/t.json" \
    "$LUAC --no-window-check -f -m $M -o $tmp/all.img $*" "luac5.1 -s -o $tmp/ref.out $*" > /dev/null 2>&1
  python3 - "$tmp/t.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print("  median wall time: -f %.0f ms, luac5.1 -s %.0f ms" % (r[0]["median"] * 1e3, r[1]["median"] * 1e3))
PY
fi
