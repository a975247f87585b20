-- goto: continue, breaking out of nested loops, a backward loop
for i = 1, 6 do
  if i % 2 == 0 then goto continue end
  io.write(i, " ")
  ::continue::
end
print()
for i = 1, 3 do
  for j = 1, 3 do
    if i * j == 4 then goto out end
    io.write(i, "*", j, " ")
  end
end
::out::
print()
do
  local n = 0
  ::again::
  n = n + 1
  if n < 5 then goto again end
  print("n", n)
end
local fns = {}
do
  local i = 1
  ::top::
  local j = i
  fns[#fns + 1] = function() return j end
  i = i + 1
  if i <= 3 then goto top end
end
print(fns[1](), fns[2](), fns[3]())
