#!/usr/bin/env python3
"""Check before you write (issue #12 item 4), as a property test.

Mutants of the reference images (bit flips, byte and word changes of the
absolute images and of the PI images' inflated content) go through
`lfsimg verify`. For every mutant it accepts, `lfsimg extract -t host`
of each module must give a chunk that stock lua5.1 loads (its own bytecode
checker runs on load). For every mutant it rejects, `extract` and `reloc`
must refuse (exit 1, the verifier's message, no output file), and with
--force write anyway after a warning.

Also the issue's reproducer: an instruction whose C operand is out of
range must not be extracted.

usage: checked_write.py LFSIMG LUAC CONFORMANCE_DIR [MUTANTS]   (default 1000, or $LFSC_MUTANTS)
Needs lua5.1 (exit 77 = skipped without it).
"""
import gzip
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LFSIMG, LUAC, CONF = (os.path.abspath(a) for a in sys.argv[1:4])
TOTAL = int(sys.argv[4]) if len(sys.argv) > 4 else int(os.environ.get("LFSC_MUTANTS", "1000"))
if not os.path.isdir(os.path.join(CONF, "float")):
    print("no conformance vectors at %s: skipped" % CONF)
    sys.exit(77)
LUA = shutil.which("lua5.1")
if not LUA:
    print("lua5.1 not installed: skipped")
    sys.exit(77)



def run(*args):
    return subprocess.run([LFSIMG, *args], capture_output=True)


