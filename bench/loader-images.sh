#!/bin/sh
# Large LFS images from real code, for the loader benchmark: about 128 KB,
# 256 KB and 512 KB of image (the "Image size:" luac.cross prints, the
# relocation bitmap not counted), float variant. Files are taken in
# MANIFEST.txt order, each one added to the previous image's list while the
# image stays within the size; the first file that would pass it starts the
# next size. A file that does not build into the image (not Lua 5.1, or a
# module name already taken) is left out. So the sets are nested and the
# same corpus always gives the same images.
#
# Writes into OUT_DIR: img128.pi.img img256.pi.img img512.pi.img (-f, with
# --compat-deflate: NodeMCU's own deflate's bytes, what NodeMCU users load),
# their absolute counterparts img*.abs.img (-a 0x40280000), and img*.files
# (the file list, relative to CORPUS). Source names are CORPUS-relative and
# the timestamp fixed, so the bytes do not depend on where or when.
#
# -m 0x80000 for the images: the LFS region at 0x40280000 ends where the
# 1 MB flash window does, so 512 KB is the most an image there can be (the
# trial builds use the window's 0xF0000, to see when a file passes a size).
#
# usage: bench/loader-images.sh LUAC CORPUS OUT_DIR
set -u
[ $# = 3 ] || { echo "usage: $0 LUAC CORPUS OUT_DIR" >&2; exit 2; }
luac=$1 corpus=$2 out=$3
case $luac in /*) ;; *) luac=$(pwd)/$luac ;; esac
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
cd "$corpus" || exit 1
[ -f MANIFEST.txt ] || { echo "$corpus/MANIFEST.txt not found" >&2; exit 1; }
[ -x "$luac" ] || { echo "$luac is not executable" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
opts="--timestamp 1700000000"

isize() {  # image size of the files in list $1 (empty: they do not build)
  "$luac" -f --compat-deflate -m 0xF0000 $opts -o "$tmp/try.img" $(cat "$1") 2> /dev/null |
    sed -n 's/^Image size: //p'
}

: > "$tmp/list"
cut -f2 MANIFEST.txt > "$tmp/manifest"
skipped=0
set -- 128 256 512
target=$1
while read -r f; do
  [ -f "$f" ] || continue
  cp "$tmp/list" "$tmp/next"
  echo "$f" >> "$tmp/next"
  n=$(isize "$tmp/next")
  [ -n "$n" ] || { skipped=$((skipped + 1)); continue; }
  while [ $# -gt 0 ] && [ "$n" -gt $((target * 1024)) ]; do
    # the list so far is this size's set; f starts the next one
    cp "$tmp/list" "$out/img$target.files"
    shift
    target=${1:-}
  done
  [ $# -gt 0 ] || break
  cp "$tmp/next" "$tmp/list"
done < "$tmp/manifest"
[ $# -gt 0 ] && { echo "the corpus has too little code for img$target" >&2; exit 1; }

for t in 128 256 512; do
  files=$(cat "$out/img$t.files")
  n=$("$luac" -f --compat-deflate -m 0x80000 $opts -o "$out/img$t.pi.img" $files | sed -n 's/^Image size: //p')
  "$luac" -a 0x40280000 -m 0x80000 $opts -o "$out/img$t.abs.img" $files > /dev/null || exit 1
  [ "$(wc -c < "$out/img$t.abs.img")" = "$n" ] || { echo "img$t: -a and -f disagree" >&2; exit 1; }
  echo "img$t.pi.img: $(wc -l < "$out/img$t.files") files, image $n bytes, file $(wc -c < "$out/img$t.pi.img") bytes"
done
echo "($skipped files of the manifest left out: they do not build into an image)"
