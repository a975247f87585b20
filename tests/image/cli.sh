#!/bin/sh
# luac.cross image options: -f -a -m -o - -i --timestamp, and the fixes to
# the reference's defects (no crash on a missing value, messages that name
# the option, no output file left behind on failure, size on stderr when
# the image goes to stdout, duplicate module names).
#
# usage: cli.sh LUAC_CROSS PICHECK CONFORMANCE_DIR WORK_DIR LFSIMG
set -u
. "$(dirname "$0")/../lib/tally.sh"
LUAC=$1 PICHECK=$2 CONF=$3 WORK=$4 LFSIMG=$5
SRC=$CONF/src
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$SRC" || exit 1
unset SOURCE_DATE_EPOCH
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_fail WHAT PATTERN CMD...: exit status 1 (not a crash) and stderr
# matching PATTERN; expect_usage: the same with exit status 2 (a usage error)
want_rc=1
expect_fail() {
  what=$1 pat=$2
  shift 2
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"
  rc=$?
  if [ $rc -ne $want_rc ]; then
    bad "$what: exit $rc, want $want_rc"
  elif ! grep -q -e "$pat" "$WORK/err.txt"; then
    bad "$what: stderr lacks '$pat': $(cat "$WORK/err.txt")"
  else
    ok
  fi
}
expect_usage() { want_rc=2; expect_fail "$@"; want_rc=1; }

# missing option values: the reference crashes on -a and -m
expect_usage "-a without value" "'-a' needs argument" "$LUAC" -a
expect_usage "-m without value" "'-m' needs argument" "$LUAC" -m
expect_usage "-o without value" "'-o' needs argument" "$LUAC" -f -o
expect_usage "--timestamp without value" "'--timestamp' needs argument" "$LUAC" --timestamp

# -a: range and alignment, with messages naming -a; a bad option value is
# a usage error (2), as in lfsimg
expect_usage "-a unaligned" "'-a'.*multiple of 4" "$LUAC" -a 0x40210002 -o "$WORK/x" c15_empty.lua
expect_usage "-a below range" "'-a'.*outside" "$LUAC" -a 0x40200000 -o "$WORK/x" c15_empty.lua
expect_usage "-a above range" "'-a'.*outside" "$LUAC" -a 0x40310004 -o "$WORK/x" c15_empty.lua
expect_usage "-a not a number" "'-a': bad number" "$LUAC" -a 12k -o "$WORK/x" c15_empty.lua
"$LUAC" -a 1075904512 -o "$WORK/dec.img" c15_empty.lua >/dev/null &&
  "$LUAC" -a 0x40210000 -o "$WORK/hex.img" c15_empty.lua >/dev/null &&
  "$LUAC" --timestamp 5 -a 010010200000 -o "$WORK/oct.img" c15_empty.lua >/dev/null &&
  [ "$(od -An -tx4 -j12 -N4 "$WORK/dec.img")" = " 40210020" ] &&
  [ "$(od -An -tx4 -j12 -N4 "$WORK/oct.img")" = " 40210020" ] && ok ||
  bad "-a in decimal, hex and octal"
[ -e "$WORK/x" ] && bad "output file created by a failed run" || ok

# -m: multiple of 4096, and by how much an image is too large
expect_usage "-m not a multiple of 4096" "'-m'.*multiple of 4096" "$LUAC" -m 1000 c15_empty.lua
expect_usage "-m 12k" "'-m': bad number" "$LUAC" -m 12k c15_empty.lua
echo old >"$WORK/keep.img"
expect_fail "-m exceeded" "24776 bytes, 20680 bytes over the maximum size of 4096" \
  "$LUAC" -f -m 4096 -o "$WORK/keep.img" c06_manyconst.lua
