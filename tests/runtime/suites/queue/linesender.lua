-- Buffer incoming socket data into lines and send replies one chunk per
-- "sent" event, the way a NodeMCU telnet or HTTP handler has to.
local fifo = require("fifo")

local M = {}

function M.attach(sock, handler)
  local pending, busy, partial = fifo.new(), false, ""
  local function send_next()
    local chunk = pending:pop()
    busy = chunk ~= nil
    if chunk then sock:send(chunk) end
  end
  sock:on("sent", send_next)
  sock:on("receive", function(_, data)
    partial = partial .. data
    while true do
      local line, rest = partial:match("^([^\n]*)\n(.*)$")
      if not line then break end
      partial = rest
      local reply = handler((line:gsub("\r$", "")))
      if reply then
        for i = 1, #reply, 16 do pending:push(reply:sub(i, i + 15)) end
      end
    end
    if not busy then send_next() end
  end)
  return {queued = function() return pending:size() end}
end

return M
