#!/usr/bin/env python3
"""lfsimg on NodeMCU Lua 5.3 files: every command on the conformance53
vectors (out/{32,64}/{img,img-s,abs,lc,lc-s}), checked against what
MANIFEST.md says made them and against each other:

  list / list --json   == the module names of the row's command line (the
                          reference's corename of each input), img and abs
  info --json          variant per directory, seed, timestamp, module and
                       string counts of the row's notes; info text says them
  verify (+ --json)    accepts every vector; --variant of the other variant
                       is an error; truncated and bit-flipped files: exit 1
                       with a message, never a crash (every command)
  extract              == the row's input .lc (lc/, or lc-s/ for img-s)
                          byte for byte, from img and from abs
  dis                  of an image's module == dis of its .lc
  strings              the notes' string count
  diff                 img vs its abs: equivalent; subsets and variants say
                       what differs; a 5.1 image against a 5.3 one: different Lua

  ESP32 (optional CONFORMANCE_ESP32_DIR): each 5.3 variant's images and .lc
                       verify as that variant, modules extract to their .lc

usage: cli.py LFSIMG LUAC_CROSS CONFORMANCE53_DIR [CONFORMANCE_ESP32_DIR]
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

LFSIMG, LUAC, CONF = sys.argv[1:4]
ESP32 = sys.argv[4] if len(sys.argv) > 4 else None
OUT = os.path.join(CONF, "out")
VARIANT = {"32": "5.3-int32-singlefp", "64": "5.3-int64-doublefp"}
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(*args, stdin=None):
    p = subprocess.run([LFSIMG, *args], capture_output=True, input=stdin)
    return p.returncode, p.stdout, p.stderr


def corename(f):
    """The reference's module name of a file name (lfs53.h)."""
    base = f.rsplit("/", 1)[-1].lstrip(".")
    return base.split(".", 1)[0]


# MANIFEST rows: path | inputs | bits | `command` | size | sha | notes |
rows = {}
for line in open(os.path.join(CONF, "MANIFEST.md"), encoding="utf-8"):
    m = re.match(r"\| `out/(\w+)/([\w-]+)/(\S+)` \|[^|]*\|[^|]*\| `([^`]*)` \|[^|]*\|[^|]*\|(.*)\|",
                 line)
    if m:
        rows[(m.group(1), m.group(2), m.group(3))] = (m.group(4).split(), m.group(5))


def inputs_of(cmd):
    i = cmd.index("-o")
    return cmd[i + 2:]


images = [(b, d, n) for (b, d, n) in rows if d in ("img", "img-s")
          and os.path.exists(os.path.join(OUT, b, d, n))]
check(len(images) >= 30, "at least 30 image vectors found (%d)" % len(images))
tmp = tempfile.mkdtemp()

# ---- list, info, strings, extract, dis: images and their abs ----------------
n_list = n_extract = n_dis = 0
for bits, d, name in sorted(images):
    cmd, notes = rows[(bits, d, name)]
    path = os.path.join(OUT, bits, d, name)
    files = inputs_of(cmd)
    want = [corename(f) for f in files]
    absp = os.path.join(OUT, bits, "abs", name[:-4] + ".abs") if d == "img" else None
    if absp and not os.path.exists(absp):
        absp = None
    for p in [path] + ([absp] if absp else []):
        rc, out, err = run("list", p)
        check(rc == 0 and out.decode().split("\n")[:-1] == want, "list %s" % p)
        rc, out, err = run("list", "--json", p)
        check(rc == 0 and json.loads(out)["modules"] == want, "list --json %s" % p)
        n_list += 1
        rc, out, err = run("info", "--json", p)
        info = json.loads(out) if rc == 0 else {}
        check(info.get("variant") == VARIANT[bits] and info.get("lua") == "5.3"
              and info.get("kind") == ("ABS" if p == absp else "PI")
              and len(info.get("modules", [])) == len(want)
              and [m["name"] for m in info["modules"]] == want,
              "info --json %s: %s" % (p, info.get("variant")))
        ms = re.search(r"seed (-?\d+) @\d+\+\d+, timestamp (\d+) @\d+\+\d+, (\d+) modules, (\d+) strings",
                       notes)
        if ms:
            check(info.get("seed") == int(ms.group(1)) and info.get("timestamp") == int(ms.group(2))
                  and info.get("strings") == int(ms.group(4)),
                  "info --json %s: seed/timestamp/strings %s %s %s" %
                  (p, info.get("seed"), info.get("timestamp"), info.get("strings")))
            rc, out, err = run("strings", p)
            check(rc == 0 and out.count(b"\n") == int(ms.group(4)), "strings %s" % p)
        rc, out, err = run("info", p)
        text = out.decode()
        check(rc == 0 and ("variant     %s (" % VARIANT[bits]) in text
              and "lua         5.3" in text and ("modules     %d " % len(want)) in text
              and "1704067200" in text, "info %s" % p)
        # each module as the .lc the row's inputs were compiled to
        for f, mod in zip(files, want):
            lc = os.path.join(OUT, bits, "lc-s" if d == "img-s" else "lc",
                              re.sub(r"\.lua$", "", f) + ".lc")
            if not f.endswith(".lua") or not os.path.exists(lc) or want.count(mod) > 1:
                continue
            o = os.path.join(tmp, "x.lc")
            rc, out, err = run("extract", p, mod, "-o", o)
            same = rc == 0 and open(o, "rb").read() == open(lc, "rb").read()
            if p == absp and mod == "fixed_strings":
                # the reference's flash image holds its "thread" constant as
                # "userdata" (spec 10): the device's view, not the source's
                same = rc == 0 and not same
            check(same, "extract %s %s == %s" % (p, mod, lc))
            n_extract += 1
            if p == path and n_dis < 400:
                r1 = run("dis", p, mod)
                r2 = run("dis", lc)
                check(r1[0] == 0 and r1[1] == r2[1] and r1[1].count(b"\n") > 2,
                      "dis %s %s == dis %s" % (p, mod, lc))
                n_dis += 1

