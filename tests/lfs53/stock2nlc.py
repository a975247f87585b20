#!/usr/bin/env python3
"""stock2nlc.py STOCK.luac OUT.lc BITS [-s] -- rewrite a stock luac5.3 chunk as the NodeMCU
5.3 .lc luac.cross writes for it (BITS 32: int32+float32, 64: int64+double), for sources
whose NodeMCU code is stock code (no int32/float32 folding differences, no line fix-ups).

Only the huge vectors need it (k70000, k_loadkx: their .lc are given by sha256 alone):
their NodeMCU .lc made this way must have the manifest's sha256 before test_formats53
round-trips them and builds their images. Stock decoding: the spec's nlc53.py."""
import os, struct, sys

sys.path.insert(0, os.environ.get("LFSC_SPEC_TOOLS", "/work/shared/spec/tools"))
import nlc53  # noqa: E402


def count(v):
    g = [v & 0x7F]
    v >>= 7
    while v:
        g.append(v & 0x7F)
        v >>= 7
    g.reverse()
    return bytes([x | 0x80 for x in g[:-1]] + [g[-1]])


def typed(tt, v):
    if v < 16:
        return bytes([tt << 4 | v])
    g = [v & 0x7F]
    v >>= 7
    while v:
        g.append(v & 0x7F)
        v >>= 7
    g.reverse()
    first = bytes([0x80 | tt << 4 | g.pop(0)]) if g[0] < 16 else bytes([0x80 | tt << 4])
    return first + bytes([x | 0x80 for x in g[:-1]] + [g[-1]])


def string(s):
    if s is None:
        return b"\x50"
    return typed(5 if len(s) <= 40 else 6, len(s) + 1) + s


def pack_lines(lines):
    """NodeMCU packed line info of a plain line array (runs of 1..127)."""
    out = bytearray()
    last = 0
    i = 0
    while i < len(lines):
        ln = lines[i]
        n = 1
        while i + n < len(lines) and lines[i + n] == ln and n < 127:
            n += 1
        d = ln - last
        if d != 1:
            if d >= 2:
                v, sign = d - 2, 0
            else:
                v, sign = -d, 1
            b = [0x80 | sign << 6 | (v & 0x3F)]
            v >>= 6
            while v:
                b.append(0x80 | (v & 0x7F))
                v >>= 7
            out += bytes(b)
        out.append(n)
        last = ln
        i += n
    return bytes(out) + b"\0"


def func(f, psource, nbytes, strip):
    o = bytearray()
    o += string(None if f["source"] == psource else f["source"])
    o += count(f["linedefined"]) + count(f["lastlinedefined"])
    o += bytes([f["numparams"], f["is_vararg"], f["maxstacksize"]])
    o += count(len(f["p"]))
    for c in f["p"]:
        o += func(c, f["source"], nbytes, strip)
    o += count(len(f["code"])) + struct.pack("<%dI" % len(f["code"]), *f["code"])
    o += count(len(f["k"]))
    for t, v in f["k"]:
        if t == "nil":
            o += b"\0"
        elif t == "bool":
            o += bytes([0x11 if v else 0x10])
        elif t == "flt":
            o += b"\x20" + struct.pack("<f" if nbytes == 4 else "<d", v)
        elif t == "int":
            o += typed(3, v) if v >= 0 else typed(4, -v - 1)
        else:
            o += string(v)
    o += bytes([0 if strip else 1]) + count(len(f["upvalues"]))
    for _, instack, idx in f["upvalues"]:
        o += (b"" if strip else b"\x50") + bytes([instack, idx])
    li = pack_lines(f["lines"]) if f["lines"] and f["lines"][0] is not None else b""
    o += count(len(li)) + li
    o += count(0)
    return bytes(o)


def main():
    src, out, bits = sys.argv[1], sys.argv[2], int(sys.argv[3])
    strip = "-s" in sys.argv[4:]
    with open(src, "rb") as fh:
        f = nlc53.read_stock(fh.read())
    nb = 4 if bits == 32 else 8
    head = b"\x1bLuaS\x0a\x19\x93\r\n\x1a\n" + bytes([4, 4, nb, nb, 0x20])
    head += struct.pack("<f" if nb == 4 else "<d", 370.5)
    with open(out, "wb") as fh:
        fh.write(head + bytes([len(f["upvalues"])]) + func(f, None, nb, strip))


if __name__ == "__main__":
    main()
