-- integers: 5.3's integer and float subtypes as a program sees them
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) .. ":" .. (math.type(t[i]) or type(t[i])) end
  print(table.concat(t, " "))
end
show(7 // 2, 7.0 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 % 2, 7 / 2, 2^2)
show(math.maxinteger + 1 == math.mininteger, math.mininteger // -1, math.maxinteger * 2)
show(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), 3 | 0, 1e15, 2^53)
show(1 == 1.0, 1 < 1.5, math.ult(1, -1), -0.0 == 0, 3 // 0.0, -3 % math.huge)
show(tostring(10 // 3), string.format("%d %5.2f %x %g", 42, 3.14159, 255, 1e20))
show(pcall(function() return 1 // 0 end))
show(pcall(function() return 2^63 | 0 end))
show(math.floor(3.7), math.ceil(-3.7), math.abs(math.mininteger), math.fmod(-7, 3), math.fmod(7, -3.0))
show(tonumber("0x10"), tonumber("0x1p4"), tonumber("10", 36), tonumber("  12  "), tonumber("1e"), 0x7fffffffffffffff + 0)
show(string.rep("ab", 3, "-"), #"\u{10FFFF}", ("x"):rep(0))
local t = {}
t[1.0] = "a"; t[2] = "b"; t[2^53] = "c"
show(t[1], #t, next({[3.0] = 1}), t[2^53 | 0])
for i = 3, 1, -1 do io.write(i, math.type(i), " ") end
for x = 1.0, 2 do io.write(x, math.type(x), " ") end
print()
