#!/bin/sh
# Differential test of the host-format reader and the code checker against
# lua5.1's own loader: for each Lua file, compile it with luac5.1, load
# every single-bit variant of the chunk with lua5.1 (flip.lua) and with
# our reader (lclist -flips), and compare the verdicts one by one: "ok",
# "bad code", "bad constant", "bad integer", "bad header", "unexpected end".
# Not compared, by design:
#  - "not enough memory" on lua5.1's side: it allocates a corrupt count
#    before reading; we bound allocations by the input size instead;
#  - flips of byte 0 (the text is then compiled as source by lua5.1);
#  - flips of byte 6 (endianness): our host reader also accepts
#    big-endian chunks, stock Lua only its own byte order.
#
# usage: undump_diff.sh LCLIST WORKDIR FILE.lua...
# Prints "N agreed, M differed (K not comparable)"; exits 1 on a difference.
set -u
LCLIST=$1; WORK=$2; shift 2
HERE=$(dirname "$0")
for tool in luac5.1 lua5.1; do
  if ! command -v $tool >/dev/null 2>&1; then echo "SKIP: $tool not installed"; exit 77; fi
done
mkdir -p "$WORK" || exit 1
agree=0; differ=0; skip=0
for f in "$@"; do
  luac5.1 -o "$WORK/x.out" "$f" || exit 1
  # a small address-space limit makes lua5.1's huge allocations fail fast
  (ulimit -v 100000; lua5.1 "$HERE/flip.lua" "$WORK/x.out") > "$WORK/lua.v" 2>&1
  "$LCLIST" -flips -t host "$WORK/x.out" > "$WORK/our.v" 2>&1
  r=$(paste -d'|' "$WORK/lua.v" "$WORK/our.v" | awk -F'|' -v f="$f" '
    { byte = int((NR - 1) / 8) }
    byte == 0 || byte == 6 || $1 == "not enough memory" { s++; next }
    $1 == $2 { a++; next }
    { d++; if (d <= 5) printf "DIFF %s byte %d bit %d: lua5.1 \"%s\", ours \"%s\"\n", f, byte, (NR - 1) % 8, $1, $2 > "/dev/stderr" }
    END { print a + 0, d + 0, s + 0 }')
  set -- $r   # the loop's file list was expanded already
  if [ "$(wc -l < "$WORK/lua.v")" -ne "$(wc -l < "$WORK/our.v")" ]; then
    echo "FAIL: $f: verdict counts differ"; differ=$((differ + 1))
  fi
  agree=$((agree + $1)); differ=$((differ + $2)); skip=$((skip + $3))
done
echo "$agree agreed, $differ differed ($skip not comparable)"
# 52584 verdicts compared on the four files of the ctest today
min=${UNDUMP_MIN:-50000}
[ $((agree + differ)) -ge "$min" ] || { echo "FAIL: only $((agree + differ)) verdicts compared, at least $min expected"; exit 1; }
[ "$differ" -eq 0 ]
