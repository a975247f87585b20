-- _init.lua: the usual Lua Flash Store conventions, written on node.LFS.
-- Put it into the image and run it first at boot (init.lua in SPIFFS):
--   local init = node.LFS.get("_init"); if init then init() end
-- Afterwards
--   LFS.name         is the function of module `name` in LFS (nil if absent),
--   LFS._list        the sorted module names, LFS._time the image timestamp,
--   LFS._config      node.LFS.config (partition offset, size, bytes used),
--   require "name"   finds LFS modules after the file system's (so a file in
--                    SPIFFS can stand in for a module while you develop it).
-- LFS is read-only. Only the current API is used (node.LFS.get/list/time/
-- config); node.flashindex is a deprecated synonym kept for old code.
local api = node.LFS

local fields = {
  _list = function() return api.list() end,
  _time = function() return api.time end,
  _config = function() return api.config end,
}

local function lookup(_, key)
  local field = fields[key]
  if field then return field() end
  if type(key) == "string" then return api.get(key) end
end

local function refuse(_, key)
  error(("LFS is read-only (cannot set LFS.%s)"):format(tostring(key)), 2)
end

LFS = setmetatable({}, { __index = lookup, __newindex = refuse })

-- Lua 5.1's package.loaders: [1] preload, [2] Lua files, [3] C libraries
-- (none on NodeMCU), [4] all-in-one. LFS takes the C libraries' place.
package.loaders[3] = function(name)
  local fn = api.get(name)
  if fn then return fn end
  return ("\n\tno module '%s' in LFS"):format(name)
end
