#!/bin/sh
# lfsimg over images made by our own luac.cross: for each variant and
# input set, build PI and ABS images, then
#   - verify accepts both;
#   - reloc of our PI image equals our ABS image byte for byte;
#   - diff against the reference vector of the same inputs says
#     "equivalent" (exit 0);
#   - info/dis/strings/list run cleanly.
# usage: ownimages.sh LFSIMG LUAC CONFORMANCE_DIR
set -u
L=$1
LUAC=$2
C=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

multi="init.lua c03_closures.lua c07_methods.lua c11_nested.lua lib.v2/c12.util.lua"
many=$(cd "$C/src" && ls many/mod*.lua | sort)
n=0
for v in float float16 int; do
  for set in multi many50; do
    if [ $set = multi ]; then files=$multi; else files=$many; fi
    (cd "$C/src" && "$LUAC" -t $v --compat-lineinfo --timestamp 1700000000 -f -o "$T/$v.$set.pi.img" $files) \
      > /dev/null || { fail "luac.cross -t $v -f $set"; continue; }
    (cd "$C/src" && "$LUAC" -t $v --compat-lineinfo --timestamp 1700000000 -a 0x40280000 \
      -o "$T/$v.$set.abs.img" $files) > /dev/null || { fail "luac.cross -t $v -a $set"; continue; }
    for k in pi abs; do
      f="$T/$v.$set.$k.img"
      "$L" verify "$f" > "$T/out" || { cat "$T/out"; fail "verify $v $set $k"; }
      "$L" info "$f" > /dev/null || fail "info $f"
      "$L" dis "$f" > /dev/null || fail "dis $f"
      "$L" strings "$f" > /dev/null || fail "strings $f"
      "$L" diff "$f" "$C/$v/$set.$k.img" > "$T/out" || { cat "$T/out"; fail "diff $v $set $k vs reference"; }
      n=$((n + 1))
    done
    "$L" reloc --base 0x40280000 "$T/$v.$set.pi.img" "$T/r.img" &&
      cmp -s "$T/r.img" "$T/$v.$set.abs.img" || fail "reloc of our $v $set PI image"
  done
done
# Beyond the reference's 50-module limit: 120 modules, all listed, valid,
# and relocatable.
mkdir "$T/big"
i=1; while [ $i -le 120 ]; do echo "return $i" > "$T/big/m$i.lua"; i=$((i + 1)); done
for k in "-f -o big.pi.img" "-a 0x40280000 -o big.abs.img"; do
  # shellcheck disable=SC2086
  (cd "$T/big" && "$LUAC" --timestamp 1 $k m*.lua) > /dev/null || fail "luac.cross $k with 120 modules"
done
for k in pi abs; do
  "$L" verify "$T/big/big.$k.img" > "$T/out" || { cat "$T/out"; fail "verify 120-module $k image"; }
  [ "$("$L" list "$T/big/big.$k.img" | wc -l)" -eq 120 ] || fail "list of the 120-module $k image"
done
"$L" reloc --base 0x40280000 "$T/big/big.pi.img" "$T/r.img" && cmp -s "$T/r.img" "$T/big/big.abs.img" ||
  fail "reloc of the 120-module image"
"$L" diff "$T/big/big.pi.img" "$T/big/big.abs.img" > /dev/null || fail "diff PI vs ABS, 120 modules"

# diff names the first differing function and instruction or constant
mk() { printf 'local function f(a)\n  local function g(b) return b %s end\n  return g(a) + 1\nend\nprint(f(3))\n' "$1" > "$T/m.lua"
       (cd "$T" && "$LUAC" -f --timestamp "$2" -o "$T/$3" m.lua) > /dev/null; }
mk '* 2' 1 a.img; mk '* 3' 2 b.img; mk '- 2' 3 c.img; mk '* 2' 4 d.img
"$L" diff "$T/a.img" "$T/b.img" > "$T/out"; [ $? -eq 1 ] || fail "diff constant: exit status"
grep -qx '~ m (changed)' "$T/out" || fail "diff constant: no changed line"
grep -qx '    main chunk > function\[0\] (line 1) > function\[0\] (line 2): constant 0: 2  vs  3' "$T/out" ||
  { cat "$T/out"; fail "diff constant: detail"; }
"$L" diff "$T/a.img" "$T/c.img" > "$T/out"; [ $? -eq 1 ] || fail "diff instruction: exit status"
grep -q 'function\[0\] (line 2): instruction 1 (line 2 / 2): MUL 1 0 -1  vs  SUB 1 0 -1$' "$T/out" ||
  { cat "$T/out"; fail "diff instruction: detail"; }
"$L" diff "$T/a.img" "$T/d.img" > "$T/out" || fail "diff: a different timestamp is not a difference"

echo "$n images from our luac.cross verified, relocated and equivalent to the reference"
[ "$n" -eq 12 ] || fail "expected 12 images (3 variants, 2 sets, PI and ABS), checked $n"
if [ $fails -ne 0 ]; then
  echo "$fails failures"
  exit 1
fi
