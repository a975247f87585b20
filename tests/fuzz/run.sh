#!/bin/sh
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each over
# a seed corpus:
#   fuzz_lfsimg      the image reader and verifier, and the library
#                    consumers of a decoded image;
#   fuzz_lfsimg_cli  every lfsimg subcommand as run from the command line
#                    (info/--json, list, strings, dis, verify, extract,
#                    reloc, diff) on the input as an image file, 5.1 or
#                    5.3 (seeded with both; 5.3 files go to lfsimg53.c);
#   fuzz_lfs53       the NodeMCU Lua 5.3 .lc, image and flash-image readers,
#                    writers and the -a builder (seeds: conformance53's
#                    .lc, images and abs images);
#   fuzz_compile     the compiler (whole vs streamed input, and a
#                    write/read/write round trip) and the .lc reader, with
#                    a dictionary of Lua tokens;
#   fuzz_compile53   the Lua 5.3 front end and stock 5.3 writer (names or
#                    not, packed line info against the lines);
#   fuzz_esp32pt     the ESP-IDF partition table's binary and CSV readers,
#                    writers and LFS helpers (seeds: esp32pt_seeds.py).
#   fuzz_esp32app    the ESP32 app image reader and patcher (a patched image
#                    must re-read with a valid checksum and SHA-256), the
#                    ESP32 firmware reader's .bin forms and embedded-LFS
#                    provisioning (seeds: tests/esp32app/mkapp.py's images).
# Image seeds are the conformance vectors (as given, and PI images also
# inflated to raw image+bitmap so that mutations are not all stopped by
# the gzip CRC); compiler seeds are the conformance sources and .lc files.
#
#   tests/fuzz/run.sh WORKDIR [libFuzzer options...]
#
#   fuzz_firmware    the firmware reader (run_firmware.sh).
# The options go to every target (FUZZ_TARGETS="fuzz_compile ..." picks
# some). CI smoke run (60 s each, two at a time on two cores):
#   tests/fuzz/run.sh build-fuzz -max_total_time=60
# Long run: FUZZ_TARGETS=fuzz_compile tests/fuzz/run.sh build-fuzz -runs=10000000
# FUZZ_SANITIZE picks the sanitizers (default address,undefined; empty: none,
# built with -O2 — more executions per second for long runs, still
# stopping at every crash and at the harnesses' own round-trip checks).
# WORKDIR receives the binaries, corpora (corpus.TARGET/) and crash files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:?usage: run.sh WORKDIR [libFuzzer options]}
shift
conf=${LFSC_CONFORMANCE_DIR:-${LFSC_SHARED_DIR:-$root/tests/data}/conformance}
targets=${FUZZ_TARGETS:-fuzz_lfsimg fuzz_lfsimg_cli fuzz_compile fuzz_compile53 fuzz_lfs53 fuzz_esp32pt fuzz_esp32app}
conf53=${LFSC_CONFORMANCE53_DIR:-${LFSC_SHARED_DIR:-$root/tests/data}/conformance53}
mkdir -p "$work/seeds.esp32app" "$work/seeds.img" "$work/seeds.lua" "$work/seeds.lua53" "$work/seeds.53" "$work/seeds.cli" "$work/artifacts"
CC=${CC:-clang}
srcs=$(find "$root/src" -name '*.c' -not -path '*/cli/*' -not -path '*/runtime/*' -not -path "$root/src/runtime53/*" -not -path "$root/src/repl/*" -not -path '*/loader/*' | sort)   # liblfsc's sources (the host runtimes are not in it)
# fuzz_lfsimg_cli includes cli/lfsimg.c, whose firmware commands live in cli/lfsimg_fw.c
# and whose option parser is cli/opts.c
# and 5.3 files go to cli/lfsimg53.c (run53.c is empty without the 5.3 runtime)
cli_extra() { [ "$1" = fuzz_lfsimg_cli ] && echo "$root/src/cli/lfsimg_fw.c $root/src/cli/lfsimg_fw32.c $root/src/cli/lfsimg_pt.c $root/src/cli/lfsimg53.c $root/src/cli/run53.c $root/src/cli/opts.c $root/src/cli/chip.c"; }
san=${FUZZ_SANITIZE-address,undefined}
if [ -n "$san" ]; then opt="-O1 -fno-sanitize-recover=all"; san=",$san"; else opt="-O2"; fi
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DLFSC_CHECKS -g -fno-omit-frame-pointer $opt -I$root/include -I$root/src"
# The targets (the firmware reader's too) are built and run in lanes, one
# per core (FUZZ_JOBS), each lane taking every FUZZ_JOBS-th target in turn:
# every target still gets the whole -max_total_time on a core of its own.
# The library's objects are compiled once (on every core) for all targets.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
rm -rf "$work/obj" && mkdir -p "$work/obj"
# shellcheck disable=SC2086
echo $srcs | tr ' ' '\n' | xargs -P "$jobs" -I{} sh -c \
  'exec '"$CC $cflags -fsanitize=fuzzer-no-link$san"' -c "$1" -o "$2/$(echo "$1" | sed "s|.*/src/||; s|/|_|g; s|\.c\$||").o"' sh {} "$work/obj"
