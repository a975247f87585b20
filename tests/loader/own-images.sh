#!/bin/sh
# The loader stub on the emulated lx106 loads images made by our own
# luac.cross (zlib-compressed, unlike the reference vectors): for each
# firmware variant, the region it writes must equal `luac.cross -a` of the
# same inputs.
#
# Plus a float image of every conformance source (over 64 KB, so pass 2
# takes several inflates).
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
echo "$((4 - fails)) passed, $fails failed"
[ $fails -eq 0 ]
