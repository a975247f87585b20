#!/usr/bin/env python3
"""The Lua 5.3 rows of NodeMCU's ESP32 reference (conformance-esp32), made
by our luac.cross: the .lc files and LFS images of the four number variants
of the ESP32's Kconfig (int32/int64 x float32/double), byte for byte
(sha256 of MANIFEST.md). Images take the row's seed (its bytes in the
manifest, a typed integer) and the frozen clock's timestamp.

usage: esp32.py LUAC_CROSS CONFORMANCE_ESP32_DIR CONFORMANCE_SRC_DIR
"""
import hashlib, os, subprocess, sys, tempfile

VARIANT = {"53-32": "5.3-int32-singlefp", "53-64": "5.3-int64-doublefp",
           "53-i32f64": "5.3-int32-doublefp", "53-i64f32": "5.3-int64-singlefp"}
TIMESTAMP = "1700000000"        # the manifest's frozen clock


def typed_int(hexbytes):
    """A DumpIntTT value (spec lfs53-formats §3): type 3 >= 0, 4 negative."""
    b = bytes.fromhex(hexbytes)
    i = 1 if b[0] == 0x80 else 0
    tt, v = (b[i] >> 4) & 7, b[i] & 0x0F
    more = b[i] & 0x80
    i += 1
    while more:
        more = b[i] & 0x80
        v = (v << 7) | (b[i] & 0x7F)
        i += 1
    return v if tt == 3 else -v - 1


def main():
    luac, conf, src = (os.path.abspath(a) for a in sys.argv[1:4])
    rows = [l for l in open(os.path.join(conf, "MANIFEST.md")) if l.startswith("| out/53")]
    ok = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
            out, variant, cmd, sha = cells[0], cells[1], cells[2].strip("`"), cells[4]
            seed = cells[5].split(" @")[0] if len(cells) > 5 else ""
            args = cmd.split()[1:]
            mine = os.path.join(tmp, "out")
            args = [mine if a == "OUT" else a for a in args]
            pre = ["--lua", "5.3", "-t", VARIANT[out.split("/")[1]], "--compat-lineinfo"]
            if seed:
                pre += ["--compat-loader", "--seed", str(typed_int(seed)), "--timestamp", TIMESTAMP]
            r = subprocess.run([luac] + pre + args, cwd=src, capture_output=True)
            got = open(mine, "rb").read() if r.returncode == 0 and os.path.exists(mine) else b""
            if got and hashlib.sha256(got).hexdigest() == sha:
                ok += 1
            else:
                bad += 1
                print("DIFF %s (%s): exit %d %s" % (out, variant, r.returncode, r.stderr[:200]))
            if os.path.exists(mine):
                os.unlink(mine)
    print("%d of %d ESP32 Lua 5.3 rows identical" % (ok, ok + bad))
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
