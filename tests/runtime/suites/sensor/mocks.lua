-- Stand-ins for ow (a scripted DS18B20), tmr (timers that fire when the
-- test advances the clock) and file (an in-memory file system).
ow = {script = {}, log = {}}
function ow.reset(pin) ow.log[#ow.log + 1] = "reset" .. pin end
function ow.skip() ow.log[#ow.log + 1] = "skip" end
function ow.write(_, b) ow.log[#ow.log + 1] = string.format("w%02X", b) end
function ow.read() return table.remove(ow.script, 1) or 0xFF end

tmr = {ALARM_SINGLE = 0, ALARM_AUTO = 1, pending = {}}
function tmr.create()
  local t = {}
  function t:alarm(ms, mode, fn) tmr.pending[#tmr.pending + 1] = {ms = ms, fn = fn, t = self} end
  return t
end
function tmr.run(ms)
  local due = {}
  for i = #tmr.pending, 1, -1 do
    if tmr.pending[i].ms <= ms then due[#due + 1] = table.remove(tmr.pending, i) end
  end
  for i = #due, 1, -1 do due[i].fn(due[i].t) end
end

file = {files = {}}
function file.open(path)
  local text = file.files[path]
  if not text then return nil end
  local lines = {}
  for l in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  return {readline = function() return table.remove(lines, 1) end, close = function() end}
end
