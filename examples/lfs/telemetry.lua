-- telemetry.lua: format sensor readings as a compact JSON-like line.
local M = {}
local fmt, concat = string.format, table.concat

local function field(k, v)
  if type(v) == "number" then return fmt('"%s":%d', k, v) end
  return fmt('"%s":"%s"', k, tostring(v))
end

function M.line(readings)
  local parts, keys = {}, {}
  for k in pairs(readings) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do parts[i] = field(k, readings[k]) end
  return "{" .. concat(parts, ",") .. "}"
end

function M.report(sensors)
  local r = { uptime = tmr.time(), heap = node.heap() }
  for name, read in pairs(sensors) do r[name] = read() end
  print(M.line(r))
end

return M
