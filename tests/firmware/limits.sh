#!/bin/sh
# One table of limits (src/lfslimits.c): luac.cross -a/-m, lfsimg verify and
# lfsimg reloc accept the same addresses and sizes and refuse the rest with
# the same message, and --no-window-check relaxes the same rules in all.
#
# usage: limits.sh LUAC_CROSS LFSIMG CONFORMANCE_DIR WORK_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
LUAC=$1 LFSIMG=$2 CONF=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$CONF/src" || exit 1
export SOURCE_DATE_EPOCH=1700000000
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect RC WHAT PATTERN CMD...: exit status RC, and PATTERN (fixed string)
# in stdout+stderr; the file $WORK/out must not exist afterwards
expect() {
  want=$1 what=$2 pat=$3
  shift 3
  rm -f "$WORK/out"
  "$@" >"$WORK/msg" 2>&1
  rc=$?
  if [ $rc -ne "$want" ]; then
    bad "$what: exit $rc, want $want: $(cat "$WORK/msg")"
  elif ! grep -qF -e "$pat" "$WORK/msg"; then
    bad "$what: output lacks '$pat': $(cat "$WORK/msg")"
  elif [ -e "$WORK/out" ]; then
    bad "$what: output file left behind"
  else
    ok
  fi
}

BIG=c06_manyconst.lua            # 24776 bytes as an image: crosses the window end
"$LUAC" -f -o "$WORK/big.pi.img" $BIG >/dev/null || bad "PI build"
END_MSG="image of 24776 bytes at 0x402fc000 ends at 0x403020c8, 8392 bytes past the 1 MiB flash window the ESP8266 maps at 0x40200000..0x402fffff"

# -a: start checked against the window, end checked after the build
expect 1 "luac -a end past window" "$END_MSG" "$LUAC" -a 0x402fc000 -o "$WORK/out" $BIG
expect 1 "reloc end past window" "$END_MSG" "$LFSIMG" reloc --base 0x402fc000 "$WORK/big.pi.img" "$WORK/out"
"$LUAC" --no-window-check -a 0x402fc000 -o "$WORK/nw.img" $BIG >/dev/null && ok ||
  bad "luac --no-window-check"
"$LFSIMG" reloc --no-window-check --base 0x402fc000 "$WORK/big.pi.img" "$WORK/nw2.img" &&
  cmp -s "$WORK/nw.img" "$WORK/nw2.img" && ok || bad "reloc --no-window-check != luac.cross -a"
expect 1 "verify: window end is an error" "error: $END_MSG" "$LFSIMG" verify "$WORK/nw.img"
expect 0 "verify --no-window-check" "valid float ABS image" "$LFSIMG" verify --no-window-check "$WORK/nw.img"
"$LUAC" -a 0x402f9000 -o "$WORK/fits.img" $BIG >/dev/null && ok || bad "image ending at 0x402ff0c8"

# the start: a flash offset gets a hint; same words and exit status (2, a
# bad option value) in both tools
HINT="address 0x00080000 is a flash offset, not a mapped address: did you mean 0x40280000?"
expect 2 "luac -a flash offset" "'-a': $HINT" "$LUAC" -a 0x80000 -o "$WORK/out" $BIG
expect 2 "reloc flash offset" "--base: $HINT" "$LFSIMG" reloc --base 0x80000 "$WORK/big.pi.img" "$WORK/out"
OUT="absolute address 0x40300000 is outside the flash window 0x40210000..0x402ff000"
expect 2 "luac -a at window end" "$OUT" "$LUAC" -a 0x40300000 -o "$WORK/out" $BIG
expect 2 "reloc at window end" "$OUT" "$LFSIMG" reloc --base 0x40300000 "$WORK/big.pi.img" "$WORK/out"
SEC="absolute address 0x40280100 is not on a 4096-byte flash sector, where every partition starts (nearest 0x40280000)"
expect 2 "luac -a unaligned sector" "$SEC" "$LUAC" -a 0x40280100 -o "$WORK/out" $BIG
expect 2 "reloc unaligned sector" "$SEC" "$LFSIMG" reloc --base 0x40280100 "$WORK/big.pi.img" "$WORK/out"
expect 1 "verify --base unaligned sector" "$SEC" "$LFSIMG" verify --base 0x40280100 "$WORK/big.pi.img"
"$LUAC" --no-window-check -a 0x40280100 -o "$WORK/s.img" $BIG >/dev/null && ok ||
  bad "--no-window-check: word-aligned -a"
expect 1 "verify: linked off a sector" "image is linked at 0x40280100: $SEC" "$LFSIMG" verify "$WORK/s.img"
OUT2="absolute address 0x40310004 is outside the flash window 0x40210000..0x40310000"
expect 2 "--no-window-check keeps the reference range" "$OUT2" \
  "$LUAC" --no-window-check -a 0x40310004 -o "$WORK/out" $BIG

# -m: bounded by the largest image, 0xF0000 (983040) bytes
M="'-m': maximum size 0xf1000 is larger than any LFS image can be: 0xf0000 bytes (the 1 MiB mapped window less the 64 KiB boot area)"
expect 2 "-m above the largest image" "$M" "$LUAC" -f -m 0xf1000 -o "$WORK/out" $BIG
expect 2 "-m 0xfffff000 (accepted before)" "larger than any LFS image" "$LUAC" -f -m 0xfffff000 -o "$WORK/out" $BIG
"$LUAC" -f -m 0xf0000 -o "$WORK/m.img" $BIG >/dev/null && ok || bad "-m 0xf0000"
"$LUAC" --no-window-check -f -m 0x3e0000 -o "$WORK/m2.img" $BIG >/dev/null && ok || bad "-m 0x3e0000 --no-window-check"
expect 2 "-m beyond the format" "0x3e0000 bytes (the image format's limit)" \
  "$LUAC" --no-window-check -f -m 0x3e1000 -o "$WORK/out" $BIG

tally_end 22
