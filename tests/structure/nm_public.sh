#!/bin/sh
# Every name an installed archive exports carries the lfsc_ prefix, so a
# program linking liblfsc (or the runtime room) cannot clash with it
# (issue #18). An archive without any defined name fails too: the check
# must have looked at something.
# usage: nm_public.sh NM ARCHIVE MIN_NAMES [ARCHIVE MIN_NAMES]...
set -u
. "$(dirname "$0")/../lib/tally.sh"
NM=$1
shift
n_archives=0
while [ $# -ge 2 ]; do
  a=$1 MIN=$2
  shift 2
  n_archives=$((n_archives + 1))
  names=$("$NM" -g --defined-only "$a" 2> /dev/null | awk 'NF == 3 { print $3 }' | sort -u)
  n=$(printf '%s\n' "$names" | grep -c .)
  if [ "$n" -ge "$MIN" ]; then ok; else bad "$a: $n exported names, at least $MIN expected"; fi
  # gcc's i386 PIC helpers (__x86.get_pc_thunk.*) are hidden COMDAT
  # functions every -m32 object may carry: the linker merges them, and no
  # program's name can clash with them.
  others=$(printf '%s\n' "$names" | grep -v -e '^lfsc_' -e '^__x86\.get_pc_thunk\.' | grep .)
  if [ -z "$others" ]; then
    ok
    echo "ok: $a: $n exported names, all lfsc_*"
  else
    bad "$a exports names without the lfsc_ prefix:"
    printf '%s\n' "$others" | sed 's/^/    /'
  fi
done
tally_end $((2 * n_archives))
