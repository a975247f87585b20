#!/bin/sh
# The three huge 5.3 vectors are not stored; MANIFEST.md keeps their sha256.
# k70000 and k_loadkx compile to stock code, so their NodeMCU .lc is made
# from luac5.3's output (stock2nlc.py) and must have the manifest's sha256;
# test_formats53 --huge then round-trips them through our reader and writer
# and writes their images, whose sha256 must be the manifest's too.
#   huge.sh TEST_FORMATS53 CONFORMANCE53_DIR SPEC_TOOLS WORKDIR
set -eu
t=$1 conf=$2 tools=$3 work=$4
command -v luac5.3 >/dev/null || { echo "no luac5.3: skipped"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
python3 "$conf/gen_vectors.py" "$work/src" >/dev/null
sha() { grep -F "| \`$1\` |" "$conf/MANIFEST.md" | awk -F'|' '{gsub(/[ `]/, "", $7); print $7}'; }
fail=0 n=0
check() {   # check FILE MANIFEST-OUTPUT
  n=$((n + 1))
  want=$(sha "$2")
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ -n "$want" ] && [ "$want" = "$got" ]; then echo "ok $2"; else echo "FAIL $2 ($got, want $want)"; fail=$((fail + 1)); fi
}
for k in k70000 k_loadkx; do
  (cd "$work/src" && luac5.3 -o "../$k.luac" "$k.lua")   # source "@k.lua", as the vectors
  for b in 32 64; do
    LFSC_SPEC_TOOLS=$tools python3 "$here/stock2nlc.py" "$work/$k.luac" "$work/$k.$b.lc" $b
    LFSC_SPEC_TOOLS=$tools python3 "$here/stock2nlc.py" "$work/$k.luac" "$work/$k.$b.s.lc" $b -s
    check "$work/$k.$b.lc" "out/$b/lc/$k.lc"
    check "$work/$k.$b.s.lc" "out/$b/lc-s/$k.lc"
  done
done
"$t" --huge "$work" || fail=$((fail + 1))
for b in 32 64; do
  check "$work/k70000.$b.img" "out/$b/img/k70000.img"
  check "$work/loadkx.$b.img" "out/$b/img/loadkx.img"
done
echo "huge vectors: $((n - fail)) of $n sha256 identical"
[ $fail -eq 0 ] && [ $n -gt 0 ]
