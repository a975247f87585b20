-- A first-in first-out queue with a consumer callback, as network code on
-- NodeMCU uses to send one chunk at a time.
local fifo = {}
fifo.__index = fifo

function fifo.new()
  return setmetatable({first = 1, last = 0, items = {}}, fifo)
end

function fifo:push(v)
  self.last = self.last + 1
  self.items[self.last] = v
end

function fifo:pop()
  if self.first > self.last then return nil end
  local v = self.items[self.first]
  self.items[self.first] = nil
  self.first = self.first + 1
  return v
end

function fifo:size()
  return self.last - self.first + 1
end

-- Pop into fn until it returns false (the consumer is busy) or the queue
-- is empty; true when the queue emptied.
function fifo:drain(fn)
  while self:size() > 0 do
    if fn(self.items[self.first]) == false then return false end
    self:pop()
  end
  return true
end

return fifo
