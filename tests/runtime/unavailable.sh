#!/bin/sh
# A build without liblua5.1 (-m32, Windows): run, -e and -F say so, exit 1.
# usage: unavailable.sh LFSIMG LUAC_CROSS
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2
pass=0 fail=0
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
echo 'print(1)' > "$T/s.lua"
for cmd in "$LFSIMG run --no-image -e x=1" "$LUAC -e $T/s.lua -o $T/out $T/s.lua" \
           "$LUAC -F $T/s.lua -o $T/out $T/s.lua"; do
  $cmd > "$T/o" 2> "$T/e" < /dev/null
  rc=$?
  if [ $rc -eq 1 ] && grep -q "not available in this build" "$T/e" && [ ! -e "$T/out" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL: $cmd: exit $rc: $(cat "$T/e")"; fail=$((fail + 1))
  fi
done
tally_end 3
