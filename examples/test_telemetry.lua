-- Unit tests for the telemetry module, run on the host against the very
-- image that goes to the device:
--   luac.cross -f -o lfs.img examples/lfs/*.lua
--   lfsimg run lfs.img examples/test_telemetry.lua   # exit status 1 on failure
tmr = { time = function() return 12 end }       -- mock what the firmware provides
node.heap = function() return 30000 end

node.LFS._init()                                -- the image's own boot code
local telemetry = require "telemetry"           -- found in LFS by _init's searcher

local passed, failed = 0, 0
local function check(name, got, want)
  if got == want then passed = passed + 1 else
    failed = failed + 1
    print(("FAIL %s: got %s, want %s"):format(name, tostring(got), tostring(want)))
  end
end

check("line sorts keys", telemetry.line({ b = 2, a = "x" }), '{"a":"x","b":2}')
check("line of nothing", telemetry.line({}), "{}")
local printed
local real_print = print
print = function(s) printed = s end
telemetry.report({ temp = function() return 21 end })
print = real_print
check("report", printed, '{"heap":30000,"temp":21,"uptime":12}')

print(("%d passed, %d failed"):format(passed, failed))
if failed > 0 then error("telemetry tests failed", 0) end