# ---- every vector verifies; info variant per directory ----------------------
allfiles = []
for bits in ("32", "64"):
    for d in ("img", "img-s", "abs", "lc", "lc-s"):
        for root, _, fs in os.walk(os.path.join(OUT, bits, d)):
            allfiles += [(bits, os.path.join(root, f)) for f in sorted(fs)
                         if f.endswith((".img", ".abs", ".lc"))]
n_ok = 0
for bits, p in allfiles:
    rc, out, err = run("verify", p)
    ok = rc == 0 and out.decode().startswith(p + ": valid " + VARIANT[bits])
    rc, out, err = run("verify", "--json", p)
    ok = ok and rc == 0 and json.loads(out)["ok"] is True
    other = VARIANT["64" if bits == "32" else "32"]
    rc, out, err = run("verify", "--variant", other, p)
    ok = ok and rc == 1 and b"not " + other.encode() in out
    rc, out, err = run("verify", "--variant", VARIANT[bits], p)
    ok = ok and rc == 0
    rc, out, err = run("info", "--json", p)
    ok = ok and rc == 0 and json.loads(out)["variant"] == VARIANT[bits]
    check(ok, "verify/info %s" % p)
    n_ok += ok
check(len(allfiles) >= 150, "vectors found: %d" % len(allfiles))

