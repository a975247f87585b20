#!/bin/sh
# Gather the third-party Lua corpus that the conformance tests compare
# luac.cross with Debian's luac5.1 on (tests/conformance/, tests/listing/,
# tests/bigendian/, bench/):
#
#   sh tests/corpus/gather.sh DIR        (as root; CI puts it in ./corpus)
#
# installs the Debian packages of packages.txt with apt-get (nothing else
# is downloaded), then takes every Lua file the installed packages put in
# the places below that luac5.1 -p accepts, in this order:
#   share/P       /usr/share/lua/5.1/P (symbolic links followed)
#   share-5.N/P   /usr/share/lua/5.N/P, N = 2, 3, 4, when not the same
#                 bytes as /usr/share/lua/5.1/P
#   doc/PKG/P     /usr/share/doc/PKG/P, PKG = lua-*: examples and tests
#   bin/B.lua     /usr/bin/B, B = busted, ldoc, luacheck, wsapi.cgi, when
#                 its first line names lua
# DIR/MANIFEST.txt has a line "PACKAGE<tab>PATH" for every file taken, in
# that order (the tests read the paths from it); DIR/REJECTED.txt has
# "PACKAGE<tab>SOURCE<tab>MESSAGE" for every file luac5.1 refused (not
# copied; the tests check that luac.cross refuses them too).
set -eu
[ $# = 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
luac=${LUAC:-luac5.1}
tab=$(printf '\t')

export DEBIAN_FRONTEND=noninteractive
apt-cache show lua-penlight > /dev/null 2>&1 || apt-get update
# shellcheck disable=SC2046
apt-get install -y --no-install-recommends $(sed 's/#.*//' "$here/packages.txt")

mkdir -p "$1"
dir=$(cd "$1" && pwd)
: > "$dir/MANIFEST.txt"
: > "$dir/REJECTED.txt"

# Print "SOURCE<tab>DESTINATION" for every candidate, in corpus order.
candidates() {
  lua=/usr/share/lua
  if [ -d $lua/5.1 ]; then
    find -L $lua/5.1 -type f -name '*.lua' | LC_ALL=C sort | while read -r f; do
      echo "$f${tab}share/${f#$lua/5.1/}"
    done
  fi
  for n in 2 3 4; do
    [ -d $lua/5.$n ] || continue
    find $lua/5.$n -type f -name '*.lua' | LC_ALL=C sort | while read -r f; do
      p=${f#$lua/5.$n/}
      cmp -s "$f" "$lua/5.1/$p" 2> /dev/null || echo "$f${tab}share-5.$n/$p"
    done
  done
  for d in /usr/share/doc/lua-*; do
    [ -d "$d" ] || continue
    find "$d" -type f -name '*.lua' | LC_ALL=C sort | while read -r f; do
      echo "$f${tab}doc/${d##*/}/${f#"$d"/}"
    done
  done
  for b in busted ldoc luacheck wsapi.cgi; do
    [ -f /usr/bin/$b ] && head -n 1 /usr/bin/$b | grep -qi lua && echo "/usr/bin/$b${tab}bin/$b.lua"
  done
  return 0
}

candidates | while IFS=$tab read -r src dest; do
  pkg=$(dpkg -S "$src" 2> /dev/null | head -n 1 | cut -d: -f1) || true
  if msg=$("$luac" -p "$src" 2>&1); then
    mkdir -p "$dir/${dest%/*}"
    cp "$src" "$dir/$dest"
    printf '%s\t%s\n' "$pkg" "$dest" >> "$dir/MANIFEST.txt"
  else
    printf '%s\t%s\t%s\n' "$pkg" "$src" "$(printf %s "$msg" | tr '\n\t' '  ')" >> "$dir/REJECTED.txt"
  fi
done
echo "corpus in $dir: $(wc -l < "$dir/MANIFEST.txt") files taken, $(wc -l < "$dir/REJECTED.txt") refused by luac5.1"
