#!/bin/sh
# The package as a user gets it: cpack builds the .deb, which is unpacked
# into a scratch root (dpkg-deb -x); then the installed tools build and
# check an image, luac.cross.int selects the integer target, the installed
# man pages render (man -l), the completions load in bash, and a C program
# builds against the installed liblfsc with `pkg-config --cflags --libs lfsc`.
#
# usage: deb.sh BUILD_DIR SOURCE_DIR CONFORMANCE_DIR WORK_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
BUILD=$1 SRCDIR=$2 CONF=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK/root" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@" > "$WORK/out.txt" 2>&1; then ok; else bad "$what: $(tail -5 "$WORK/out.txt")"; fi; }

(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg") > "$WORK/cpack.log" 2>&1 || { tail -20 "$WORK/cpack.log"; echo "0 passed, 1 failed"; exit 1; }
deb=$(ls "$WORK"/pkg/lfsc_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && ok || bad "no .deb in $WORK/pkg"
check "dpkg-deb -x" dpkg-deb -x "$deb" "$WORK/root"
dpkg-deb -f "$deb" Package Version Depends Recommends > "$WORK/control.txt"
grep -q '^Depends:.*zlib1g' "$WORK/control.txt" && ok || bad "Depends lacks zlib1g: $(cat "$WORK/control.txt")"
# liblua5.1 and libelf are loaded when first needed (dlopen), so the
# package names them itself: dpkg-shlibdeps cannot see them
for p in liblua5.1-0 libelf1; do
  grep -q "^Depends:.*$p" "$WORK/control.txt" && ok || bad "Depends lacks $p: $(cat "$WORK/control.txt")"
done
# lfsc.pc links -lz -lm -ldl: a program built against liblfsc needs zlib's -dev package
grep -q '^Recommends:.*zlib1g-dev' "$WORK/control.txt" && ok ||
  bad "Recommends lacks zlib1g-dev: $(cat "$WORK/control.txt")"

R=$WORK/root/usr
for f in bin/luac.cross bin/luac.cross.int bin/lfsimg share/man/man1/luac.cross.1.gz \
         share/man/man1/lfsimg.1.gz share/man/man1/luac.cross.int.1.gz share/man/man3/liblfsc.3.gz \
         share/doc/lfsc/copyright \
         include/lfsc/lfsc.h include/lfsc/build.h include/lfsc/sink.h \
         share/bash-completion/completions/luac.cross share/bash-completion/completions/lfsimg; do
  [ -e "$R/$f" ] && ok || bad "missing /usr/$f"
done
pc=$(find "$R" -name lfsc.pc | head -1)
lib=$(find "$R" -name liblfsc.a | head -1)
[ -n "$pc" ] && [ -n "$lib" ] && ok || bad "lfsc.pc or liblfsc.a missing"

# The installed tools at work (their own directory first on PATH).
PATH=$R/bin:$PATH
export PATH
src=$CONF/src
check "installed luac.cross -f" luac.cross -f --timestamp 1 -o "$WORK/a.img" "$src/c01_basic.lua" "$src/c03_closures.lua"
check "installed lfsimg verify" lfsimg verify "$WORK/a.img"
lfsimg info "$WORK/a.img" > "$WORK/info.txt" 2>&1 && grep -q c03_closures "$WORK/info.txt" && ok || bad "lfsimg info: $(cat "$WORK/info.txt")"
# luac.cross.int is the integer-target name, as NodeMCU's build has it
luac.cross.int -o "$WORK/i.lc" "$src/c01_basic.lua" && luac.cross -t int -o "$WORK/t.lc" "$src/c01_basic.lua" \
  && cmp -s "$WORK/i.lc" "$WORK/t.lc" && ok || bad "luac.cross.int does not select -t int"
luac.cross -o "$WORK/f.lc" "$src/c01_basic.lua" && ! cmp -s "$WORK/f.lc" "$WORK/i.lc" && ok || bad "float and int .lc are equal"

# Man pages are gzip -9n files (Debian's policy: no name or time inside)
# and render without warnings; the copyright file is the licence.
for gz in "$R"/share/man/man1/*.gz "$R"/share/man/man3/*.gz; do
  [ "$(od -An -tx1 -j3 -N5 "$(readlink -f "$gz")" | tr -d ' ')" = 0000000000 ] && ok ||
    bad "$gz: not gzip -n (name or time stamp in the header)"
done
cmp -s "$R/share/doc/lfsc/copyright" "$SRCDIR/LICENSE" && ok || bad "copyright is not the LICENSE"
for page in luac.cross lfsimg luac.cross.int; do
  MANWIDTH=80 man --warnings -l "$R/share/man/man1/$page.1.gz" > "$WORK/man.txt" 2> "$WORK/manerr.txt"
  if [ -s "$WORK/man.txt" ] && ! [ -s "$WORK/manerr.txt" ] && grep -q "luac.cross\|lfsimg" "$WORK/man.txt"; then ok
  else bad "man -l $page.1: $(head -5 "$WORK/manerr.txt")"; fi
done

# Completions: loading them defines the functions, and lfsimg's offers its commands.
out=$(bash -c ". '$R/share/bash-completion/completions/lfsimg'; . '$R/share/bash-completion/completions/luac.cross';
  COMP_WORDS=(lfsimg ve); COMP_CWORD=1; _lfsc_lfsimg; echo \"\${COMPREPLY[*]}\";
  COMP_WORDS=(luac.cross -t f); COMP_CWORD=2; _lfsc_luac_cross; echo \"\${COMPREPLY[*]}\"" 2>&1)
printf '%s\n' "$out" | sed -n 1p | grep -qx verify && ok || bad "lfsimg completion: $out"
printf '%s\n' "$out" | sed -n 2p | grep -q "float16" && ok || bad "luac.cross completion: $out"

# A C program against the installed library, flags from pkg-config only.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs lfsc) || bad "pkg-config failed"
# shellcheck disable=SC2086
if cc -o "$WORK/hello" "$SRCDIR/tests/install/hello_lfsc.c" $flags 2> "$WORK/cc.txt"; then
  "$WORK/hello" > "$WORK/hello.txt" 2>&1
  grep -q "^lfsc .*: [0-9]* instructions" "$WORK/hello.txt" && grep -q "bad.lua:1:" "$WORK/hello.txt" \
    && ok || bad "hello_lfsc: $(cat "$WORK/hello.txt")"
else
  bad "cc with pkg-config flags ($flags): $(head -5 "$WORK/cc.txt")"
fi

tally_end 31
