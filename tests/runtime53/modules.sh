#!/bin/sh
# Lua 5.3 programs run from an LFS on the 5.3 runtime print exactly what
# lua5.3 prints running their source: every conformance53 source file (and
# its sub-folders) and this test's own 5.3 programs (tests/runtime53/programs),
# compiled by luac5.3 and loaded as one LFS, each run by the 5.1 runtime's
# tests/runtime/driver.lua (it prints what a module prints and returns).
# usage: modules.sh DRIVER53 LUAC53 CONFORMANCE53_SRC
set -u
. "$(dirname "$0")/../lib/tally.sh"
D=$1 LUAC53=$2 SRC=$3
command -v lua5.3 > /dev/null || { echo "lua5.3 not installed"; exit 77; }
command -v "$LUAC53" > /dev/null 2>&1 || { echo "luac5.3 not installed"; exit 77; }
[ -d "$SRC" ] || { echo "no conformance53 sources at $SRC"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
DRIVER=$HERE/../runtime/driver.lua
case $D in /*) ;; *) D=$PWD/$D ;; esac
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# every file luac5.3 compiles, under a module name of its own (m1, m2,
# ...: the folders repeat base names), from its own folder so that its
# source name is the one lua5.3 gives it
n=0
: > "$T/list"
for dir in "$SRC" "$HERE/programs"; do
  (cd "$dir" && find . -name '*.lua' -not -path './bad/*' | sed 's|^\./||' | sort) > "$T/files"
  while read -r f; do
    n=$((n + 1))
    if (cd "$dir" && "$LUAC53" -o "$T/m$n.luac" "$f" 2> /dev/null); then
      echo "m$n $dir $f" >> "$T/list"
    else
      rm -f "$T/m$n.luac"
    fi
  done < "$T/files"
done
mods=$(cut -d' ' -f1 "$T/list" | sed "s|.*|$T/&.luac|")
total=$(grep -c . "$T/list")
# LFSC_SAMPLE=N (run-all.sh's sanitizer run): every Nth module only
seen=0 ran=0
while read -r m dir f; do
  seen=$((seen + 1))
  [ $(((seen - 1) % ${LFSC_SAMPLE:-1})) -eq 0 ] || continue
  ran=$((ran + 1))
  # (a table printed by address is the same table; the address is not)
  (cd "$dir" && lua5.3 "$DRIVER" "$f" < /dev/null 2>&1) | sed 's/0x[0-9a-f]*/ADDR/g' > "$T/want"
  # shellcheck disable=SC2086
  (cd "$dir" && "$D" $mods -- "$DRIVER" "$m" < /dev/null 2>&1) | sed 's/0x[0-9a-f]*/ADDR/g' > "$T/got"
  if cmp -s "$T/want" "$T/got"; then
    ok
  else
    bad "$f ($m) differs from lua5.3 running its source:"
    diff "$T/want" "$T/got" | head -10
  fi
done < "$T/list"
echo "$pass of $ran modules run ($total compiled of $n files) print what lua5.3 prints for their source"
tally_end "$(sampled 300)"
