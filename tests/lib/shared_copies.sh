#!/bin/sh
# The test data of the repo (tests/data) must stay byte-identical copies
# of the shared folder they came from (../shared): every file of DATA_DIR
# (but its own README.md and .gitattributes) must exist in SHARED_DIR at
# the same path with the same bytes, and the folders copied whole must
# have no file in SHARED_DIR that the repo lacks. Every difference is
# listed. Exits 77 (skipped) when SHARED_DIR does not exist (or is
# DATA_DIR itself).
#
# usage: shared_copies.sh DATA_DIR SHARED_DIR [MIN_FILES]
#   MIN_FILES: compare at least this many files (default 300), so that an
#   empty or misplaced DATA_DIR fails instead of passing
set -u
data=${1:?usage: shared_copies.sh DATA_DIR SHARED_DIR [MIN_FILES]}
shared=${2:?usage: shared_copies.sh DATA_DIR SHARED_DIR [MIN_FILES]}
min=${3:-300}
whole="conformance conformance53 conformance-esp32"   # copied with all their files
[ -d "$shared" ] || { echo "no shared folder at $shared: nothing to compare with"; exit 77; }
[ -d "$data" ] || { echo "no test data at $data"; exit 1; }
data=$(cd "$data" && pwd -P)
shared=$(cd "$shared" && pwd -P)
[ "$data" != "$shared" ] || { echo "$shared is the test data itself: no shared folder to compare with"; exit 77; }

tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
(cd "$data" && find . -type f | sed 's|^\./||' | grep -v -x -e README.md -e .gitattributes | LC_ALL=C sort) > "$tmp"
pass=0 fail=0
while IFS= read -r p; do
  if [ ! -f "$shared/$p" ]; then
    echo "only in the repo: $p"
    fail=$((fail + 1))
  elif cmp -s "$data/$p" "$shared/$p"; then
    pass=$((pass + 1))
  else
    echo "differs: $p ($(wc -c < "$data/$p") bytes in the repo, $(wc -c < "$shared/$p") in $shared)"
    fail=$((fail + 1))
  fi
done < "$tmp"
for w in $whole; do
  [ -d "$shared/$w" ] || continue
  (cd "$shared" && find "$w" -type f | LC_ALL=C sort) > "$tmp"
  while IFS= read -r p; do
    [ -f "$data/$p" ] || { echo "only in $shared: $p (its folder is copied whole)"; fail=$((fail + 1)); }
  done < "$tmp"
done
if [ $((pass + fail)) -lt "$min" ]; then
  echo "only $((pass + fail)) files compared, at least $min expected"
  fail=$((fail + 1))
fi
[ $fail -eq 0 ] || echo "to update: copy the files named above from $shared to $data (see $data/README.md)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
