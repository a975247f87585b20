#!/bin/sh
# Round trip of the NodeMCU .lc vectors through our reader and writer:
# every conformance/lc/float/*.lc read with the float reader and every
# lc/int/*.lc with the int reader (*.fail.lc excluded) is re-written byte
# for byte, stripped when its main source is absent. A script (not only the
# cmocka test) so that -m32 builds, which have no cmocka, run it too.
#
# usage: roundtrip.sh LCLIST CONFORMANCE_DIR WORKDIR
# Prints "N passed, M failed"; exits 1 on any difference.
set -u
. "$(dirname "$0")/../lib/tally.sh"
LCLIST=$1; CONF=$2; WORK=$3
mkdir -p "$WORK" || exit 1
pass=0; fail=0
for t in float int; do
  for f in "$CONF"/lc/$t/*.lc; do
    case $f in *.fail.lc) continue ;; esac
    strip=
    [ "$(od -An -tx1 -j12 -N4 "$f" | tr -d ' \n')" = 00000000 ] && strip=-s
    if "$LCLIST" -t $t $strip -o "$WORK/out.lc" "$f" && cmp -s "$f" "$WORK/out.lc"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL: $f"
    fi
  done
done
# 64 vectors today
tally_end 60
