-- Dallas/Maxim 1-Wire CRC-8 (polynomial x^8 + x^5 + x^4 + 1, reflected:
-- 0x8C), bit by bit with arithmetic only, so that it runs unchanged on
-- Lua 5.1 (no bit operators) and 5.3.
local M = {}

local function xor_bit(a, b) return (a + b) % 2 end

function M.update(crc, byte)
  for _ = 1, 8 do
    local mix = xor_bit(crc % 2, byte % 2)
    crc = math.floor(crc / 2)
    if mix == 1 then
      -- crc ^ 0x8C on the low 8 bits, bit by bit
      local r, p, v = 0, 1, 0x8C
      for _ = 1, 8 do
        r = r + p * xor_bit(crc % 2, v % 2)
        crc, v, p = math.floor(crc / 2), math.floor(v / 2), p * 2
      end
      crc = r
    end
    byte = math.floor(byte / 2)
  end
  return crc
end

function M.of(bytes, n)
  local crc = 0
  for i = 1, n or #bytes do crc = M.update(crc, bytes[i]) end
  return crc
end

return M