! [ -s "$WORK/out.txt" ] && ok || bad "-m exceeded: printed '$(cat "$WORK/out.txt")' for a failed build"
[ "$(cat "$WORK/keep.img")" = old ] && ok || bad "-m exceeded: existing output clobbered"
expect_fail "-m exceeded (new file)" "bytes over" "$LUAC" -f -m 4096 -o "$WORK/new.img" c06_manyconst.lua
[ -e "$WORK/new.img" ] && bad "-m exceeded: empty output file left behind" || ok
# -m alone makes a PI image, like the reference
SOURCE_DATE_EPOCH=1700000000 "$LUAC" -m 8192 -o "$WORK/m.img" c15_empty.lua >/dev/null &&
  python3 -c "import sys,zlib; a,b=(zlib.decompress(open(f,'rb').read(),31) for f in sys.argv[1:]); sys.exit(a!=b)" \
    "$WORK/m.img" "$CONF/float/single/c15_empty.pi.img" && ok || bad "-m alone: PI image"

# -o -: the binary alone on stdout, "Image size" on stderr
export SOURCE_DATE_EPOCH=1700000000
"$LUAC" -a 0x40280000 -o - c01_basic.lua >"$WORK/abs.out" 2>"$WORK/abs.err"
cmp -s "$WORK/abs.out" "$CONF/float/single/c01_basic.abs.img" && ok || bad "-a -o -: stdout is not the image"
grep -q '^Image size: 1484$' "$WORK/abs.err" && ok || bad "-a -o -: no Image size on stderr"
"$LUAC" -f -o - c01_basic.lua >"$WORK/pi.out" 2>/dev/null
"$PICHECK" "$WORK/pi.out" >/dev/null && ok || bad "-f -o -: stdout is not a loadable PI image"
grep -q '^Image size: 1484$' "$WORK/abs.out" && bad "-o -: Image size mixed into the binary" || ok

# timestamps: SOURCE_DATE_EPOCH, --timestamp (wins), else the clock
"$LUAC" -a 0x40280000 -o "$WORK/t1.img" c15_empty.lua >/dev/null
cmp -s "$WORK/t1.img" "$CONF/float/single/c15_empty.abs.img" && ok || bad "SOURCE_DATE_EPOCH"
SOURCE_DATE_EPOCH=1 "$LUAC" --timestamp 1700000000 -a 0x40280000 -o "$WORK/t2.img" c15_empty.lua >/dev/null
cmp -s "$WORK/t2.img" "$CONF/float/single/c15_empty.abs.img" && ok || bad "--timestamp over SOURCE_DATE_EPOCH"
SOURCE_DATE_EPOCH=1 "$LUAC" -a 0x40280000 -o "$WORK/t3.img" c15_empty.lua >/dev/null
cmp -s "$WORK/t3.img" "$CONF/float/single/c15_empty.abs.img" && bad "SOURCE_DATE_EPOCH=1 ignored" || ok
expect_fail "bad SOURCE_DATE_EPOCH" "SOURCE_DATE_EPOCH: bad timestamp" env SOURCE_DATE_EPOCH=soon "$LUAC" -f -o "$WORK/x" c15_empty.lua
expect_usage "--timestamp before 1970" "--timestamp: bad timestamp '-5'" "$LUAC" --timestamp -5 -f -o "$WORK/x" c15_empty.lua
expect_usage "--timestamp not a number" "--timestamp: bad timestamp 'abc'" "$LUAC" --timestamp abc -f -o "$WORK/x" c15_empty.lua
# options that would have no effect are refused, not ignored
expect_usage "--flash-size without --firmware" "'--flash-size' needs '--firmware'" "$LUAC" --flash-size 4M -o "$WORK/x" c15_empty.lua
expect_usage "--best without -f" "'--best' applies to '-f'" "$LUAC" --best -o "$WORK/x" c15_empty.lua
[ -e "$WORK/x" ] && bad "output written by a refused command" || ok
unset SOURCE_DATE_EPOCH
"$LUAC" -a 0x40280000 -o "$WORK/t4.img" c15_empty.lua >/dev/null
now=$(date +%s)
python3 - "$WORK/t4.img" "$now" <<'EOF' && ok || bad "default timestamp is not the clock"
import struct, sys
img = open(sys.argv[1], 'rb').read()
ts = struct.unpack_from('<d', img, len(img) - 72 - 40 - 12)[0]   # k[1] before the code
sys.exit(0 if abs(ts - int(sys.argv[2])) < 100 else 1)
EOF

