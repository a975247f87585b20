#!/bin/sh
# Windows: cross-build luac.cross.exe and lfsimg.exe with Debian's mingw-w64,
# then run the reference's image and .lc conformance vectors through them
# under wine; the bytes must be identical to the reference, as for the
# native build. Also: a PI image relocated by lfsimg.exe equals the native
# lfsimg's, and the parts Windows builds leave out say so.
#
# usage: run.sh SOURCE_DIR CONFORMANCE_DIR WORK_DIR PICHECK NATIVE_LFSIMG NATIVE_LUAC
set -u
. "$(dirname "$0")/../lib/tally.sh"
SRCDIR=$1 CONF=$2 WORK=$3 PICHECK=$4 NATIVE_LFSIMG=$5 NATIVE_LUAC=$6
mkdir -p "$WORK" || exit 1
export WINEDEBUG=err+all WINEPREFIX="$WORK/wineprefix"
log=$WORK/build.log
cmake -S "$SRCDIR" -B "$WORK/build" -DCMAKE_TOOLCHAIN_FILE="$SRCDIR/cmake/mingw-w64.cmake" \
  -DLFSC_TESTS=OFF -DLFSC_WERROR=ON > "$log" 2>&1 &&
  cmake --build "$WORK/build" -j2 >> "$log" 2>&1 || { tail -30 "$log"; echo "0 passed, 1 failed"; exit 1; }
(cd "$WORK/build" && cpack -G ZIP -B "$WORK/zip") >> "$log" 2>&1 || { tail -30 "$log"; echo "0 passed, 1 failed"; exit 1; }

# Run the .exe files through wrappers named like the native tools; the
# name a wrapper is called by picks the .exe (luac.cross.int selects -t int,
# as the zip's luac.cross.int.exe does).
bin=$WORK/bin
rm -rf "$bin" && mkdir -p "$bin"
cp "$WORK/build/luac.cross.exe" "$WORK/build/lfsimg.exe" "$bin/"
cp "$WORK/build/luac.cross.exe" "$bin/luac.cross.int.exe"
# Wine, rarely (2 of ~900 runs in two CI runs; none in 1,200 runs of a
# stress loop), ends a run with exit 1 and no output at all, which our
# tools never do (every failure prints a message): such a run is tried
# once more and counted, and the count is printed below.
# WINEDEBUG=err+all lets wine say why, if it ever does.
for t in luac.cross luac.cross.int lfsimg; do
  cat > "$bin/$t" <<EOF
#!/bin/sh
t=\$(mktemp -d) || exit 1
for try in 1 2; do
  wine "$bin/\$(basename "\$0").exe" "\$@" > "\$t/out" 2> "\$t/err"; rc=\$?
  if [ \$rc -eq 1 ] && [ \$try = 1 ] && [ ! -s "\$t/out" ] && [ ! -s "\$t/err" ]; then
    echo "\$0 \$*" >> "$bin/retried"; continue
  fi
  break
done
cat "\$t/out"; cat "\$t/err" >&2; rm -rf "\$t"; exit \$rc
EOF
  chmod +x "$bin/$t"
done
# One persistent wineserver for the ~300 runs below, started before
# wineboot: started after it, `wineserver -p` finds wineboot's server still
# running and exits, that server quits a few seconds later, and every run
# then starts and stops its own server (about 1 s a run instead of 0.07 s:
# this test took 1,163 s, now about 40 s). Stopped when the script ends.
mkdir -p "$WINEPREFIX" && wineserver -p > /dev/null 2>&1 ||
  { echo "cannot start a persistent wineserver"; echo "0 passed, 1 failed"; exit 1; }
trap 'wineserver -k > /dev/null 2>&1' EXIT
wineboot -i > /dev/null 2>&1 || true

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

unzip -l "$WORK"/zip/lfsc-*.zip > "$WORK/zip.txt" 2>&1
for f in bin/luac.cross.exe bin/luac.cross.int.exe bin/lfsimg.exe LICENSE.txt; do
  grep -q "$f" "$WORK/zip.txt" && ok || bad "zip lacks $f"
done
# the second name is the same stripped program, not an unstripped copy
sz() { awk -v f="$1" '$4 ~ f"$" { print $1 }' "$WORK/zip.txt"; }
[ -n "$(sz bin/luac.cross.exe)" ] && [ "$(sz bin/luac.cross.exe)" = "$(sz bin/luac.cross.int.exe)" ] && ok ||
  bad "zip: luac.cross.exe $(sz bin/luac.cross.exe) bytes, luac.cross.int.exe $(sz bin/luac.cross.int.exe)"

