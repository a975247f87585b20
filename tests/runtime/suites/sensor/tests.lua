-- Tests of crc8, thermo and config against the mocks.
local t = require("testlib")
if node and node.LFS and node.LFS.get("_init") then
  node.LFS.get("_init")()
  print("# modules from LFS: " .. tostring(node.LFS.get("thermo") ~= nil))
end
local crc8, thermo, config = require("crc8"), require("thermo"), require("config")

-- a scratchpad for raw, with its CRC
local function pad(raw)
  local p = {raw % 256, math.floor(raw / 256) % 256, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10}
  p[9] = crc8.of(p, 8)
  return p
end

t.test("crc8 of a known ROM code", function()
  -- the ROM code example of Maxim's application note on 1-Wire CRCs
  t.eq(crc8.of({0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00}), 0xA2, "crc")
  t.eq(crc8.of({}), 0, "empty")
end)

t.test("conversion to hundredths", function()
  t.eq(thermo.centi(0x0191), 2506, "25.0625")
  t.eq(thermo.centi(0xFF5E), -1013, "-10.125 rounds away from zero")
  t.eq(thermo.centi(0), 0, "zero")
end)

t.test("a reading after the conversion time", function()
  ow.script, ow.log = pad(0x0191), {}
  local got
  thermo.read(3, function(v, err) got = v or err end)
  t.eq(got, nil, "nothing before the timer")
  tmr.run(750)
  t.eq(got, 2506, "reading")
  t.eq(table.concat(ow.log, " "), "reset3 skip w44 reset3 skip wBE", "bus traffic")
end)

t.test("a corrupted scratchpad is refused", function()
  local p = pad(0x0191); p[2] = p[2] + 1
  ow.script = p
  local got
  thermo.read(3, function(v, err) got = v or err end)
  tmr.run(1000)
  t.eq(got, "crc")
end)

t.test("config with defaults, numbers and unknown keys", function()
  file.files["cfg.txt"] = "interval = 30\n# comment\nname=attic  # upstairs\ncolour=red\n"
  local c, unknown = config.load("cfg.txt")
  t.eq(c.interval, 30, "interval"); t.eq(c.pin, 3, "pin"); t.eq(c.name, "attic", "name")
  t.eq(table.concat(unknown, ","), "colour", "unknown")
end)

t.test("no config file gives the defaults", function()
  local c = config.load("missing.txt")
  t.eq(c.interval, 60); t.eq(c.name, "sensor")
end)

t.done()
