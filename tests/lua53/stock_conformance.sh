#!/bin/sh
# Stock Lua 5.3 conformance: for every .lua file under each DIR (named as
# a path relative to DIR, cwd = DIR, as luac5.3 would be run there), the
# chunk of lua53c must equal luac5.3's byte for byte, with and without
# -s; for files luac5.3 rejects, our message must equal its stderr
# without the "luac5.3: " prefix. Fails on any difference or when no file
# was checked.
#   stock_conformance.sh LUA53C LUAC53 WORKDIR DIR...
set -u
ours=$1; ref=$2; work=$3; shift 3
mkdir -p "$work"
n=0; same=0; rejected=0
for dir in "$@"; do
  [ -d "$dir" ] || { echo "no directory $dir (skipped)"; continue; }
  list=$(cd "$dir" && find . -type f -name '*.lua' | sed 's|^\./||' | LC_ALL=C sort)
  for f in $list; do
    n=$((n + 1))
    if (cd "$dir" && "$ref" -o "$work/ref.out" "$f" 2>"$work/ref.err"); then
      (cd "$dir" && "$ref" -s -o "$work/ref.s.out" "$f" 2>/dev/null)
      if (cd "$dir" && "$ours" -o "$work/our.out" "$f" 2>"$work/our.err" &&
          "$ours" -s -o "$work/our.s.out" "$f" 2>>"$work/our.err") &&
         cmp -s "$work/ref.out" "$work/our.out" && cmp -s "$work/ref.s.out" "$work/our.s.out"; then
        same=$((same + 1))
      else
        echo "DIFFERENT: $dir/$f $(head -c 200 "$work/our.err")"
      fi
    else
      rejected=$((rejected + 1))
      sed 's/^[^:]*luac5\.3: //' "$work/ref.err" > "$work/ref.msg"
      (cd "$dir" && "$ours" -p "$f" 2>"$work/our.msg")
      if cmp -s "$work/ref.msg" "$work/our.msg"; then
        same=$((same + 1))
      else
        echo "MESSAGE DIFFERS: $dir/$f"
        echo "  luac5.3: $(cat "$work/ref.msg")"
        echo "  ours:    $(cat "$work/our.msg")"
      fi
    fi
  done
done
echo "lua53 stock: $same of $n identical ($rejected rejected by luac5.3, messages compared)"
[ "$n" -gt 0 ] && [ "$same" -eq "$n" ]
