#!/bin/sh
# lfsimg run and luac.cross -F/-e on NodeMCU Lua 5.3 images (issue #19
# item 5): our 5.3 programs (tests/runtime53/programs) and every
# conformance53 source, compiled by luac.cross --lua 5.3 -f into one image
# per variant, each module run by
#   lfsimg run IMG -e "node.LFS.get('NAME')()"
# prints what lua5.3 prints running its source (int64+double: stdout and
# exit status identical but for local names, which the NodeMCU formats do
# not keep; int32+float32, whose numbers the host does not
# have: runs with the one note); node.LFS.list() is the image's modules;
# luac.cross -F IMG -e SCRIPT runs with the image loaded, and the function
# -e returns goes into an image and runs from it.
# usage: run.sh LFSIMG LUAC_CROSS CONFORMANCE53_SRC
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2 SRC=$3
command -v lua5.3 > /dev/null || { echo "lua5.3 not installed"; exit 77; }
"$LFSIMG" run --help | grep -q "Lua 5.3" || { echo "lfsimg run without Lua 5.3"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d) && trap 'rm -rf "$W"' EXIT
case $LFSIMG in /*) ;; *) LFSIMG=$PWD/$LFSIMG ;; esac
case $LUAC in /*) ;; *) LUAC=$PWD/$LUAC ;; esac
# (a table printed by address is the same table; the address is not. A
# NodeMCU .lc or image holds no local variable names -- the device's
# messages have none either -- so "(local 'x')" is not compared.)
norm() { sed "s/0x[0-9a-f]*/ADDR/g; s/ (local '[^']*')//g"; }
ran=0 same=0

for V in 5.3-int64-doublefp 5.3-int32-singlefp; do
  key=0
  for dir in "$HERE/../runtime53/programs" "$SRC"; do
    d=$(cd "$dir" && pwd)
    key=$((key + 1))    # 1: our programs, 2: conformance53 (the checks below pick 1)
    # every top-level file luac.cross compiles (one image, file order)
    : > "$W/ok.$key"
    for f in $(cd "$d" && ls *.lua); do
      (cd "$d" && "$LUAC" --lua 5.3 -t "$V" -p "$f" 2> /dev/null) && echo "$f" >> "$W/ok.$key"
    done
    img=$W/$V.$key.img
    # shellcheck disable=SC2046
    if ! (cd "$d" && "$LUAC" --lua 5.3 -t "$V" -f -o "$img" $(cat "$W/ok.$key")); then
      bad "luac.cross --lua 5.3 -t $V -f of $d"
      continue
    fi
    # node.LFS.list() is what lfsimg list says
    "$LFSIMG" list "$img" | sort > "$W/want"
    "$LFSIMG" run "$img" -e "for _, n in ipairs(node.LFS.list()) do print(n) end" 2> /dev/null |
      sort > "$W/got"
    if [ -s "$W/want" ] && cmp -s "$W/want" "$W/got"; then ok; else bad "$V $d: node.LFS.list()"; fi
    while read -r f; do
      m=${f%.lua}
      ran=$((ran + 1))
      (cd "$d" && lua5.3 "$f" < /dev/null 2> /dev/null; echo "[exit $?]") | norm > "$W/want"
      (cd "$d" && "$LFSIMG" run "$img" -e "node.LFS.get('$m')()" < /dev/null 2> "$W/err";
       echo "[exit $?]") | norm > "$W/got"
      if [ "$V" = 5.3-int64-doublefp ]; then
        if cmp -s "$W/want" "$W/got"; then
          ok; same=$((same + 1))
        else
          bad "$V $f: lfsimg run differs from lua5.3 $f:"
          diff "$W/want" "$W/got" | head -8
          head -3 "$W/err"
        fi
      else
        # the host has no int32/float32 numbers: it runs, no crash, the note said once
        st=$(tail -n 1 "$W/got")
        notes=$(grep -c "note: " "$W/err")
        if { [ "$st" = "[exit 0]" ] || [ "$st" = "[exit 1]" ]; } && [ "$notes" -eq 1 ]; then
          ok
          cmp -s "$W/want" "$W/got" && same=$((same + 1))
        else
          bad "$V $f: $st, $notes notes"
          head -3 "$W/err"
        fi
      fi
    done < "$W/ok.$key"
  done
done
echo "$same of $ran module runs print what lua5.3 prints for their source (int64: all must)"

# the int32 note once, for several modules in one run
img=$W/5.3-int32-singlefp.1.img
"$LFSIMG" run "$img" -e "for _, n in ipairs(node.LFS.list()) do local f = node.LFS.get(n) end
  node.LFS.get('integers')()" > /dev/null 2> "$W/err"
[ "$(grep -c 'note: ' "$W/err")" -eq 1 ] && ok || bad "int32 note not said once: $(cat "$W/err")"
# no note for int64 images
img64=$W/5.3-int64-doublefp.1.img
"$LFSIMG" run "$img64" -e "node.LFS.get('integers')()" > /dev/null 2> "$W/err"
[ ! -s "$W/err" ] && ok || bad "int64 image: stderr $(cat "$W/err")"

