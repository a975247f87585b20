#!/bin/sh
# The Lua 5.3 host runtime through its test driver, on modules luac5.3
# compiles: NodeMCU's LFS API (each entry with and without an LFS, unknown
# names), _init and require across modules, _ENV, 5.3 numbers, reload
# (also from a coroutine), malformed chunks, the number-model note for
# each variant, lfsimg run's command line and exit status, the piped
# REPL, luac.cross -e (the returned function as a stock chunk), C modules
# refused, and the 5.1 and the 5.3 VM in one process.
# usage: api.sh DRIVER53 LUAC53 LUAC_CROSS LFSIMG
set -u
. "$(dirname "$0")/../lib/tally.sh"
D=$1 LUAC53=$2 LUAC=$3 LFSIMG=$4
command -v "$LUAC53" > /dev/null 2>&1 || { echo "luac5.3 not installed"; exit 77; }
case $D in /*) ;; *) D=$PWD/$D ;; esac
case $LUAC in /*) ;; *) LUAC=$PWD/$LUAC ;; esac
case $LFSIMG in /*) ;; *) LFSIMG=$PWD/$LFSIMG ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
cd "$T" && cp "$HERE"/lua/*.lua . || exit 1
pass=0 fail=0
TAB=$(printf '\t')

same() {
  if [ "$2" = "$3" ]; then ok; else bad "$1"; echo "  want: $2"; echo "  got:  $3"; fi
}
for f in *.lua; do "$LUAC53" -o "${f%.lua}.luac" "$f" || { echo "luac5.3 failed on $f"; exit 1; }; done
"$LUAC" -f -o a51.img greet.lua counter.lua > /dev/null || { echo "luac.cross -f failed"; exit 1; }
# the image: modules out of name order, so that list() must sort
A="uses.luac greet.luac _init.luac counter.luac num.luac envmod.luac"
# run [DRIVER OPTIONS...] -- STAT: stdout and stderr of one -e statement on image A
run() {
  opts=""
  while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
  shift
  # shellcheck disable=SC2086
  "$D" $opts $A -- -e "$1" 2>&1 < /dev/null
}

# ---- node.LFS.get / node.flashindex ------------------------------------
same "get: a module, an unknown name" "function${TAB}nil${TAB}hello x" \
  "$(run -- 'print(type(node.LFS.get("greet")), node.LFS.get("nope"), node.LFS.get("greet")().hello("x"))')"
same "flashindex is get" "function${TAB}nil" \
  "$(run -- 'print(type(node.flashindex("greet")), node.flashindex("nope"))')"
same "LFS.<name>: module, unknown, non-string key" "function${TAB}nil${TAB}nil${TAB}hello y" \
  "$(run -- 'print(type(node.LFS.greet), node.LFS.nope, node.LFS[1], node.LFS.greet().hello("y"))')"
same "each get makes a fresh closure over the module" "false${TAB}1${TAB}1" \
  "$(run -- 'local a, b = node.LFS.counter, node.LFS.counter; print(a == b, a()(), b()())' | grep -v loaded)"
same "node.LFS is read-only" "false" "$(run -- 'print((pcall(function() node.LFS.x = 1 end)))')"
same "get: a non-string name is an error" "false" "$(run -- 'print((pcall(node.LFS.get)))')"

# ---- list, time, config, info ------------------------------------------
same "list: sorted names" "_init,counter,envmod,greet,num,uses" \
  "$(run -- 'print(table.concat(node.LFS.list(), ","))')"
same "list: a fresh table each call" "false" "$(run -- 'print(node.LFS.list() == node.LFS.list())')"
same "time: the image's, an integer" "1600000000${TAB}integer" \
  "$(run --time 1600000000 -- 'print(node.LFS.time, math.type(node.LFS.time))')"
same "config: the image's numbers, integers" "1 2 3 4 integer" \
  "$(run --config 1,2,3,4 -- 'local c = node.LFS.config
     print(c.lfs_base .. " " .. c.lfs_mapped .. " " .. c.lfs_size .. " " .. c.lfs_used .. " " .. math.type(c.lfs_used))')"
same "node.info('lfs') is config" "4096 true" \
  "$(run -- 'local c, d = node.info("lfs"), node.LFS.config
     local s = true
     for k, v in pairs(c) do s = s and d[k] == v end
     for k, v in pairs(d) do s = s and c[k] == v end
     print(c.lfs_used .. " " .. tostring(s))')"
same "node.info: other groups are an error" "false" "$(run -- 'print((pcall(node.info, "hw")))')"

# ---- no LFS loaded -----------------------------------------------------
same "no LFS: get list time .name flashindex ROM strings config" \
  "nil${TAB}nil${TAB}nil${TAB}nil${TAB}nil${TAB}0${TAB}589824 1076428800 262144 0" \
  "$("$D" --no-lfs -- -e 'local c = node.LFS.config
     print(node.LFS.get("greet"), node.LFS.list(), node.LFS.time, node.LFS.greet,
     node.flashindex("greet"), #debug.getstrings("ROM"),
     c.lfs_base .. " " .. c.lfs_mapped .. " " .. c.lfs_size .. " " .. c.lfs_used)' 2>&1)"

cfg='local c = node.info("lfs"); print(c.lfs_base, c.lfs_mapped, c.lfs_size, c.lfs_used)'
same "lfsc_runtime53_config: the 5.1 runtime's numbers, with and without an image" \
  "$("$LFSIMG" run --no-image -e "$cfg" 2>&1)
$("$LFSIMG" run a51.img -e "$cfg" 2>&1)" \
  "$("$D" --used 0 --no-lfs -- -e "$cfg" 2>&1)
$("$D" --used "$("$LFSIMG" info --json a51.img | sed -n 's/.*"image_bytes": \([0-9]*\).*/\1/p')" greet.luac -- -e "$cfg" 2>&1)"

