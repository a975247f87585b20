#!/bin/sh
# The host runtime: NodeMCU's LFS API over images built here (each entry
# with and without an LFS, and unknown names), the _init conventions,
# node.LFS.reload, all three variants, malformed images, lfsimg run's
# command line and luac.cross -e / -F.
# usage: api.sh LFSIMG LUAC_CROSS CONFORMANCE_DIR
set -u
. "$(dirname "$0")/../lib/tally.sh"
LFSIMG=$1 LUAC=$2 CONF=$3
case $LFSIMG in /*) ;; *) LFSIMG=$PWD/$LFSIMG ;; esac
case $LUAC in /*) ;; *) LUAC=$PWD/$LUAC ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
cd "$T" && cp "$HERE"/lua/*.lua . || exit 1
pass=0 fail=0
TAB=$(printf '\t')

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
# same NAME WANT GOT
same() {
  if [ "$2" = "$3" ]; then ok; else bad "$1"; echo "  want: $2"; echo "  got:  $3"; fi
}
# run IMG LUA: stdout (and stderr) of one -e statement
run() { "$LFSIMG" run "$1" -e "$2" 2>&1 < /dev/null; }

"$LUAC" -f --timestamp 1600000000 -o a.img _init.lua greet.lua counter.lua > /dev/null &&
"$LUAC" -a 0x40230000 --timestamp 1600000001 -o b.img greet.lua v2.lua > /dev/null &&
"$LUAC" -t int -f -o i.img greet.lua > /dev/null &&
"$LUAC" -t float16 -f -o h.img greet.lua > /dev/null || { echo "cannot build images"; exit 1; }

# ---- node.LFS.get / node.flashindex ------------------------------------
same "get: a module, an unknown name" "function${TAB}nil${TAB}hello x" \
  "$(run a.img 'print(type(node.LFS.get("greet")), node.LFS.get("nope"), node.LFS.get("greet")().hello("x"))')"
same "flashindex is get" "function${TAB}nil" \
  "$(run a.img 'print(type(node.flashindex("greet")), node.flashindex("nope"))')"
same "LFS.<name>: module, unknown, non-string key" "function${TAB}nil${TAB}nil${TAB}hello y" \
  "$(run a.img 'print(type(node.LFS.greet), node.LFS.nope, node.LFS[1], node.LFS.greet().hello("y"))')"
same "each get makes a fresh closure over the module" "false${TAB}1${TAB}1" \
  "$(run a.img 'local a, b = node.LFS.counter, node.LFS.counter; print(a == b, a()(), b()())' | grep -v loaded)"
same "node.LFS is read-only" "false" \
  "$(run a.img 'print((pcall(function() node.LFS.x = 1 end)))')"

# ---- list, time, config, info ------------------------------------------
same "list: sorted names" "_init,counter,greet" "$(run a.img 'print(table.concat(node.LFS.list(), ","))')"
same "time" "1600000000${TAB}1600000001" \
  "$(run a.img 'print(node.LFS.time)')${TAB}$(run b.img 'print(node.LFS.time)')"
used=$("$LFSIMG" info --json b.img | sed -n 's/.*"image_bytes": \([0-9]*\).*/\1/p')
same "config of an absolute image" "196608 1076035584 262144 $used" \
  "$(run b.img 'local c = node.LFS.config; print(c.lfs_base .. " " .. c.lfs_mapped .. " " .. c.lfs_size .. " " .. c.lfs_used)')"
usedpi=$("$LFSIMG" info --json a.img | sed -n 's/.*"image_bytes": \([0-9]*\).*/\1/p')
same "node.info('lfs') is config" "$usedpi true" \
  "$(run a.img 'local c, d = node.info("lfs"), node.LFS.config
     local s = true
     for k, v in pairs(c) do s = s and d[k] == v end
     for k, v in pairs(d) do s = s and c[k] == v end
     print(c.lfs_used .. " " .. tostring(s))')"
same "node.info: other groups are an error" "false" "$(run a.img 'print((pcall(node.info, "hw")))')"

# ---- no LFS loaded -----------------------------------------------------
same "no LFS: get list time .name flashindex ROM strings lfs_used" \
  "nil${TAB}nil${TAB}nil${TAB}nil${TAB}nil${TAB}0${TAB}0" \
  "$(run --no-image 'print(node.LFS.get("greet"), node.LFS.list(), node.LFS.time, node.LFS.greet,
     node.flashindex("greet"), #debug.getstrings("ROM"), node.LFS.config.lfs_used)')"

