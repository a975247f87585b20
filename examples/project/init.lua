-- init.lua: what the firmware runs at boot. It lives in SPIFFS (upload it
-- once with your file tool); everything else is in the LFS image.
local init = node.LFS.get("_init")
if not init then
  print("init.lua: no LFS image loaded; flash lfs.img (make flash)")
  return
end
init()
require("app").start({ period = 1000, window = 8, threshold = 512, report = 10 })
