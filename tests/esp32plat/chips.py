#!/usr/bin/env python3
"""--chip and the chip tables, through luac.cross and lfsimg: every chip's
-a range (accepted inside, refused outside with a message naming the chip
and its range, a flash offset told as such, another chip's address named,
no output file on any refusal), -m, unknown chips, targets (no float16 on
the ESP32), -v, lfsimg info's chip (given or inferred, text and JSON),
verify (both nROsize rules, the chip an absolute image's address belongs
to), reloc (round trips between chips, refusals) and run (the chip's
default mapped address).

The ranges below are written from ESP-IDF's soc.h (SOC_DROM_LOW/HIGH per
chip), independently of the C tables.

usage: chips.py LUAC_CROSS LFSIMG CONFORMANCE_ESP32_DIR CONFORMANCE_SRC_DIR
"""
import json, os, subprocess, sys, tempfile

# name: (label, DROM low, DROM high, default mapped address)
CHIPS = {
    "esp32":   ("ESP32",    0x3F400000, 0x3F800000, 0x3F430000),
    "esp32s2": ("ESP32-S2", 0x3F000000, 0x3FF80000, 0x3F030000),
    "esp32s3": ("ESP32-S3", 0x3C000000, 0x3E000000, 0x3C030000),
    "esp32c3": ("ESP32-C3", 0x3C000000, 0x3C800000, 0x3C030000),
    "esp32c6": ("ESP32-C6", 0x42000000, 0x43000000, 0x420C0000),
    "esp32h2": ("ESP32-H2", 0x42000000, 0x43000000, 0x420C0000),
}
ESP8266 = ("ESP8266", 0x40200000, 0x40300000, 0x40280000)

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return cond