# ---- debug.getstrings ----------------------------------------------------
same "getstrings('ROM'): the image's strings, sorted" "_ENV,greet,hello,zz" \
  "$(run --string zz --string hello --string _ENV --string greet -- \
     'print(table.concat(debug.getstrings("ROM"), ","))')"
same "getstrings: RAM is empty on the host; bad kind" "0${TAB}false" \
  "$(run -- 'print(#debug.getstrings(), (pcall(debug.getstrings, "XYZ")))')"

# ---- _init, require, _ENV, 5.3 numbers -----------------------------------
same "_init installs LFS and the searcher; require finds LFS modules once" \
  "counter loaded
hello w${TAB}hello v${TAB}1700000000${TAB}6${TAB}1${TAB}2${TAB}false" \
  "$(run -- 'node.LFS._init()
     local c1, c2 = require("counter"), require("counter")
     print(require("greet").hello("w"), LFS.greet().hello("v"), LFS._time, #LFS._list,
           c1(), c2(), (pcall(function() LFS.x = 1 end)))')"
same "a module that requires others" "counter loaded
hello u!${TAB}1${TAB}2" \
  "$(run -- 'node.LFS._init(); local u = require("uses"); print(u.twice("u"), u.count(), require("counter")())')"
same "require: a name in neither the file system nor LFS" "true" \
  "$(run -- 'node.LFS._init(); local ok, e = pcall(require, "nope")
     print(not ok and e:find("no module .nope. in LFS") ~= nil)')"
same "a module's _ENV is the globals" "42${TAB}true" \
  "$(run -- 'SEEN = 42; local f = node.LFS.envmod
     print(f(), debug.getupvalue(f, 1) == "_ENV" and select(2, debug.getupvalue(f, 1)) == _G)')"
same "5.3 numbers: //, /, <<, &, math.type, wrap-around" \
  "3${TAB}3.5${TAB}1099511627776${TAB}48${TAB}9223372036854775807${TAB}integer${TAB}float${TAB}true" \
  "$(run -- 'local n = node.LFS.num(); print(n.idiv, n.div, n.shl, n.band, n.maxint, n.itype, n.ftype, n.wrap)')"
"$LUAC53" -s -o sgreet.luac greet.lua
same "a stripped chunk (luac5.3 -s) runs too" "hello s" \
  "$("$D" sgreet.luac -- -e 'print(node.LFS.sgreet().hello("s"))' 2>&1)"

# ---- reload ------------------------------------------------------------
printf 'greet.luac\nv2.luac\ntime 1600000001\n' > b.lst
same "reload of a valid image: nothing returned, the new image answers" \
  "0${TAB}greet,v2${TAB}1600000001${TAB}version two${TAB}nil" \
  "$(run -- 'local n = select("#", node.LFS.reload("b.lst"))
     print(n, table.concat(node.LFS.list(), ","), node.LFS.time, node.LFS.v2(), node.LFS.num)')"
same "flashreload is reload; from no LFS" "nil${TAB}greet,v2" \
  "$("$D" --no-lfs -- -e 'print(node.flashreload("b.lst"), table.concat(node.LFS.list(), ","))' 2>&1)"
same "reload from a coroutine" "true${TAB}greet,v2" \
  "$(run -- 'local ok = coroutine.wrap(function() node.LFS.reload("b.lst"); return true end)()
     print(ok, table.concat(node.LFS.list(), ","))')"
head -c 40 greet.luac > trunc.luac
printf 'greet.luac\ntrunc.luac\n' > bad.lst
same "reload of an invalid image: a message naming it and the chunk, old image kept" \
  "string${TAB}true${TAB}true${TAB}_init,counter,envmod,greet,num,uses" \
  "$(run -- 'local e = node.LFS.reload("bad.lst")
     print(type(e), e:find("bad.lst", 1, true) ~= nil, e:find("trunc", 1, true) ~= nil,
           table.concat(node.LFS.list(), ","))')"
same "reload of a missing file" "true" \
  "$(run -- 'print(node.LFS.reload("missing.lst"):find("cannot open") ~= nil)')"

# ---- malformed modules are errors, not crashes ---------------------------
luac5.1 -o g51.luac greet.lua 2> /dev/null || printf '\033LuaQ\000\001\004\010\004\010\000' > g51.luac
head -c 3000 /dev/urandom > random.luac 2> /dev/null || printf 'not a chunk' > random.luac
: > empty.luac
for m in trunc.luac g51.luac random.luac empty.luac greet.lua; do
  "$D" --image my.img "$m" -- -e 'print("ran")' > out 2> err < /dev/null
  rc=$?
  if [ $rc -eq 1 ] && [ ! -s out ] && grep -q "^driver53: my.img: module '${m%.*}': " err; then ok
  else bad "malformed $m: exit $rc, $(cat out err)"; fi
done
same "a text chunk: lua_load's message" "1" \
  "$("$D" greet.lua -- -e '' 2>&1 | grep -c 'attempt to load a text chunk')"
"$D" greet.luac greet=counter.luac -- -e 'print("ran")' > out 2> err
same "two modules of one name" "1 1" "$? $(grep -c "two modules are named 'greet'" err)"

# ---- the number-model note ---------------------------------------------
for v in 5.3-int32-singlefp:1:1 5.3-int32-doublefp:1:0 5.3-int64-singlefp:0:1 5.3-int64-doublefp:0:0; do
  name=${v%%:*} rest=${v#*:}
  out=$("$D" --variant "$name" --image i.img greet.luac -- \
    -e 'print(node.LFS.greet().hello("i")); node.LFS.reload("b.lst")' 2> err)
  got="$out $(grep -c '^driver53: note: i.img is' err) $(grep -c '64-bit integers' err) $(grep -c 'single precision' err)"
  same "variant $name: runs, one note at most" "hello i $(( ${rest%:*} | ${rest#*:} )) ${rest%:*} ${rest#*:}" "$got"
done

# ---- lfsimg run's command line -----------------------------------------
cat > s.lua <<'EOS'
print(arg[0], arg[1], arg[2], arg[-1] ~= nil, select("#", ...), ...)
EOS
same "script, arg table and varargs" "s.lua${TAB}x${TAB}y${TAB}true${TAB}2${TAB}x${TAB}y" \
  "$("$D" greet.luac -- s.lua x y)"
same "script from stdin (-)" "hi${TAB}0" "$(echo 'print("hi", select("#", ...))' | "$D" greet.luac -- -)"
printf 'local x = 1\nerror("boom " .. x)\n' > fail.lua
"$D" greet.luac -- fail.lua > out 2> err; rc=$?
same "failing script: exit 1, error and traceback on stderr" "1 driver53: fail.lua:2: boom 1 1" \
  "$rc $(head -1 err) $(grep -c 'stack traceback' err)"
printf 'error(setmetatable({}, {__tostring = function() return "custom" end}))\n' > obj.lua
same "error objects: __tostring, else the type" "driver53: custom
driver53: (error object is a table value)" \
  "$("$D" greet.luac -- obj.lua 2>&1; "$D" greet.luac -- -e 'error({})' 2>&1 | head -1)"
mkdir mocks && printf 'tmr = { time = function() return 42 end }\nreturn "mocked"\n' > mocks/mock_tmr.lua
same "-l a mocks module (lua5.3: its global set), then -e in order" "42${TAB}mocked" \
  "$(cd mocks && "$D" ../greet.luac -- -l mock_tmr -e 'print(tmr.time(), mock_tmr)')"
same "-i after a script reads statements (no terminal: no prompts)" "s.lua${TAB}nil${TAB}nil${TAB}true${TAB}0
2" "$(echo '=1+1' | "$D" greet.luac -- -i s.lua)"
same "-e error: exit 1" "1" "$("$D" greet.luac -- -e 'error("x")' > /dev/null 2>&1; echo $?)"
same "-e syntax error: exit 1, the 5.3 message" "1 driver53: (command line):1: unexpected symbol near <eof>" \
  "$("$D" greet.luac -- -e 'x =' > /dev/null 2> err; echo $?) $(head -1 err)"
same "a missing script: exit 1" "1 1" \
  "$("$D" greet.luac -- nosuch.lua > /dev/null 2> err; echo $?) $(grep -c 'cannot open nosuch.lua' err)"

# ---- the REPL without a terminal ---------------------------------------
printf 'function f(a)\n  return a * 2\nend\n=f(21)\nf(4) + 1\nerror("oops")\nnode.LFS.greet().hello("r")\n' |
  "$D" $A > out 2> err; rc=$?
same "piped REPL: continuation, =expr, expressions print, errors do not stop it" "42
9
hello r" "$(cat out)"
same "piped REPL: a failed statement makes the exit status 1" "1 1" \
  "$rc $(grep -c '^driver53: stdin:1: oops' err)"
same "piped REPL: an incomplete statement at the end is an error" "1 1" \
  "$(printf 'for i = 1, 2 do\n' | "$D" greet.luac > /dev/null 2> err; echo $?) $(grep -c "'end' expected near <eof>" err)"
same "piped REPL: all good, exit 0" "0" "$(echo '=1' | "$D" greet.luac > /dev/null; echo $?)"

# ---- luac.cross -e: the function a script returns ----------------------
printf 'print("building", 6 * 7)\n' > prints.lua
same "-e a script that prints: no function, no output" "building${TAB}42 0 no" \
  "$("$D" --exec prints.lua e0.luac | tr '\n' ' '; echo "$?") $([ -e e0.luac ] && echo yes || echo no)"
printf 'return load("return \\"generated \\" .. " .. 6 * 7, "=gen")\n' > gen.lua
"$D" --exec gen.lua gen.luac > /dev/null 2>&1
same "-e returning a function: a stock 5.3 chunk that lua5.3 runs" "generated 42" \
  "$(lua5.3 -e 'print(dofile("gen.luac"))' 2>&1)"
same "the generated chunk as an LFS module" "generated 42" \
  "$("$D" gen.luac -- -e 'print(node.LFS.gen())' 2>&1)"
printf 'local up = 1\nreturn function() return up end\n' > upval.lua
"$D" --exec upval.lua e4.luac > out 2> err; rc=$?
same "-e returning a closure with upvalues: refused, no output" "1 1 no" \
  "$rc $(grep -c 'upval.lua: .*1 upvalue (locals of the script)' err) $([ -e e4.luac ] && echo yes || echo no)"
printf 'local _ENV = {}\nreturn function() return x end\n' > ownenv.lua
same "-e returning a function over an _ENV of its own: refused" "1 1" \
  "$("$D" --exec ownenv.lua e8.luac > /dev/null 2> err; echo $?) $(grep -c '1 upvalue' err)"
printf 'local f = load("return 7")\nreturn load(string.dump(f, true))\n' > stripped.lua
"$D" --exec stripped.lua e9.luac > /dev/null 2>&1
same "-e returning a stripped function: kept" "7" "$(lua5.3 -e 'print(dofile("e9.luac"))' 2>&1)"
printf 'return print\n' > cfn.lua
same "-e returning a C function: refused" "1 1" \
  "$("$D" --exec cfn.lua e5.luac > /dev/null 2> err; echo $?) $(grep -c 'C function' err)"
printf 'local t = {}\nlocal x = 1\nt.a.b = x\n' > boom.lua
"$D" --exec boom.lua e6.luac > out 2> err; rc=$?
case "$(head -1 err)" in
  "driver53: boom.lua:3: attempt to index a nil value (field 'a')") ok ;;
  *) bad "-e failure message: $(head -1 err)" ;;
