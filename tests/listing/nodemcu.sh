#!/bin/sh
# Listing conformance against NodeMCU's own luac.cross: the reference
# listings in conformance/listings/*.float.lst are `-f -l -l` output of an
# image build, i.e. the synthetic index function first, then the module's
# tree, then an "Image size" line. The module part must equal our -l -l
# listing of the same module's float .lc vector (conformance/lc/float),
# read with the NodeMCU float reader, addresses renamed in order of first
# appearance on both sides.
#
# usage: nodemcu.sh LCLIST CONFORMANCE_DIR WORKDIR
# Prints "N passed, M failed"; exits 1 on any difference.
set -u
. "$(dirname "$0")/../lib/tally.sh"
LCLIST=$1; CONF=$2; WORK=$3
mkdir -p "$WORK" || exit 1
norm() {
  awk -f "$(dirname "$0")/norm-addr.awk"
}
pass=0; fail=0
for lst in "$CONF"/listings/*.float.lst; do
  base=$(basename "$lst" .float.lst)
  lc=$CONF/lc/float/$base.lc
  [ -f "$lc" ] || continue
  # The module's listing: from the second "main <" header (with the blank
  # line before it) up to "Image size".
  awk '/^main </ { if (++m == 2) { p = 1; print "" } } /^Image size/ { p = 0 } p' "$lst" \
    | norm > "$WORK/$base.ref"
  "$LCLIST" -l -l -t float "$lc" 2>&1 | norm > "$WORK/$base.our"
  if [ -s "$WORK/$base.ref" ] && cmp -s "$WORK/$base.ref" "$WORK/$base.our"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $base"
    diff "$WORK/$base.ref" "$WORK/$base.our" | head -10
  fi
done
# the 3 reference listings with a float .lc vector
tally_end 3
