-- Tests of fifo and linesender, run from sources (lua5.x) or from an
-- image (lfsimg run --mocks mocks.lua IMG tests.lua): the same output.
local t = require("testlib")
if node.LFS and node.LFS.get("_init") then
  node.LFS.get("_init")()
  print("# modules from LFS: " .. tostring(node.LFS.get("fifo") ~= nil))
end
local fifo = require("fifo")
local linesender = require("linesender")

t.test("fifo keeps order", function()
  local q = fifo.new()
  for i = 1, 5 do q:push(i * i) end
  t.eq(q:size(), 5, "size")
  t.eq(q:pop(), 1); t.eq(q:pop(), 4)
  t.eq(q:size(), 3, "size after pops")
end)

t.test("fifo drain stops when the consumer is busy", function()
  local q, seen = fifo.new(), {}
  for _, w in ipairs({"a", "b", "c"}) do q:push(w) end
  local emptied = q:drain(function(v) seen[#seen + 1] = v; return v ~= "b" end)
  t.eq(emptied, false, "drain result")
  t.eq(table.concat(seen), "ab"); t.eq(q:size(), 2, "left")
end)

t.test("empty fifo pops nil", function()
  t.eq(fifo.new():pop(), nil)
end)

t.test("lines are split across receives", function()
  local sock, lines = net.socket(), {}
  linesender.attach(sock, function(l) lines[#lines + 1] = l end)
  sock:fire("receive", "hel"); sock:fire("receive", "lo\r\nwor"); sock:fire("receive", "ld\n")
  t.eq(table.concat(lines, "|"), "hello|world")
end)

t.test("replies go out one chunk per sent event", function()
  local sock = net.socket()
  local h = linesender.attach(sock, function(l) return string.rep(l, 10) end)
  sock:fire("receive", "abcd\n")
  t.eq(#sock.sent, 1, "first chunk at once"); t.eq(h.queued(), 2, "queued")
  sock:fire("sent"); sock:fire("sent"); sock:fire("sent")
  t.eq(table.concat(sock.sent), string.rep("abcd", 10)); t.eq(h.queued(), 0, "queued after")
end)

t.test("mocked node and the real node.LFS side by side", function()
  t.eq(node.heap(), 38000, "mocked heap")
  t.eq(node.chipid(), 0x1234, "mocked chipid")
  if node.LFS then t.eq(type(node.LFS.list), "function", "node.LFS.list") end
end)

t.done()
