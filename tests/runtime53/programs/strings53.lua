-- strings: 5.3's escapes, string.pack and utf8
print("a\z
       b", "\x41\x42", "\u{48}\u{49}", #"\u{7FF}", #"\u{FFFF}", "\65\066\0677")
local p = string.pack("<i4 >i2 z s1 d", -2, 513, "zs", "ab", 1.5)
print(#p, string.format("%q", p:sub(1, 6)))
print(string.unpack("<i4 >i2 z s1 d", p))
print(string.packsize("i4 i8 b"), pcall(string.packsize, "s"))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häé"), utf8.codepoint("é€", 1, -1))
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end
print(utf8.offset("aé€", 3), utf8.charpattern == "[\0-\x7F\xC2-\xF4][\x80-\xBF]*")
print(utf8.len("\xff"), ("%5.1s|"):format("abc"), ("%q"):format(1/0), ("%q"):format(math.mininteger))
print(string.format("%q", 0.1), ("x"):byte(-1), ("hello"):find("l", 1, true), ("a,b,,c"):gsub(",", ";"))
