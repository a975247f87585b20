#!/bin/sh
# Build lfsc and pass all tests, from a fresh Debian machine (as root):
#   sh tests/run-all.sh
# 1. installs the Debian packages (.ci/deps.sh) and gathers the third-party
#    Lua corpus (tests/corpus/gather.sh) into ./corpus;
# 2. builds with -Werror and runs every test (ctest);
# 3. builds with ASan + UBSan and runs every test again;
# 4. builds for a 32-bit host (-m32) and runs the conformance tests;
#    in steps 3 and 4 the tests that walk the whole corpus take every 4th
#    file (LFSC_SAMPLE=4): step 2 has compared every file, and a quarter
#    still reaches the code paths, in a quarter of the time;
# 5. fuzzes the image reader and verifier, the lfsimg subcommands and the
#    compiler and .lc reader (libFuzzer, 60 s each);
# 6. runs the run-safe level's differential fuzzer for 60 s (liblua5.1 from
#    Debian's source, apt-get source; skipped with a note when unavailable).
# Set LFSC_QUICK=1 to do step 2 only. The reference vectors and other test
# data are the repo's (tests/data); LFSC_SHARED_DIR=DIR takes them from a
# folder of the same layout instead, such as the project's shared/ folder.
# When ../shared exists, the ctest shared_copies_match checks that
# tests/data equals it byte for byte (else it is skipped).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
shared=${LFSC_SHARED_DIR:-$top/tests/data}
jobs=$(nproc 2>/dev/null || echo 2)

sh .ci/deps.sh
if [ ! -f corpus/MANIFEST.txt ]; then
  sh tests/corpus/gather.sh "$top/corpus" > corpus.log 2>&1 || { tail -20 corpus.log; exit 1; }
fi

run() {   # run BUILD_DIR CMAKE_ARGS...
  dir=$1; shift
  cmake -S . -B "$dir" -DLFSC_TESTS=ON -DLFSC_WERROR=ON -DLFSC_SHARED_DIR="$shared" -DLFSC_CORPUS_DIR="$top/corpus" "$@" > /dev/null &&
  cmake --build "$dir" -j "$jobs" &&
  (cd "$dir" && ctest --output-on-failure -j "$jobs")
}

run build
[ "${LFSC_QUICK:-0}" = 1 ] && exit 0
# Every process of the sanitizer run -- unit tests, and each luac.cross and
# lfsimg that the script tests start, on success and error paths alike --
# writes its ASan, LeakSanitizer or UBSan report to a file here, so that
# no report is lost in a test's redirected stderr or hidden behind an
# expected non-zero exit status: any report fails the run.
san=$top/build-asan/sanitizer-reports
rm -rf "$san" && mkdir -p "$san"
LFSC_SAMPLE=4 ASAN_OPTIONS=detect_leaks=1:log_path=$san/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$san/ubsan \
  run build-asan -DCMAKE_BUILD_TYPE=Debug -DLFSC_SANITIZE=ON -DCMAKE_C_COMPILER=clang || asan_failed=1
if [ -n "$(ls "$san")" ] || [ -n "${asan_failed:-}" ]; then
  for f in "$san"/*; do [ -f "$f" ] && { echo "== $f"; head -60 "$f"; }; done
  echo "sanitizer build: tests failed or sanitizer reports found"
  exit 1
fi
# 32-bit binaries: some kernels lack IA-32 emulation ("Exec format error").
# There they run under qemu-i386 (qemu-user, in .ci/deps.sh) through
# binfmt_misc, so the -m32 comparison still runs.
m32_runs() {
  printf 'int main(void) { return 0; }\n' > "$top/build/m32probe.c" &&
    cc -m32 -o "$top/build/m32probe" "$top/build/m32probe.c" 2>/dev/null && "$top/build/m32probe" 2>/dev/null
}
if ! m32_runs; then
  bf=/proc/sys/fs/binfmt_misc
  [ -e $bf/register ] || mount -t binfmt_misc binfmt_misc $bf 2>/dev/null || true
  [ -e $bf/qemu-i386 ] || printf '%s' ':qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-i386:F' \
    > $bf/register 2>/dev/null || true
fi
if m32_runs; then
  LFSC_SAMPLE=4 run build-m32 -DLFSC_M32=ON -DLFSC_OTHER_LUAC="$top/build/luac.cross"
else
  echo "note: this machine runs no 32-bit binaries (no IA-32 emulation, no binfmt_misc): -m32 step skipped"
fi
LFSC_SHARED_DIR="$shared" LFSC_CONFORMANCE_DIR="$shared/conformance" sh tests/fuzz/run.sh build-fuzz -max_total_time=60 \
  > build-fuzz.log 2>&1 || { tail -40 build-fuzz.log; exit 1; }
grep -E "stat::number_of_executed_units|Done [0-9]+ runs" build-fuzz.log || true
# 6. the run-safe level's differential fuzzer (60 s): on liblua5.1 built with
#    the sanitizers from Debian's source, fetched with apt-get source
if [ ! -d build-vm/src/lua5.1-5.1.5 ]; then
  mkdir -p build-vm/src
  if [ "$(id -u)" = 0 ] && ! grep -rqs "deb-src\|Types: deb-src" /etc/apt/sources.list /etc/apt/sources.list.d; then
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$codename" > /etc/apt/sources.list.d/lfsc-deb-src.sources
    apt-get update -qq || true
  fi
  (cd build-vm/src && apt-get source -qq lua5.1 > ../get.log 2>&1) || true
fi
if [ -d build-vm/src/lua5.1-5.1.5 ]; then
  LFSC_CONFORMANCE_DIR="$shared/conformance" FUZZ_RUN_STATS="$top/build-vm/stats" \
    sh tests/fuzz/run_vm.sh build-vm/work build-vm/src/lua5.1-5.1.5 -max_total_time=60 \
    > build-vm.log 2>&1 || { tail -40 build-vm.log; exit 1; }
  grep -E "Done [0-9]+ runs" build-vm.log || true
  cat build-vm/stats 2>/dev/null || true
else
  echo "note: no Debian source of lua5.1 (apt-get source failed): the run-safe differential fuzzer skipped"
fi
echo "all test builds passed"
