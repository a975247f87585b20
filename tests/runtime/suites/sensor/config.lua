-- key=value settings from a file on the device's file system, with
-- defaults and numbers converted; unknown keys are reported.
local M = {defaults = {interval = 60, pin = 3, name = "sensor"}}

function M.load(path)
  local cfg, unknown = {}, {}
  for k, v in pairs(M.defaults) do cfg[k] = v end
  local f = file.open(path, "r")
  if not f then return cfg, unknown end
  for line in function() return f:readline() end do
    line = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
    local k, v = line:match("^([%w_]+)%s*=%s*(.*)$")
    if k and M.defaults[k] ~= nil then
      cfg[k] = type(M.defaults[k]) == "number" and tonumber(v) or v
    elseif k then
      unknown[#unknown + 1] = k
    end
  end
  f:close()
  return cfg, unknown
end

return M
