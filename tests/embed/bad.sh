#!/bin/sh
# Bad input for luac.cross --embed: a one-line error naming the problem
# (and the file and line where there is one), exit status 1, and no output
# file: neither the .c nor the .h (nor the .o) appears, an existing one is
# left as it was.
# usage: bad.sh LUAC WORK HAVE_ELF(1|0)
set -u
. "$(dirname "$0")/../lib/tally.sh"
export LC_ALL=C
luac=$1 work=$2 have_elf=$3
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
rm -rf "$work" && mkdir -p "$work/d1" "$work/d2" && cd "$work" || exit 1

echo 'x = 1' > good.lua
echo 'print(1)' > 1st.lua
echo 'print(1)' > "my mod.lua"
echo 'print(1)' > d1/x.lua
echo 'print(2)' > d2/x.lua
echo 'print(1)' > a-b.lua
echo 'print(2)' > a_b.lua
echo 'x = = 1' > syntax.lua
echo 'x = 1.5' > frac.lua
echo 'x = 2147483648' > int.lua
printf 'a = 1\n--[[SPLIT one]]\nb = 2\n--[[SPLIT one]]\nc = 3\n' > twice.lua
printf 'a = 1\n\n--[[SPLIT ]]\nb = 2\n' > noname.lua
printf 'a = 1\n--[[SPLIT open\nb = 2\n' > open.lua
printf 'a = 1\n--[[SPLIT a.b]]\nb = 2\n' > dotted.lua
echo 'keep me' > out.c

# expect 'MESSAGE PATTERN' OUTPUT... -- ARGS: fails, says it, writes nothing;
# exit status 1, or 2 (usage2: a usage error)
want_rc=1
usage2() { want_rc=2; expect "$@"; want_rc=1; }
expect() {
  pattern=$1
  shift
  outs=""
  while [ "$1" != "--" ]; do outs="$outs $1"; shift; done
  shift
  err=$("$luac" "$@" 2>&1 >/dev/null)
  rc=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  good=1
  [ $rc = $want_rc ] || { bad "$*: exit $rc, expected $want_rc"; good=0; }
  case $err in
    *$pattern*) ;;
    *) bad "$*: message '$err' lacks '$pattern'"; good=0 ;;
  esac
  [ "$lines" = 1 ] || { bad "$*: $lines lines of message"; good=0; }
  for o in $outs; do
    if [ "$o" = out.c ]; then
      [ "$(cat out.c)" = "keep me" ] || { bad "$*: out.c changed"; good=0; }
    elif [ -e "$o" ]; then
      bad "$*: $o written"; good=0; rm -f "$o"
    fi
  done
  [ -z "$(ls | grep tmp)" ] || { bad "$*: temporary files left: $(ls | grep tmp)"; good=0; }
  [ $good = 1 ] && { ok; echo "ok: $err"; }
}

C="emb.c emb.h"
usage2 "--embed: unknown kind 'xml' (c or elf)" $C -- --embed xml -o emb.c good.lua
expect "'1st' is not a C identifier" $C -- --embed c -o emb.c good.lua 1st.lua
expect "my mod.lua: module name 'my mod' is not a C identifier" $C -- --embed c -o emb.c "my mod.lua"
expect "dotted.lua:2: module name 'dotted-a.b' is not a C identifier" $C -- --embed c --split -o emb.c dotted.lua
expect "duplicate module name 'x': d1/x.lua and d2/x.lua" $C -- --embed c -o emb.c d1/x.lua d2/x.lua
expect "duplicate module name 'twice-one': twice.lua:2 and twice.lua:4" $C -- --embed c --split -o emb.c twice.lua
expect "module names 'a-b' (a-b.lua) and 'a_b' (a_b.lua) both mangle to 'a_b'" $C -- --embed c -o emb.c a-b.lua a_b.lua
expect "noname.lua:3: bad SPLIT marker" $C -- --embed c --split -o emb.c noname.lua
expect "open.lua:2: bad SPLIT marker" $C -- --embed c --split -o emb.c open.lua
expect "syntax.lua:1: unexpected symbol near '='" $C -- --embed c -o emb.c good.lua syntax.lua
expect "frac.lua:1: malformed number near '1.5'" $C -- --embed c -t int -o emb.c good.lua frac.lua
expect "int.lua: value too big or small for target integer type" $C -- --embed c -t int -o emb.c good.lua int.lua
usage2 "--prefix: '9x' is not a C identifier" $C -- --embed c --prefix 9x -o emb.c good.lua
usage2 "'-o -' is not possible" -- --embed c -o - good.lua
usage2 "need '--embed'" -- --split good.lua
usage2 "cannot be combined with '-f'" $C -- --embed c -f -o emb.c good.lua
# an existing source is kept, and no header appears beside it
expect "duplicate module name 'x'" out.c out.h -- --embed c -o out.c d1/x.lua d2/x.lua
# the default names, PREFIX.c and PREFIX.h
expect "duplicate module name 'x'" lfsc_embedded.c lfsc_embedded.h -- --embed c d1/x.lua d2/x.lua
if [ "$have_elf" = 1 ]; then
  expect "duplicate module name 'x'" emb.o -- --embed elf -o emb.o d1/x.lua d2/x.lua
  expect "'1st' is not a C identifier" lfsc_embedded.o -- --embed elf good.lua 1st.lua
  usage2 "--prefix: '9x' is not a C identifier" emb.o -- --embed elf --prefix 9x -o emb.o good.lua
  # stdout works for ELF
  [ "$("$luac" --embed elf -o - good.lua | head -c 4 | od -An -c | tr -d ' ')" = '177ELF' ] &&
    ok || bad "--embed elf -o -"
else
  expect "--embed elf: not available in this build" emb.o -- --embed elf -o emb.o good.lua
fi
# and the good case writes both files, the source including the header
"$luac" --embed c --prefix two -o pair.c good.lua a-b.lua && [ -f pair.c ] && [ -f pair.h ] &&
  grep -q '^#include "pair.h"$' pair.c && grep -q 'int two_find(' pair.h &&
  grep -q 'two_name_a_b\[\] two_ATTR = "a-b"' pair.c && ok || bad "--embed c -o pair.c"
"$luac" --embed c -o pair.src good.lua && [ -f pair.src ] && [ -f pair.src.h ] && ok ||
  bad "-o pair.src: header pair.src.h"

# every case above, the ELF ones in a build with libelf
if [ "$have_elf" = 1 ]; then tally_end 24; else tally_end 21; fi
