#!/bin/sh
# Unit-test LFS modules on the host, as a CI job would: build the image from
# examples/lfs/ and run the tests against it on the real Lua 5.1 VM:
# test_telemetry.lua (a module) and test_init.lua (the image's _init, also
# through luac.cross -F -e). Exit status 1 when a test fails.
#   sh examples/host_test.sh [LFSIMG LUAC_CROSS]   (default: build/lfsimg build/luac.cross)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
LFSIMG=${1:-$HERE/../build/lfsimg}
LUAC=${2:-$HERE/../build/luac.cross}
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
"$LUAC" -f -o "$T/lfs.img" "$HERE"/lfs/*.lua > /dev/null
"$LFSIMG" run "$T/lfs.img" "$HERE/test_telemetry.lua"
"$LFSIMG" run "$T/lfs.img" "$HERE/test_init.lua"
echo 'return' > "$T/empty.lua"
"$LUAC" -F "$T/lfs.img" -e "$HERE/test_init.lua" -p "$T/empty.lua"
