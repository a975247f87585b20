#!/bin/sh
# Build the libFuzzer harness for the firmware reader (fuzz_firmware.c;
# with libelf when pkg-config finds it) and run it over seeds: small
# firmware ELFs made with gcc-xtensa-lx106 from tests/firmware/fw.c, their
# 0x10000.bin, a pair and a combined image, and the real firmware's RCR
# sector. Called by run.sh with the same libFuzzer options.
#
#   tests/fuzz/run_firmware.sh WORKDIR [libFuzzer options...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:?usage: run_firmware.sh WORKDIR [libFuzzer options]}
shift
shared=${LFSC_SHARED_DIR:-$root/tests/data}
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
CC=${CC:-clang}
elf=""
if pkg-config --exists libelf 2>/dev/null; then
  elf="-DLFSC_HAVE_LIBELF $(pkg-config --cflags libelf)"
  elflibs=$(pkg-config --libs libelf)
fi
srcs=$(find "$root/src" -name '*.c' -not -path '*/cli/*' -not -path '*/runtime/*' -not -path "$root/src/runtime53/*" -not -path "$root/src/repl/*" -not -path '*/loader/*' | sort)   # liblfsc's sources (the host runtimes are not in it)
# shellcheck disable=SC2086
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $elf \
  -I"$root/include" -I"$root/src" $srcs "$here/fuzz_firmware.c" -lz -lm ${elflibs:-} \
  -o "$work/fuzz_firmware"
s=$work/seeds
if command -v xtensa-lx106-elf-gcc >/dev/null; then
  for cfg in "-DLFS_SIZE=0x20000 -DLFS_ADDR=0 -DSPIFFS_SIZE=0xFFFFFFFF -DSPIFFS_ADDR=0" \
             "-DSPIFFS_SIZE=0x80000 -DSPIFFS_ADDR=0" "-DLFS_SIZE=0x10000 -DLFS_ADDR=0xC0000"; do
    n=$(echo "$cfg" | cksum | cut -d' ' -f1)
    # shellcheck disable=SC2086
    xtensa-lx106-elf-gcc -Os -nostdlib -T "$root/tests/firmware/fw.ld" -DBUILD_TYPE='"float"' \
      -DIROM_PAD=64 $cfg "$root/tests/firmware/fw.c" -o "$s/fw$n.elf"
    xtensa-lx106-elf-objcopy -O binary -j .irom0.text "$s/fw$n.elf" "$s/fw$n.bin"
  done
  bin=$(ls "$s"/fw*.bin | head -1)
  # a pair ('2', split point, boot header + irom0) and a combined image
  python3 - "$bin" "$s" <<'PY'
import sys
irom = open(sys.argv[1], 'rb').read()
boot = bytes([0xE9, 1, 2, 0x40]) + b'\0' * 12
open(sys.argv[2] + '/pair', 'wb').write(b'2' + len(boot).to_bytes(2, 'little') + boot + irom)
open(sys.argv[2] + '/combined', 'wb').write(boot.ljust(0x10000, b'\xff') + irom)
PY
fi
# the real firmware's first sector, where there is one (not in the repo)
fw=${LFSC_FIRMWARE_DIR:-$root/../shared/firmware/nodemcu-dev-float-lfs128k}
[ -f "$fw/0x10000.bin" ] && head -c 4096 "$fw/0x10000.bin" > "$s/real-rcr"
exec "$work/fuzz_firmware" -artifact_prefix="$work/artifacts/" -max_len=131072 \
  -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "$@" "$work/corpus" "$work/seeds"
