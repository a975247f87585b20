-- mocks.lua: the firmware modules the project uses (tmr, gpio, adc), simulated
-- on the host so that tests drive them. Loaded with `lfsimg run --host-path IMG -l mocks`.
-- Time does not pass by itself: mocks.advance(ms) fires the timers due.
local mocks = { now = 0, level = {}, mode = {}, readings = {} }
local armed = {}

local timer = {}
timer.__index = timer
function timer:alarm(ms, mode, fn)
  self.ms, self.mode, self.fn, self.due = ms, mode, fn, mocks.now + ms
  armed[self] = true
  return true
end
function timer:unregister() armed[self] = nil end
timer.stop = timer.unregister

tmr = { ALARM_SINGLE = 0, ALARM_SEMI = 1, ALARM_AUTO = 2 }
function tmr.create() return setmetatable({}, timer) end
function tmr.time() return math.floor(mocks.now / 1000) end

-- Run the clock forward, firing each timer when it falls due, in order.
function mocks.advance(ms)
  local stop = mocks.now + ms
  while true do
    local first
    for t in pairs(armed) do
      if t.due <= stop and (not first or t.due < first.due) then first = t end
    end
    if not first then break end
    mocks.now = first.due
    if first.mode == tmr.ALARM_AUTO then first.due = first.due + first.ms
    else armed[first] = nil end
    first.fn(first)
  end
  mocks.now = stop
end

gpio = { INPUT = 0, OUTPUT = 1, LOW = 0, HIGH = 1 }
function gpio.mode(pin, mode) mocks.mode[pin] = mode end
function gpio.write(pin, level)
  assert(mocks.mode[pin] == gpio.OUTPUT, "gpio.write to a pin not set to OUTPUT")
  mocks.level[pin] = level
end

-- adc.read returns the readings a test queued in mocks.readings, in order.
adc = {}
function adc.read(channel)
  assert(channel == 0, "the ESP8266 has one ADC channel, 0")
  return assert(table.remove(mocks.readings, 1), "adc.read: no reading queued")
end

-- What fn prints, as an array of lines.
function mocks.printed(fn)
  local lines, real = {}, print
  print = function(...)
    local parts = { ... }
    for i = 1, select("#", ...) do parts[i] = tostring(parts[i]) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(fn)
  print = real
  if not ok then error(err, 0) end
  return lines
end

package.loaded.mocks = mocks
return mocks
