#!/bin/sh
# Real NodeMCU Lua 5.3 images (the conformance53 reference outputs) on the
# 5.3 runtime, ahead of the format-11 reader: img2luac.py (over the spec's
# nlc53.py decoder) writes each image's modules as stock chunks, as the
# reader and the stock writer will, and the test driver loads them as the
# image's LFS with its timestamp and variant.
#  - int64/double images: every module whose source is stored prints what
#    lua5.3 prints running that source (tests/runtime/driver.lua);
#  - int32/float32 images: every module runs to its end (results may
#    differ: the reference folded their constants in 32 bits), and the
#    number note is printed once;
#  (of the gen* images, alike modules 255 to 300 of them, every 10th)
#  - node.LFS.list() and node.LFS.time are the image's.
# usage: images.sh DRIVER53 CONFORMANCE53_DIR SPEC_TOOLS_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
D=$1 CONF=$2 TOOLS=$3
command -v lua5.3 > /dev/null || { echo "lua5.3 not installed"; exit 77; }
command -v python3 > /dev/null || { echo "python3 not installed"; exit 77; }
[ -d "$CONF/out/64/img" ] && [ -f "$TOOLS/nlc53.py" ] || { echo "no conformance53 images or nlc53.py"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
DRIVER=$HERE/../runtime/driver.lua
case $D in /*) ;; *) D=$PWD/$D ;; esac
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
pass=0 fail=0 images=0 same=0 ran32=0 skipped=0
cd "$CONF/src" || exit 1

for img in "$CONF"/out/64/img/*.img "$CONF"/out/32/img/*.img; do
  [ -s "$img" ] || continue
  rm -rf "$T/m" && mkdir "$T/m"
  if ! python3 "$HERE/img2luac.py" "$TOOLS" "$img" "$T/m" > "$T/mods" 2> "$T/err"; then
    bad "$img: img2luac.py: $(cat "$T/err")"; continue
  fi
  images=$((images + 1))
  ts=$(sed -n 's/^time //p' "$T/mods") variant=$(sed -n 's/^variant //p' "$T/mods")
  grep -v -e '^time ' -e '^variant ' "$T/mods" > "$T/list"
  mods=$(awk '{ printf "%s=%s ", $1, $2 }' "$T/list")
  # list and time: the image's names sorted, its timestamp
  want="$(cut -d' ' -f1 "$T/list" | LC_ALL=C sort | tr '\n' ,)$ts"
  # shellcheck disable=SC2086
  got=$("$D" --variant "$variant" --time "$ts" $mods -- -e 'io.write(table.concat(node.LFS.list(), ","), ",", node.LFS.time)' 2> /dev/null)
  if [ "$got" = "$want" ]; then ok; else bad "$img: list and time: $got"; fi
  # the gen* images' 255..300 modules are alike: every 10th of them
  stride=${LFSC_SAMPLE:-1}
  [ "$(grep -c . "$T/list")" -gt 100 ] && stride=$((stride * 10))
  k=0
  while read -r m file src; do
    k=$((k + 1))
    [ $(((k - 1) % stride)) -eq 0 ] || continue
    # shellcheck disable=SC2086
    "$D" --variant "$variant" --image "$(basename "$img")" $mods -- "$DRIVER" "$m" < /dev/null \
      > "$T/got" 2> "$T/err"
    rc=$?
    case $variant in
      *int64*)
        f=${src#@}
        if [ ! -f "$f" ]; then skipped=$((skipped + 1)); continue; fi
        # An image keeps no upvalue names (spec lfs53-formats.md §2), so an
        # error naming a global through _ENV says "field", as on the device
        lua5.3 "$DRIVER" "$f" < /dev/null 2>&1 |
          sed -e 's/0x[0-9a-f]*/ADDR/g' -e "s/(global '/(field '/g" > "$T/want"
        cat "$T/err" >> "$T/got"
        sed 's/0x[0-9a-f]*/ADDR/g' "$T/got" > "$T/got.n"
        if cmp -s "$T/want" "$T/got.n"; then ok; same=$((same + 1)); else
          bad "$img module $m differs from lua5.3 $f:"; diff "$T/want" "$T/got.n" | head -6; fi ;;
      *)
        notes=$(grep -c "^driver53: note: $(basename "$img") is an int32/float32 firmware image" "$T/err")
        if [ $rc -eq 0 ] && grep -q '^-- returned' "$T/got" && [ "$notes" = 1 ]; then
          ok; ran32=$((ran32 + 1))
        else bad "$img module $m: exit $rc, $notes notes: $(head -3 "$T/err")"; fi ;;
    esac
  done < "$T/list"
done
echo "$images images; $same int64 modules print what lua5.3 prints for their source" \
     "($skipped without a stored source); $ran32 int32 modules run to their end"
[ "$images" -ge 20 ] || bad "only $images images, at least 20 expected"
tally_end "$(sampled 300)"