# node.info('lfs').lfs_used is the flash the device builds (luac.cross -F IMG -a's
# size); node.LFS.time is the image's timestamp
"$LUAC" --lua 5.3 -F "$img64" -a 0x40280000 -o "$W/x.abs" > /dev/null 2>&1
want=$(wc -c < "$W/x.abs" | tr -d ' ')
got=$("$LFSIMG" run "$img64" -e "print(node.info('lfs').lfs_used)" 2> /dev/null)
[ -n "$want" ] && [ "$want" = "$got" ] && ok || bad "lfs_used $got, -a image $want bytes"
got=$("$LFSIMG" run "$W/x.abs" -e "print(node.info('lfs').lfs_used, node.LFS.time)" 2> /dev/null)
ts=$("$LFSIMG" info --json "$img64" | sed -n 's/.*"timestamp": \([0-9]*\).*/\1/p')
[ "$got" = "$want	$ts" ] && ok || bad "abs image: lfs_used and time '$got', want '$want $ts'"

# node.info('lfs').lfs_used is the flash the device builds (luac.cross -F IMG -a's
# size); node.LFS.time is the image's timestamp
"$LUAC" --lua 5.3 -F "$img64" -a 0x40280000 -o "$W/x.abs" > /dev/null 2>&1
want=$(wc -c < "$W/x.abs" | tr -d ' ')
got=$("$LFSIMG" run "$img64" -e "print(node.info('lfs').lfs_used)" 2> /dev/null)
[ -n "$want" ] && [ "$want" = "$got" ] && ok || bad "lfs_used $got, -a image $want bytes"
got=$("$LFSIMG" run "$W/x.abs" -e "print(node.info('lfs').lfs_used, node.LFS.time)" 2> /dev/null)
ts=$("$LFSIMG" info --json "$img64" | sed -n 's/.*"timestamp": \([0-9]*\).*/\1/p')
[ "$got" = "$want	$ts" ] && ok || bad "abs image: lfs_used and time '$got', want '$want $ts'"

# luac.cross -F IMG -e SCRIPT: the script runs with the image as its LFS
cat > "$W/s.lua" << 'LUA'
print("modules", #node.LFS.list())
node.LFS.get('integers')()
return function(...) print("returned", ..., 7 // 2, 2^53) end
LUA
(cd "$HERE/../runtime53/programs" && lua5.3 integers.lua) > "$W/want.int"
(cd "$HERE/../runtime53/programs" && "$LUAC" --lua 5.3 -t 5.3-int64-doublefp -F "$img64" -e "$W/s.lua" \
  -o "$W/e.lc") > "$W/got" 2> "$W/err"
n=$("$LFSIMG" list "$img64" | wc -l)
{ echo "modules	$n"; cat "$W/want.int"; } > "$W/want"
if cmp -s "$W/want" "$W/got"; then ok; else bad "luac.cross -F -e"; diff "$W/want" "$W/got" | head; cat "$W/err"; fi
# the returned function is a module of an image made with -e, and runs from it
(cd "$HERE/../runtime53/programs" && "$LUAC" --lua 5.3 -t 5.3-int64-doublefp -F "$img64" \
  -e "$W/s.lua" -f -o "$W/e.img" "$HERE/../runtime53/programs/goto.lua" > /dev/null 2>&1)
"$LFSIMG" list "$W/e.img" > "$W/got"
printf 's\ngoto\n' > "$W/want"
cmp -s "$W/want" "$W/got" && ok || bad "-e's function in the image: $(cat "$W/got")"
"$LFSIMG" run "$W/e.img" -e "node.LFS.get('s')('a', 1)" > "$W/got" 2> "$W/err"
printf 'returned\ta\t3\t9.007199254741e+15\n' > "$W/want"
cmp -s "$W/want" "$W/got" && ok || { bad "-e's function run from the image"; cat "$W/got" "$W/err"; }
# and as a .lc of its own, which lfsimg verifies
"$LFSIMG" verify -q "$W/e.lc" > /dev/null && ok || bad "-e's .lc does not verify"
# a 5.3 image that does not load: a clear error, exit 1
head -c 100 "$img64" > "$W/cut.img"
"$LFSIMG" run "$W/cut.img" -e "print(1)" > "$W/got" 2> "$W/err"
[ $? -eq 1 ] && grep -q "truncated" "$W/err" && [ ! -s "$W/got" ] && ok || bad "cut image: $(cat "$W/err")"
"$LUAC" --lua 5.3 -F "$W/cut.img" -e "$W/s.lua" > /dev/null 2> "$W/err"
[ $? -eq 1 ] && grep -q "truncated" "$W/err" && ok || bad "luac.cross -F cut image: $(cat "$W/err")"
# node.LFS.reload of a bad file: the message as a string, the old image stays
"$LFSIMG" run "$img64" -e "print(node.LFS.reload('$W/cut.img')); print(#node.LFS.list())" \
  > "$W/got" 2>&1
grep -q "truncated" "$W/got" && tail -n 1 "$W/got" | grep -qx "$n" && ok ||
  bad "reload of a cut image: $(cat "$W/got")"
tally_end 100
