-- bitwise: 5.3's operators, their integer conversions and metamethods
print(0xF0 & 0x3C, 0xF0 | 0x0F, 0xF0 ~ 0xFF, ~0, 1 << 63, 1 << 64, -1 >> 1, -1 >> 64, 1 << -1, 2 >> -1)
print(3.0 & 1, "5" | 2, pcall(function() return 1.5 & 1 end))
print(pcall(function() return {} | 1 end))
local mt = {
  __band = function(a, b) return "band" end, __bor = function() return "bor" end,
  __bxor = function() return "bxor" end, __shl = function() return "shl" end,
  __shr = function() return "shr" end, __bnot = function() return "bnot" end,
  __idiv = function() return "idiv" end, __mod = function() return "mod" end,
}
local o = setmetatable({}, mt)
print(o & 1, 1 | o, o ~ o, o << 2, o >> 2, ~o, o // 3, o % 3)
local function popcount(x) local n = 0; while x ~= 0 do n = n + (x & 1); x = x >> 1 end; return n end
print(popcount(0xFFFF), popcount(-1), popcount(math.mininteger))
