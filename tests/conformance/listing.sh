#!/bin/sh
# `luac.cross -t host -l` and `-l -l` print the same text as luac5.1 for
# every corpus and conformance source, except the heap addresses luac5.1
# prints (after "bytes at", in CLOSURE comments and "... for 0x...:").
#
# usage: listing.sh LUAC_CROSS CORPUS_DIR CONFORMANCE_SRC_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
LUAC=$1 CORPUS=$2 CONFSRC=$3
[ -f "$CORPUS/MANIFEST.txt" ] || { echo "corpus not found in $CORPUS"; exit 77; }
command -v luac5.1 >/dev/null || { echo "luac5.1 not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
norm() { sed 's/ at 0x[0-9a-f]*)/)/; s/; 0x[0-9a-f]*$//; s/ for 0x[0-9a-f]*:$/:/'; }
pass=0 fail=0
# LFSC_SAMPLE=N (run-all.sh's sanitizer and -m32 runs): every Nth file only.
{ cut -f2 "$CORPUS/MANIFEST.txt" | sed "s|^|$CORPUS/|"; find "$CONFSRC" -name '*.lua' | sort; } |
  awk -v n="${LFSC_SAMPLE:-1}" '(NR - 1) % n == 0' > "$tmp/files"
while read -r f; do
  for l in "-l" "-l -l"; do
    # shellcheck disable=SC2086
    luac5.1 $l -p "$f" 2>&1 | norm > "$tmp/ref"
    # shellcheck disable=SC2086
    "$LUAC" -t host $l -p "$f" 2>&1 | norm > "$tmp/our"
    if cmp -s "$tmp/ref" "$tmp/our"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL $l $f"; diff "$tmp/ref" "$tmp/our" | head -5
    fi
  done
done < "$tmp/files"
# 1290 checks over the whole corpus today (two a file)
tally_end "$(sampled 1200)"