# ---- debug.getstrings('ROM'): the ROstrt, sorted -------------------------
"$LFSIMG" strings a.img | LC_ALL=C sort > want.strings
# the same strings, escaped as lfsimg strings does; the order is checked in Lua
run a.img 'local t = debug.getstrings("ROM")
  for i = 2, #t do assert(t[i - 1] < t[i], "not sorted") end
  local esc = { ["\""] = "\\\"", ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
  for _, s in ipairs(t) do
    print("\"" .. s:gsub("[%z\1-\31\"\\\127-\255]", function(c)
      return esc[c] or string.format("\\%03d", c:byte()) end) .. "\"")
  end' | LC_ALL=C sort > got.strings
if [ -s want.strings ] && cmp -s want.strings got.strings; then ok; else
  bad "getstrings('ROM') = lfsimg strings"; diff want.strings got.strings | head -5; fi
same "getstrings: RAM is empty on the host; bad kind" "0${TAB}false" \
  "$(run a.img 'print(#debug.getstrings(), (pcall(debug.getstrings, "XYZ")))')"

# ---- _init conventions -------------------------------------------------
same "_init installs LFS and the loader; require finds LFS modules once" \
  "counter loaded
hello w${TAB}hello v${TAB}1600000000${TAB}3${TAB}1${TAB}2${TAB}false" \
  "$(run a.img 'node.LFS._init()
     local c1, c2 = require("counter"), require("counter")
     print(require("greet").hello("w"), LFS.greet().hello("v"), LFS._time, #LFS._list,
           c1(), c2(), (pcall(function() LFS.x = 1 end)))')"
same "require: a name in neither the file system nor LFS" "true" \
  "$(run a.img 'node.LFS._init(); local ok, e = pcall(require, "nope")
     print(not ok and e:find("no module .nope. in LFS") ~= nil)')"

# ---- reload ------------------------------------------------------------
same "reload of a valid image: nothing returned, the new image answers" \
  "0${TAB}greet,v2${TAB}1600000001${TAB}1076035584${TAB}version two${TAB}true" \
  "$(run a.img 'local n = select("#", node.LFS.reload("b.img"))
     print(n, table.concat(node.LFS.list(), ","), node.LFS.time, node.LFS.config.lfs_mapped,
           node.LFS.v2(), #debug.getstrings("ROM") > 0)')"
same "flashreload is reload; from no LFS" "nil${TAB}greet,v2" \
  "$(run --no-image 'print(node.flashreload("b.img"), table.concat(node.LFS.list(), ","))')"
head -c 200 b.img > trunc.img
dd if=b.img of=flip.img bs=1 count=100 2> /dev/null
printf '\377' >> flip.img
dd if=b.img bs=1 skip=101 2> /dev/null >> flip.img
same "reload of an invalid image: the verifier's message, old image kept" \
  "string${TAB}true${TAB}_init,counter,greet" \
  "$(run a.img 'local e = node.LFS.reload("flip.img")
     print(type(e), e:find("flip.img", 1, true) ~= nil, table.concat(node.LFS.list(), ","))')"
verdict=$("$LFSIMG" verify flip.img | grep -m1 error: | sed 's/.*error: //')
msg=$(run a.img 'io.write(node.LFS.reload("flip.img"))')
case $msg in *"$verdict"*) ok ;; *) bad "reload message is the verifier's ($verdict): $msg" ;; esac
same "reload of a missing file" "true" \
  "$(run a.img 'print(node.LFS.reload("missing.img"):find("cannot open") ~= nil)')"

# ---- variants ----------------------------------------------------------
out=$("$LFSIMG" run i.img -e 'print(node.LFS.greet().hello("i")); node.LFS.reload("i.img")' 2> err)
same "int image loads" "hello i" "$out"
same "int image: one note on stderr" "1" "$(grep -c 'integer-firmware image' err)"
same "float16 image loads, no note" "hello h" "$(run h.img 'print(node.LFS.greet().hello("h"))')"

# ---- malformed images are errors, not crashes --------------------------
: > empty.img
head -c 3000 /dev/urandom > random.img 2> /dev/null || printf 'not an image' > random.img
for img in empty.img trunc.img flip.img random.img "$CONF/float/multi.pi.m8192.fail.img" missing.img; do
  [ -e "$img" ] || [ "$img" = missing.img ] || continue
  "$LFSIMG" run "$img" -e 'print("ran")' > out 2> err < /dev/null
  rc=$?
  if [ $rc -eq 1 ] && [ ! -s out ] && grep -q "^lfsimg: .*$(basename "$img")" err; then ok
  else bad "malformed $img: exit $rc, $(cat out err)"; fi
done

# ---- lfsimg run's command line -----------------------------------------
cat > s.lua <<'EOS'
print(arg[0], arg[1], arg[2], arg[-1] ~= nil, select("#", ...), ...)
EOS
same "script, arg table and varargs" "s.lua${TAB}x${TAB}y${TAB}true${TAB}2${TAB}x${TAB}y" \
  "$("$LFSIMG" run a.img s.lua x y)"
same "script from stdin (-)" "hi${TAB}0" "$(echo 'print("hi", select("#", ...))' | "$LFSIMG" run a.img -)"
printf 'local x = 1\nerror("boom " .. x)\n' > fail.lua
"$LFSIMG" run a.img fail.lua > out 2> err; rc=$?
same "failing script: exit 1, error and traceback on stderr" "1 lfsimg: fail.lua:2: boom 1 1" \
  "$rc $(head -1 err) $(grep -c 'stack traceback' err)"
mkdir mocks && printf 'tmr = { time = function() return 42 end }\n' > mocks/mock_tmr.lua
same "-l a mocks module from the host's LUA_PATH (--host-path), then -e in order" "42" \
  "$(LUA_PATH="$T/mocks/?.lua" "$LFSIMG" run --host-path a.img -l mock_tmr -e 'print(tmr.time())')"
same "without --host-path the host's LUA_PATH is not searched" "not found" \
  "$(LUA_PATH="$T/mocks/?.lua" "$LFSIMG" run a.img -l mock_tmr 2>&1 | grep -o "not found")"
same "--mocks FILE runs first" "42" \
  "$("$LFSIMG" run --mocks mocks/mock_tmr.lua a.img -e 'print(tmr.time())')"
same "-i after a script reads statements (no terminal: no prompts)" "s.lua${TAB}nil${TAB}nil${TAB}true${TAB}0
2" "$(echo '=1+1' | "$LFSIMG" run a.img -i s.lua)"
"$LFSIMG" run a.img -x > out 2> err; rc=$?
same "unknown option: usage error" "2 1" "$rc $(grep -c 'unknown option' err)"
same "-e error: exit 1" "1" "$("$LFSIMG" run a.img -e 'error("x")' > /dev/null 2>&1; echo $?)"

# ---- the REPL without a terminal ---------------------------------------
printf 'function f(a)\n  return a * 2\nend\n=f(21)\nerror("oops")\n=node.LFS.greet().hello("r")\n' |
  "$LFSIMG" run a.img > out 2> err; rc=$?
same "piped REPL: continuation, =expr, errors do not stop it" "42
hello r" "$(cat out)"
same "piped REPL: a failed statement makes the exit status 1" "1 1" \
  "$rc $(grep -c '^lfsimg: stdin:1: oops' err)"
same "piped REPL: all good, exit 0" "0" "$(echo '=1' | "$LFSIMG" run a.img > /dev/null; echo $?)"

# ---- luac.cross -e and -F ----------------------------------------------
printf 'print("building", 6 * 7)\n' > prints.lua
same "-e a script that prints, then compiles the files" "building${TAB}42
greet" "$("$LUAC" -e prints.lua -f -o e1.img greet.lua | grep -v 'Image size'; "$LFSIMG" list e1.img)"
printf 'print("side effect")\n' > only.lua
rm -f luac.out
same "-e without files: runs, no output file" "side effect 0 no" \
  "$("$LUAC" -e only.lua | tr '\n' ' '; echo "$?") $([ -e luac.out ] && echo yes || echo no)"
printf 'local t = {}\nlocal x = 1\nt.a.b = x\n' > boom.lua
echo keep > e2.img
"$LUAC" -e boom.lua -f -o e2.img greet.lua > out 2> err; rc=$?
case "$(head -1 err)" in
  *"luac.cross: boom.lua:3: attempt to index field 'a' (a nil value)") ok ;;
  *) bad "-e failure message: $(head -1 err)" ;;
