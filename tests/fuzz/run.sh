#!/bin/sh
# Build the libFuzzer harness for the LFS image reader/verifier with clang
# (ASan + UBSan) and run it over a seed corpus made from the conformance
# vectors (as given, and PI images also inflated to raw image+bitmap so
# that mutations are not all stopped by the gzip CRC).
#
#   tests/fuzz/run.sh WORKDIR [libFuzzer options...]
#
# CI smoke run (about a minute):
#   tests/fuzz/run.sh build-fuzz -max_total_time=60
# Long run:
#   tests/fuzz/run.sh build-fuzz -runs=10000000 -jobs=1
# WORKDIR receives the binary, the corpus (corpus/) and any crash files.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:?usage: run.sh WORKDIR [libFuzzer options]}
shift
conf=${LFSC_CONFORMANCE_DIR:-$root/../shared/conformance}
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
CC=${CC:-clang}
srcs=$(ls "$root"/src/*.c | grep -v '/cli_')
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$root/include" -I"$root/src" $srcs "$here/fuzz_lfsimg.c" -lz -lm \
  -o "$work/fuzz_lfsimg"
# Seeds: every vector (empty negative vectors skipped), plus inflated PI images.
for f in "$conf"/*/*.img "$conf"/*/single/*.img; do
  [ -s "$f" ] || continue
  name=$(echo "$f" | sed "s|$conf/||; s|/|_|g")
  cp "$f" "$work/seeds/$name"
  case "$f" in
    *.pi.img|*.pi.*.img)
      python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],"rb").read()))' \
        "$f" > "$work/seeds/raw_$name" ;;
  esac
done
exec "$work/fuzz_lfsimg" -artifact_prefix="$work/artifacts/" -max_len=${LFSIMG_FUZZ_MAXLEN:-32768} \
  -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "$@" "$work/corpus" "$work/seeds"
