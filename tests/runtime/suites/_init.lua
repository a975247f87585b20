-- The usual NodeMCU _init: the image's modules through package.loaders[3]
-- (on the device the C searcher there finds nothing) and an LFS global.
local index = node.LFS.get or node.flashindex
local function lfs_loader(name)
  local f = index(name)
  if type(f) == "function" then return f end
  return "\n\tno module '" .. name .. "' in LFS"
end
package.loaders = package.loaders or package.searchers
package.loaders[3] = lfs_loader
LFS = setmetatable({}, {__index = function(_, name) return index(name) end})
