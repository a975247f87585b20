#!/bin/sh
# Host independence on a big-endian machine: build luac.cross for s390x
# (clang with Debian's s390x cross libc and binutils, statically linked, zlib replaced by
# gzip_stub.c), run it under qemu-s390x, and compare its output with the
# native build's for every conformance source, all three firmware
# variants, bytecode (plain and -s), absolute and PI images (deflated by
# squeeze.c on both sides, default and --best), a 100-module image, and a
# sample of the corpus.
#
# usage: run.sh NATIVE_LUAC SOURCE_DIR CONFORMANCE_SRC CORPUS_DIR WORKDIR
set -u
X=$1 top=$2 conf=$3 corpus=$4 work=$5
mkdir -p "$work" || exit 1
srcs=$(find "$top/src" -name '*.c' -not -path '*/runtime/*' -not -path "$top/src/runtime53/*" -not -path "$top/src/repl/*" -not -path '*/loader/*' | sort |
  grep -v -E '/(cli/lfsimg|cli/lfsimg_fw|cli/lfsimg_fw32|cli/lfsimg_pt|cli/lfsimg53|gzip|reader|verify|api/inspect)\.c$' |
  grep -v -E '/platform/esp32/(appimage|sha256|elf32|firmware32|provision32)\.c$')   # zlib's crc32, lfsimg's
# shellcheck disable=SC2086
clang --target=s390x-linux-gnu -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -static -I"$top/include" -I"$top/src" \
  $srcs "$top/tests/bigendian/gzip_stub.c" "$top/tests/bigendian/esp32_stub.c" -lm -o "$work/luac.cross.s390x" || exit 1
B() { qemu-s390x "$work/luac.cross.s390x" "$@"; }
pass=0 fail=0 same=0
# compare LABEL ARGS...: same exit status and same bytes. The options in
# ARGS come before the file names (-o goes first): a usage error on both
# sides would be "the same" and compare nothing, so the bytes compared are
# counted and checked below, and a usage error (exit 2) is a failure.
compare() {
  label=$1; shift
  rm -f "$work/x" "$work/b"
  "$X" -o "$work/x" "$@" > /dev/null 2> "$work/xerr"; rx=$?
  B -o "$work/b" "$@" > /dev/null 2>&1; rb=$?
  if [ $rx = 2 ]; then
    fail=$((fail + 1)); echo "FAIL $label $*: usage error: $(cat "$work/xerr")"
  elif [ $rx = $rb ] && { [ $rx != 0 ] || cmp -s "$work/x" "$work/b"; }; then
    pass=$((pass + 1))
    [ $rx = 0 ] && same=$((same + 1))
  else
    fail=$((fail + 1)); echo "FAIL $label $* (exit $rx native, $rb big-endian)"
  fi
}
cd "$conf" || exit 1
for f in $(ls c*.lua) lib.v2/c12.util.lua init.lua; do
  for t in float float16 int; do
    for o in "" "-s" "-a 0x40280000" "-f"; do
      # shellcheck disable=SC2086
      compare "$f" -t $t --timestamp 5 $o "$f"
    done
  done
done
for t in float float16 int; do
  compare all -t $t --timestamp 5 -a 0x40280000 c01_basic.lua c03_closures.lua init.lua many/*.lua
done
# PI images are deflated by our own squeeze.c on both sides (the stub
# stands in for gzip.c only): its cost model must choose the same parse on
# every host, default and --best, one module and many.
for o in "-f" "--best -f" "--compat-deflate -f" "--chip esp32 -f" "--chip esp32 -a 0x3F430000"; do
  # shellcheck disable=SC2086
  compare all-pi -t float --timestamp 5 $o $(ls c*.lua) lib.v2/c12.util.lua init.lua
done
compare corpus-pi --timestamp 5 -f $(cut -f2 "$corpus/MANIFEST.txt" | grep '^share/luacheck/[^/]*$' | sed "s|^|$corpus/|")
for f in $(cut -f2 "$corpus/MANIFEST.txt" | head -100); do
  compare corpus "$corpus/$f"
done
echo "outputs compared byte for byte: $same"
[ $same -ge 300 ] || { fail=$((fail + 1)); echo "FAIL: only $same outputs compared (expected 300 or more)"; }
echo "$pass passed, $fail failed"
# 358 comparisons today
[ $((pass + fail)) -ge 340 ] || { echo "FAIL: only $((pass + fail)) comparisons ran, at least 340 expected"; exit 1; }
[ $fail -eq 0 ]
