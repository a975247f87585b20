-- A DS18B20-style thermometer on a 1-Wire bus: start a conversion, wait
-- for it on a timer, read the 9-byte scratchpad, check its CRC and
-- convert to hundredths of a degree (integers only, as an integer
-- firmware needs).
local crc8 = require("crc8")

local M = {}

-- raw: the signed 16-bit reading in 1/16 degree
function M.centi(raw)
  if raw >= 0x8000 then raw = raw - 0x10000 end
  local c = raw * 100 / 16
  return c >= 0 and math.floor(c + 0.5) or -math.floor(-c + 0.5)
end

function M.read(pin, done)
  ow.reset(pin); ow.skip(pin); ow.write(pin, 0x44)     -- convert T
  local t = tmr.create()
  t:alarm(750, tmr.ALARM_SINGLE, function()
    ow.reset(pin); ow.skip(pin); ow.write(pin, 0xBE)   -- read scratchpad
    local pad = {}
    for i = 1, 9 do pad[i] = ow.read(pin) end
    if crc8.of(pad, 8) ~= pad[9] then return done(nil, "crc") end
    done(M.centi(pad[1] + pad[2] * 256))
  end)
end

return M
