-- metatables: 5.3's events on tables and the order they are consulted
local log = {}
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__eq = function(a, b) log[#log + 1] = "eq"; return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__len = function(a) return a.x end
V.__concat = function(a, b)
  return (type(a) == "table" and "V" .. a.x or a) .. (type(b) == "table" and "V" .. b.x or b)
end
V.__call = function(self, y) return self.x * y end
V.__tostring = function(self) return "V(" .. self.x .. ")" end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
V.__pairs = function(t) return function(_, k) if not k then return "only", t.x end end, t, nil end
local function new(x) return setmetatable({x = x}, V) end
local a, b = new(1), new(2)
print(tostring(a + b), a == new(1), a ~= b, a < b, a <= b, b > a, #b, a .. "!", "!" .. b, a(10), tostring(-a))
for k, v in pairs(b) do print("pairs", k, v) end
print(table.concat(log, ","), rawequal(a, new(1)), rawlen({1, 2}), rawget(a, "y"))
local proxy = setmetatable({}, {__index = function(_, k) return k .. "?" end,
  __newindex = function(t, k, v) rawset(t, k, v * 2) end})
proxy.n = 21
print(proxy.n, proxy.missing)
local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = "found"}})})
print(chain.deep, getmetatable("").__index == string, ("x"):upper())
local gc = setmetatable({}, {__gc = function() end, __mode = "k", __metatable = "locked"})
print(getmetatable(gc), pcall(setmetatable, gc, {}))
