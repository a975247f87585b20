#!/usr/bin/env python3
"""A NodeMCU Lua 5.3 LFS image (format 11) as stock luac5.3 chunks, one a
module: a test-only stand-in for the pipeline lfsimg run will have (the
format-11 reader, then the stock 5.3 writer, then the runtime), so that the
runtime's tests can run real NodeMCU images now. The image is decoded by
the spec's nlc53.py; the chunks are written for this host (int 4, size_t 8,
Instruction 4, lua_Integer 8, lua_Number 8).

usage: img2luac.py NLC53_DIR IMAGE OUTDIR
writes OUTDIR/mN.luac and prints one line a module: NAME FILE SOURCE,
then "time T" and "variant 5.3-int32-singlefp|5.3-int64-doublefp".
"""
import os
import struct
import sys


def dump_string(out, s):
    if s is None:
        out.append(b"\x00")
        return
    n = len(s) + 1
    out.append(bytes([n]) if n < 0xFF else b"\xff" + struct.pack("<Q", n))
    out.append(s)


def text(s):
    """nlc53 gives strings as (kind, bytes); None stays None"""
    return None if s is None else s[1]


def dump_function(out, f, psource, top):
    src = text(f["source"])
    # a child of the same source names none (stock luac does the same)
    dump_string(out, src if top or src != psource else None)
    out.append(struct.pack("<ii", f["linedefined"], f["lastlinedefined"]))
    out.append(bytes([f["numparams"], f["is_vararg"], f["maxstacksize"]]))
    out.append(struct.pack("<i", len(f["code"])))
    out.append(struct.pack("<%dI" % len(f["code"]), *f["code"]))
    out.append(struct.pack("<i", len(f["k"])))
    for kind, v in f["k"]:
        if kind in ("nil", "nil?"):
            out.append(b"\x00")
        elif kind == "bool":
            out.append(b"\x01" + bytes([1 if v else 0]))
        elif kind == "flt":
            out.append(b"\x03" + struct.pack("<d", v))
        elif kind == "int":
            out.append(b"\x13" + struct.pack("<q", v))
        else:
            out.append(b"\x04" if len(v) <= 40 else b"\x14")
            dump_string(out, v)
    ups = f["upvalues"]
    out.append(struct.pack("<i", len(ups)))
    for _name, instack, idx in ups:
        out.append(bytes([instack, idx]))
    out.append(struct.pack("<i", len(f["p"])))
    for c in f["p"]:
        dump_function(out, c, src, False)
    lines = [] if not f["lineinfo"] else [x or 0 for x in f["lines"]]
    out.append(struct.pack("<i", len(lines)))
    out.append(struct.pack("<%di" % len(lines), *lines))
    out.append(struct.pack("<i", 0))                 # NodeMCU keeps no local names
    names = [text(n) for n, _, _ in ups]
    if all(n is None for n in names):
        names = []
    out.append(struct.pack("<i", len(names)))
    for n in names:
        dump_string(out, n)


def stock_chunk(f):
    out = [b"\x1bLua\x53\x00\x19\x93\r\n\x1a\n", bytes([4, 8, 4, 8, 8]),
           struct.pack("<q", 0x5678), struct.pack("<d", 370.5), bytes([len(f["upvalues"])])]
    dump_function(out, f, None, True)
    return b"".join(out)


def main(argv):
    sys.path.insert(0, argv[1])
    import nlc53
    with open(argv[2], "rb") as fh:
        d = nlc53.NodeMCU(fh.read()).read()
    if d["kind"] != "img":
        raise SystemExit("%s: not an image" % argv[2])
    for i, (name, f) in enumerate(zip(d["names"], d["protos"])):
        path = os.path.join(argv[3], "m%d.luac" % (i + 1))
        with open(path, "wb") as fh:
            fh.write(stock_chunk(f))
        print(text(name).decode("latin-1"), path, text(f["source"]).decode("latin-1"))
    print("time", d["timestamp"])
    print("variant", "5.3-int32-singlefp" if d["header"]["sizeof_integer"] == 4
          else "5.3-int64-doublefp")


if __name__ == "__main__":
    main(sys.argv)
