#!/bin/sh
# The 5.1 and the 5.3 VM in one binary without a shared name (see
# src/runtime53/vm53.cmake): the test driver links both runtimes, and
#  - defines no unprefixed lua* name of its own (liblua5.3's are all
#    lfsc_vm53_*) and exports none, so nothing can interpose on liblua5.1;
#  - leaves no lua* name undefined and needs neither liblua5.1.so (loaded
#    with dlopen when a 5.1 runtime starts) nor liblua5.3.so (ldd);
#  - the runtime53 archive exports only lfsc_ names, leaves no lua* name
#    undefined, and uses no 5.1 room (only repl and its own vm53.o);
#  - liblfsc.a, lfsimg and luac.cross still have nothing of liblua5.3.
# usage: symbols.sh NM DRIVER LIBLFSC LIBRUNTIME53 LIBRUNTIME LFSIMG LUAC_CROSS
set -u
. "$(dirname "$0")/../lib/tally.sh"
NM=$1 DRIVER=$2 LIBLFSC=$3 LIB53=$4 LIB51=$5 LFSIMG=$6 LUAC=$7
command -v ldd > /dev/null || { echo "no ldd"; exit 77; }
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
pass=0 fail=0
lua_names='^lua[A-Za-z]*_'

# ---- the binary with both runtimes ---------------------------------------
# global definitions (liblua5.3's file-local helpers, luaB_* and the like,
# stay local: they cannot be bound from outside)
"$NM" "$DRIVER" | awk 'NF == 3 && $2 ~ /^[A-TV-Z]$/ { print $3 }' | sort -u > "$T/defined"
own=$(grep -E "$lua_names" "$T/defined")
if [ -z "$own" ]; then ok; else bad "the driver defines unprefixed lua names:"; echo "$own" | head; fi
# (liblua5.3's internal names are hidden: the link makes them local)
nvm=$("$NM" "$DRIVER" | awk 'NF == 3 { print $3 }' | grep '^lfsc_vm53_' | sort -u | grep -c .)
if [ "$nvm" -ge 250 ]; then ok; echo "ok: $nvm liblua5.3 names, all lfsc_vm53_*"
else bad "only $nvm lfsc_vm53_ names in the driver"; fi
exported=$("$NM" -D --defined-only "$DRIVER" | awk 'NF == 3 { print $3 }' | grep -E "$lua_names|^lfsc_vm53_")
if [ -z "$exported" ]; then ok; else bad "the driver exports lua names:"; echo "$exported" | head; fi

# liblua5.1 is loaded when a 5.1 runtime starts (src/runtime/lua51dl.c):
# neither Lua is a shared library the driver needs, and no lua* name is
# left for the dynamic linker to bind
if ldd "$DRIVER" | grep -q 'liblua5\.1'; then bad "the driver links liblua5.1.so"; else ok; fi
if ldd "$DRIVER" | grep -q 'liblua5\.3'; then bad "the driver needs liblua5.3.so"; else ok; fi
"$NM" -D --undefined-only "$DRIVER" | awk '{ sub(/@.*/, "", $NF); print $NF }' |
  grep -E "$lua_names" | sort -u > "$T/und"
if [ ! -s "$T/und" ]; then ok; echo "ok: the driver leaves no lua name undefined"
else bad "lua names left undefined: $(head -c 300 "$T/und")"; fi

# ---- the archives ----------------------------------------------------------
"$NM" -g --defined-only "$LIB53" | awk 'NF == 3 { print $3 }' | sort -u > "$T/def53"
n53=$(grep -c . "$T/def53")
others=$(grep -v '^lfsc_' "$T/def53")
if [ "$n53" -gt 250 ] && [ -z "$others" ]; then ok; echo "ok: runtime53 exports $n53 names, all lfsc_*"
else bad "runtime53 exports $n53 names; not lfsc_: $(echo $others | head -c 300)"; fi
"$NM" -g --undefined-only "$LIB53" | awk '{ print $NF }' | grep . | sort -u > "$T/und53"
leftover=$(grep -E "$lua_names" "$T/und53")
if [ -z "$leftover" ]; then ok; else bad "runtime53 leaves lua names undefined: $leftover"; fi
# its lfsc_ names come from itself or the repl room, never from 5.1 code
foreign=$(grep '^lfsc_' "$T/und53" | comm -23 - "$T/def53" | grep -v '^lfsc_repl_')
if [ -z "$foreign" ]; then ok; else bad "runtime53 uses names of other rooms: $foreign"; fi
"$NM" -g --defined-only "$LIB51" | awk 'NF == 3 { print $3 }' | grep -c '^lfsc_vm53_' > "$T/n"
if [ "$(cat "$T/n")" = 0 ]; then ok; else bad "the 5.1 runtime holds 5.3 names"; fi

if "$NM" "$LIBLFSC" 2> /dev/null | grep -qE " [A-Za-z] ($lua_names|lfsc_vm53_)"; then
  bad "liblfsc.a mentions lua names"; else ok; fi
for tool in "$LFSIMG" "$LUAC"; do
  if ldd "$tool" | grep -q 'liblua5\.3'; then bad "$tool needs liblua5.3.so"; else ok; fi
done

tally_end 13
