#!/bin/sh
# Stock Lua 5.3 chunks (luac5.3 and luac5.3 -s of the corpus and the
# conformance53 sources) read by lfsc_lua53_read_host and written back
# identical (stock53_rt.c).
# usage: stock53_rt.sh TEST_BINARY LUAC53 CONFORMANCE53_SRC [CORPUS_DIR]
set -u
T=$1 LUAC53=$2 SRC=$3 CORPUS=${4:-}
command -v "$LUAC53" > /dev/null 2>&1 || { echo "luac5.3 not installed"; exit 77; }
W=$(mktemp -d) && trap 'rm -rf "$W"' EXIT
n=0
{ find "$SRC" -name '*.lua'; [ -d "$CORPUS" ] && find "$CORPUS" -name '*.lua'; } | sort > "$W/files"
while read -r f; do
  n=$((n + 1))
  "$LUAC53" -o "$W/$n.luac" "$f" 2> /dev/null && echo "$W/$n.luac"
  "$LUAC53" -s -o "$W/$n.s.luac" "$f" 2> /dev/null && echo "$W/$n.s.luac"
done < "$W/files" > "$W/list"
"$T" < "$W/list"
