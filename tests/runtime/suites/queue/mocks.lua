-- Stand-ins for the firmware's C modules: node (a new table, as mocks
-- often make), tmr with a manual clock, net sockets that record what was
-- sent and fire "sent" when told.
node = {heap = function() return 38000 end, chipid = function() return 0x1234 end}

local clock = 0
tmr = {now = function() return clock end, advance = function(ms) clock = clock + ms end}

net = {}
function net.socket()
  local s = {sent = {}, handlers = {}}
  function s:on(event, fn) self.handlers[event] = fn end
  function s:send(data) self.sent[#self.sent + 1] = data end
  function s:fire(event, ...) local h = self.handlers[event]; if h then h(self, ...) end end
  return s
end
