-- Host test of examples/lfs/_init.lua, the image's own boot code, run as the
-- device runs it: node.LFS.get("_init")(). Without the deprecated names, to
-- show that _init needs only the current node.LFS API.
--   lfsimg run lfs.img examples/test_init.lua            (exit 1 on failure)
--   luac.cross -F lfs.img -e examples/test_init.lua -p x.lua
node.flashindex, node.flashreload = nil, nil

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then passed = passed + 1 else
    failed = failed + 1
    print("FAIL " .. name .. (detail and (": " .. tostring(detail)) or ""))
  end
end

check("no LFS global before _init", LFS == nil)
local init = node.LFS.get("_init")
check("_init is in the image", type(init) == "function")
init()

-- The global LFS
check("LFS.<module> is the module's function", type(LFS.telemetry) == "function")
check("LFS.<unknown> is nil", LFS.no_such_module == nil)
check("LFS[non-string] is nil", LFS[42] == nil)
local names, want = LFS._list, node.LFS.list()
check("LFS._list is node.LFS.list()", table.concat(names, ",") == table.concat(want, ","),
      table.concat(names, ","))
check("LFS._list holds _init", names[1] == "_init", names[1])
check("LFS._time is node.LFS.time", LFS._time == node.LFS.time and LFS._time > 0, LFS._time)
check("LFS._config: bytes used", LFS._config.lfs_used == node.LFS.config.lfs_used
      and LFS._config.lfs_used > 0, LFS._config.lfs_used)
local ok, err = pcall(function() LFS.telemetry = {} end)
check("LFS is read-only", not ok and err:find("read-only", 1, true), err)
check("a failed write leaves the module", type(LFS.telemetry) == "function")

-- require: LFS modules, after those of the file system
local t = require "telemetry"
check("require finds an LFS module", type(t) == "table" and type(t.line) == "function")
check("require caches it", require "telemetry" == t)
ok, err = pcall(require, "no_such_module")
check("require of a missing module names LFS", not ok and err:find("no module 'no_such_module' in LFS", 1, true), err)

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir " .. dir) == 0)
local f = assert(io.open(dir .. "/blink.lua", "w"))
f:write('return "from the file system"\n')
f:close()
package.path = dir .. "/?.lua;" .. package.path
check("a file-system module comes before LFS", require "blink" == "from the file system")
os.remove(dir .. "/blink.lua")
os.remove(dir)

print(("%d passed, %d failed"):format(passed, failed))
if failed > 0 then error("_init tests failed", 0) end
