-- Run one module and print what it prints, then what it returns, in a
-- form that does not depend on addresses or table order. The same driver
-- runs under `lfsimg run IMG driver.lua MODULE` (the module from the image)
-- and under `lua5.1 driver.lua FILE` (the source; "-" for stdin), so the
-- two outputs must be identical.
local what = ...
local f
if node and node.LFS then
  f = node.LFS.get(what)
  assert(f, "no module " .. tostring(what))
else
  f = assert(loadfile(what ~= "-" and what or nil))
end

local seen = {}
local function show(v, indent)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t ~= "table" then
    if t == "function" or t == "userdata" or t == "thread" then return t end
    return tostring(v)
  end
  if seen[v] then return "<cycle>" end
  seen[v] = true
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then return type(a) < type(b) end
    if type(a) == "number" or type(a) == "string" then return a < b end
    return false
  end)
  local out = {}
  for _, k in ipairs(keys) do
    out[#out + 1] = indent .. "  [" .. show(k, indent .. "  ") .. "] = " .. show(v[k], indent .. "  ")
  end
  seen[v] = nil
  return "{\n" .. table.concat(out, "\n") .. "\n" .. indent .. "}"
end

local r = { pcall(f) }
print("-- returned " .. (#r - 1) .. " value(s), ok=" .. tostring(r[1]))
for i = 2, #r do print(show(r[i], "")) end
