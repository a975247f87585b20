#!/bin/sh
# Listing conformance: for each Lua file, compile it with Debian's luac5.1,
# load the chunk with our reader (lclist, host format) and compare our
# listing with luac5.1's own listing of the same chunk:
#   unstripped chunk: luac5.1 -l -l   vs  lclist -l -l
#   stripped chunk:   luac5.1 -l      vs  lclist -l
# Heap addresses in luac's output (and our stand-ins, listing.h) are
# renamed in order of first appearance on both sides, so a CLOSURE comment
# must still name the same function as that function's header.
#
# usage: compare.sh LCLIST WORKDIR [-m MIN] [-g] [-n MAX] (FILE.lua | DIR)...
#   DIR is searched for *.lua; files luac5.1 cannot compile are skipped;
#   -n MAX caps how many files of the following DIRs are used (evenly spaced);
#   -m MIN: at least MIN files must be compared (divided by LFSC_SAMPLE).
# Prints "N passed, M failed" and exits 1 on any difference, or when fewer
# than MIN files were compared.
set -u
. "$(dirname "$0")/../lib/tally.sh"
LCLIST=$1; WORK=$2; shift 2
LUAC=${LUAC:-luac5.1}
if ! command -v "$LUAC" >/dev/null 2>&1; then
  echo "SKIP: $LUAC not installed"; exit 77
fi
mkdir -p "$WORK" || exit 1
norm() {
  awk -f "$(dirname "$0")/norm-addr.awk" "$1"
}
pass=0; fail=0; skip=0; max=0; min=1
check() {   # $1 = lua file
  if ! "$LUAC" -o "$WORK/x.out" "$1" 2>/dev/null ||
     ! "$LUAC" -s -o "$WORK/x.s.out" "$1" 2>/dev/null; then
    skip=$((skip + 1)); return
  fi
  "$LUAC" -l -l "$WORK/x.out" > "$WORK/ref.txt" 2>&1
  "$LCLIST" -l -l "$WORK/x.out" > "$WORK/our.txt" 2>&1
  "$LUAC" -l "$WORK/x.s.out" > "$WORK/ref.s.txt" 2>&1
  "$LCLIST" -l "$WORK/x.s.out" > "$WORK/our.s.txt" 2>&1
  { norm "$WORK/ref.txt"; norm "$WORK/ref.s.txt"; } > "$WORK/ref.n"
  { norm "$WORK/our.txt"; norm "$WORK/our.s.txt"; } > "$WORK/our.n"
  if cmp -s "$WORK/ref.n" "$WORK/our.n"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $1"
    diff "$WORK/ref.n" "$WORK/our.n" | head -10
  fi
}
# -g: generated sources for paths the conformance files do not reach:
# SETLIST with C == 0 (more than 511 batches of 50) and every byte value in
# a string constant.
gen() {
  mkdir -p "$WORK/gen"
  awk 'BEGIN { printf "t = {"; for (i = 0; i < 25600; i++) printf "%s%d", i ? "," : "", i % 7; print "}" }' \
    > "$WORK/gen/setlist.lua"
  awk 'BEGIN { printf "local s = \""; for (i = 0; i < 256; i++) printf "\\%03d", i;
               print "\"\nreturn s, 1e308, -1e-300, 2^53, 1/3, -2^31, 123456789012345678" }' \
    > "$WORK/gen/bytes.lua"
  check "$WORK/gen/setlist.lua"
  check "$WORK/gen/bytes.lua"
}
while [ $# -gt 0 ]; do
  case $1 in
  -n) max=$2; shift 2; continue ;;
  -m) min=$2; shift 2; continue ;;
  -g) gen; shift; continue ;;
  esac
  if [ -d "$1" ]; then
    find "$1" -name '*.lua' | LC_ALL=C sort > "$WORK/list"
    total=$(wc -l < "$WORK/list")
    step=1
    if [ "$max" -gt 0 ] && [ "$total" -gt "$max" ]; then
      step=$(( (total + max - 1) / max ))
    fi
    # LFSC_SAMPLE=N (run-all.sh's sanitizer and -m32 runs): N times fewer.
    step=$((step * ${LFSC_SAMPLE:-1}))
    i=0
    while IFS= read -r f; do
      [ $((i % step)) -eq 0 ] && check "$f"
      i=$((i + 1))
    done < "$WORK/list"
  elif [ -f "$1" ]; then
    check "$1"
  fi
  shift
done
echo "($skip skipped: luac5.1 could not compile them)"
tally_end "$(sampled "$min")"
