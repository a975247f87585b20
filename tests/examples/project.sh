#!/bin/sh
# examples/project as a user runs it: make image/verify/test/flash/clean with
# the build tree's tools, the flash pieces for the real firmware checked
# against the absolute image, and failures (a broken module, a syntax error,
# no FIRMWARE) that must stop make.
# usage: project.sh LFSIMG LUAC_CROSS FIRMWARE_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2 FWDIR=$3
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
cp -r "$HERE/../../examples/project" "$T/p" && cd "$T/p" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
# expect NAME CMD...: CMD must succeed
expect() { name=$1; shift; if "$@" > "$T/out" 2>&1; then ok; else bad "$name"; cat "$T/out"; fi; }
# refuse NAME CMD...: CMD must fail
refuse() { name=$1; shift; if "$@" > "$T/out" 2>&1; then bad "$name (succeeded)"; cat "$T/out"; else ok; fi; }
has() { if grep -q -- "$2" "$T/out"; then ok; else bad "$1: no '$2' in output"; cat "$T/out"; fi; }
M="make LUAC=$LUAC LFSIMG=$LFSIMG"
FW="FIRMWARE=$FWDIR/0x00000.bin $FWDIR/0x10000.bin"

expect "make (image, verify, test)" $M
has "verify" "lfs.img: valid float PI image, 3 modules"
[ "$(grep -c ' passed, 0 failed' "$T/out")" = 2 ] && ok || bad "both host tests ran and passed"
expect "lfsimg list" "$LFSIMG" list lfs.img
for m in _init app ring; do has "module $m in the image" "$m"; done
expect "image is up to date" $M -q image

expect "make flash" $M flash "$FW"
has "the esptool command" "esptool.py --chip esp8266 write_flash --flash_size 4MB 0x00000 flash/0x00000.bin 0x10000 flash/0x10000.bin 0x78000 flash/0x78000.bin"
cmp -s flash/0x78000.bin lfs.abs.img && ok || bad "flash/0x78000.bin is the absolute image"
cmp -s flash/0x10000.bin "$FWDIR/0x10000.bin" && ok || bad "flash/0x10000.bin is the firmware's"
expect "lfsimg info of the absolute image" "$LFSIMG" info lfs.abs.img
has "linked at the firmware's LFS" "absolute (ABS) at 0x40278000"
expect "the PI and the absolute image hold the same code" "$LFSIMG" diff lfs.img lfs.abs.img
expect "provision.txt kept" grep -q "write_flash" flash/provision.txt

# the absolute image is built again when the firmware or the flash size
# changes, and not otherwise
expect "make lfs.abs.img, same firmware" $M lfs.abs.img "$FW"
grep -q -- "-o lfs.abs.img" "$T/out" && bad "same firmware and flash size: rebuilt" || ok
expect "make lfs.abs.img for a 1 MB flash" $M lfs.abs.img "$FW" FLASH_SIZE=1M
grep -q -- "-o lfs.abs.img" "$T/out" && ok || bad "another flash size: not rebuilt"
mkdir -p "$T/fw" && cp "$FWDIR/0x00000.bin" "$FWDIR/0x10000.bin" "$T/fw/"
FW2="FIRMWARE=$T/fw/0x00000.bin $T/fw/0x10000.bin"
expect "make lfs.abs.img, the firmware copied" $M lfs.abs.img "$FW2"
touch -d '+1 minute' "$T/fw/0x10000.bin"
expect "make lfs.abs.img, a newer firmware file" $M lfs.abs.img "$FW2"
grep -q -- "-o lfs.abs.img" "$T/out" && ok || bad "newer firmware: not rebuilt"

rm -f lfs.abs.img
refuse "make flash without FIRMWARE" $M flash
has "says what to set" "set FIRMWARE="

cp lua/ring.lua "$T/ring.lua"
sed 's/self.sum = self.sum - self\[self.head\]/self.sum = self.sum/' "$T/ring.lua" > lua/ring.lua
refuse "a broken module fails make test" $M test
has "the failing check is named" "FAIL oldest drops out"
printf 'local x = \n' > lua/ring.lua
refuse "a syntax error fails make image" $M image
has "the error names the file" "lua/ring.lua:2"
cp "$T/ring.lua" lua/ring.lua

expect "make clean" $M clean
[ ! -e lfs.img ] && [ ! -e flash ] && [ ! -e .fw ] && ok || bad "make clean removes the products"
tally_end 31
