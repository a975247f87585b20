#!/bin/sh
# luac.cross --embed for one target, on the conformance sources:
#   C output: compiles with -Wall -Wextra -Werror (host, and lx106 with
#     --section .irom0.rodata); a walker linked with it dumps every module,
#     which must equal the .lc that luac.cross writes for that file;
#   ELF output: read back with readelf/objdump/objcopy (header, section
#     flags and alignment, every symbol's value and size, every module's
#     bytes and size word), linked with xtensa-lx106-elf-ld;
#   under qemu-system-xtensa: the walker linked with the ELF object and,
#     separately, with the C source dumps the same bytes;
#   -t host: every dumped chunk runs in lua5.1 like its source;
#   float, float16, int: with --compat-lineinfo the chunks equal NodeMCU's
#     .lc vectors (plain and -s).
# usage: embed.sh LUAC CONFDIR WORK TARGET WALK_C CC XGCC XLD XREADELF XOBJDUMP
#                 XOBJCOPY QEMU KITDIR LUA HAVE_ELF
#   (an empty tool skips its part; HAVE_ELF 0: a build without libelf;
#   LUA "none": a build whose host chunks lua5.1 cannot load, -m32)
# Each part that runs adds the checks it makes to the count expected; when
# a tool is missing (not by the build's design), the test ends "skipped"
# (exit 77) after the parts it could run, unless one of those failed.
set -u
. "$(dirname "$0")/../lib/tally.sh"
export LC_ALL=C
luac=$1 conf=$2 work=$3 target=$4 walk=$5 cc=$6 xgcc=$7 xld=$8 xreadelf=$9
shift 9
xobjdump=$1 xobjcopy=$2 qemu=$3 kit=$4 lua=$5 have_elf=$6
expected=0 missing=""
expect() { expected=$((expected + $1)); }
skip() { echo "skipped: $*"; }
missing() { skip "$*"; missing="$missing; $*"; }
finish() {
  tally_end "$expected" || exit 1
  [ -z "$missing" ] || { echo "SKIP: tools missing for part of the test${missing#;}"; exit 77; }
  exit 0
}
lua_na=0
[ "$lua" = none ] && { lua=""; lua_na=1; }

rm -rf "$work" && mkdir -p "$work/exp" || exit 1
cd "$conf/src" || exit 1
# the sources a target accepts (the integer build rejects fractional
# literals, and c10_intonly's constants do not fit its bytecode)
files=""
for f in c*.lua init.lua lib.v2/c12.util.lua quirks/*.lua many/*.lua; do
  case $target:$f in
    int:c02_*|int:c05_*|int:c06_*|int:c14_*|int:c10_*) continue ;;
  esac
  files="$files $f"
done
modname() { b=${1##*/}; echo "${b%%.*}"; }
n=0
for f in $files; do
  m=$(modname "$f")
  "$luac" -t "$target" -o "$work/exp/$m.lc" "$f" || bad "luac.cross -t $target $f"
  n=$((n + 1))
done
echo "$n modules for -t $target"

# compare DIR against the expected chunks in EXPDIR (default exp/): every
# module, nothing else
compare() {
  d=$1 what=$2 e=${3:-$work/exp}
  k=0 good=1
  for f in $files; do
    m=$(modname "$f")
    if ! cmp -s "$e/$m.lc" "$d/$m.lc"; then
      bad "$what: module $m differs from its .lc"
      good=0
    fi
    k=$((k + 1))
  done
  got=$(ls "$d" | wc -l)
  [ "$got" = "$k" ] || { bad "$what: $got modules dumped, $k expected"; good=0; }
  [ $good = 1 ] && { ok; echo "ok: $what: $k modules equal their .lc files"; }
}

# --- C source, host ---
expect 3
mkdir -p "$work/c/out"
if "$luac" --embed c -t "$target" -o "$work/c/emb.c" $files &&
   [ -f "$work/c/emb.c" ] && [ -f "$work/c/emb.h" ]; then ok; else bad "--embed c"; fi
if "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -DWITH_FIND -I"$work/c" \
     -o "$work/c/walk" "$walk" "$work/c/emb.c" &&
   "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c "$work/c/emb.h"; then
  ok
  if "$work/c/walk" "$work/c/out"; then compare "$work/c/out" "C source (host)"
  else bad "host walker exit $?"; fi
else
  bad "host compile of the C output"
fi

# -t host: each chunk runs in lua5.1 and prints what its source prints
if [ "$target" = host ]; then
  if [ -z "$lua" ]; then
    if [ $lua_na = 1 ]; then skip "lua5.1 runs (this build's host chunks are not lua5.1's)"
    else missing "lua5.1 runs (no lua5.1)"; fi
  else
    expect 1
    k=0
    for f in $files; do
      m=$(modname "$f")
      want=$("$lua" "$f" 2>&1; echo "exit $?")
      got=$("$lua" "$work/c/out/$m.lc" 2>&1; echo "exit $?")
      if [ "$want" = "$got" ]; then k=$((k + 1)); else bad "lua5.1 $m.lc: output differs from $f"; fi
    done
    ok; echo "ok: $k embedded chunks ran in lua5.1 like their sources"
  fi
else
  # NodeMCU's vectors: with --compat-lineinfo (its line-info bug), plain and -s
  v=$target; [ "$v" = float16 ] && v=float   # float16 .lc is the float format
  for s in "" "-s"; do
    dir=$work/ref$s
    mkdir -p "$dir/out" "$dir/exp"
    for f in $files; do
      m=$(modname "$f")
      vec=$conf/lc/$v/$m${s:+.s}.lc
      [ -f "$vec" ] && cp "$vec" "$dir/exp/$m.lc"
    done
    k=$(ls "$dir/exp" | wc -l)
    [ "$k" = 0 ] || expect 1
    if [ "$k" = 0 ]; then
      skip "no lc/$v vectors${s:+ for $s}"
    elif "$luac" --embed c --compat-lineinfo $s -t "$target" -o "$dir/emb.c" $files &&
       "$cc" -std=c99 -Wall -Wextra -Werror -DWITH_FIND -o "$dir/walk" "$walk" "$dir/emb.c" &&
       "$dir/walk" "$dir/out"; then
      j=0
      for e in "$dir/exp"/*.lc; do
        if cmp -s "$e" "$dir/out/${e##*/}"; then j=$((j + 1)); else bad "${e##*/} ($s) differs from NodeMCU's vector"; fi
      done
      if [ "$j" = "$k" ]; then
        ok
        echo "ok: $j of $k NodeMCU lc/$v vectors${s:+ ($s)} equal their embedded chunks"
      fi
    else
      bad "--embed c --compat-lineinfo $s"
    fi
  done
fi

# --- ELF object ---
mkdir -p "$work/elf"
elf=$work/elf/emb.o
if [ "$have_elf" != 1 ]; then
  skip "ELF output (no libelf in this build)"
  elf=""
elif expect 1 && "$luac" --embed elf -t "$target" -o "$elf" $files; then ok; else bad "--embed elf"; fi
if [ -z "$elf" ]; then
  skip "ELF read-back (no ELF output)"
elif [ -z "$xreadelf" ] || [ -z "$xobjdump" ] || [ -z "$xobjcopy" ]; then
  missing "ELF read-back (no xtensa binutils)"
else
  expect 11
  h=$("$xreadelf" -h "$elf")
  for want in "Class: *ELF32" "Data: *2's complement, little endian" "Type: *REL " \
              "Machine: *Tensilica Xtensa"; do
    echo "$h" | grep -q "$want" && ok || bad "ELF header: no '$want'"
  done
  # section: alloc, read-only, 4-byte aligned, with relocations
  sec=$("$xobjdump" -h "$elf" | awk '$2 == ".irom0.rodata" { getline f; print $NF, f }')
  case $sec in
    "2**2 "*CONTENTS,*ALLOC,*LOAD,*RELOC,*READONLY,*DATA*) ok ;;
    *) bad ".irom0.rodata attributes: $sec" ;;
  esac
  "$xreadelf" -S -W "$elf" | grep -Eq '\] \.irom0\.rodata +PROGBITS +0+ [0-9a-f]+ [0-9a-f]+ 00 +A +0 +0 +4$' &&
    ok || bad "readelf: .irom0.rodata not flags A, align 4"
  nrel=$("$xreadelf" -r "$elf" | grep -c R_XTENSA_32)
  [ "$nrel" = $((2 * n)) ] && ok || bad "$nrel R_XTENSA_32 relocations, $((2 * n)) expected"
  "$xobjcopy" -O binary --only-section=.irom0.rodata "$elf" "$work/elf/sec.bin"
  syms=$work/elf/syms
  "$xreadelf" -s -W "$elf" | awk '$5 == "GLOBAL" && $4 == "OBJECT" && $7 == 1 { print $8, $2, $3 }' > "$syms"
  word() { od -An -tu1 -j "$1" -N4 "$work/elf/sec.bin" | awk '{ print $1 + 256 * ($2 + 256 * ($3 + 256 * $4)) }'; }
  sym() { awk -v s="$1" '$1 == s { print $2, $3 }' "$syms"; }
  set -- $(sym lfsc_embedded_count)
  [ "${1:-x}" = 00000000 ] && [ "${2:-}" = 4 ] && [ "$(word 0)" = "$n" ] && ok ||
    bad "lfsc_embedded_count: $* (word $(word 0), $n modules)"
  set -- $(sym lfsc_embedded_table)
  [ "${1:-x}" = 00000004 ] && [ "${2:-}" = $((12 * n)) ] && ok || bad "lfsc_embedded_table: $*"
  mkdir -p "$work/elf/out"
  for f in $files; do
    m=$(modname "$f")
    id=$(echo "$m" | tr - _)
    set -- $(sym "lfsc_embedded_data_$id")
    v=$((0x${1:-0})) size=${2:-x}
    want=$(wc -c < "$work/exp/$m.lc")
    [ "$size" = "$want" ] && [ $((v % 4)) = 0 ] && [ "$v" -gt 0 ] || bad "symbol lfsc_embedded_data_$id: $* (want size $want, aligned)"
    set -- $(sym "lfsc_embedded_size_$id")
    [ $((0x${1:-0})) = $((v - 4)) ] && [ "${2:-}" = 4 ] && [ "$(word $((v - 4)))" = "$want" ] ||
      bad "symbol lfsc_embedded_size_$id: $*"
    tail -c +$((v + 1)) "$work/elf/sec.bin" | head -c "$want" > "$work/elf/out/$m.lc"
  done
  nsyms=$(wc -l < "$syms")
  [ "$nsyms" = $((2 * n + 2)) ] && ok || bad "$nsyms global symbols, $((2 * n + 2)) expected"
  compare "$work/elf/out" "ELF object read back with objcopy"
fi

# --- lx106: the walker under QEMU, with the ELF object and with the C source ---
if [ -z "$xgcc" ] || [ -z "$xld" ] || [ -z "$qemu" ] || [ ! -d "$kit" ]; then
  missing "lx106 runs (no cross tools, QEMU or kit)"
else
  expect 4
  x=$work/lx106
  mkdir -p "$x"
  # the kit's QEMU memory map, with the embed section in the flash region
  sed 's|^\( *\.irom0\.text :.*\)$|\1\n  .irom0.rodata : { *(.irom0.rodata .irom0.rodata.*) . = ALIGN(4); } > irom|' \
    "$kit/lx106-qemu.ld" > "$x/qemu.ld"
  grep -q '^ *\.irom0\.rodata :' "$x/qemu.ld" || bad "linker script edit"
  xflags="-std=c99 -Os -mlongcalls -ffreestanding -fno-builtin -ffunction-sections -Wall -Wextra -Werror -I$kit"
  libgcc=$("$xgcc" -print-libgcc-file-name)
  run() {   # ELF DIR WHAT
    rm -rf "$2" && mkdir -p "$2"
    timeout 60 "$qemu" -M sim -cpu lx106 -display none -monitor none \
      -semihosting-config enable=on,target=native,arg=walk,arg="$2" -kernel "$1" < /dev/null
    rc=$?
    if [ $rc = 0 ]; then compare "$2" "$3"; else bad "$3: walker exit status $rc"; fi
  }
  if "$xgcc" $xflags -c -o "$x/crt0.o" "$kit/crt0.S" && "$xgcc" $xflags -Wno-error -c -o "$x/sh.o" "$kit/sh.c" &&
     "$xgcc" $xflags -c -o "$x/walk.o" "$walk" &&
     "$xgcc" $xflags -DWITH_FIND -c -o "$x/walkf.o" "$walk"; then ok; else bad "lx106 walker build"; fi
  # ELF object: linked by ld alone
  [ -z "$elf" ] || expect 3
  if [ -z "$elf" ]; then
    skip "lx106 run of the ELF object"
  elif "$xld" --gc-sections -T "$x/qemu.ld" -o "$x/elf.elf" "$x/crt0.o" "$x/sh.o" "$x/walk.o" "$elf" "$libgcc"; then
    ok
    "$xobjdump" -h "$x/elf.elf" | awk '$2 == ".irom0.rodata" { print $4 }' | grep -q '^402' &&
      ok || bad "linked .irom0.rodata not in the flash region"
    run "$x/elf.elf" "$x/out-elf" "lx106 under QEMU, ELF object linked by xtensa-lx106-elf-ld"
  else
    bad "xtensa-lx106-elf-ld link of the ELF object"
  fi
  # C source with the flash section, compiled by the cross compiler
  mkdir -p "$x/c"
  if "$luac" --embed c --section .irom0.rodata -t "$target" -o "$x/c/emb.c" $files &&
     "$xgcc" $xflags -c -o "$x/c/emb.o" "$x/c/emb.c"; then
    ok
    sz=$("$xobjdump" -h "$x/c/emb.o" | awk '$2 == ".irom0.rodata" { print $3 }')
    [ -n "$sz" ] && [ $((0x$sz)) -gt 0 ] && ok || bad "C output: no .irom0.rodata section"
    if "$xgcc" $xflags -nostdlib -Wl,--gc-sections -T "$x/qemu.ld" -o "$x/c.elf" "$x/crt0.o" "$x/sh.o" "$x/walkf.o" \
         "$x/c/emb.o" -lgcc; then
      run "$x/c.elf" "$x/out-c" "lx106 under QEMU, C source (with lfsc_embedded_find)"
    else
      bad "lx106 link of the C output"
    fi
  else
    bad "xtensa-lx106-elf-gcc -Wall -Wextra -Werror on the C output"
  fi
fi
finish
