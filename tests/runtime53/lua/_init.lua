-- _init: the LFS conventions for Lua 5.3, written against node.LFS. A
-- global LFS whose fields are the image's modules (read-only), and a
-- package searcher so that require() finds LFS modules after the file
-- system's Lua modules.
local get = node.LFS.get
LFS = setmetatable({}, {
  __index = function(_, name)
    if name == "_time" then return node.LFS.time end
    if name == "_config" then return node.LFS.config end
    if name == "_list" then return node.LFS.list() end
    return get(name)
  end,
  __newindex = function(_, name)
    error("LFS is read-only (writing LFS." .. tostring(name) .. ")", 2)
  end,
})
table.insert(package.searchers, 3, function(name)
  return get(name) or ("\n\tno module '" .. name .. "' in LFS")
end)
