#!/usr/bin/env python3
"""The Lua 5.1 rows of NodeMCU's ESP32 reference (conformance-esp32), made
by our luac.cross --chip esp32, byte for byte (sha256 of MANIFEST.md): PI
images (-f, the ESP32's x1.3 nROsize rule), stripped PI images (-s keeps
source names on the ESP32) and absolute images at 0x3F430000, for the
float and int firmware. The reference's line-info bug (--compat-lineinfo)
and its deflate (--compat-deflate) make the bytes its bytes; without
--compat-deflate each PI image must still inflate to the reference's.

Also, as a check of the reference deflate on the other chip: every
single-file ESP8266 PI vector of conformance/ rebuilt with
--compat-deflate must be byte-identical.

usage: esp32_51.py LUAC_CROSS CONFORMANCE_ESP32_DIR CONFORMANCE_DIR
"""
import glob, hashlib, os, subprocess, sys, tempfile, zlib

TIMESTAMP = "1700000000"        # the manifest's frozen clock


def run(luac, args, cwd, out):
    if os.path.exists(out):
        os.unlink(out)
    r = subprocess.run([luac] + args, cwd=cwd, capture_output=True)
    data = open(out, "rb").read() if r.returncode == 0 and os.path.exists(out) else b""
    return r, data


def main():
    luac, conf, conf8266 = (os.path.abspath(a) for a in sys.argv[1:4])
    src = os.path.join(conf8266, "src")
    rows = [l for l in open(os.path.join(conf, "MANIFEST.md")) if l.startswith("| out/51")]
    ok = bad = inflated = 0
    with tempfile.TemporaryDirectory() as tmp:
        mine = os.path.join(tmp, "out.img")
        for row in rows:
            cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
            out, variant, cmd, size, sha = cells[0], cells[1], cells[2].strip("`"), cells[3], cells[4]
            args = [mine if a == "OUT" else a for a in cmd.split()[1:]]
            pre = ["--chip", "esp32", "-t", "int" if variant.endswith("-int") else "float",
                   "--compat-lineinfo", "--timestamp", TIMESTAMP]
            pi = "-f" in args
            r, got = run(luac, pre + (["--compat-deflate"] if pi else []) + args, src, mine)
            if got and len(got) == int(size) and hashlib.sha256(got).hexdigest() == sha:
                ok += 1
            else:
                bad += 1
                print("DIFF %s (%s): exit %d %s" % (out, variant, r.returncode,
                                                     r.stderr.decode(errors="replace")[:300]))
            if pi:
                # our own deflate: other bytes, the same image
                r, ours = run(luac, pre + args, src, mine)
                ref = open(os.path.join(conf, out), "rb").read()
                try:
                    same = ours and zlib.decompress(ours, 31) == zlib.decompress(ref, 31)
                except zlib.error:
                    same = False
                if same:
                    inflated += 1
                else:
                    bad += 1
                    print("DIFF %s: our deflate's file does not inflate to the reference's" % out)
        npi = sum(1 for r in rows if " -f " in r)
        print("%d of %d ESP32 Lua 5.1 rows identical" % (ok, len(rows)))
        print("%d of %d ESP32 Lua 5.1 PI rows inflate identically with our own deflate"
              % (inflated, npi))
        # the reference deflate on the ESP8266's single-file vectors
        same = n = 0
        for variant, t in (("float", "float"), ("int", "int"), ("float16", "float16")):
            for ref_path in sorted(glob.glob(os.path.join(conf8266, variant, "single", "*.pi.img"))):
                name = os.path.basename(ref_path)[:-len(".pi.img")]
                if not os.path.exists(os.path.join(src, name + ".lua")):
                    continue
                n += 1
                r, got = run(luac, ["-t", t, "--compat-lineinfo", "--compat-deflate",
                                    "--timestamp", TIMESTAMP, "-f", "-o", mine, name + ".lua"],
                             src, mine)
                if got == open(ref_path, "rb").read():
                    same += 1
                else:
                    bad += 1
                    print("DIFF ESP8266 %s/single/%s.pi.img with --compat-deflate" % (variant, name))
        print("%d of %d ESP8266 single-file PI vectors identical with --compat-deflate" % (same, n))
    return 0 if ok == len(rows) and rows and n and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
