-- blink.lua: toggle the on-board LED with a timer.
local M = {}
local pin, state, timer = 4, false, nil

function M.start(period_ms)
  gpio.mode(pin, gpio.OUTPUT)
  timer = tmr.create()
  timer:alarm(period_ms or 500, tmr.ALARM_AUTO, function()
    state = not state
    gpio.write(pin, state and gpio.LOW or gpio.HIGH)
  end)
end

function M.stop()
  if timer then timer:unregister(); timer = nil end
  gpio.write(pin, gpio.HIGH)
end

return M
