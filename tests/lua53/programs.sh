#!/bin/sh
# Programs compiled by lfsc run on Debian's Lua 5.3: each of our 5.3
# programs (tests/runtime53/programs: integers, bitwise, goto, strings,
# metatables, coroutines, _ENV, tables, errors) and each conformance53
# source, compiled with `luac.cross --lua 5.3 -t host` (and -s), must print
# under `lua5.3 CHUNK` exactly what `lua5.3 SOURCE` prints, exit status
# included.
#
# usage: programs.sh LUAC_CROSS LUA53 WORK PROGRAMS_DIR CONF53_SRC
set -u
. "$(dirname "$0")/../lib/tally.sh"
LUAC=$1 LUA=$2 WORK=$3 PROGS=$4 SRC=$5
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
pass=0 fail=0
n=0
# what stripping removes from messages: positions, variable names, and the
# traceback after an uncaught error
cat > "$WORK/strip.sed" <<'SED'
/^[^ ]*lua5.3: /,$d
s/[A-Za-z0-9_.\/-]*\.lua:[0-9]*: //g
s/?:-1: //g
s/ ([a-z]* '[^']*')//g
SED
for f in "$PROGS"/*.lua "$SRC"/*.lua; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  b=$(basename "$f" .lua)
  (cd "$(dirname "$f")" && "$LUA" "$(basename "$f")" > "$WORK/$b.want" 2>&1; echo "exit $?" >> "$WORK/$b.want")
  for s in "" "-s"; do
    # shellcheck disable=SC2086
    if ! (cd "$(dirname "$f")" && "$LUAC" --lua 5.3 -t host $s -o "$WORK/$b.luac" "$(basename "$f")") \
         > "$WORK/$b.cerr" 2>&1; then
      fail=$((fail + 1)); echo "FAIL: $b $s: does not compile: $(head -3 "$WORK/$b.cerr")"; continue
    fi
    (cd "$(dirname "$f")" && "$LUA" "$WORK/$b.luac" > "$WORK/$b.got" 2>&1; echo "exit $?" >> "$WORK/$b.got")
    # a stripped chunk has no positions in its messages ("f.lua:3: " is
    # gone) and no traceback lines: compare its output without them, and
    # before the first uncaught error only
    if [ -n "$s" ]; then
      sed -f "$WORK/strip.sed" "$WORK/$b.want" > "$WORK/$b.w"
      sed -f "$WORK/strip.sed" "$WORK/$b.got" > "$WORK/$b.g"
    else
      sed "s|$WORK/$b.luac|$(basename "$f")|g" "$WORK/$b.got" > "$WORK/$b.g"; cp "$WORK/$b.want" "$WORK/$b.w"
    fi
    # heap addresses (tostring of tables and functions) differ run to run
    sed -i 's/0x[0-9a-f]\{6,\}/ADDR/g' "$WORK/$b.w" "$WORK/$b.g"
    if cmp -s "$WORK/$b.w" "$WORK/$b.g"; then pass=$((pass + 1))
    else fail=$((fail + 1)); echo "FAIL: $b $s: output differs"; diff "$WORK/$b.w" "$WORK/$b.g" | head -5; fi
  done
done
echo "$n programs, with and without -s"
tally_end 80
