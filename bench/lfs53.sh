#!/bin/sh
# Benchmark for Lua 5.3 images against NodeMCU's own 5.3 luac.cross, in the
# same run (callgrind instruction counts; not a test, it asserts nothing):
#   -f   `luac.cross --lua 5.3 -f` against the reference's `-f` on every
#        corpus directory whose files all compile under Lua 5.3 (two or
#        more files), and on NodeMCU's lua_modules when FW_DIR is given;
#        image bytes of both;
#   -a   `-F IMG -a 0x40280000` of the reference's own image, ours against
#        the reference's patched build (its unpatched -F/-a always fails).
# The reference is int32 + float32 (`make -C app/lua53/host LUA=53` in
# NodeMCU's firmware at ca8d008a); the patched build changes the one
# condition of host/luac.c main() that tests for the thrown "!LFSrestart!"
# (conformance53/MANIFEST.md). Build both outside this tree, e.g.:
#   git clone https://github.com/nodemcu/nodemcu-firmware fw && cd fw &&
#   git checkout ca8d008a && make -C app/lua53/host LUA=53 && cp luac.cross REF
#
# usage: bench/lfs53.sh REF_LUAC_CROSS53 REF_PATCHED [LUAC_CROSS] [CORPUS_DIR] [FW_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
REF=${1:?usage: bench/lfs53.sh REF_LUAC_CROSS53 REF_PATCHED [LUAC_CROSS] [CORPUS_DIR] [FW_DIR]}
REFP=${2:?usage: bench/lfs53.sh REF_LUAC_CROSS53 REF_PATCHED [LUAC_CROSS] [CORPUS_DIR] [FW_DIR]}
LUAC=${3:-$top/build/luac.cross}
CORPUS=$(cd "${4:-$top/corpus}" && pwd)
FW=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

icount() {                        # instructions of one command
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" > /dev/null 2> "$tmp/vg"
  sed -n 's/^summary: *//p' "$tmp/cg"
}

# the sets: one line each, "NAME FILE..."
: > "$tmp/sets"
cut -f2 "$CORPUS/MANIFEST.txt" | xargs -n1 dirname | sort | uniq -c |
  awk '$1 >= 2 {print $2}' | while read -r d; do
    files=$(cut -f2 "$CORPUS/MANIFEST.txt" | grep "^$d/[^/]*$" | sed "s|^|$CORPUS/|" | tr "\n" " ")
    # shellcheck disable=SC2086
    luac5.3 -p $files 2> /dev/null && echo "$d $files" >> "$tmp/sets"
  done
if [ -n "$FW" ] && [ -d "$FW/lua_modules" ]; then
  files=$(find "$FW/lua_modules" -name '*.lua' ! -name '*_spec.lua' ! -path '*/test*' | sort |
          while read -r f; do luac5.3 -p "$f" 2> /dev/null && echo "$f"; done)
  # module names must be unique in one image
  echo "nodemcu/lua_modules $(echo "$files" | awk -F/ '!seen[$NF]++' | tr '\n' ' ')" >> "$tmp/sets"
fi

: > "$tmp/rows"
while read -r name files; do
  # shellcheck disable=SC2086
  (cd "$tmp" && "$REF" -f -o ref.img $files > /dev/null 2>&1) || continue
  # shellcheck disable=SC2086
  "$LUAC" --lua 5.3 -f --seed 1 --timestamp 1 -o "$tmp/ours.img" $files > /dev/null 2>&1 || continue
  # shellcheck disable=SC2086
  fo=$(icount "$LUAC" --lua 5.3 -f --seed 1 --timestamp 1 -o "$tmp/ours.img" $files)
  # shellcheck disable=SC2086
  fr=$(cd "$tmp" && icount "$REF" -f -o ref.img $files)
  ao=0 ar=0
  if (cd "$tmp" && "$REFP" -F ref.img -a 0x40280000 -o ref.abs > /dev/null 2>&1); then
    ao=$(icount "$LUAC" --lua 5.3 -F "$tmp/ref.img" -a 0x40280000 -o "$tmp/ours.abs")
    ar=$(cd "$tmp" && icount "$REFP" -F ref.img -a 0x40280000 -o ref.abs)
  fi
  echo "$name $(echo $files | wc -w) $(stat -c %s "$tmp/ours.img") $(stat -c %s "$tmp/ref.img") $fo $fr $ao $ar" >> "$tmp/rows"
done < "$tmp/sets"

echo "set  modules  image bytes ours/ref  -f instructions ours/ref  -a instructions ours/ref"
awk '{ printf "%-40s %4d  %8d / %8d  %6.3fx  %6.3fx", $1, $2, $3, $4, $5 / $6, $3 / $4
       if ($8 > 0) printf "  %6.3fx", $7 / $8; printf "\n" }' "$tmp/rows"
awk '{ n++; b += $3; rb += $4; f += $5; rf += $6; if ($8 > 0) { a += $7; ra += $8; na++ }
       if ($5 / $6 > w) { w = $5 / $6; wn = $1 } }
     END { if (!n) { print "no set compiled with both tools"; exit 1 }
           printf "total: %d sets; -f %.3fx the reference'"'"'s instructions (%d M vs %d M; worst %.3fx, %s); ", n, f / rf, f / 1e6, rf / 1e6, w, wn
           printf "images %.3fx its bytes (%d vs %d)\n", b / rb, b, rb
           if (na) printf "-a (from the reference'"'"'s image): %.3fx its instructions over %d sets (%d M vs %d M)\n", a / ra, na, a / 1e6, ra / 1e6 }' "$tmp/rows"