# integer target: by name (luac.cross.int) or -t int
export SOURCE_DATE_EPOCH=1700000000
ln -sf "$LUAC" "$WORK/luac.cross.int"
"$WORK/luac.cross.int" -a 0x40280000 -o "$WORK/i1.img" c01_basic.lua >/dev/null
"$LUAC" -t int -a 0x40280000 -o "$WORK/i2.img" c01_basic.lua >/dev/null
cmp -s "$WORK/i1.img" "$CONF/int/single/c01_basic.abs.img" && cmp -s "$WORK/i2.img" "$WORK/i1.img" &&
  ok || bad "int target by name and by -t"
expect_fail "-f -t host" "no flash image format" "$LUAC" -t host -f -o "$WORK/x" c15_empty.lua

# duplicate module names are an error naming both files
mkdir -p "$WORK/a" "$WORK/b"
echo 'return 1' >"$WORK/a/util.lua"
echo 'return 2' >"$WORK/b/util.lua"
expect_fail "duplicate modules" "duplicate module name 'util': $WORK/a/util.lua and $WORK/b/util.lua" \
  "$LUAC" -f -o "$WORK/x" "$WORK/a/util.lua" "$WORK/b/util.lua"
[ -e "$WORK/x" ] && bad "duplicate modules: output created" || ok

# missing input: the loader message, no output
expect_fail "missing input" "cannot open nosuch.lua" "$LUAC" -f -o "$WORK/x" nosuch.lua
[ -e "$WORK/x" ] && bad "missing input: output created" || ok

# more than 50 modules
i=1
set --
while [ $i -le 120 ]; do
  echo "local t = {} t.n = $i return t" >"$WORK/mod$i.lua"
  set -- "$@" "$WORK/mod$i.lua"
  i=$((i + 1))
done
"$LUAC" -f -o "$WORK/many.img" "$@" >/dev/null && "$PICHECK" "$WORK/many.img" >/dev/null &&
  ok || bad "120 modules"

# One CLI convention (shared with lfsimg): --help and -h on stdout with exit
# 0, --version one line, usage errors exit 2, options only before file names.
for h in -h --help; do
  "$LUAC" $h >"$WORK/out.txt" 2>"$WORK/err.txt" && grep -q "^usage: .*\[options\]" "$WORK/out.txt" &&
    grep -q "Options come before file names" "$WORK/out.txt" && ! [ -s "$WORK/err.txt" ] &&
    ok || bad "$h: $(cat "$WORK/out.txt" "$WORK/err.txt")"
done
"$LUAC" --version >"$WORK/out.txt" 2>&1 && [ "$(wc -l <"$WORK/out.txt")" -eq 1 ] &&
  grep -qx "luac.cross (lfsc) [0-9.]*" "$WORK/out.txt" && ok || bad "--version: $(cat "$WORK/out.txt")"
expect_usage "unknown option" "unrecognized option '--frobnicate'" "$LUAC" --frobnicate c15_empty.lua
expect_usage "-t unknown" "unknown target 'double'" "$LUAC" -t double c15_empty.lua
expect_usage "no input" "no input files given" "$LUAC"
expect_usage "option after a file name" "'-o' after file name 'c15_empty.lua': options must come before file names" \
  "$LUAC" -f c15_empty.lua -o "$WORK/late.img"
[ -e "$WORK/late.img" ] && bad "option after a file name: output created" || ok
# ... but after "--" a name starting with '-' is a file
cp c15_empty.lua "$WORK/-dash.lua"
(cd "$WORK" && "$LUAC" -p -- c15_empty.lua 2>/dev/null; "$LUAC" -p -- -dash.lua) >/dev/null 2>&1 && ok ||
  bad "'--' then a file named -dash.lua"

# "Image size:" only for a complete image: not when the output cannot be
# written, nor when -m is exceeded (the size is in the error instead)
mkdir -p "$WORK/isdir"
"$LUAC" -f -o "$WORK/isdir" c01_basic.lua >"$WORK/out.txt" 2>"$WORK/err.txt"
[ $? -eq 1 ] && ! [ -s "$WORK/out.txt" ] && grep -q "Is a directory" "$WORK/err.txt" && ok ||
  bad "unwritable output: stdout '$(cat "$WORK/out.txt")', stderr '$(cat "$WORK/err.txt")'"
