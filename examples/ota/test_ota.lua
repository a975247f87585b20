-- ota.lua on the host: lfsimg run --host-path OLD.img -l host_stubs test_ota.lua HOST PORT
-- in an empty directory (the simulated SPIFFS), with serve.py serving
-- lfs.img (the new image) and broken ones beside it (see tests/examples/ota.sh).
local host, port = arg[1], tonumber(arg[2])
local ota = node.LFS.get("ota")()
local old_time = node.LFS.time

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then passed = passed + 1 else
    failed = failed + 1
    print("FAIL " .. name .. (detail ~= nil and (": " .. tostring(detail)) or ""))
  end
end

-- update and return what done() was given ("" when it was not called)
local function update(path, p)
  local result = ""
  ota.update(host, p or port, path, function(err) result = err end)
  return result
end

local function refused(name, path, want, p)
  local err = update(path, p)
  check(name .. ": reported", type(err) == "string" and err:find(want, 1, true), err)
  check(name .. ": LFS unchanged", node.LFS.time == old_time)
  check(name .. ": nothing left in SPIFFS", not file.exists("lfs.img.new") and not file.exists("lfs.img"))
end

refused("no such image", "/nope.img", "HTTP status 404")
refused("wrong digest", "/bad.img", "SHA-256 differs from /bad.img.sha256")
refused("not gzip", "/junk.img", "not an LFS image (no gzip magic)")
refused("no server", "/lfs.img", "no HTTP response from " .. host, 9)

-- the digest and the magic are right, but the image is not: reload says so
local err = update("/cut.img")
check("a broken image: node.LFS.reload refuses it", type(err) == "string"
      and err:find("node.LFS.reload: ", 1, true), err)
check("a broken image: LFS unchanged", node.LFS.time == old_time)
file.remove("lfs.img")

err = update("/lfs.img")
check("update: done() not called (a device reboots)", err == "", err)
check("update: the new image is loaded", node.LFS.time ~= old_time, node.LFS.time)
local names = table.concat(node.LFS.list(), " ")
check("update: with its new module", names:find("ring", 1, true), names)
check("update: lfs.img in SPIFFS, no lfs.img.new", file.exists("lfs.img") and not file.exists("lfs.img.new"))

print(("%d passed, %d failed"):format(passed, failed))
if failed > 0 then error("OTA tests failed", 0) end
