-- The whole boot on the host: init.lua (as the firmware runs it) finds _init
-- in the image, which makes require() find app and ring in LFS; then the
-- simulated clock drives app's timer over queued ADC readings.
local check = require "check"
local mocks = require "mocks"

-- readings: 10 at 100, then 10 at 900; the mean crosses 512 within the second ten
for i = 1, 20 do mocks.readings[i] = i <= 10 and 100 or 900 end

local out = mocks.printed(function() dofile("init.lua") end)
check.eq("init.lua prints nothing on a good boot", #out, 0)
check.eq("_init ran: LFS.app", type(LFS.app), "function")
check.eq("app came from LFS", package.loaded.app ~= nil, true)
check.eq("LED set up, off (high)", mocks.level[4], gpio.HIGH)

out = mocks.printed(function() mocks.advance(10000) end)
check.eq("ten readings: one report", #out, 1)
check.eq("report", out[1], "adc mean 100 over 8")
check.eq("LED off below the threshold", mocks.level[4], gpio.HIGH)

out = mocks.printed(function() mocks.advance(4000) end)
check.eq("4 high readings: mean 500, LED still off", mocks.level[4], gpio.HIGH)
mocks.advance(1000)                          -- mean 600
check.eq("5 high readings: LED on (low)", mocks.level[4], gpio.LOW)
out = mocks.printed(function() mocks.advance(5000) end)
check.eq("second report", out[1], "adc mean 900 over 8")
check.eq("readings used up", #mocks.readings, 0)
check.done()
