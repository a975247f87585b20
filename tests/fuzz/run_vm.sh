#!/bin/sh
# The differential fuzzer of the run-safe level (fuzz_run.c): liblfsc, the
# 5.1 host runtime and liblua5.1 built from Debian's source, all with ASan
# and UBSan, run over the conformance images (PI ones also inflated, so
# that mutations reach the code rather than the gzip CRC).
#
#   tests/fuzz/run_vm.sh WORKDIR LUA51_SRC [libFuzzer options...]
#
# LUA51_SRC is Debian's lua5.1 source tree (apt-get source lua5.1, with
# deb-src in the apt sources; its src/ is used). Long run:
#   tests/fuzz/run_vm.sh /tmp/vm /path/lua5.1-5.1.5 -runs=1000000 -jobs=2 -workers=2
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:?usage: run_vm.sh WORKDIR LUA51_SRC [libFuzzer options]}
lua=${2:?usage: run_vm.sh WORKDIR LUA51_SRC [libFuzzer options]}/src
shift 2
# absolute: the fuzzer runs from inside WORKDIR
mkdir -p "$work" && work=$(cd "$work" && pwd)
lua=$(cd "$lua" && pwd)
conf=${LFSC_CONFORMANCE_DIR:-${LFSC_SHARED_DIR:-$root/tests/data}/conformance}
CC=${CC:-clang}
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts" "$work/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L"
luasrc=$(ls "$lua"/*.c | grep -v -e '/lua\.c$' -e '/luac\.c$' -e '/print\.c$')
srcs=$(find "$root/src" -name '*.c' -not -path '*/cli/*' -not -path '*/runtime53/*' \
       -not -path '*/loader/*' | sort)
# Lua's own C is C89 with POSIX; ours C11. Objects first, linked once.
for f in $luasrc; do
  # shellcheck disable=SC2086
  $CC $cflags $san -fsanitize=fuzzer-no-link -DLUA_USE_POSIX -c "$f" \
    -o "$work/obj/lua_$(basename "$f" .c).o"
done
for f in $srcs; do
  # shellcheck disable=SC2086
  $CC -std=c11 $cflags $san -fsanitize=fuzzer-no-link -I"$root/include" -I"$root/src" \
    -I"$lua" -c "$f" -o "$work/obj/$(echo "$f" | sed "s|.*/src/||; s|/|_|g; s|\.c\$||").o"
done
# -rdynamic: the runtime finds the Lua linked in here (lua51dl.c) rather
# than loading Debian's
# shellcheck disable=SC2086
$CC -std=c11 $cflags $san -fsanitize=fuzzer -I"$root/include" -I"$root/src" -I"$lua" \
  "$here/fuzz_run.c" "$work"/obj/*.o -lz -lm -ldl -rdynamic -o "$work/fuzz_run"
# inputs that once failed (regress/vm-*) first, then the small vectors
for f in "$here"/regress/vm-*; do
  [ -f "$f" ] && cp "$f" "$work/seeds/"
done
for f in "$conf"/*/single/*.img; do      # the small ones: more runs a second
  [ -s "$f" ] || continue
  name=$(echo "$f" | sed "s|$conf/||; s|/|_|g")
  cp "$f" "$work/seeds/$name"
  case "$f" in
    *.pi.img|*.pi.*.img)
      python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],"rb").read()))' \
        "$f" > "$work/seeds/raw_$name" 2> /dev/null || rm -f "$work/seeds/raw_$name" ;;
  esac
done
cd "$work"
# a huge table size hint is an out-of-memory error in Lua, not a bug
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
exec ./fuzz_run -artifact_prefix="$work/artifacts/" -max_len=${FUZZ_RUN_MAXLEN:-32768} -close_fd_mask=3 "$@" corpus seeds