esac
same "-e failure: exit 1, traceback" "1 1" "$rc $(grep -c 'stack traceback' err)"
printf 'local g = node.LFS.get("greet")\nprint("from image", g().hello("F"))\nreturn g\n' > withf.lua
"$D" greet.luac --exec withf.lua e7.luac > out 2>&1
same "-F: the script sees the LFS; an LFS module comes back as a chunk" "from image${TAB}hello F
hello again" "$(cat out; lua5.3 -e 'print(dofile("e7.luac").hello("again"))' 2>&1)"

# ---- C modules -----------------------------------------------------------
same "C modules are refused: require and package.loadlib" "true${TAB}nil${TAB}absent" \
  "$(run -- 'local ok, e = pcall(require, "lfs")
     local f, m, w = package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "puts")
     print(not ok and e:find("no C module .lfs.") ~= nil, f, w)')"

# ---- one process, both VMs -----------------------------------------------
"$LUAC" -f -o g51.img greet.lua > /dev/null 2>&1 || bad "luac.cross -f"
same "the 5.1 runtime, then the 5.3 runtime, in one process" \
  "Lua 5.1${TAB}hello 5.1${TAB}3.5
Lua 5.3${TAB}hello 5.3${TAB}3" \
  "$("$D" --lfs51 g51.img 'print(_VERSION, node.LFS.greet().hello("5.1"), 7 / 2)' greet.luac \
     -- -e 'print(_VERSION, node.LFS.greet().hello("5.3"), 7 // 2)' 2>&1)"
same "the same binary, the 5.1 runtime alone" "Lua 5.1${TAB}greet" \
  "$("$D" --lfs51 g51.img 'print(_VERSION, table.concat(node.LFS.list()))' --no-lfs -- -e '' 2>&1)"

tally_end 55
