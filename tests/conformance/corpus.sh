#!/bin/sh
# Compile every Lua file of the third-party corpus (gathered by
# tests/corpus/gather.sh) and of shared/conformance/src with
# luac5.1 and with our luac.cross -t host, plain and with -s, and compare
# the bytes. Files luac5.1 rejects (corpus REJECTED.txt) must be rejected
# by us with the same message after the program name.
#
# With a fourth argument, another build's luac.cross (a 64-bit one, when
# this build is -m32), the reference is that binary instead of luac5.1 and
# the NodeMCU float target is compared: a 32-bit host must give the same
# bytes and the same messages as a 64-bit one.
#
# usage: corpus.sh LUAC_CROSS CORPUS_DIR CONFORMANCE_SRC_DIR [OTHER_LUAC_CROSS]
# Exit 77 (skipped) when the corpus has not been gathered.
set -u
. "$(dirname "$0")/../lib/tally.sh"
LUAC=$1 CORPUS=$2 CONFSRC=$3 OTHER=${4:-}
if [ -n "$OTHER" ]; then
  ref() { "$OTHER" -t float "$@"; }; ours() { "$LUAC" -t float "$@"; }
else
  ref() { luac5.1 "$@"; }; ours() { "$LUAC" -t host "$@"; }
fi
[ -f "$CORPUS/MANIFEST.txt" ] || { echo "corpus not found in $CORPUS (run tests/corpus/gather.sh DIR)"; exit 77; }
command -v luac5.1 >/dev/null || { echo "luac5.1 not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 seen=0
# LFSC_SAMPLE=N (run-all.sh's sanitizer and -m32 runs): every Nth file only.
take() { seen=$((seen + 1)); [ $(((seen - 1) % ${LFSC_SAMPLE:-1})) -eq 0 ]; }

check() {   # check FILE LABEL
  for strip in "" "-s"; do
    rm -f "$tmp/ref" "$tmp/our"
    # shellcheck disable=SC2086
    ref $strip -o "$tmp/ref" "$1" 2>"$tmp/referr"; rs=$?
    # shellcheck disable=SC2086
    ours $strip -o "$tmp/our" "$1" 2>"$tmp/ourerr"; os=$?
    if [ $rs -ne 0 ]; then
      want=$(sed 's/^[^:]*: //' "$tmp/referr"); got=$(sed 's/^[^:]*: //' "$tmp/ourerr")
      if [ $os -ne 0 ] && [ "$want" = "$got" ] && [ ! -e "$tmp/our" ]; then
        pass=$((pass + 1))
      else
        fail=$((fail + 1)); echo "FAIL $2 $strip: reference says '$want', we say (exit $os) '$got'"
      fi
    elif [ $os -eq 0 ] && cmp -s "$tmp/ref" "$tmp/our"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL $2 $strip: output differs (exit $os: $(cat "$tmp/ourerr"))"
    fi
  done
}

while IFS="$(printf '\t')" read -r pkg rel; do
  take && check "$CORPUS/$rel" "$rel"
done < "$CORPUS/MANIFEST.txt"
# Rejected files stay at their installed paths.
while IFS="$(printf '\t')" read -r pkg path msg; do
  [ -f "$path" ] && take && check "$path" "$path"
done < "$CORPUS/REJECTED.txt"
for f in $(find "$CONFSRC" -name '*.lua' | sort); do
  take && check "$f" "$f"
done
# -m32: PI images too, deflated by squeeze.c (its cost model must choose
# the same parse on a 32-bit host, x87 floating point included).
if [ -n "$OTHER" ]; then
  luacheck=$(cut -f2 "$CORPUS/MANIFEST.txt" | grep '^share/luacheck/[^/]*$' | sed "s|^|$CORPUS/|")
  for o in "-f" "--best -f"; do
    for set in "$(find "$CONFSRC" -maxdepth 1 -name 'c*.lua' | sort | tr '\n' ' ')" "$luacheck"; do
      rm -f "$tmp/ref" "$tmp/our"
      # shellcheck disable=SC2086
      SOURCE_DATE_EPOCH=1700000000 "$OTHER" $o -o "$tmp/ref" $set > /dev/null 2>&1
      # shellcheck disable=SC2086
      SOURCE_DATE_EPOCH=1700000000 "$LUAC" $o -o "$tmp/our" $set > /dev/null 2>&1
      if [ -s "$tmp/ref" ] && cmp -s "$tmp/ref" "$tmp/our"; then
        pass=$((pass + 1))
      else
        fail=$((fail + 1)); echo "FAIL $o image of $(echo $set | wc -w) files differs from the 64-bit build's"
      fi
    done
  done
fi
# 1306 checks over the whole corpus today (two a file)
tally_end "$(sampled 1200)"