build() {
  mkdir -p "$work/corpus.$1"
  # shellcheck disable=SC2086
  $CC $cflags -fsanitize=fuzzer$san "$here/$1.c" $(cli_extra $1) "$work"/obj/*.o -lz -lm -o "$work/$1"
}
# Image seeds: every vector (empty negative vectors skipped), plus inflated PI images.
# Inputs that once failed (tests/fuzz/regress/img-*) run first in every run.
for f in "$here"/regress/img-*; do
  [ -f "$f" ] && cp "$f" "$work/seeds.img/"
done
for f in "$conf"/*/*.img "$conf"/*/single/*.img; do
  [ -s "$f" ] || continue
  name=$(echo "$f" | sed "s|$conf/||; s|/|_|g")
  cp "$f" "$work/seeds.img/$name"
  case "$f" in
    *.pi.img|*.pi.*.img)
      python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],"rb").read()))' \
        "$f" > "$work/seeds.img/raw_$name" ;;
  esac
done
# Compiler seeds: the first byte selects options (see fuzz_compile.c):
# 0x02 stock names and host output, 0x01 int, 0x08 float .lc, 0x4a streamed
# in 13-byte pieces.
for f in "$conf"/src/*.lua "$conf"/src/*/*.lua; do
  [ -s "$f" ] || continue
  name=$(echo "$f" | sed "s|$conf/||; s|/|_|g")
  for sel in 02 4a; do
    { printf "\\$(printf %o 0x$sel)"; cat "$f"; } > "$work/seeds.lua/$sel.$name"
  done
done
for f in "$conf"/lc/float/*.lc "$conf"/lc/int/*.lc; do
  [ -s "$f" ] || continue
  case "$f" in */int/*) sel=01 ;; *) sel=08 ;; esac
  name=$(echo "$f" | sed "s|$conf/||; s|/|_|g")
  { printf "\\$(printf %o 0x$sel)"; cat "$f"; } > "$work/seeds.lua/$sel.$name"
done
# Lua 5.3 seeds: the first byte selects the number model and the line
# info bug (see fuzz_compile53.c): 00 stock, 01 int32+float32, 04 compat.
for f in "$conf53"/src/*.lua; do
  [ -s "$f" ] || continue
  for sel in 00 01 04; do
    { printf "\\$(printf %o 0x$sel)"; cat "$f"; } > "$work/seeds.lua53/$sel.$(basename "$f")"
  done
done
# 5.3 seeds: the conformance53 .lc files and images of both variants.
if [ -d "$conf53/out" ]; then
  find "$conf53/out" \( -name '*.lc' -o -name '*.img' -o -name '*.abs' \) -size -64k | while read -r f; do
    cp "$f" "$work/seeds.53/$(echo "$f" | sed "s|$conf53/out/||; s|/|_|g")"
  done
fi
# Partition table seeds: binary tables, a dump and CSV files.
python3 "$here/esp32pt_seeds.py" "$work/seeds.esp32pt"
# ESP32 app image seeds: a selector byte (bit 0: fix the checksum first)
# and small app images of every chip, with and without a hash, signed,
# and a flash dump.
python3 - "$root/tests/esp32app" "$work/seeds.esp32app" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
import mkapp
out = sys.argv[2]
for i, chip in enumerate(mkapp.CHIPS):
    img, f = mkapp.build(chip, region=0x1000, rodata_before=0x40, hash_appended=i % 2)
    for sel in (0, 1, 6, 0x81):
        open('%s/%02x.%s' % (out, sel, chip), 'wb').write(bytes([sel]) + img)
img, f = mkapp.build('esp32', region=0x1000, rodata_before=0x40)
open(out + '/00.v1', 'wb').write(b'\0' + mkapp.sign_v1(img))
open(out + '/00.v2', 'wb').write(b'\0' + mkapp.sign_v2(img))
boot = mkapp.build_segments(0, [(0x3FFF0000, b'U' * 64, False)])
dump = bytearray(b'\xff' * 0x10000)
dump[0x1000:0x1000 + len(boot)] = boot
dump[0x8000:0x8020] = struct.pack('<HBBII16sI', 0x50AA, 0, 0, 0x10000, 0x100000, b'factory', 0)
open(out + '/01.flash', 'wb').write(b'\1' + bytes(dump) + img)
PY
# lfsimg's commands read both Luas' files: the 5.1 and the 5.3 seeds.
find "$work/seeds.img" "$work/seeds.53" -type f -exec cp {} "$work/seeds.cli/" \;
fuzz() {   # fuzz TARGET [libFuzzer options]: build and run one target
  t=$1; shift
  if [ "$t" = fuzz_firmware ]; then  # its own script: seeds made with the lx106 compiler
    sh "$here/run_firmware.sh" "$work/firmware" "$@"
    return
  fi
  build "$t" || return 1
  case $t in
    fuzz_compile) seeds=$work/seeds.lua; extra="-dict=$here/lua.dict -max_len=${LFSC_FUZZ_LUA_MAXLEN:-8192}" ;;
    fuzz_compile53) seeds=$work/seeds.lua53; extra="-dict=$here/lua53.dict -max_len=${LFSC_FUZZ_LUA_MAXLEN:-8192}" ;;
    fuzz_lfs53) seeds=$work/seeds.53; extra="-max_len=${LFSIMG_FUZZ_MAXLEN:-65536}" ;;
    fuzz_esp32pt) seeds=$work/seeds.esp32pt; extra="-max_len=${LFSIMG_FUZZ_MAXLEN:-65536}" ;;
    fuzz_esp32app) seeds=$work/seeds.esp32app; extra="-max_len=${LFSIMG_FUZZ_MAXLEN:-16384}" ;;
    fuzz_lfsimg_cli) seeds=$work/seeds.cli; extra="-close_fd_mask=2 -max_len=${LFSIMG_FUZZ_MAXLEN:-32768}" ;;
    *) seeds=$work/seeds.img; extra="-max_len=${LFSIMG_FUZZ_MAXLEN:-32768}" ;;
  esac
  # shellcheck disable=SC2086
  LFSC_CONFORMANCE_DIR=$conf LFSC_CONFORMANCE53_DIR=$conf53 "$work/$t" -artifact_prefix="$work/artifacts/$t-" $extra \
    -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "$@" "$work/corpus.$t" "$seeds"
}
# The firmware reader has its own target (run_firmware.sh), with the same options.
all="$targets"
[ -z "${FUZZ_TARGETS:-}" ] && all="$all fuzz_firmware"
rm -f "$work/failed"
lane=0
while [ $lane -lt "$jobs" ]; do
  (
    i=0
    for t in $all; do
      if [ $((i % jobs)) -eq $lane ]; then
        fuzz "$t" "$@" > "$work/log.$t" 2>&1 || echo "$t" >> "$work/failed"
      fi
      i=$((i + 1))
    done
  ) &
  lane=$((lane + 1))
done
wait
for t in $all; do
  echo "== $t"
  cat "$work/log.$t"
done
if [ -s "$work/failed" ]; then
  echo "failed: $(tr '\n' ' ' < "$work/failed")"
  exit 1
fi
