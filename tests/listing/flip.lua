-- Loads every single-bit variant of a binary chunk with lua5.1's own
-- loader (which runs Lua 5.1's bytecode verifier) and prints one verdict
-- per line, in the order and format of `lclist -flips`: "ok" or the
-- reason of the error.  usage: lua5.1 flip.lua chunk
local f = assert(io.open(arg[1], "rb"))
local s = f:read("*a")
f:close()
for i = 1, #s do
  local c = s:byte(i)
  for b = 0, 7 do
    local p = 2 ^ b
    local nc = (math.floor(c / p) % 2 == 1) and c - p or c + p
    local fn, err = loadstring(s:sub(1, i - 1) .. string.char(nc) .. s:sub(i + 1), "=x")
    if fn then
      print("ok")
    else
      print(err:match(": ([%w ]+) in precompiled chunk") or err:gsub("\n", " "))
    end
  end
end
