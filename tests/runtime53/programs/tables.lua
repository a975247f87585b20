-- tables: 5.3's table library and length
local t = table.pack(1, nil, 3)
print(t.n, #{1, 2, 3}, select("#", table.unpack({1, 2, nil, 4}, 1, 4)))
local m = table.move({1, 2, 3, 4, 5}, 2, 4, 1)
print(table.concat(m, ","), table.concat(table.move({1, 2}, 1, 2, 3, {9, 9}), ","))
print(table.concat({1, 2.5, "x"}, "-"), pcall(table.concat, {{}}))
local s = {5, 2, 8, 1, 9, 3}
table.sort(s, function(a, b) return a > b end)
print(table.concat(s, " "))
local words = {"pear", "Apple", "fig", "banana"}
table.sort(words)
print(table.concat(words, " "))
table.insert(s, 1, 0); table.insert(s, 100); print(table.remove(s), table.remove(s, 1), #s)
print(select(-1, 1, 2, 3), select(2, "a", "b", "c"))
local big = {}
for i = 1, 1000 do big[i] = i * i end
local sum = 0
for _, v in ipairs(big) do sum = sum + v end
print(sum, #big, math.type(sum))
local keys = {}
for k in pairs({a = 1, b = 2, c = 3}) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys))
