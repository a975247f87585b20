#!/bin/sh
# The example GitHub Actions workflow (examples/project/.github/workflows/
# lfs.yml), its steps run in order by run_workflow.py on a copy of the project
# with the real firmware in firmware/: with the build tree's tools, or with
# LFSC_GIT=URL given, building and installing lfsc from that clone as the
# workflow does. Then the artifact is checked, and the runner must refuse a
# failing step, YAML it does not read and ${{ }} expressions.
# usage: workflow.sh LFSIMG LUAC_CROSS FIRMWARE_DIR [LFSC_GIT_URL]
set -u
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

# the runner can fail: a step that fails, YAML outside its subset, expressions
mk() { rm -rf "$T/w2" && cp -r "$T/ws" "$T/w2" && cd "$T/w2" && make -s clean > /dev/null && cd - > /dev/null; }
mk; sed 's/run: make verify/run: make verify \&\& false/' "$T/ws/$WF" > "$T/w2/$WF"
if run "$T/w2" "--tools $T/tools"; then bad "a failing step fails the run"; else
  grep -q "step 5 (Verify it) failed" "$T/out" && ok || { bad "the failing step is named"; cat "$T/out"; }; fi
mk; sed 's/^  push:$/  push: [main]/' "$T/ws/$WF" > "$T/w2/$WF"
if run "$T/w2" "--tools $T/tools"; then bad "flow YAML is refused"; else
  grep -q "unsupported YAML: \[main\]" "$T/out" && ok || { bad "flow YAML: message"; cat "$T/out"; }; fi
mk; sed 's/run: make image/run: make image LUAC=${{ env.LUAC }}/' "$T/ws/$WF" > "$T/w2/$WF"
if run "$T/w2" "--tools $T/tools"; then bad "expressions are refused"; else
  grep -q "expressions are not evaluated" "$T/out" && ok || { bad "expressions: message"; cat "$T/out"; }; fi
mk; sed 's/zlib1g-dev/zlib1g-devv/' "$T/ws/$WF" > "$T/w2/$WF"
if run "$T/w2" "--tools $T/tools"; then bad "a package not installed is caught"; else
  grep -q "zlib1g-devv" "$T/out" && ok || { bad "missing package: message"; cat "$T/out"; }; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
