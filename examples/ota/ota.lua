-- ota.lua: update the Lua Flash Store over the air (put it into LFS).
--   require("ota").update("192.168.1.10", 8000, "/lfs.img", print)
-- fetches /lfs.img.sha256 (the image's SHA-256 in hex) and then /lfs.img over
-- HTTP/1.0 with the net module, streaming the image into SPIFFS as
-- lfs.img.new while hashing it (an image does not fit in RAM). Then it checks
-- the HTTP status, the length against Content-Length, the gzip magic of a PI
-- image and the digest; renames the file to lfs.img and calls
-- node.LFS.reload("lfs.img"), which checks the image again, writes it to the
-- LFS partition and restarts. done(err) is called only when something failed:
-- on success the device is rebooting (examples/ota/serve.py is the server).
local M = {}
local NEW, IMAGE = "lfs.img.new", "lfs.img"

-- GET path from host:port; each body chunk goes to sink(chunk), and at the
-- end finish(err) is called once (err nil for a complete 200 response).
local function get(host, port, path, sink, finish)
  local sk = net.createConnection(net.TCP)
  local head, status, length, got, over = "", nil, nil, 0, false
  local function once(err)
    if not over then over = true; finish(err) end
  end
  sk:on("connection", function(s)
    s:send(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n"):format(path, host))
  end)
  sk:on("receive", function(s, data)
    if over then return end
    if not status then
      head = head .. data
      local stop = head:find("\r\n\r\n", 1, true)
      if not stop then
        if #head > 1024 then s:close(); once("HTTP header too long") end
        return
      end
      status = tonumber(head:match("^HTTP/1%.%d (%d%d%d)")) or 0
      length = tonumber(head:lower():match("\r\ncontent%-length:%s*(%d+)"))
      data, head = head:sub(stop + 4), nil
      if status ~= 200 then s:close(); return once("HTTP status " .. status) end
    end
    got = got + #data
    local err = sink(data)
    if err then s:close(); once(err) end
  end)
  sk:on("disconnection", function()
    if not status then return once("no HTTP response from " .. host) end
    if length and got ~= length then
      return once(("%d of %d bytes received"):format(got, length))
    end
    once(nil)
  end)
  sk:connect(port, host)
end

local function fetch_image(host, port, path, want, done)
  local fd = file.open(NEW, "w")
  if not fd then return done("cannot create " .. NEW) end
  local hash, first = crypto.new_hash("SHA256"), true
  get(host, port, path, function(chunk)
    if first and #chunk > 0 then
      first = false
      if chunk:sub(1, 2) ~= "\31\139" then return "not an LFS image (no gzip magic)" end
    end
    hash:update(chunk)
    if not fd:write(chunk) then return "SPIFFS is full" end
  end, function(err)
    fd:close()
    if not err and crypto.toHex(hash:finalize()):lower() ~= want then
      err = "SHA-256 differs from " .. path .. ".sha256"
    end
    if err then file.remove(NEW); return done(err) end
    file.remove(IMAGE)
    file.rename(NEW, IMAGE)
    local refused = node.LFS.reload(IMAGE)   -- no return when it succeeds
    if refused then done("node.LFS.reload: " .. refused) end
  end)
end

function M.update(host, port, path, done)
  done = done or print
  local digest = ""
  get(host, port, path .. ".sha256", function(chunk) digest = digest .. chunk end,
    function(err)
      if err then return done(err) end
      local want = digest:match("^%s*(%x+)%s*$")
      if not want or #want ~= 64 then return done(path .. ".sha256 is not a SHA-256") end
      fetch_image(host, port, path, want:lower(), done)
    end)
end

return M