esac
same "-e failure: exit 1, traceback, output untouched" "1 1 keep" \
  "$rc $(grep -c 'stack traceback' err) $(cat e2.img)"
cat > gen.lua <<'EOS'
-- generated at build time: a module whose source is computed here
return loadstring("return 'generated ' .. " .. 6 * 7, "@gen.lua")
EOS
"$LUAC" -e gen.lua -f -o e3.img greet.lua > /dev/null
same "-e returning a function: it is the image's first module" "gen
greet" "$("$LFSIMG" list e3.img)"
same "the generated module runs" "generated 42" "$(run e3.img 'print(node.LFS.gen())')"
printf 'local up = 1\nreturn function() return up end\n' > upval.lua
"$LUAC" -e upval.lua -f -o e4.img greet.lua > out 2> err; rc=$?
same "-e returning a closure with upvalues: refused, no output" "1 1 no" \
  "$rc $(grep -c 'upval.lua: .*upvalue' err) $([ -e e4.img ] && echo yes || echo no)"
printf 'local g = node.LFS.get("greet")\nprint("from image", g().hello("F"))\nreturn g\n' > withf.lua
same "-F: the script sees the image's LFS; an LFS module can be re-compiled" "from image${TAB}hello F
greet
v2" "$("$LUAC" -F b.img -e withf.lua -f -o e5.img v2.lua | grep -v 'Image size'; "$LFSIMG" list e5.img)"
same "-F without -e: the image is checked" "1" \
  "$("$LUAC" -F flip.img -p greet.lua > /dev/null 2>&1; echo $?)"
same "-e without LFS: no LFS loaded" "nil" \
  "$(printf 'print(node.LFS.time)\n' > nolfs.lua; "$LUAC" -e nolfs.lua)"
same "-e needs an argument: usage error" "2 1" \
  "$("$LUAC" -e > /dev/null 2> err; echo $?) $(grep -c "'-e' needs argument" err)"

tally_end 52
