#!/bin/sh
# Check the NodeMCU loader build (build.sh) against the conformance
# vectors: every PI image with an absolute twin must load into a region
# equal to that twin but for word 0's ABSOLUTE bit (which the stock loader
# leaves clear); a PI image without one must load and pass the boot check;
# and what the stock loader refuses must be refused: the quirk_sigbytes
# vectors (a back-reference to output byte 0), the empty
# multi.pi.m8192.fail.img, each variant's all.pi.img cut in half and
# loaded by the next variant's build (wrong signature), both in the first
# pass, before the region is touched. Ends with
# "N passed, N failed" and fails when it checked nothing.
#
# usage: bench/nodemcu-loader/verify.sh OUT_DIR [SHARED_DIR]
set -u
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [SHARED_DIR]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$1
shared=${2:-${LFSC_SHARED_DIR:-$here/../../tests/data}}
conf=$shared/conformance
LFSC_SHARED_DIR=$shared; export LFSC_SHARED_DIR
pass=0 fail=0 loaded=0 twins=0 refused=0

load() {  # load IMAGE VARIANT [EXPECT]
  if r=$(sh "$here/count.sh" "$out" "$@" 2>&1); then
    pass=$((pass + 1)) loaded=$((loaded + 1))
    echo "$r" | head -1
  else
    fail=$((fail + 1))
    echo "FAIL: $r"
    return 1
  fi
}

refuse() {  # refuse IMAGE VARIANT WHY: must be refused with message WHY
  r=$(sh "$here/count.sh" "$out" "$1" "$2" 2>&1)
  case $? in
    0) fail=$((fail + 1)); echo "FAIL: $1 ($2) loaded, the stock loader refuses it" ;;
    *) case $r in
         *"$3"*) pass=$((pass + 1)) refused=$((refused + 1)); echo "refused as expected: $r" ;;
         *) fail=$((fail + 1)); echo "FAIL: $1 ($2): not the refusal expected ($3): $r" ;;
       esac ;;
  esac
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
next() { case $1 in float) echo float16 ;; float16) echo int ;; int) echo float ;; esac; }
for v in float float16 int; do
  for img in "$conf/$v"/*.pi*.img "$conf/$v"/single/*.pi.img; do
    [ -f "$img" ] || continue
    abs=${img%%.pi*}.abs.img
    case $img in
      */quirk_sigbytes.pi.img) refuse "$img" $v "invalid dictionary offset on inflate" ;;
      *.fail.img) refuse "$img" $v "read error on LFS image file" ;;
      *) if [ -f "$abs" ]; then
           load "$img" $v "$abs" && twins=$((twins + 1))
         else
           load "$img" $v
         fi ;;
    esac
  done
  full=$conf/$v/all.pi.img
  dd if="$full" of="$tmp/$v-half.pi.img" bs=$(($(wc -c < "$full") / 2)) count=1 2> /dev/null
  # which check trips first depends on the bytes: any first-pass refusal
  refuse "$tmp/$v-half.pi.img" $v "refused in the first pass"
  refuse "$full" "$(next $v)" "refused in the first pass"
done
echo "$loaded images loaded ($twins of them equal to their absolute twin but the ABSOLUTE bit, the rest pass the boot check), $refused refused as the stock loader does"
echo "$pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
