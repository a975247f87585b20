#!/usr/bin/env python3
"""luac.cross --lua 5.3 -i: the .lc NodeMCU's 5.3 luac.cross writes for -i
(without -f): the "=(luac.cross)" main of several files (a bare RETURN, the
chunks as its functions), whose constants are the module names and the
timestamp -- decoded by the spec's nlc53.py and checked against the plain
combined .lc of the same files, for both variants; reproducible with
--timestamp.

usage: lookup.py LUAC_CROSS NLC53_PY CONFORMANCE53_SRC
"""
import importlib.util, os, subprocess, sys, tempfile

luac, nlc_py, src = (os.path.abspath(a) for a in sys.argv[1:4])
spec = importlib.util.spec_from_file_location("nlc53", nlc_py)
nlc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nlc)
files = ["arith.lua", "names/multi.dot.name.lua", "names/.dotfile.lua", "empty.lua"]
want_names = [b"arith", b"multi", b"dotfile", b"empty"]
ok = bad = 0


def check(cond, what):
    global ok, bad
    if cond:
        ok += 1
    else:
        bad += 1
        print("FAIL:", what)


with tempfile.TemporaryDirectory() as tmp:
    for t in ("5.3-int32-singlefp", "5.3-int64-doublefp"):
        lk, lc = os.path.join(tmp, "i.lc"), os.path.join(tmp, "c.lc")
        run = lambda *a: subprocess.run([luac, "--lua", "5.3", "-t", t] + list(a), cwd=src,
                                        capture_output=True)
        r = run("-i", "--timestamp", "1700000000", "-o", lk, *files)
        check(r.returncode == 0, "%s -i: %r" % (t, r.stderr))
        r2 = run("-o", lc, *files)
        check(r2.returncode == 0, "%s combined .lc: %r" % (t, r2.stderr))
        if r.returncode or r2.returncode:
            continue
        a, b = nlc.load_nodemcu(lk), nlc.load_nodemcu(lc)
        fa, fb = a["main"] if "main" in a else a, b["main"] if "main" in b else b
        m = fa.get("f", fa) if isinstance(fa, dict) else fa
        mb = fb.get("f", fb) if isinstance(fb, dict) else fb
        check(m["source"][1] == b"=(luac.cross)", "%s: main source %r" % (t, m["source"]))
        check(len(m["code"]) == 1 and (m["code"][0] & 0x3F) == 38, "%s: main code %r" % (t, m["code"]))
        names = [k[1] for k in m["k"][:-1]]
        check(names == want_names, "%s: names %r" % (t, names))
        check(m["k"][-1][0] == "int" and m["k"][-1][1] == 1700000000, "%s: timestamp %r" % (t, m["k"][-1]))
        check(m["p"] == mb["p"], "%s: the chunks differ from the combined .lc's" % t)
        r3 = run("-i", "--timestamp", "1700000000", "-o", lc, *files)
        check(open(lk, "rb").read() == open(lc, "rb").read(), "%s: -i is not reproducible" % t)
print("%d passed, %d failed" % (ok, bad))
sys.exit(0 if ok >= 16 and not bad else 1)