# ---- damaged files: exit 1 with a message, never a crash ---------------------
rnd = random.Random(53)
damaged = [p for _, p in allfiles if "/gen300/" not in p]
n_trunc = n_flip = n_flip_rejected = 0
for p in damaged[::2]:
    data = open(p, "rb").read()
    cuts = sorted(set([1, 4, 20, len(data) // 2, len(data) - 1] +
                      [rnd.randrange(1, len(data)) for _ in range(3)]))
    for cut in cuts:
        if cut >= len(data) or cut < 1:
            continue
        rc, out, err = run("verify", "-", stdin=data[:cut])
        # a .lc may end early only past its last function (the reader ignores
        # trailing bytes, so a cut there is no cut); everything else is refused
        check(rc == 1 and (err or out), "verify %s cut at %d: exit %d" % (p, cut, rc))
        n_trunc += 1
    for _ in range(4):
        b = bytearray(data)
        pos = rnd.randrange(len(b))
        b[pos] ^= 1 << rnd.randrange(8)
        f = os.path.join(tmp, "flip" + os.path.splitext(p)[1])
        open(f, "wb").write(b)
        rc, out, err = run("verify", f)
        check(rc in (0, 1) and (rc == 0 or out or err), "verify %s flip @%d: exit %d" % (p, pos, rc))
        n_flip += 1
        n_flip_rejected += rc == 1
        for c in (["info", f], ["list", f], ["strings", f], ["dis", f], ["info", "--json", f]):
            rc2, _, err2 = run(*c)
            check(rc2 in (0, 1) and (rc2 == 0 or err2), "%s on %s flipped @%d: exit %d" %
                  (c[0], p, pos, rc2))

# ---- diff ---------------------------------------------------------------------
n_diff = 0
for bits in ("32", "64"):
    for name in ("basic", "all", "unders", "names"):
        a = os.path.join(OUT, bits, "img", name + ".img")
        b = os.path.join(OUT, bits, "abs", name + ".abs")
        rc, out, err = run("diff", a, b)
        if name == "all":       # the reference's "thread" as "userdata" (spec 10)
            check(rc == 1 and out == b'~ fixed_strings (changed)\n    main chunk: constant 45: '
                  b'"thread"  vs  "userdata"\n1 difference\n', "diff %s %s: %s" % (a, b, out))
        else:
            check(rc == 0 and out.startswith(b"equivalent: "), "diff %s %s: %s" % (a, b, out[:80]))
        n_diff += 1
    a = os.path.join(OUT, bits, "img", "basic.img")
    b = os.path.join(OUT, bits, "img", "all.img")
    rc, out, err = run("diff", a, b)
    only = [l for l in out.decode().split("\n") if l.startswith("+ ")]
    check(rc == 1 and len(only) == 37 and "37 differences" in out.decode(), "diff basic all")
    rc, out, err = run("diff", "--json", b, a)
    j = json.loads(out)
    check(rc == 1 and j["differences"] == 37 and
          sum(m["change"] == "only_in_a" for m in j["modules"]) == 37, "diff --json all basic")
    n_diff += 2
rc, out, err = run("diff", os.path.join(OUT, "32", "img", "basic.img"),
                   os.path.join(OUT, "64", "img", "basic.img"))
check(rc == 1 and out.startswith(b"variant: 5.3-int32-singlefp vs 5.3-int64-doublefp\n"),
      "diff 32 64")
# a changed module: the same file name, other code
src = os.path.join(tmp, "m.lua")
for i, body in enumerate(("return 1 + x\n", "return 2 + x\n")):
    open(src, "w").write(body)
    subprocess.run([LUAC, "--lua", "5.3", "-f", "-o", os.path.join(tmp, "c%d.img" % i), src],
                   check=True)
rc, out, err = run("diff", os.path.join(tmp, "c0.img"), os.path.join(tmp, "c1.img"))
check(rc == 1 and b"~ m (changed)" in out and b"constant" in out, "diff changed: %s" % out)
subprocess.run([LUAC, "-f", "-o", os.path.join(tmp, "c51.img"), src], check=True,
               stdout=subprocess.DEVNULL)
rc, out, err = run("diff", os.path.join(tmp, "c51.img"), os.path.join(tmp, "c0.img"))
check(rc == 1 and b"different Lua" in out and b"Lua 5.1" in out, "diff 5.1 5.3: %s" % out)
rc, out, err = run("diff", "--json", os.path.join(tmp, "c0.img"), os.path.join(tmp, "c51.img"))
check(rc == 1 and json.loads(out)["lua"] == {"a": "5.3", "b": "5.1"}, "diff --json 5.3 5.1")
n_diff += 4
# reloc names the 5.3 way
rc, out, err = run("reloc", "--base", "0x40280000", os.path.join(tmp, "c0.img"),
                   os.path.join(tmp, "r.img"))
check(rc == 1 and b"Lua 5.3" in err and not os.path.exists(os.path.join(tmp, "r.img")),
      "reloc 5.3")

# ---- the ESP32's four 5.3 variants ---------------------------------------------
n_esp32 = 0
ESP32_VARIANT = {"53-32": "5.3-int32-singlefp", "53-64": "5.3-int64-doublefp",
                 "53-i32f64": "5.3-int32-doublefp", "53-i64f32": "5.3-int64-singlefp"}
for sub, var in sorted(ESP32_VARIANT.items()) if ESP32 else []:
    d = os.path.join(ESP32, "out", sub)
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        p = os.path.join(d, f)
        if not f.endswith((".img", ".lc")):
            continue
        rc, out, err = run("verify", p)
        ok = rc == 0 and out.decode().startswith("%s: valid %s " % (p, var))
        rc, out, err = run("info", "--json", p)
        ok = ok and rc == 0 and json.loads(out)["variant"] == var
        if f.endswith(".img") and os.path.exists(p[:-4] + ".lc"):
            mods = run("list", p)[1].decode().split()
            o = os.path.join(tmp, "e.lc")
            ok = ok and len(mods) == 1 and run("extract", p, mods[0], "-o", o)[0] == 0 and \
                open(o, "rb").read() == open(p[:-4] + ".lc", "rb").read()
        check(ok, "esp32 %s as %s" % (p, var))
        n_esp32 += ok
if ESP32:
    check(n_esp32 >= 40, "esp32 5.3 files: %d" % n_esp32)

print("%d ESP32 5.3 files verify as their variant (images extract to their .lc)" % n_esp32)
print("%d image vectors listed (img and abs), %d modules extracted identical to their .lc, "
      "%d dis equal; %d of %d vectors verify and say their variant; %d truncations and %d "
      "bit flips (%d rejected) without a crash; %d diffs" %
      (n_list, n_extract, n_dis, n_ok, len(allfiles), n_trunc, n_flip, n_flip_rejected, n_diff))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or passed < 500 else 0)
