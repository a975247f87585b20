#!/bin/sh
# Unit-test LFS modules on the host, as a CI job would: build the image from
# examples/lfs/ and run examples/test_telemetry.lua against it on the real
# Lua 5.1 VM (lfsimg run). Exit status 1 when a test fails.
#   sh examples/host_test.sh [LFSIMG LUAC_CROSS]   (default: build/lfsimg build/luac.cross)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
LFSIMG=${1:-$HERE/../build/lfsimg}
LUAC=${2:-$HERE/../build/luac.cross}
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
"$LUAC" -f -o "$T/lfs.img" "$HERE"/lfs/*.lua > /dev/null
"$LFSIMG" run "$T/lfs.img" "$HERE/test_telemetry.lua"
