-- app.lua: read the ADC every `period` ms, keep a moving mean of the last
-- `window` readings, light the LED while the mean is above `threshold`, and
-- print the mean every `report` readings.
local ring = require "ring"

local M = {}
local LED = 4            -- GPIO2, the ESP-12's blue LED (on when low)

function M.start(cfg)
  cfg = cfg or {}
  local samples = ring.new(cfg.window or 8)
  local threshold, report = cfg.threshold or 512, cfg.report or 10
  local count = 0
  gpio.mode(LED, gpio.OUTPUT)
  gpio.write(LED, gpio.HIGH)
  local timer = tmr.create()
  timer:alarm(cfg.period or 1000, tmr.ALARM_AUTO, function()
    samples:push(adc.read(0))
    local mean = samples:mean()
    gpio.write(LED, mean > threshold and gpio.LOW or gpio.HIGH)
    count = count + 1
    if count % report == 0 then
      print(("adc mean %d over %d"):format(mean, samples.n))
    end
  end)
  return timer
end

return M
