-- _init.lua: make the modules in the Lua Flash Store visible to require().
-- Run once at boot (from init.lua): pcall(node.flashindex("_init")).
local index = node.flashindex

-- A searcher that finds modules in LFS before the file system is tried.
local function lfs_searcher(name)
  local fn = index(name)
  if type(fn) == "function" then return fn end
  return ("\n\tno module '%s' in LFS"):format(name)
end

table.insert(package.loaders, 2, lfs_searcher)

-- LFS.name returns the module's main function; LFS._list the names.
LFS = setmetatable({}, {
  __index = function(_, name)
    local fn, ts, names = index(name)
    if name == "_list" then return names end
    if name == "_time" then return ts end
    return fn
  end,
})
