-- ring, from the image: the moving mean over the last N samples.
local check = require "check"
local ring = node.LFS.get("ring")()

local r = ring.new(3)
check.eq("empty: no mean", r:mean(), nil)
r:push(6)
check.eq("one sample", r:mean(), 6)
r:push(9); r:push(3)
check.eq("full", r:mean(), 6)
r:push(12)                                   -- 6 drops out
check.eq("oldest drops out", r:mean(), 8)
check.eq("count stays at the size", r.n, 3)
for _ = 1, 7 do r:push(1) end                -- wraps around twice more
check.eq("after wrapping", r:mean(), 1)
check.eq("size 0 is refused", pcall(ring.new, 0), false)
local one = ring.new(1)
one:push(5); one:push(7)
check.eq("size 1 keeps the last", one:mean(), 7)
check.done()