if LFSC_DEVNULL=NUL LFSC_CONFORMANCE_COMPAT_ONLY=1 python3 "$SRCDIR/tests/image/conformance.py" "$bin/luac.cross" "$PICHECK" "$CONF" "$WORK/image" > "$WORK/image.txt" 2>&1; then ok
else bad "image vectors under wine: $(tail -5 "$WORK/image.txt")"; fi
tail -1 "$WORK/image.txt"
if python3 "$SRCDIR/tests/conformance/lc_vectors.py" "$bin/luac.cross" "$CONF" > "$WORK/lc.txt" 2>&1; then ok
else bad ".lc vectors under wine: $(tail -5 "$WORK/lc.txt")"; fi
tail -1 "$WORK/lc.txt"

# lfsimg.exe: reloc gives the native tool's bytes; verify accepts.
pi=$CONF/float/all.pi.img
"$NATIVE_LFSIMG" reloc --base 0x40280000 "$pi" "$WORK/native.img" > /dev/null 2>&1
"$bin/lfsimg" reloc --base 0x40280000 "$pi" "$WORK/win.img" > "$WORK/reloc.txt" 2>&1 &&
  cmp -s "$WORK/native.img" "$WORK/win.img" && ok || bad "lfsimg.exe reloc: $(cat "$WORK/reloc.txt")"
"$bin/lfsimg" verify "$WORK/win.img" > "$WORK/verify.txt" 2>&1 && ok || bad "lfsimg.exe verify: $(cat "$WORK/verify.txt")"
# binary stdin: an image read from "-" (gzip, then absolute) is the file's bytes
"$bin/lfsimg" reloc --base 0x40280000 - "$WORK/win-stdin.img" < "$pi" > "$WORK/reloc-stdin.txt" 2>&1 &&
  cmp -s "$WORK/native.img" "$WORK/win-stdin.img" && ok || bad "lfsimg.exe reloc from stdin: $(cat "$WORK/reloc-stdin.txt")"
"$bin/lfsimg" verify -q - < "$WORK/native.img" > "$WORK/verify-stdin.txt" 2>&1 &&
  grep -q "^stdin: valid float ABS image" "$WORK/verify-stdin.txt" && ok || bad "lfsimg.exe verify from stdin: $(cat "$WORK/verify-stdin.txt")"
# binary stdout: "-o -" must not gain carriage returns
(cd "$CONF/src" && "$bin/luac.cross" -o - c01_basic.lua > "$WORK/stdout.lc" 2>/dev/null)
(cd "$CONF/src" && "$bin/luac.cross" -o "$WORK/file.lc" c01_basic.lua > /dev/null 2>&1)
cmp -s "$WORK/stdout.lc" "$WORK/file.lc" && ok || bad "luac.cross.exe -o - is not binary"

# -f and --best images: the same compressed bytes as the native build's
# (squeeze.c's integer cost model; with float costs --best differed)
for o in "-f" "--best -f"; do
  # shellcheck disable=SC2086
  (cd "$CONF/src" && SOURCE_DATE_EPOCH=1700000000 "$NATIVE_LUAC" $o -o "$WORK/native.pi" c*.lua init.lua > /dev/null 2>&1)
  # shellcheck disable=SC2086
  (cd "$CONF/src" && SOURCE_DATE_EPOCH=1700000000 "$bin/luac.cross" $o -o "$WORK/win.pi" c*.lua init.lua > /dev/null 2>&1)
  [ -s "$WORK/native.pi" ] && cmp -s "$WORK/native.pi" "$WORK/win.pi" && ok || bad "luac.cross.exe $o: image differs from the native build's"
done

# messages name the program as typed, not by the .exe's full path
"$bin/luac.cross" "$WORK/no_such.lua" > /dev/null 2> "$WORK/noname.txt"
grep -q '^luac.cross: cannot open ' "$WORK/noname.txt" && ok ||
  bad "luac.cross.exe message prefix: $(grep cannot "$WORK/noname.txt")"
"$bin/luac.cross.int" "$WORK/no_such.lua" > /dev/null 2> "$WORK/noname.txt"
grep -q '^luac.cross.int: cannot open ' "$WORK/noname.txt" && ok ||
  bad "luac.cross.int.exe message prefix: $(grep cannot "$WORK/noname.txt")"

echo "wine runs tried again after an exit 1 with no output: $(cat "$bin/retried" 2>/dev/null | wc -l)"
# 16 checks: the zip (5), the vectors (2), lfsimg.exe (4), -o - (1), images (2), names (2)
tally_end 16
