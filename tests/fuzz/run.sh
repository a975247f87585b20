#!/bin/sh
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each over
# a seed corpus:
#   fuzz_lfsimg      the image reader and verifier, and the library
#                    consumers of a decoded image;
#   fuzz_lfsimg_cli  every lfsimg subcommand as run from the command line
#                    (info/--json, list, strings, dis, verify, extract,
#                    reloc, diff) on the input as an image file;
#   fuzz_compile     the compiler (whole vs streamed input, and a
#                    write/read/write round trip) and the .lc reader, with
#                    a dictionary of Lua tokens.
# Image seeds are the conformance vectors (as given, and PI images also
# inflated to raw image+bitmap so that mutations are not all stopped by
# the gzip CRC); compiler seeds are the conformance sources and .lc files.
#
#   tests/fuzz/run.sh WORKDIR [libFuzzer options...]
#
# The options go to every target (FUZZ_TARGETS="fuzz_compile ..." picks
# some). CI smoke run (60 s each): tests/fuzz/run.sh build-fuzz -max_total_time=60
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
conf=${LFSC_CONFORMANCE_DIR:-$root/../shared/conformance}
targets=${FUZZ_TARGETS:-fuzz_lfsimg fuzz_lfsimg_cli fuzz_compile}
mkdir -p "$work/seeds.img" "$work/seeds.lua" "$work/artifacts"
CC=${CC:-clang}
srcs=$(ls "$root"/src/*.c | grep -v -e '/cli_' -e '/runtime\.c$' -e '/repl\.c$')   # the host runtime is not in liblfsc
# fuzz_lfsimg_cli includes cli_lfsimg.c, whose firmware commands live in cli_lfsimg_fw.c
# and whose option parser is cli_opts.c
cli_extra() { [ "$1" = fuzz_lfsimg_cli ] && echo "$root/src/cli_lfsimg_fw.c $root/src/cli_opts.c"; }
san=${FUZZ_SANITIZE-address,undefined}
if [ -n "$san" ]; then sanflags="-O1 -fsanitize=fuzzer,$san -fno-sanitize-recover=all"; else sanflags="-O2 -fsanitize=fuzzer"; fi
for t in $targets; do
  mkdir -p "$work/corpus.$t"
  # shellcheck disable=SC2086
  $CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -fno-omit-frame-pointer $sanflags \
    -I"$root/include" -I"$root/src" $srcs "$here/$t.c" $(cli_extra $t) -lz -lm \
    -o "$work/$t"
done
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
status=0
for t in $targets; do
  case $t in
    fuzz_compile) seeds=$work/seeds.lua; extra="-dict=$here/lua.dict -max_len=${LFSC_FUZZ_LUA_MAXLEN:-8192}" ;;
    fuzz_lfsimg_cli) seeds=$work/seeds.img; extra="-close_fd_mask=2 -max_len=${LFSIMG_FUZZ_MAXLEN:-32768}" ;;
    *) seeds=$work/seeds.img; extra="-max_len=${LFSIMG_FUZZ_MAXLEN:-32768}" ;;
  esac
  echo "== $t"
  # shellcheck disable=SC2086
  LFSC_CONFORMANCE_DIR=$conf "$work/$t" -artifact_prefix="$work/artifacts/$t-" $extra \
    -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "$@" "$work/corpus.$t" "$seeds" || status=1
done
# The firmware reader has its own target (run_firmware.sh), with the same options.
sh "$here/run_firmware.sh" "$work/firmware" "$@" || status=1
exit $status
