-- num: Lua 5.3's numbers and operators as the host runs them
return {
  idiv = 7 // 2, div = 7 / 2, shl = 1 << 40, band = 0xF0 & 0x3C,
  maxint = math.maxinteger, itype = math.type(3), ftype = math.type(3.0),
  wrap = math.maxinteger + 1 == math.mininteger,
}
