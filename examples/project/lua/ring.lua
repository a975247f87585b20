-- ring.lua: the last N samples and their mean, in constant memory.
local M = {}
M.__index = M

function M.new(size)
  assert(type(size) == "number" and size >= 1, "ring size must be at least 1")
  return setmetatable({ size = size, n = 0, head = 0, sum = 0 }, M)
end

-- Add a sample; the oldest one drops out once the ring is full.
function M:push(v)
  self.head = self.head % self.size + 1
  if self.n == self.size then
    self.sum = self.sum - self[self.head]
  else
    self.n = self.n + 1
  end
  self[self.head] = v
  self.sum = self.sum + v
end

-- The mean of the samples held, or nil before the first one.
function M:mean()
  if self.n > 0 then return self.sum / self.n end
end

return M
