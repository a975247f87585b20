-- An overlay module in four pieces: luac.cross --embed --split compiles
-- each piece separately; run in order they behave as this whole file.
local function say(...)           -- local to the first piece
  print("main", ...)
end
say("line", debug.getinfo(1, "l").currentline)
counter = 1
--[[SPLIT connect]]
counter = counter + 1
print("connect", counter, debug.getinfo(1, "l").currentline)
function greet(who)
  return "hello " .. who
end
  --[[SPLIT serve]] print("serve, on the marker's line", debug.getinfo(1, "l").currentline)
-- a comment: --[[SPLIT x]] is a marker only at the start of a line,
-- so neither this line nor the string in the last piece starts a piece
counter = counter * 10
print(greet("serve"), counter, debug.getinfo(1, "l").currentline)
--[[SPLIT done]]
print("done", counter, debug.getinfo(1, "l").currentline)
local ok, err = pcall(function() error("boom") end)
print(ok, err)
print("not a marker: --[[SPLIT fake]]")
