# Rename every 0x... address in a listing to ADDR1, ADDR2, ... in order of
# first appearance, so listings from different runs or tools compare.
{
  line = $0; out = ""
  while (match(line, /0x[0-9a-f]+/)) {
    a = substr(line, RSTART, RLENGTH)
    if (!(a in id)) id[a] = ++n
    out = out substr(line, 1, RSTART - 1) "ADDR" id[a]
    line = substr(line, RSTART + RLENGTH)
  }
  print out line
}
