#!/bin/sh
# The main job on the bundled example (from a fresh Debian machine, as root):
#   sh examples/build.sh
# installs what is needed, builds lfsc and compiles the modules in
# examples/lfs/ with luac.cross, listing the result.
set -eu
cd "$(dirname "$0")/.."
sh .ci/deps.sh
cmake -S . -B build > /dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
build/luac.cross -l -o build/example.lc examples/lfs/*.lua
echo "wrote build/example.lc ($(wc -c < build/example.lc) bytes)"
