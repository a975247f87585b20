-- envs: _ENV as an upvalue and a local, load with an environment
local print, setmetatable = print, setmetatable
x = "global x"
do
  local _ENV = {y = "local env y"}
  print(y, x)
end
local function with(env) local _ENV = env; return function() return z end end
print(with({z = 1})(), with({z = 2})())
local f = load("w = 5; return w + (v or 0)", "=chunk", "t", {v = 10})
print(f(), w)
local sandbox = setmetatable({}, {__index = _G})
local g = load("q = 'in sandbox'; return q, type(print)", "=sb", "t", sandbox)
print(g())
print(q, sandbox.q)
print(pcall(load, "return 1", "=b", "b"))
local function outer()
  local _ENV = {tostring = tostring}
  return function() return tostring(_ENV ~= nil) end
end
print(outer()())
