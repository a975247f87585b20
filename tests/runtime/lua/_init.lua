-- _init: the LFS conventions, written against node.LFS. A global LFS whose
-- fields are the image's modules (read-only), and a package loader so that
-- require() finds LFS modules after the file system ones.
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
package.loaders[3] = function(name)
  return get(name) or ("\n\tno module '" .. name .. "' in LFS")
end