"$LUAC" -f -m 4096 -o "$WORK/small.img" c06_manyconst.lua >"$WORK/out.txt" 2>"$WORK/err.txt"
[ $? -eq 1 ] && ! [ -s "$WORK/out.txt" ] && ok || bad "-m exceeded printed '$(cat "$WORK/out.txt")'"

# -t int: a fractional numeral gets luac's message and the reason
printf 'local x = 0.0625\n' >"$WORK/frac.lua"
expect_fail "-t int fraction" "note: the integer firmware (-t int) has only whole numbers" \
  "$LUAC" -t int -o "$WORK/frac.lc" "$WORK/frac.lua"
grep -q "frac.lua:1: malformed number near '0.0625'" "$WORK/err.txt" && ok || bad "-t int fraction: $(cat "$WORK/err.txt")"
printf 'local x = 3x\n' >"$WORK/junk.lua"
"$LUAC" -t int -o "$WORK/junk.lc" "$WORK/junk.lua" 2>"$WORK/err.txt"
grep -q note "$WORK/err.txt" && bad "-t int: note for a junk numeral" || ok

# Honest -s: a stripped image keeps no source names ("=?" instead, the
# index function keeps "=(luac)"), and module names are unchanged
mkdir -p "$WORK/deep/lib"
cp c01_basic.lua "$WORK/deep/lib/basic.lua"
"$LUAC" -f -s -o "$WORK/s.img" "$WORK/deep/lib/basic.lua" c03_closures.lua >/dev/null
"$LFSIMG" strings "$WORK/s.img" >"$WORK/strings.txt" 2>&1
grep -q '"@' "$WORK/strings.txt" && bad "-s image keeps source names: $(grep '"@' "$WORK/strings.txt")" || ok
grep -qx '"=?"' "$WORK/strings.txt" && ok || bad "-s image: no \"=?\" source"
"$LFSIMG" list "$WORK/s.img" >"$WORK/list.txt" 2>&1
grep -qw basic "$WORK/list.txt" && grep -qw c03_closures "$WORK/list.txt" && ok || bad "-s image modules: $(cat "$WORK/list.txt")"
"$LFSIMG" verify "$WORK/s.img" >"$WORK/v.txt" 2>&1 && ! grep -q warning "$WORK/v.txt" && ok || bad "-s image verify: $(cat "$WORK/v.txt")"

# --source-prefix: absolute build paths stay out of images and .lc files
"$LUAC" -f --source-prefix "$WORK/deep" -o "$WORK/p.img" "$WORK/deep/lib/basic.lua" >/dev/null
"$LFSIMG" strings "$WORK/p.img" | grep -qx '"@lib/basic.lua"' && ! "$LFSIMG" strings "$WORK/p.img" | grep -q "$WORK" &&
  ok || bad "--source-prefix image: $("$LFSIMG" strings "$WORK/p.img" | grep @)"
"$LUAC" --source-prefix "$WORK/deep/" -o "$WORK/p.lc" "$WORK/deep/lib/basic.lua" &&
  grep -q "@lib/basic.lua" "$WORK/p.lc" && ! grep -q "$WORK" "$WORK/p.lc" && ok || bad "--source-prefix .lc"
printf 'x = = 1\n' >"$WORK/deep/lib/bad.lua"
expect_fail "--source-prefix error message" ": lib/bad.lua:1: unexpected symbol" \
  "$LUAC" --source-prefix "$WORK/deep" -o "$WORK/p.lc" "$WORK/deep/lib/bad.lua"
"$LUAC" --source-prefix "$WORK/dee" -o "$WORK/q.lc" "$WORK/deep/lib/basic.lua" &&
  grep -q "@$WORK/deep/lib/basic.lua" "$WORK/q.lc" && ok || bad "--source-prefix matched a partial directory name"

# -i: lookup function as bytecode, the reference's -i vector
"$LUAC" -i -o "$WORK/i.lc" c15_empty.lua && cmp -s "$WORK/i.lc" "$CONF/lc/float/c15_empty.i.lc" &&
  ok || bad "-i bytecode"

tally_end 62
