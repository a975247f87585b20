#!/bin/sh
# Every module of every float and float16 reference image, and of the images
# built here from conformance/src by our own luac.cross, run through
# `lfsimg run` must print exactly what lua5.1 prints running its source file
# (tests/runtime/driver.lua also prints the module's return values).
# usage: modules.sh LFSIMG LUAC_CROSS CONFORMANCE_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2 CONF=$3
command -v lua5.1 > /dev/null || { echo "lua5.1 not installed"; exit 77; }
[ -d "$CONF/src" ] || { echo "no conformance vectors at $CONF"; exit 77; }
DRIVER=$(cd "$(dirname "$0")" && pwd)/driver.lua
case $LFSIMG in /*) ;; *) LFSIMG=$PWD/$LFSIMG ;; esac
case $LUAC in /*) ;; *) LUAC=$PWD/$LUAC ;; esac
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
pass=0 fail=0 images=0 skipped=0

# our own images: each variant with doubles, over the "all" and "many50" sets
cd "$CONF/src" || exit 1
ALL="c01_basic.lua c02_control.lua c03_closures.lua c04_varargs.lua c05_strings.lua
c06_manyconst.lua c07_methods.lua c08_multiassign.lua c09_bigtable.lua c10_intonly.lua
c11_nested.lua lib.v2/c12.util.lua c13_lines.lua c14_misc.lua c15_empty.lua c16_scopes.lua
c17_bytes.lua c18_tailcalls.lua c19_manyint.lua c20_linefix.lua init.lua"
for t in float float16; do
  # shellcheck disable=SC2086
  "$LUAC" -t $t -f -o "$T/own-$t-all.pi.img" $ALL > /dev/null &&
  "$LUAC" -t $t -a 0x40210000 -o "$T/own-$t-all.abs.img" $ALL > /dev/null &&
  "$LUAC" -t $t -f -o "$T/own-$t-many50.pi.img" many/mod*.lua > /dev/null ||
    { echo "FAIL: luac.cross could not build the $t images"; fail=$((fail + 1)); }
done

# LFSC_SAMPLE=N (run-all.sh's sanitizer run): every Nth image only.
seen=0
for img in "$CONF"/float/*.img "$CONF"/float/single/*.img "$CONF"/float16/*.img \
           "$CONF"/float16/single/*.img "$T"/own-*.img; do
  [ -s "$img" ] || continue                     # the empty .fail vector
  seen=$((seen + 1))
  [ $(((seen - 1) % ${LFSC_SAMPLE:-1})) -eq 0 ] || continue
  images=$((images + 1))
  # each module's name and source name, one pair a line
  "$LFSIMG" run "$img" -e 'for _, m in ipairs(node.LFS.list()) do
      print(m, debug.getinfo(node.LFS.get(m), "S").source) end' > "$T/mods" ||
    { echo "FAIL: $img: cannot list its modules"; fail=$((fail + 1)); continue; }
  while read -r m src; do
    case $src in
      @*) file=${src#@} ;;
      =stdin) file=- ;;                         # float/stdin.pi.img: c01_basic.lua from stdin
      *) echo "SKIP: $img $m: source '$src'"; skipped=$((skipped + 1)); continue ;;
    esac
    if [ "$file" = - ]; then
      lua5.1 "$DRIVER" - < c01_basic.lua > "$T/want" 2>&1
    else
      lua5.1 "$DRIVER" "$file" < /dev/null > "$T/want" 2>&1
    fi
    "$LFSIMG" run "$img" "$DRIVER" "$m" < /dev/null > "$T/got" 2>&1
    if cmp -s "$T/want" "$T/got"; then
      pass=$((pass + 1))
    else
      echo "FAIL: $img module $m differs from lua5.1 $file:"
      diff "$T/want" "$T/got" | head -10
      fail=$((fail + 1))
    fi
  done < "$T/mods"
done
echo "$pass modules of $images images printed what lua5.1 prints for their source ($skipped skipped)"
# no image found, or every module skipped, must not pass: 440
# modules compared (over every image; a sample takes fewer): 110 images
# and 610 modules today, every 4th image (LFSC_SAMPLE=4) 28 and 117
[ "$images" -ge "$(sampled 100)" ] || bad "only $images images run, at least $(sampled 100) expected"
tally_end "$(sampled 440)"
