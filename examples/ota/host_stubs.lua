-- host_stubs.lua: the firmware modules ota.lua uses, for running it on the
-- host with `lfsimg run --host-path IMG -l host_stubs`. What is simulated, and how:
--   net    a TCP socket. The request ota.lua sends goes to the real server
--          over a real connection, made by python3 (liblua has no sockets);
--          the reply comes back to the "receive" callback in pieces (first
--          5 bytes, then 1460, a TCP segment's payload) and then
--          "disconnection". Everything happens inside sk:send(), not later
--          from an event loop as on the device.
--   file   SPIFFS: plain files in the current directory.
--   crypto SHA-256 by the host's sha256sum.
-- node.LFS.reload is not simulated here: it is lfsimg run's, which checks the
-- image and swaps it in as the device would after its reboot.
local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function read_all(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function write_all(name, s)
  local f = assert(io.open(name, "wb"))
  f:write(s)
  f:close()
end

-- python3: send stdin to host:port, copy the reply to stdout until the peer closes
local RELAY = [[
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
except OSError:
    sys.exit(1)
s.sendall(sys.stdin.buffer.read())
while True:
    b = s.recv(65536)
    if not b: break
    sys.stdout.buffer.write(b)
]]

local socket = {}
socket.__index = socket
function socket:on(event, fn) self.handlers[event] = fn end
function socket:connect(port, host)
  self.host, self.port = host, port
  self.handlers.connection(self)
end
function socket:close() self.closed = true end
function socket:send(request)
  local req, resp = os.tmpname(), os.tmpname()
  write_all(req, request)
  local ok = os.execute(("python3 -c %s %s %d < %s > %s"):format(shell_quote(RELAY),
    shell_quote(self.host), self.port, req, resp))
  local reply = read_all(resp)
  os.remove(req); os.remove(resp)
  if ok ~= 0 then reply = "" end           -- connection refused: no response at all
  local at, size = 1, 5
  while at <= #reply and not self.closed do
    self.handlers.receive(self, reply:sub(at, at + size - 1))
    at, size = at + size, 1460
  end
  self.closed = true
  self.handlers.disconnection(self)
end

net = { TCP = 1, UDP = 2 }
function net.createConnection(kind)
  assert(kind == net.TCP, "net stub: TCP only")
  return setmetatable({ handlers = {} }, socket)
end

local fd = {}
fd.__index = fd
function fd:write(s) return self.f:write(s) and true end
function fd:close() self.f:close() end
file = {}
function file.open(name, mode)
  local f = io.open(name, (mode or "r"):gsub("b", "") .. "b")
  return f and setmetatable({ f = f }, fd)
end
function file.remove(name) os.remove(name) end
function file.rename(old, new) return os.rename(old, new) and true or false end
function file.exists(name)
  local f = io.open(name, "rb")
  if f then f:close() end
  return f ~= nil
end

local hasher = {}
hasher.__index = hasher
function hasher:update(s) self.parts[#self.parts + 1] = s end
function hasher:finalize()
  local tmp = os.tmpname()
  write_all(tmp, table.concat(self.parts))
  local p = io.popen("sha256sum " .. tmp)
  local hex = p:read("*l"):match("^(%x+)")
  p:close()
  os.remove(tmp)
  return (hex:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end
crypto = {}
function crypto.new_hash(algo)
  assert(algo:upper() == "SHA256", "crypto stub: SHA256 only")
  return setmetatable({ parts = {} }, hasher)
end
function crypto.toHex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end
