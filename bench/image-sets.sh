#!/bin/sh
# Benchmark for -f: every corpus directory with two or more .lua files is
# one module set (plus NodeMCU's lua_modules when NODEMCU_FW is given), and
# the whole corpus as one image (~4 MB, module names made unique). For
# each set: the image bytes (default and --best, an optional earlier
# luac.cross, and NodeMCU's own luac.cross when NODEMCU_LUAC is given), and
# callgrind instruction counts of `luac.cross -f` against `luac5.1 -s` and
# NodeMCU's `luac.cross -f` compiling the same files in the same run. Also
# a one-line module (the start-up cost) and --best's wall time on the set
# nearest 256 KiB of image. Not a test: it asserts nothing, it prints
# figures.
#
# What is counted: every tool as a whole process (start-up, reading every
# file, writing its output file), run in an empty directory of its own
# (our output writer looks for stale temporary files of its own there).
# NodeMCU's luac.cross fails on 13 corpus sets (its 50-local limit in a
# main function); its byte and instruction ratios cover the sets it
# builds, ours and luac5.1's cover all.
#
# The module sets are built with -m 0xF0000 (the largest image the flash
# window allows). The whole corpus is larger than any LFS image may be, so
# it is built with --no-window-check up to the format's limit, leaving out
# the largest modules until it fits (BASE gets the same files).
# With zopfli installed (Debian: zopfli), each set over 0.88x NodeMCU's
# bytes is also compressed by `zopfli --i100` from the same inflated image:
# the best deflate encoder we know, given a 32 KiB window and no loader
# rule, so what it cannot reach no loadable image can.
# ICOUNT_EVERY=k measures instructions on every k-th set only (sizes are
# always measured on all); the default 1 measures all.
#
# usage: [NODEMCU_LUAC=PATH] [NODEMCU_FW=DIR] bench/image-sets.sh [LUAC_CROSS] [CORPUS_DIR] [BASE_LUAC_CROSS]
#   NODEMCU_LUAC  NodeMCU's own luac.cross (ESP8266, Lua 5.1), built outside
#                 this tree: `make` in app/lua/luac_cross of the firmware
#   NODEMCU_FW    a NodeMCU firmware checkout: its lua_modules/*/*.lua are
#                 one more set
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
LUAC=$(abspath "${1:-$top/build/luac.cross}")
CORPUS=$(abspath "${2:-$top/corpus}")
BASE=${3:+$(abspath "$3")}
REF=${NODEMCU_LUAC:+$(abspath "$NODEMCU_LUAC")}
FW=${NODEMCU_FW:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/run"
M=0xF0000                         # the largest image the window allows
EVERY=${ICOUNT_EVERY:-1}

icount() {                        # instructions of one command, run in $tmp/run
  (cd "$tmp/run" && valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" \
     > /dev/null 2> "$tmp/vg") || { echo 0; return; }
  sed -n 's/^summary: *//p' "$tmp/cg"
}
size() { stat -c %s "$1"; }

# the sets: name, then its files
cut -f2 "$CORPUS/MANIFEST.txt" | xargs -n1 dirname | sort | uniq -c |
  awk '$1 >= 2 {print $2}' | while read -r d; do
  printf '%s' "$d"
  cut -f2 "$CORPUS/MANIFEST.txt" | grep "^$d/[^/]*$" | sed "s|^| $CORPUS/|" | tr -d '\n'
  echo
done > "$tmp/sets"
if [ -n "$FW" ]; then
  printf 'lua_modules' >> "$tmp/sets"
  ls "$FW"/lua_modules/*/*.lua | sed 's|^| |' | tr -d '\n' >> "$tmp/sets"
  echo >> "$tmp/sets"
fi

: > "$tmp/rows"
k=0
while read -r d files; do
  k=$((k + 1))
  "$LUAC" -f -m $M -o "$tmp/d.img" $files > "$tmp/fout" 2>&1 || continue
  echo "$(sed -n 's/Image size: //p' "$tmp/fout") $d" >> "$tmp/isizes"
  "$LUAC" --best -f -m $M -o "$tmp/b.img" $files > /dev/null
  base=0 refb=0
  if [ -n "$BASE" ]; then
    "$BASE" -f -m $M -o "$tmp/o.img" $files > /dev/null
    base=$(size "$tmp/o.img")
  fi
  if [ -n "$REF" ] && (cd "$tmp/run" && "$REF" -f -o "$tmp/r.img" $files > /dev/null 2>&1); then
    refb=$(size "$tmp/r.img")
  fi
  ours=0 luac=0 refi=0
  if [ $((k % EVERY)) -eq 0 ]; then
    ours=$(icount "$LUAC" -f -m $M -o "$tmp/d.img" $files)
    luac=$(icount luac5.1 -s -o "$tmp/l.out" $files)
    [ "$refb" -gt 0 ] && refi=$(icount "$REF" -f -o "$tmp/r.img" $files)
  fi
  zop=0
  if [ "$refb" -gt 0 ] && [ $(($(size "$tmp/d.img") * 100)) -gt $((refb * 88)) ] &&
     command -v zopfli > /dev/null; then
    gzip -dc < "$tmp/d.img" > "$tmp/raw" && zopfli --i100 -c "$tmp/raw" > "$tmp/z.gz" &&
      zop=$(size "$tmp/z.gz")
  fi
  echo "$d $(size "$tmp/d.img") $(size "$tmp/b.img") $base $ours $luac $refb $refi $zop" >> "$tmp/rows"
done < "$tmp/sets"
# rows: set default best base ours_insns luac_insns ref_bytes ref_insns zopfli_bytes
awk -v base="$BASE" -v ref="$REF" '
  $1 == "lua_modules" { lm = $0 }
  { n++; if ($2 > $4 && $4 > 0 && $2 / $4 > wsz) { wsz = $2 / $4; wszd = $1 }
    d += $2; b += $3; o += $4; i += $5; r += $6
    if ($6 > 0 && $5 / $6 > worst) { worst = $5 / $6; wd = $1 }
    if ($4 > 0 && $2 > $4) wo++
    if ($7 > 0) { rn++; rd += $2; rbest += $3; rr += $7; s = $2 / $7
      if (s > rw) { rw = s; rwd = $1 }
      if (s > 0.88) { over++; if ($3 / $7 > bw) bw = $3 / $7
        overl = overl sprintf("    %s: %d bytes, %.4fx; --best %.4fx%s\n", $1, $2, s, $3 / $7,
                              $9 > 0 ? sprintf("; zopfli %.4fx", $9 / $7) : "")
        if ($9 > 0) { zn++; if ($9 / $7 > 0.88) zover++ } }
      if ($8 > 0) { ri += $8; oi += $5 } } }
  END {
    printf "module sets: %d (corpus directories with 2+ files%s)\n", n, (lm != "" ? ", and lua_modules" : "")
    printf "image bytes: default %d, --best %d (%.4fx of default)\n", d, b, b / d
    worse = wo ? sprintf(" (worst %.4fx, %s)", wsz, wszd) : ""
    if (base != "")
      printf "  vs %s: default %.4fx, --best %.4fx of its %d bytes; default larger on %d sets%s\n",
             base, d / o, b / o, o, wo, worse
    if (rn) {
      printf "  vs NodeMCU luac.cross -f, the %d sets it builds: default %.4fx (worst set %.4fx, %s), --best %.4fx\n",
             rn, rd / rr, rw, rwd, rbest / rr
      printf "  sets over 0.88x: %d (on them --best reaches at worst %.4fx)\n", over, bw
      if (zn)
        printf "  of them, zopfli --i100 cannot bring %d under 0.88x (%d tried)\n", zover, zn
      printf "%s", overl
    }
    printf "instructions, -f vs luac5.1 -s: %.0f vs %.0f, ratio %.3fx (worst set %.3fx, %s)\n",
           i, r, i / r, worst, wd
    if (ri)
      printf "instructions, -f vs NodeMCU luac.cross -f on the sets it builds: %.0f vs %.0f, ratio %.3fx\n",
             oi, ri, oi / ri
    if (lm != "") {
      split(lm, f, " ")
      a = f[8] > 0 ? sprintf(", %.3fx NodeMCU -f", f[5] / f[8]) : ""
      c = f[7] > 0 ? sprintf(", %.4fx NodeMCU'"'"'s %d", f[2] / f[7], f[7]) : ""
      printf "lua_modules: -f %.3fx luac5.1 -s%s; image %d bytes%s\n", f[5] / f[6], a, f[2], c
    }
  }' "$tmp/rows"

# start-up: a one-line module
echo 'print("hello")' > "$tmp/one.lua"
ours=$(icount "$LUAC" -f -o "$tmp/one.img" "$tmp/one.lua")
luac=$(icount luac5.1 -s -o "$tmp/one.out" "$tmp/one.lua")
line="one-line module, -f: $ours instructions ($(echo "$ours $luac" | awk '{printf "%.2f", $1/$2}')x luac5.1 -s's $luac"
if [ -n "$REF" ]; then
  refi=$(icount "$REF" -f -o "$tmp/one.img" "$tmp/one.lua")
  line="$line; $(echo "$ours $refi" | awk '{printf "%.3f", $1/$2}')x NodeMCU -f's $refi"
fi
echo "$line)"

# --best's time on the set whose image is nearest 256 KiB (goal: <= 2 s)
set -- $(awk '{x = $1 - 262144; if (x < 0) x = -x; print x, $1, $2}' "$tmp/isizes" | sort -n | head -1)
files=$(grep "^$3 " "$tmp/sets" | cut -d' ' -f2-)
if command -v hyperfine > /dev/null; then
  hyperfine -N --runs 3 --export-json "$tmp/b.json" \
    "$LUAC --best -f -m 0xF0000 -o $tmp/b.img $files" > /dev/null 2>&1
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
luac=$(icount luac5.1 -s -o "$tmp/ref.out" "$@")
echo "  instructions, -f vs luac5.1 -s: $ours vs $luac, ratio $(echo "$ours $luac" | awk '{printf "%.3f", $1/$2}')x"
line="  image bytes: default $(size "$tmp/all.img")"
if [ -n "$BASE" ]; then
  "$BASE" -f --no-window-check -m $M -o "$tmp/o.img" "$@" > /dev/null
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
