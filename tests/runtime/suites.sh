#!/bin/sh
# Two NodeMCU-style projects with their own tests and mocks (suites/queue:
# a fifo and a line-oriented socket handler; suites/sensor: a 1-Wire
# thermometer with CRC-8 on timers, and a config file reader), each run
# through lfsimg run with its modules in an image and nothing but the test
# files beside it -- no wrapper:
#   lfsimg run --mocks mocks.lua IMG tests.lua
# for Lua 5.1 and (when the 5.3 runtime is built) 5.3. The output must be
# lua5.x's on the sources, all tests passing; a decoy module of the same
# name on the host's LUA_PATH must not be used (the host's paths only with
# --host-path, and after the image), and is used with --host-path when the
# image lacks the module.
# usage: suites.sh LFSIMG LUAC_CROSS
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2
case $LFSIMG in /*) ;; *) LFSIMG=$PWD/$LFSIMG ;; esac
case $LUAC in /*) ;; *) LUAC=$PWD/$LUAC ;; esac
here=$(cd "$(dirname "$0")/suites" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/host"
for m in fifo crc8 thermo; do echo "error('the host module $m was used')" > "$T/host/$m.lua"; done

for lua in 5.1 5.3; do
  oracle=lua$lua
  command -v "$oracle" > /dev/null || { bad "$oracle not installed"; continue; }
  if [ "$lua" = 5.3 ] && "$LFSIMG" run --no-image -e "" 2>&1 | grep -q "not available"; then
    echo "no 5.3 runtime in this build"; continue
  fi
  for s in queue sensor; do
    d=$T/$lua-$s
    mkdir "$d"
    mods=$(cd "$here/$s" && ls *.lua | grep -v -e '^tests.lua$' -e '^mocks.lua$')
    # with the usual _init.lua, shared by both projects
    (cd "$here/$s" && "$LUAC" --lua "$lua" -f -o "$d/lfs.img" $mods ../_init.lua) > /dev/null ||
      { bad "$lua $s: the image does not build"; continue; }
    cp "$here/$s/tests.lua" "$here/$s/mocks.lua" "$here/testlib.lua" "$d/"
    want=$(cd "$here/$s" && LUA_PATH="$here/?.lua;./?.lua" "$oracle" -e "dofile('mocks.lua')" tests.lua 2>&1)
    # stderr: nothing but the 5.3 runtime's int32 note
    got=$(cd "$d" && LUA_PATH="$T/host/?.lua" "$LFSIMG" run --mocks mocks.lua lfs.img tests.lua 2> "$d/err")
    st=$?
    got=$(cat "$d/err" | grep -v ": note: " ; echo "$got")
    n=$(echo "$got" | grep -c '^ok ')
    if [ $st -eq 0 ] && [ "$n" -ge 6 ] && echo "$got" | grep -qx "# modules from LFS: true" &&
       [ "$(echo "$got" | grep -v '^#')" = "$want" ]; then
      ok; echo "$lua $s: $n tests pass from the image, output as $oracle's on the sources"
    else
      bad "$lua $s (exit $st)"; echo "--- want"; echo "$want"; echo "--- got"; echo "$got"
    fi
  done
  # --host-path: the host's modules are found when the image has none
  d=$T/$lua-queue
  got=$(cd "$d" && LUA_PATH="$T/host/?.lua" "$LFSIMG" run --host-path lfs.img -e "require('crc8')" 2>&1)
  case $got in *"the host module crc8 was used"*) ok ;; *) bad "$lua --host-path: $got" ;; esac
  got=$(cd "$d" && LUA_PATH="$T/host/?.lua" "$LFSIMG" run --host-path lfs.img -e "print(type(require('fifo').new))" 2>&1 | grep -v ": note: ")
  [ "$got" = function ] && ok || bad "$lua --host-path still prefers the image: $got"
  got=$(cd "$d" && LUA_PATH="$T/host/?.lua" "$LFSIMG" run lfs.img -e "require('crc8')" 2>&1)
  case $got in *"module 'crc8' not found"*) ok ;; *) bad "$lua without --host-path: $got" ;; esac
done
tally_end 10