tmp = tempfile.mkdtemp()
try:
    # -- the reproducer: ADD 2 0 1 with C = 200 in a 3-slot function -------
    src = os.path.join(tmp, "m.lua")
    with open(src, "w") as f:
        f.write("local a, b = ...\nreturn a + b\n")
    img = os.path.join(tmp, "m.img")
    subprocess.run([LUAC, "-a", "0x40280000", "-o", img, "m.lua"], cwd=tmp, check=True,
                   capture_output=True)
    data = open(img, "rb").read()
    add = struct.pack("<I", 12 | (2 << 6) | (1 << 14))
    check(data.count(add) == 1, "reproducer: ADD 2 0 1 found once in the image")
    bad = os.path.join(tmp, "bad.img")
    with open(bad, "wb") as f:
        f.write(data.replace(add, struct.pack("<I", 12 | (2 << 6) | (200 << 14))))
    r = run("verify", bad)
    check(r.returncode == 1 and b"operand C out of range" in r.stdout,
          "reproducer: verify rejects it: %r" % r.stdout)
    out = os.path.join(tmp, "m.luac")
    r = run("extract", "-t", "host", bad, "m", "-o", out)
    check(r.returncode == 1 and b"operand C out of range" in r.stderr
          and b"invalid image" in r.stderr, "reproducer: extract refuses: %r" % r.stderr)
    check(not os.path.exists(out), "reproducer: extract wrote nothing")
    r = run("reloc", "--base", "0x40280000", bad, out)
    check(r.returncode == 1 and b"operand C out of range" in r.stderr,
          "reproducer: reloc refuses: %r" % r.stderr)
    check(not os.path.exists(out), "reproducer: reloc wrote nothing")
    r = run("extract", "--force", "-t", "host", bad, "m", "-o", out)
    check(r.returncode == 0 and b"warning" in r.stderr and b"operand C out of range" in r.stderr
          and os.path.exists(out), "reproducer: extract --force writes with a warning: %r" % r.stderr)
    r = subprocess.run([LUA, out], capture_output=True)
    check(r.returncode != 0 and b"bad code" in r.stderr,
          "reproducer: lua5.1 refuses what --force wrote (the check was right)")
    os.unlink(out)
    # an existing output is left alone when the input is refused
    with open(out, "wb") as f:
        f.write(b"keep")
    r = run("extract", "-t", "host", bad, "m", "-o", out)
    check(r.returncode == 1 and open(out, "rb").read() == b"keep",
          "refused extract leaves an existing output untouched")
    os.unlink(out)
    # and a valid image still extracts and relocates
    r = run("extract", "-t", "host", img, "m", "-o", out)
    check(r.returncode == 0 and r.stderr == b"", "valid image extracts silently")
    os.unlink(out)

    # -- the property over mutants -----------------------------------------
    bases = []
    for v in ("float", "float16", "int"):
        d = os.path.join(CONF, v)
        names = ["multi.abs.img", "bytecode_dbg.pi.img", "multi.pi.img"]
        names += ["single/" + n for n in sorted(os.listdir(os.path.join(d, "single")))]
        for n in names:
            p = os.path.join(d, n)
            if not os.path.exists(p) or os.path.getsize(p) == 0:
                continue
            raw = open(p, "rb").read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)   # mutate the content, not the CRC
            mods = run("list", p).stdout.decode("latin-1").split()
            bases.append((v + "/" + n, raw, mods))
    rng = random.Random(12)
    accepted = rejected = extracted = refusals = 0
    to_load = []
    for i in range(TOTAL):
        name, raw, mods = bases[i % len(bases)]
        b = bytearray(raw)
        k = rng.randrange(4)
        pos = rng.randrange(len(b))
        if k == 0:
            b[pos] ^= 1 << rng.randrange(8)
        elif k == 1:
            b[pos] = rng.randrange(256)
        elif k == 2:
            pos &= ~3
            b[pos:pos + 4] = struct.pack("<I", rng.randrange(1 << 32))[:len(b) - pos]
        else:
            b[pos] = rng.choice((0, 0xFF, b[pos] + 1 & 0xFF, b[pos] - 1 & 0xFF))
        mut = os.path.join(tmp, "mut.img")
        with open(mut, "wb") as f:
            f.write(b)
        ok = run("verify", "-q", mut).returncode == 0
        if ok:
            accepted += 1
            for m in mods:
                o = os.path.join(tmp, "x%d_%s.luac" % (i, m.replace("/", "_")))
                r = run("extract", "-t", "host", mut, m, "-o", o)
                if r.returncode == 0:
                    extracted += 1
                    to_load.append((o, "%s mutant %d (byte %d, kind %d) module %s" % (name, i, pos, k, m)))
                    if os.environ.get("LFSC_KEEP"):   # for a closer look at failures
                        shutil.copy(mut, os.path.join(os.environ["LFSC_KEEP"], "mut%d.img" % i))
                elif b"no module named" not in r.stderr:
                    check(False, "%s mutant %d: verify accepts, extract fails: %r" % (name, i, r.stderr))
        else:
            rejected += 1
            if rejected % 10 == 1 and mods:   # a sample of the refusals
                o = os.path.join(tmp, "refused.luac")
                r = run("extract", "-t", "host", mut, mods[0], "-o", o)
                check(r.returncode == 1 and b"invalid image" in r.stderr and not os.path.exists(o),
                      "%s mutant %d: verify rejects, extract must refuse: %r" % (name, i, r.stderr))
                r = run("reloc", "--base", "0x40210000", mut, o)
                check(r.returncode == 1 and b"invalid image" in r.stderr and not os.path.exists(o),
                      "%s mutant %d: verify rejects, reloc must refuse: %r" % (name, i, r.stderr))
                refusals += 1
    # one lua5.1 loads them all; it names every chunk it refuses
    if to_load:
        lst = os.path.join(tmp, "files.txt")
        with open(lst, "w") as f:
            f.write("\n".join(p for p, _ in to_load) + "\n")
        chk = os.path.join(tmp, "check.lua")
        with open(chk, "w") as f:
            f.write("for p in io.lines(arg[1]) do\n"
                    "  local f, e = loadfile(p)\n"
                    "  if not f then print(p .. '\\t' .. e) end\n"
                    "end\n")
        r = subprocess.run([LUA, chk, lst], capture_output=True, text=True)
        check(r.returncode == 0, "lua5.1 checker ran: " + r.stderr)
        bad = {line.split("\t")[0]: line for line in r.stdout.splitlines()}
        for p, what in to_load:
            check(p not in bad, "%s: verify accepts it, lua5.1 refuses the extracted chunk: %s"
                  % (what, bad.get(p)))
    print("%d mutants of %d images: %d accepted by verify (%d chunks extracted, all loaded by "
          "lua5.1 unless FAIL above), %d rejected (%d sampled refusals checked)"
          % (TOTAL, len(bases), accepted, extracted, rejected, refusals))
finally:
    shutil.rmtree(tmp)
# the reproducer's checks, and at least one a fourth of the mutants (449
# checks for 1000 mutants today)
sys.exit(summary(at_least=10 + TOTAL // 4))
