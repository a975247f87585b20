#!/bin/sh
# Install the Debian packages lfsc needs (run as root). Idempotent: packages
# already present are not fetched again.
#   sh .ci/deps.sh build   what building the tools needs (examples/build.sh)
#   sh .ci/deps.sh         that, plus everything the tests use
set -eu
# Building: a compiler, cmake, and the libraries the tools link.
BUILD_PKGS="build-essential cmake pkg-config zlib1g-dev libelf-dev liblua5.1-0-dev liblua5.3-dev"
# Testing: oracles (luac5.1, lua5.3 and luac5.3), cmocka, sanitizers, -m32, the xtensa cross
# tools and QEMU, the RISC-V cross compiler (the ESP32-C3 test app: -nostdlib,
# so no C library), the packaging tools, tmux (the REPL test's terminal), and the
# s390x big-endian check; the mingw-w64 cross compiler, its zlib and wine
# (the Windows build, run against the vectors); readline for the REPL test (the REPL loads it when
# it starts, the build does not need it).
# (The big-endian test compiles for s390x with clang and Debian's s390x
# cross libc: gcc-s390x-linux-gnu itself conflicts with gcc-multilib.)
TEST_PKGS="python3 lib32z1-dev libcmocka-dev gcc-multilib clang libclang-rt-14-dev lua5.1 lua5.3
valgrind hyperfine time gcc-xtensa-lx106 binutils-xtensa-lx106 qemu-system-misc gcc-riscv64-unknown-elf
binutils-s390x-linux-gnu libc6-dev-s390x-cross libgcc-12-dev-s390x-cross qemu-user
dpkg-dev man-db tmux libreadline8
gcc-mingw-w64-x86-64 libz-mingw-w64-dev wine wine64"
PKGS=$BUILD_PKGS
[ "${1:-test}" = build ] || PKGS="$BUILD_PKGS $TEST_PKGS"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || apt-get update -qq   # a mirror mid-sync can fail once
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi
