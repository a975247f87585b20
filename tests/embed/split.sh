#!/bin/sh
# --split: split/ovl.lua has three SPLIT markers and becomes four chunks
# (ovl, ovl-connect, ovl-serve, ovl-done); run in that order by lua5.1 they
# print what the unsplit file prints, line numbers and error positions
# included (also with CRLF line ends). Without --split: one chunk, and the
# markers are comments. The firmware targets split the same way.
# usage: split.sh LUAC WALK_C CC LUA SPLITDIR WORK
set -u
. "$(dirname "$0")/../lib/tally.sh"
export LC_ALL=C
luac=$1 walk=$2 cc=$3 lua=$4 dir=$5 work=$6
[ -n "$lua" ] || { echo "SKIP: lua5.1 not installed"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
rm -rf "$work" && mkdir -p "$work" || exit 1
cp "$dir/ovl.lua" "$dir/runall.lua" "$work/" && cd "$work" || exit 1
sed 's/$/\r/' ovl.lua > crlf.lua

# embed OPTIONS... FILE: build, compile the walker with it, dump to out.NAME
dump() {
  tag=$1
  shift
  rm -rf "out.$tag" && mkdir "out.$tag"
  "$luac" --embed c -o "emb.$tag.c" "$@" &&
    "$cc" -std=c99 -Wall -Wextra -Werror -DWITH_FIND -o "walk.$tag" "$walk" "emb.$tag.c" &&
    "./walk.$tag" "out.$tag"
}
names() { ls "out.$1" | tr '\n' ' '; }

for src in ovl crlf; do
  if dump "$src" --split -t host "$src.lua"; then ok; else bad "--embed c --split $src.lua"; continue; fi
  want="$src-connect.lc $src-done.lc $src-serve.lc $src.lc "
  [ "$(names "$src")" = "$want" ] && ok || bad "$src: chunks '$(names "$src")', want '$want'"
  whole=$("$lua" "$src.lua" 2>&1; echo "exit $?")
  cd "out.$src"
  parts=$("$lua" ../runall.lua "$src.lc" "$src-connect.lc" "$src-serve.lc" "$src-done.lc" 2>&1; echo "exit $?")
  cd ..
  if [ "$whole" = "$parts" ]; then
    ok
    echo "ok: $src: 4 chunks in order print what the whole file prints:"
    echo "$parts" | sed 's/^/    /'
  else
    bad "$src: split run differs"
    printf 'whole:\n%s\nparts:\n%s\n' "$whole" "$parts"
  fi
  # what must be in it, so that equality cannot pass on empty output
  case $parts in
    *"main	line	6"*"connect	2	10"*"serve, on the marker's line	14"*"hello serve	20	18"*"done	20	20"*"$src.lua:21: boom"*"exit 0") ok ;;
    *) bad "$src: unexpected output" ;;
  esac
done

# without --split the markers are comments: one chunk, same behaviour
if dump plain -t host ovl.lua && [ "$(names plain)" = "ovl.lc " ] &&
   [ "$("$lua" out.plain/ovl.lc 2>&1)" = "$("$lua" ovl.lua 2>&1)" ]; then ok; else bad "without --split"; fi

# the firmware targets: four chunks each, every one a chunk luac.cross
# writes for that piece's padded text
for t in float float16 int; do
  if dump "$t" --split -t "$t" ovl.lua && [ "$(names "$t")" = "ovl-connect.lc ovl-done.lc ovl-serve.lc ovl.lc " ]; then
    ok
  else
    bad "-t $t --split: $(names "$t")"
  fi
done
# piece 2 by hand: 13 newlines, then the text after its marker
{ awk 'NR < 14 { print "" }'; sed -n '14,18p' ovl.lua | sed '1s/^ *--\[\[SPLIT serve\]\]//'; } > serve.lua
"$luac" -t float -o serve.lc serve.lua
# its source name differs (serve.lua, not ovl.lua): compare stripped
dump fs --split -s -t float ovl.lua && "$luac" -s -t float -o serve.s.lc serve.lua &&
  cmp out.fs/ovl-serve.lc serve.s.lc && ok || bad "ovl-serve (-s) != the padded piece compiled alone"

tally_end 13
