#!/bin/sh
# The main job on the bundled example (from a fresh Debian machine, as root):
#   sh examples/build.sh
# installs what building needs (no test tools), builds lfsc, turns the modules in examples/lfs/
# into a Lua Flash Store image for NodeMCU's default (float) firmware, and
# prints the image's summary. Load build/lfs.img with node.LFS.reload().
set -eu
cd "$(dirname "$0")/.."
sh .ci/deps.sh build
cmake -S . -B build -DLFSC_TESTS=OFF > /dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
build/luac.cross -f -o build/lfs.img examples/lfs/*.lua
build/lfsimg verify build/lfs.img
build/lfsimg info build/lfs.img
