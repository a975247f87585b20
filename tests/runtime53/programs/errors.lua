-- errors: levels, objects, handlers, assert, tostring of errors
local function lvl1() error("at level 1") end
local function lvl2() error("at level 2", 2) end
local function lvl0() error("no position", 0) end
print(pcall(lvl1)); print(pcall(lvl2)); print(pcall(lvl0))
print(pcall(error)); print(pcall(error, nil)); print(pcall(error, {code = 7}))
print(select(2, pcall(error, setmetatable({}, {__tostring = function() return "E!" end}))) ~= nil)
print(xpcall(function() local x = nil; return x.field end, function(m) return "handled: " .. m end))
print(xpcall(function(a, b) return a + b end, print, 2, 3))
print(pcall(assert, false)); print(pcall(assert, nil, "custom")); print(pcall(assert, 1, 2))
print(pcall(function() return 1 + {} end))
print(pcall(function() return #5 end))
print(pcall(function() return ("x")() end))
print(pcall(function() local t = setmetatable({}, {__index = function() error("deep", 2) end}); return t.x end))
print(pcall(string.rep))
print(pcall(setmetatable, 1, {}))
print(string.format("%s", select(2, pcall(function() return math.maxinteger // 0 end))))