def run(argv, cwd=None):
    r = subprocess.run(argv, cwd=cwd, capture_output=True)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def main():
    luac, lfsimg, conf, src = (os.path.abspath(a) for a in sys.argv[1:5])
    out51 = os.path.join(conf, "out")
    tmp = tempfile.mkdtemp()
    out = os.path.join(tmp, "x.img")
    lua = "c01_basic.lua"

    def build(*args):
        if os.path.exists(out):
            os.unlink(out)
        rc, so, se = run([luac] + list(args) + ["-o", out, lua], cwd=src)
        return rc, so, se, os.path.exists(out)

    def refused(rc, se, made, want, what):
        check(rc == 2, "%s: exit %d, want 2 (%s)" % (what, rc, se.strip()))
        check(not made, "%s: an output file was left" % what)
        for w in want:
            check(w in se, "%s: message lacks %r: %s" % (what, w, se.strip()))

    # ---- -a per chip ------------------------------------------------------
    for name, (label, lo, hi, mapped) in CHIPS.items():
        rng = "0x%08x..0x%08x" % (lo, hi - 0x1000)
        for addr in (lo, mapped, hi - 0x1000):
            rc, so, se, made = build("--chip", name, "-a", hex(addr))
            check(rc == 0 and made and "Image size:" in so,
                  "--chip %s -a 0x%08x refused: %s" % (name, addr, se.strip()))
        rc, so, se, made = build("--chip", name, "-a", hex(hi))
        refused(rc, se, made, [label, rng, "0x%08x" % hi], "--chip %s -a end of range" % name)
        rc, so, se, made = build("--chip", name, "-a", hex(lo - 0x1000))
        refused(rc, se, made, [label, rng], "--chip %s -a below range" % name)
        rc, so, se, made = build("--chip", name, "-a", hex(mapped + 4))
        refused(rc, se, made, ["not on a 4096-byte flash sector", label],
                "--chip %s -a off a sector" % name)
        rc, so, se, made = build("--chip", name, "-a", "0x190000")
        refused(rc, se, made, ["0x00190000 is a flash offset", label, "node.LFS.config()"],
                "--chip %s -a flash offset" % name)
        # the reference checks no -a at all: --no-window-check leaves only
        # word alignment
        rc, so, se, made = build("--chip", name, "--no-window-check", "-a", "0x12345674")
        check(rc == 0 and made, "--chip %s --no-window-check -a 0x12345674: %s" % (name, se))
        rc, so, se, made = build("--chip", name, "--no-window-check", "-a", "0x12345676")
        refused(rc, se, made, ["not a multiple of 4"], "--chip %s -a unaligned" % name)
        # -m: sectors, and no more than the range or the format allow
        rc, so, se, made = build("--chip", name, "-a", hex(mapped), "-m", "0x10000")
        check(rc == 0 and made, "--chip %s -m 0x10000: %s" % (name, se))
        rc, so, se, made = build("--chip", name, "-f", "-m", "0x10001")
        refused(rc, se, made, ["multiple of 4096"], "--chip %s -m unaligned" % name)
        rc, so, se, made = build("--chip", name, "-f", "-m", "0x4000000")
        refused(rc, se, made, ["larger than any LFS image can be"], "--chip %s -m huge" % name)
        # another family's address: refused, the note names the chip it is
        rc, so, se, made = build("--chip", name, "-a", "0x40210000")
        refused(rc, se, made, [label, "note: 0x40210000 is an LFS address on the ESP8266 "
                               "(--chip esp8266)"], "--chip %s -a ESP8266 address" % name)
        # -v and the targets
        rc, so, se = run([luac, "--chip", name, "-v"])
        check(rc == 0 and "chip %s)" % name in so, "--chip %s -v: %r" % (name, so))
        rc, so, se, made = build("--chip", name, "-t", "float16", "-f")
        refused(rc, se, made, ["no float16 build", label, "float, int"],
                "--chip %s -t float16" % name)
        for t in ("float", "int"):
            rc, so, se, made = build("--chip", name, "-t", t, "-f")
            check(rc == 0 and made, "--chip %s -t %s -f: %s" % (name, t, se))

    # ---- the ESP8266, unchanged, and the default ------------------------
    for args in ([], ["--chip", "esp8266"]):
        rc, so, se, made = build(*args, "-a", "0x40210000")
        check(rc == 0 and made, "%s -a 0x40210000: %s" % (args, se))
        rc, so, se, made = build(*args, "-a", "0x3F430000")
        refused(rc, se, made, ["absolute address 0x3f430000 is outside the flash window "
                               "0x40210000..0x402ff000",
                               "note: 0x3f430000 is an LFS address on the ESP32 (--chip esp32), "
                               "ESP32-S2 (--chip esp32s2)"], "%s -a ESP32 address" % args)
        rc, so, se, made = build(*args, "-t", "float16", "-f")
        check(rc == 0 and made, "%s -t float16: %s" % (args, se))
    rc, so, se = run([luac, "-v"])
    check("chip esp8266)" in so, "-v without --chip: %r" % so)
    rc, so, se, made = build("--chip", "esp8266", "-t", "5.3-int32-doublefp", "-f")
    refused(rc, se, made, ["no 5.3-int32-doublefp build", "ESP8266"], "--chip esp8266 -t 5.3 mixed")
    rc, so, se, made = build("-t", "5.3-int32-doublefp", "-f")
    check(rc == 0 and made, "-t 5.3-int32-doublefp without --chip: %s" % se)

    # ---- unknown chips ----------------------------------------------------
    known = "esp8266, esp32, esp32s2, esp32s3, esp32c3, esp32c6, esp32h2"
    rc, so, se, made = build("--chip", "esp31", "-f")
    refused(rc, se, made, ["unknown chip 'esp31'", known], "luac.cross --chip esp31")
    img = os.path.join(out51, "51float", "c01_basic.abs.img")
    for cmd in (["info"], ["verify"], ["reloc", "--base", "0x3F430000"], ["run"]):
        argv = [lfsimg] + cmd + ["--chip", "esp31", img] + ([out] if cmd[0] == "reloc" else [])
        if os.path.exists(out):
            os.unlink(out)
        rc, so, se = run(argv)
        refused(rc, se, os.path.exists(out), ["unknown chip 'esp31'", known],
                "lfsimg %s --chip esp31" % cmd[0])

    # ---- info: the chip, given or inferred --------------------------------
    def info(*args):
        rc, so, se = run([lfsimg, "info", "--json"] + list(args))
        try:
            return json.loads(so)["chip"]
        except (ValueError, KeyError):
            check(False, "info --json %s: %s %s" % (args, so[:200], se))
            return {}

    c = info(img)
    check(c.get("family") == "esp32" and c.get("chips") == ["esp32", "esp32s2"] and
          c.get("name") is None and not c.get("given") and "0x3f430000" in c.get("how", ""),
          "info of an ESP32 ABS image: %s" % c)
    c = info("--chip", "esp32", img)
    check(c.get("name") == "esp32" and c.get("given") and c.get("how") == "--chip",
          "info --chip esp32: %s" % c)
    rc, so, se = run([lfsimg, "info", img])
    check("chip        ESP32 family: esp32, esp32s2 (inferred: its addresses 0x3f430000" in so,
          "info text of an ESP32 ABS image: %s" % so)
    check("node.LFS.config()" in so and "esptool.py --chip esp8266" not in so,
          "info's next step for an ESP32 ABS image: %s" % so)
    rc, so, se = run([lfsimg, "info", "--chip", "esp32c3", img])
    check("chip        ESP32-C3 (esp32c3; --chip)" in so, "info --chip esp32c3 text: %s" % so)
    # a PI image whose nROsize only the ESP32's rule gives, and one either
    # rule gives (c02_control: 11 strings -> 16 buckets, dense 16? see below)
    sparse_only = either = 0
    for pi in sorted(os.listdir(os.path.join(out51, "51float"))):
        if not pi.endswith(".pi.img"):
            continue
        p = os.path.join(out51, "51float", pi)
        rc, so, se = run([lfsimg, "info", "--json", p])
        d = json.loads(so)
        n, b = d["strings"], d["buckets"]
        dense = 1
        while dense <= n:
            dense <<= 1
        c = d["chip"]
        if b != dense:
            sparse_only += 1
            check(c["family"] == "esp32" and "nROsize %d for %d strings" % (b, n) in c["how"],
                  "info of %s (sparse nROsize): %s" % (pi, c))
        else:
            either += 1
            check(c["family"] is None and c["chips"] == [], "info of %s: %s" % (pi, c))
    check(sparse_only and either, "PI images of both kinds seen: %d %d" % (sparse_only, either))
    c = info(os.path.join(conf, "..", "conformance", "float", "all.abs.img"))
    check(c.get("name") == "esp8266", "info of an ESP8266 ABS image: %s" % c)
    for v in ("53-i32f64", "53-i64f32"):
        c = info(os.path.join(out51, v, "c01_basic.img"))
        check(c.get("family") == "esp32" and "only the esp32 family" in c.get("how", ""),
              "info of a %s image: %s" % (v, c))
    c = info(os.path.join(out51, "53-32", "c01_basic.img"))
    check(c.get("family") is None, "info of a 5.3-int32-singlefp image: %s" % c)
    c = info("--chip", "esp32s3", os.path.join(out51, "53-32", "c01_basic.img"))
    check(c.get("name") == "esp32s3" and c.get("given"), "info --chip on a 5.3 image: %s" % c)

    # ---- verify: both nROsize rules, the address's chip -------------------
    nimg = 0
    for v in ("51float", "51int"):
        for f in sorted(os.listdir(os.path.join(out51, v))):
            p = os.path.join(out51, v, f)
            for args in ([], ["--chip", "esp32"]):
                rc, so, se = run([lfsimg, "verify"] + args + [p])
                nimg += 1
                check(rc == 0 and ": valid " in so and "warning" not in so,
                      "verify %s %s: %s %s" % (args, f, so.strip(), se.strip()))
    check(nimg == 144, "verify ran on %d ESP32 images" % nimg)
    rc, so, se = run([lfsimg, "verify", "--chip", "esp32c3", img])
    check(rc == 1 and "outside the ESP32-C3's mapped flash-data range" in so,
          "verify --chip esp32c3 of an ESP32 image: %s" % so)
    rc, so, se = run([lfsimg, "verify", "--chip", "esp32", "--base", "0x10000",
                      os.path.join(out51, "51float", "c01_basic.pi.img")])
    check(rc == 1 and "0x00010000 is a flash offset" in so, "verify --base flash offset: %s" % so)
    # our ESP8266-rule images verify clean for the ESP32 too (the firmware
    # takes any power of two; a count of neither rule is test_esp32plat's)
    for f in ("c02_control.lua", "c04_varargs.lua"):
        for args in (["-f"], ["-a", "0x40210000"]):
            if os.path.exists(out):
                os.unlink(out)
            rc, so, se = run([luac] + args + ["-o", out, f], cwd=src)
            p = out
            if "-a" in args:
                p = os.path.join(tmp, "rebased.img")
                rc, so, se = run([lfsimg, "reloc", "--chip", "esp32", "--base", "0x3F440000", out, p])
            rc, so, se = run([lfsimg, "verify", "--chip", "esp32", p])
            check(rc == 0 and "warning" not in so,
                  "verify --chip esp32 of an ESP8266-rule %s %s: %s" % (f, args, so))
            rc, so, se = run([lfsimg, "info", "--json", p])
            d = json.loads(so)
            dense = 1
            while dense <= d["strings"]:
                dense <<= 1
            check(d["buckets"] == dense, "%s %s: lfsc's default rule: %s" % (f, args, so[:300]))

    # ---- reloc ------------------------------------------------------------
    nreloc = 0
    for v in ("51float", "51int"):
        for f in sorted(os.listdir(os.path.join(out51, v))):
            if not f.endswith(".pi.img"):
                continue
            ref = open(os.path.join(out51, v, f.replace(".pi.", ".abs.")), "rb").read()
            if os.path.exists(out):
                os.unlink(out)
            rc, so, se = run([lfsimg, "reloc", "--chip", "esp32", "--base", "0x3F430000",
                              os.path.join(out51, v, f), out])
            nreloc += 1
            check(rc == 0 and open(out, "rb").read() == ref,
                  "reloc --chip esp32 %s/%s != the reference's -a image: %s" % (v, f, se))
    check(nreloc == 24, "reloc ran on %d PI images" % nreloc)
    trip = [os.path.join(tmp, "t%d.img" % k) for k in range(3)]
    rc1, _, se1 = run([lfsimg, "reloc", "--chip", "esp32h2", "--base", "0x420C0000", img, trip[0]])
    rc2, _, se2 = run([lfsimg, "reloc", "--chip", "esp32c3", "--base", "0x3C7F0000", trip[0], trip[1]])
    rc3, _, se3 = run([lfsimg, "reloc", "--chip", "esp32", "--base", "0x3F430000", trip[1], trip[2]])
    check(rc1 == rc2 == rc3 == 0 and open(trip[2], "rb").read() == open(img, "rb").read(),
          "reloc round trip esp32 -> esp32h2 -> esp32c3 -> esp32: %s %s %s" % (se1, se2, se3))
    for args, want in ((["--base", "0x3F430000"], ["outside the flash window",
                                                   "ESP32 (--chip esp32)"]),
                       (["--chip", "esp32", "--base", "0x10000"], ["is a flash offset"]),
                       (["--chip", "esp32c6", "--base", "0x42FFF000"], ["past the ESP32-C6's"])):
        if os.path.exists(out):
            os.unlink(out)
        rc, so, se = run([lfsimg, "reloc"] + args + [os.path.join(out51, "51float", "all.pi.img"), out])
        check(rc != 0 and not os.path.exists(out), "reloc %s: exit %d, output left" % (args, rc))
        for w in want:
            check(w in se, "reloc %s: message lacks %r: %s" % (args, w, se.strip()))

    # ---- Lua 5.3: --chip changes the address checks only ------------------
    for name, (label, lo, hi, mapped) in CHIPS.items():
        rc, so, se, made = build("--lua", "5.3", "--chip", name, "-t", "5.3-int64-doublefp",
                                 "-a", hex(mapped))
        check(rc == 0 and made, "5.3 --chip %s -a 0x%08x: %s" % (name, mapped, se))
        if not made:
            continue
        c = info(out)
        check(c.get("family") == "esp32" and name in c.get("chips", []),
              "info of a 5.3 -a image for %s: %s" % (name, c))
        rc, so, se = run([lfsimg, "verify", "--chip", name, out])
        check(rc == 0 and ": valid " in so, "5.3 verify --chip %s: %s %s" % (name, so, se))
        other = "esp8266" if name != "esp8266" else "esp32"
        rc, so, se = run([lfsimg, "verify", "--chip", other, out])
        check(rc == 1 and "image is linked at 0x%08x" % mapped in so,
              "5.3 verify --chip %s of a %s image: %s" % (other, name, so))
    rc, so, se, made = build("--lua", "5.3", "-a", "0x3F430000")
    refused(rc, se, made, ["outside the flash window", "--chip esp32"], "5.3 -a ESP32 address")

    # ---- run: the chip's default mapped address ---------------------------
    prog = "local t = node.LFS.config print(string.format('%x %x', t.lfs_mapped, t.lfs_base))"
    pi = os.path.join(out51, "51float", "c01_basic.pi.img")
    rc, so, se = run([lfsimg, "run", "--chip", "esp32", pi, "-e", prog])
    if "not available" in se:
        print("run: no host runtime in this build, its checks skipped")
    else:
        for name, (label, lo, hi, mapped) in CHIPS.items():
            rc, so, se = run([lfsimg, "run", "--chip", name, pi, "-e", prog])
            check(rc == 0 and so.split()[:1] == ["%x" % mapped],
                  "run --chip %s: lfs_mapped %r %s" % (name, so, se))
        rc, so, se = run([lfsimg, "run", img, "-e", prog])
        check(rc == 0 and so.split()[:1] == ["3f430000"], "run of an ESP32 ABS image: %r %s" % (so, se))
        rc, so, se = run([lfsimg, "run", pi, "-e", prog])
        check(rc == 0 and so.split() == ["40280000", "80000"], "run without --chip: %r" % so)

    print("%d of %d chip checks passed" % (passed, passed + failed))
    return 0 if failed == 0 and passed > 300 else 1


if __name__ == "__main__":
    sys.exit(main())
