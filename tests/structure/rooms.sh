#!/bin/sh
# The rooms of src/ call only along the grain: every lfsc_ name a room's
# archive leaves undefined is defined in that room or in a room it may use,
# directly or through the rooms those use (src/CMakeLists.txt declares them;
# the build writes the table to rooms.txt as lines NAME:DIR:DEP;DEP...).
# Prints each offending name with the room using it and the room that
# defines it. With SRC_DIR, the same for the headers each room's files
# include from other rooms ("lua51/lex.h": room lua51).
# usage: rooms.sh NM ROOMS_TXT ARCHIVE_DIR MIN_ROOMS [SRC_DIR]
set -u
. "$(dirname "$0")/../lib/tally.sh"
NM=$1 TABLE=$2 DIR=$3 MIN=$4 SRC=${5:-}
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
[ -s "$TABLE" ] || { echo "FAIL: no room table at $TABLE"; exit 1; }

rooms=$(cut -d: -f1 "$TABLE" | grep .)
deps() { grep "^$1:" "$TABLE" | cut -d: -f3 | tr ';' ' '; }
# the rooms R may use: its own, and transitively theirs
reach() {
  todo=$1 seen=" "
  while :; do
    set -- $todo
    [ $# -gt 0 ] || break
    r=$1; shift; todo=$*
    case $seen in *" $r "*) continue ;; esac
    seen="$seen$r "
    todo="$todo $(deps "$r")"
  done
  echo "$seen"
}

for r in $rooms; do
  a=$DIR/liblfsc_$r.a
  if [ ! -f "$a" ]; then bad "room $r: no archive $a"; continue; fi
  "$NM" -g --defined-only "$a" | awk 'NF == 3 { print $3 }' | sort -u > "$T/def.$r"
  "$NM" -g --undefined-only "$a" | awk '$1 == "U" && $2 ~ /^lfsc_/ { print $2 }' | sort -u > "$T/und.$r"
  [ -s "$T/def.$r" ] || bad "room $r: its archive defines nothing"
done

for r in $rooms; do
  [ -f "$T/und.$r" ] || continue
  allowed=$(reach "$r")
  nbad=0 nund=0
  while read -r sym; do
    grep -qx "$sym" "$T/def.$r" && continue        # another file of the room
    nund=$((nund + 1))
    owner=""
    for d in $rooms; do
      grep -qx "$sym" "$T/def.$d" 2> /dev/null && owner="$owner $d"
    done
    owner=${owner# }
    if [ -z "$owner" ]; then
      echo "FAIL: $sym: used by room $r, defined in no room"; nbad=$((nbad + 1))
    else
      case $allowed in
        *" $owner "*) ;;
        *) echo "FAIL: $sym: used by room $r, defined in room $owner, which $r may not use (it may use:$allowed)"
           nbad=$((nbad + 1)) ;;
      esac
    fi
  done < "$T/und.$r"
  if [ $nbad -eq 0 ]; then
    ok; echo "ok: room $r: $nund names from the rooms it may use ($(deps "$r"))"
  else
    fail=$((fail + 1))
  fi
done
# includes: "D/file.h" where D is another room's folder
if [ -n "$SRC" ]; then
  for r in $rooms; do
    d=$(grep "^$r:" "$TABLE" | cut -d: -f2)
    allowed=$(reach "$r")
    nbad=0 ninc=0
    for f in "$SRC/$d"/*.c "$SRC/$d"/*.h; do
      [ -f "$f" ] || continue
      for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        # the room whose folder is the longest prefix of the include
        owner=$(awk -F: -v inc="$inc" 'index(inc, $2 "/") == 1 && length($2) > best { best = length($2); o = $1 }
                END { print o }' "$TABLE")
        [ -n "$owner" ] || continue               # same folder, or include/lfsc
        ninc=$((ninc + 1))
        case $allowed in
          *" $owner "*) ;;
          *) echo "FAIL: ${f#"$SRC"/} includes $inc: room $r may not use room $owner"; nbad=$((nbad + 1)) ;;
        esac
      done
    done
    if [ $nbad -eq 0 ]; then ok; echo "ok: room $r: $ninc includes from the rooms it may use"
    else fail=$((fail + 1)); fi
  done
fi
tally_end "$MIN"
