#!/bin/sh
# The loader stub on the emulated lx106 loads images made by our own
# luac.cross (zlib-compressed, unlike the reference vectors): for each
# firmware variant, the region it writes must equal `luac.cross -a` of the
# same inputs.
#
# Plus a float image of every conformance source (over 64 KB), and one over
# 512 KB, whose bitmap is parked in an inflate of its own.
#
# usage: own-images.sh LUAC QEMU ELF EXAMPLES_DIR CONFORMANCE_SRC WORKDIR
set -u
luac=$1 qemu=$2 elf=$3 examples=$4 confsrc=$5 work=$6
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work" || exit 1
fails=0
for v in float float16 int; do
  "$luac" -t $v --timestamp 1 -f -o "$work/own.$v.pi.img" "$examples"/*.lua > /dev/null &&
    "$luac" -t $v --timestamp 1 -a 0x40280000 -o "$work/own.$v.abs.img" "$examples"/*.lua > /dev/null ||
    { echo "FAIL: luac.cross -t $v"; fails=$((fails + 1)); continue; }
  sh "$here/lx106-run.sh" "$qemu" "$elf" "$work/own.$v.pi.img" $v "$work/own.$v.abs.img" "$work" ||
    fails=$((fails + 1))
done
(cd "$confsrc" && "$luac" --timestamp 1 -f -o "$work/own.big.pi.img" c*.lua > /dev/null &&
  "$luac" --timestamp 1 -a 0x40280000 -o "$work/own.big.abs.img" c*.lua > /dev/null) &&
  sh "$here/lx106-run.sh" "$qemu" "$elf" "$work/own.big.pi.img" float "$work/own.big.abs.img" "$work" ||
  fails=$((fails + 1))
# And one over 512 KB (the conformance sources 9 times over, under other
# module names): its bitmap is more than the window holds, so it is parked
# in an inflate of its own. At 0x40280000 such an image passes the end of
# the 1 MB flash window, hence --no-window-check (the harness's region is
# 1 MB).
huge=$work/huge
rm -rf "$huge" && mkdir -p "$huge" || exit 1
for k in 1 2 3 4 5 6 7 8 9; do
  for f in "$confsrc"/c*.lua; do cp "$f" "$huge/x${k}_${f##*/}" || exit 1; done
done
(cd "$huge" && "$luac" --timestamp 1 -f -m 0xF0000 -o "$work/own.huge.pi.img" x*.lua > /dev/null &&
  "$luac" --timestamp 1 --no-window-check -m 0xF0000 -a 0x40280000 -o "$work/own.huge.abs.img" \
    x*.lua > /dev/null) &&
  [ "$(wc -c < "$work/own.huge.abs.img")" -gt 524288 ] &&
  sh "$here/lx106-run.sh" "$qemu" "$elf" "$work/own.huge.pi.img" float "$work/own.huge.abs.img" "$work" ||
  { echo "FAIL: the image over 512 KB"; fails=$((fails + 1)); }
echo "$((5 - fails)) passed, $fails failed"
[ $fails -eq 0 ]
