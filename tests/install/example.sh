#!/bin/sh
# The library as a user installs it: `cmake --install` into a scratch
# prefix, then examples/lib/make_image.c built with nothing but the
# installed headers and `pkg-config --cflags --libs lfsc`, and its outputs
# compared byte for byte with the installed luac.cross's: PI images (-f),
# an absolute image (-a 0x40280000) and .lc files (-o), for each firmware
# target, with the timestamp given both ways (SOURCE_DATE_EPOCH, option).
# Also: liblfsc.3 renders, and the installed liblfsc.a defines no global
# name without the lfsc_ prefix. Exits 77 (skipped) without pkg-config.
#
# usage: example.sh BUILD_DIR SOURCE_DIR CC WORK_DIR
set -u
BUILD=$1 SRCDIR=$2 CC=$3 WORK=$4
EXPECT=22                       # checks this script makes when all is well
command -v pkg-config > /dev/null 2>&1 || { echo "no pkg-config: skipped"; exit 77; }
rm -rf "$WORK" && mkdir -p "$WORK/out" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

P=$WORK/prefix
cmake --install "$BUILD" --prefix "$P" > "$WORK/install.log" 2>&1 && ok \
  || { tail -20 "$WORK/install.log"; echo "0 passed, 1 failed"; exit 1; }
pc=$(find "$P" -name lfsc.pc | head -1)
lib=$(find "$P" -name liblfsc.a | head -1)
[ -n "$pc" ] && [ -n "$lib" ] && ok || bad "lfsc.pc or liblfsc.a not installed"
for f in include/lfsc/build.h include/lfsc/sink.h share/man/man3/liblfsc.3.gz; do
  [ -e "$P/$f" ] && ok || bad "missing $f"
done

# Every name liblfsc.a defines for the linker carries the lfsc_ prefix.
if command -v nm > /dev/null 2>&1; then
  nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' > "$WORK/names.txt"
  others=$(grep -v '^lfsc_' "$WORK/names.txt" | head -5)
  n=$(grep -c '^lfsc_image_write$' "$WORK/names.txt")
  [ -z "$others" ] && [ "$n" = 1 ] && ok || bad "liblfsc.a defines '$others' (lfsc_image_write: $n)"
else
  bad "no nm"
fi

MANWIDTH=80 man --warnings -l "$P/share/man/man3/liblfsc.3.gz" > "$WORK/man.txt" 2> "$WORK/manerr.txt"
if grep -q lfsc_image_write "$WORK/man.txt" && ! [ -s "$WORK/manerr.txt" ]; then ok
else bad "man -l liblfsc.3: $(head -5 "$WORK/manerr.txt")"; fi

# The example against the installed package only, warnings as errors.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs lfsc) && ok || bad "pkg-config failed"
MK=$WORK/make_image
# shellcheck disable=SC2086
if "$CC" -std=c11 -Wall -Wextra -Werror -o "$MK" "$SRCDIR/examples/lib/make_image.c" $flags \
     2> "$WORK/cc.txt"; then ok
else
  bad "cc with pkg-config flags ($flags): $(head -5 "$WORK/cc.txt")"
  echo "$pass passed, $fail failed"; exit 1
fi

LUAC=$P/bin/luac.cross
cd "$SRCDIR/examples/lfs" || exit 1
set -- _init.lua blink.lua telemetry.lua
O=$WORK/out
# same "name": same bytes, and neither is empty
same() {
  if [ -s "$O/$2" ] && cmp -s "$O/$2" "$O/$3"; then ok; else bad "$1: $2 and $3 differ"; fi
}

# PI images, timestamp from SOURCE_DATE_EPOCH for one side, an option for the other
for t in float float16 int; do
  SOURCE_DATE_EPOCH=1700000000 "$MK" -t "$t" -o "$O/mk-$t.img" "$@" > "$O/mk-$t.txt" || bad "make_image -t $t"
  "$LUAC" -t "$t" -f --timestamp 1700000000 -o "$O/lc-$t.img" "$@" > /dev/null || bad "luac.cross -f -t $t"
  same "-f -t $t" "mk-$t.img" "lc-$t.img"
done
"$MK" -s -T 42 -o "$O/mk-s.img" "$@" > /dev/null || bad "make_image -s"
SOURCE_DATE_EPOCH=42 "$LUAC" -s -f -o "$O/lc-s.img" "$@" > /dev/null || bad "luac.cross -s -f"
same "-s -f" mk-s.img lc-s.img
# the listing names every module, read back from the image
grep -q "^  blink " "$O/mk-float.txt" && grep -q "^  telemetry " "$O/mk-float.txt" \
  && grep -q "^position independent image, float, .*timestamp 1700000000$" "$O/mk-float.txt" && ok || bad "make_image listing: $(cat "$O/mk-float.txt")"

# absolute images
"$MK" -a 0x40280000 -T 7 -o "$O/mk-abs.img" "$@" > "$O/mk-abs.txt" || bad "make_image -a"
"$LUAC" -a 0x40280000 --timestamp 7 -o "$O/lc-abs.img" "$@" > /dev/null || bad "luac.cross -a"
same "-a 0x40280000" mk-abs.img lc-abs.img
"$MK" -t int -a 0x40280000 -T 7 -o "$O/mk-absi.img" "$@" > /dev/null || bad "make_image -t int -a"
"$LUAC" -t int -a 0x40280000 --timestamp 7 -o "$O/lc-absi.img" "$@" > /dev/null || bad "luac.cross -t int -a"
same "-t int -a 0x40280000" mk-absi.img lc-absi.img

# .lc files: several files combined, one file stripped, the host format
for t in float int host; do
  "$MK" -c -t "$t" -o "$O/mk-$t.lc" "$@" || bad "make_image -c -t $t"
  "$LUAC" -t "$t" -o "$O/lc-$t.lc" "$@" || bad "luac.cross -t $t -o"
  same "-o -t $t" "mk-$t.lc" "lc-$t.lc"
done
"$MK" -c -s -t int -o "$O/mk-s.lc" telemetry.lua || bad "make_image -c -s"
"$LUAC" -s -t int -o "$O/lc-s.lc" telemetry.lua || bad "luac.cross -s -o"
same "-s -t int -o" mk-s.lc lc-s.lc

# errors come back as the library's messages; no output file is left
printf 'x = = 1\n' > "$WORK/bad.lua"
if "$MK" -o "$O/bad.img" blink.lua "$WORK/bad.lua" 2> "$O/bad.txt"; then bad "make_image accepted bad.lua"
elif grep -q "bad.lua:1:" "$O/bad.txt" && ! [ -e "$O/bad.img" ]; then ok
else bad "make_image on bad.lua: $(cat "$O/bad.txt")"; fi
if "$MK" -a 0x40280010 -o "$O/bad.img" blink.lua 2> "$O/bad.txt"; then bad "make_image accepted -a 0x40280010"
elif [ -s "$O/bad.txt" ] && ! [ -e "$O/bad.img" ]; then ok
else bad "make_image -a 0x40280010: $(cat "$O/bad.txt")"; fi

echo "$pass passed, $fail failed"
if [ "$fail" -eq 0 ] && [ "$pass" -lt "$EXPECT" ]; then
  echo "FAIL: only $pass checks ran, $EXPECT expected"
  exit 1
fi
[ "$fail" -eq 0 ]
