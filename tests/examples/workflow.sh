#!/bin/sh
# The example GitHub Actions workflow (examples/project/.github/workflows/
# lfs.yml), its steps run in order by run_workflow.py on a copy of the project
# with the real firmware in firmware/: with the build tree's tools, or with
# LFSC_GIT=URL given, building and installing lfsc from that clone as the
# workflow does. Then the artifact is checked, and the runner must refuse a
# failing step, YAML it does not read and ${{ }} expressions.
# usage: workflow.sh LFSIMG LUAC_CROSS FIRMWARE_DIR [LFSC_GIT_URL]
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2 FWDIR=$3 GIT=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
WF=.github/workflows/lfs.yml
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
run() { python3 "$HERE/run_workflow.py" "$1/$WF" "$1" $2 > "$T/out" 2>&1; }

cp -r "$HERE/../../examples/project" "$T/ws" && mkdir "$T/ws/firmware" "$T/tools" &&
cp "$FWDIR/0x00000.bin" "$FWDIR/0x10000.bin" "$T/ws/firmware/" &&
ln -s "$LFSIMG" "$T/tools/lfsimg" && ln -s "$LUAC" "$T/tools/luac.cross" || exit 1
# the lfsc step runs only when building from git
if [ -n "$GIT" ]; then mode="--lfsc-git $GIT" n=5; else mode="--tools $T/tools" n=4; fi
if run "$T/ws" "$mode"; then ok; else bad "the workflow's steps"; fi
cat "$T/out"
grep -q "^image: $n of $n run steps succeeded" "$T/out" && ok || bad "every run step ran"
A=$T/artifacts/lfs-image
cmp -s "$A/lfs.img" "$T/ws/lfs.img" && ok || bad "artifact: lfs.img"
"$LFSIMG" verify "$A/lfs.img" > /dev/null && ok || bad "artifact: lfs.img verifies"
cmp -s "$A/flash/0x78000.bin" "$T/ws/lfs.abs.img" && ok || bad "artifact: flash/0x78000.bin"

# the runner can fail: refused NAME SED WANT runs the workflow edited by SED on
# a clean copy; the run must fail with WANT in its output
refused() {
  rm -rf "$T/w2" && cp -r "$T/ws" "$T/w2" && (cd "$T/w2" && make -s clean > /dev/null) &&
  sed "$2" "$T/ws/$WF" > "$T/w2/$WF" || exit 1
  if run "$T/w2" "--tools $T/tools"; then bad "$1 (the run succeeded)"
  elif grep -q -- "$3" "$T/out"; then ok
  else bad "$1: no '$3' in output"; cat "$T/out"; fi
}
refused "a failing step" 's/run: make verify/run: make verify \&\& false/' "step 5 (Verify it) failed"
refused "flow YAML" 's/^  push:$/  push: [main]/' "unsupported YAML: \[main\]"
refused "an expression" 's/run: make image/run: make image LUAC=${{ env.LUAC }}/' \
  "expressions are not evaluated"
refused "a package not installed" 's/zlib1g-dev/zlib1g-devv/' "not installed here: .*zlib1g-devv"
tally_end 9
