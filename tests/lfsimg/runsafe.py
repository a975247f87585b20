#!/usr/bin/env python3
"""The run-safe level of verify (src/lua51/flowcheck.c), #22 finding 1.

1. Everything NodeMCU's luac.cross made (the ESP8266 and ESP32 5.1
   conformance images) and everything ours makes from the corpus (one
   image per file) is run-safe.
2. Images the device loads but the host VM cannot run safely -- the
   issue's VARARG 0 0 before a CALL 7 0 (a use-after-free in liblua5.1),
   its FORPREP turned into a JMP (a table's address read as a number),
   and one mutation for each other rule -- are reported by verify as
   valid but not run-safe (exit 0, its own line, "run_safe": false in
   JSON), and refused by lfsimg run and luac.cross -F -e with the reason.
   The unmutated images run.

usage: runsafe.py LUAC_CROSS LFSIMG CONFORMANCE_DIR CONFORMANCE_ESP32_DIR [CORPUS_DIR]
"""
import glob, json, os, subprocess, sys, tempfile

luac, lfsimg, conf, conf32 = (os.path.abspath(a) for a in sys.argv[1:5])
corpus = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (what, detail))


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def verify_json(path):
    r = run(lfsimg, "verify", "--json", path)
    return r.returncode, json.loads(r.stdout)


# Lua 5.1 instruction fields: op 6 bits, A 8, C 9, B 9; Bx 18 (sBx biased)
OP = {"MOVE": 0, "LOADK": 1, "CALL": 28, "RETURN": 30, "FORLOOP": 31, "FORPREP": 32,
      "TFORLOOP": 33, "JMP": 22, "VARARG": 37, "SETLIST": 34}


def dec(w):
    return w & 63, (w >> 6) & 255, (w >> 23) & 511, (w >> 14) & 511, (w >> 14) - 131071


def enc_abc(op, a, b, c):
    return op | a << 6 | c << 14 | b << 23


def enc_asbx(op, a, sbx):
    return op | a << 6 | (sbx + 131071) << 14


def words(img):
    return [int.from_bytes(img[i:i + 4], "little") for i in range(0, len(img) - 3, 4)]


def mutate(tmp, name, src, pick, change):
    """Build src at 0x40280000 (-a: plain words), change the first word
    pick() selects (word, index, all words) -> new word."""
    lua = os.path.join(tmp, name + ".lua")
    img = os.path.join(tmp, name + ".img")
    open(lua, "w").write(src)
    r = run(luac, "-a", "0x40280000", "-o", img, lua)
    assert r.returncode == 0, r.stderr
    data = bytearray(open(img, "rb").read())
    ws = words(data)
    for i, w in enumerate(ws):
        if pick(w, i, ws):
            new = change(w, i, ws)
            data[4 * i:4 * i + 4] = new.to_bytes(4, "little")
            bad = os.path.join(tmp, name + ".bad.img")
            open(bad, "wb").write(data)
            return img, bad
    raise SystemExit("no word to mutate in " + name)


def main():
    # 1. what the compilers emit
    vectors = sorted(glob.glob(os.path.join(conf, "*", "**", "*.img"), recursive=True) +
                     glob.glob(os.path.join(conf32, "out", "51*", "*.img")))
    vectors = [v for v in vectors if verify_json(v)[1]["ok"]]   # not the .fail vectors
    unsafe = [v for v in vectors if verify_json(v)[1].get("run_safe") is not True]
    check("NodeMCU's images", vectors and not unsafe, unsafe[:3])
    print("%d of %d NodeMCU luac.cross images (ESP8266, ESP32) run-safe" %
          (len(vectors) - len(unsafe), len(vectors)))
    with tempfile.TemporaryDirectory() as tmp:
        if corpus:
            files = sorted(glob.glob(os.path.join(corpus, "**", "*.lua"), recursive=True))
            step = int(os.environ.get("LFSC_SAMPLE", "1"))
            files = files[::step]
            img = os.path.join(tmp, "c.img")
            bad = []
            for f in files:
                if run(luac, "-f", "-o", img, f).returncode == 0:
                    if verify_json(img)[1].get("run_safe") is not True:
                        bad.append(f)
            check("corpus images", files and not bad, bad[:3])
            print("%d of %d corpus files' images run-safe" % (len(files) - len(bad), len(files)))

        # constructors whose items cost less than an instruction each (runs of
        # nils share one LOADNIL) keep their size hints within the bound
        lua = os.path.join(tmp, "nils.lua")
        open(lua, "w").write("local t = {%s}\nlocal u = {%s}\nreturn t, u\n" % (
            ",".join(["nil"] * 3000), ",".join("a%d = nil" % i for i in range(2000))))
        img = os.path.join(tmp, "nils.img")
        check("big nil constructors build", run(luac, "-f", "-o", img, lua).returncode == 0)
        check("big nil constructors are run-safe", verify_json(img)[1].get("run_safe") is True)

        # 2. mutations the device loads but the host cannot run safely
        cases = [
            ("vararg_below_call", "the issue's VARARG 0 0 before CALL 7 0",
             "local a, b, c, d, e\nlocal f = function()\n  collectgarbage()\n"
             "  for i = 1, 89 do local s = 'AAAAAAAABBBBB' .. (i + 10) end\n  return print\n"
             "end\nf(...)\n",
             lambda w, i, ws: w == enc_abc(OP["VARARG"], 7, 0, 0) and
             dec(ws[i + 1])[0] == OP["CALL"] and dec(ws[i + 1])[2] == 0,
             lambda w, i, ws: enc_abc(OP["VARARG"], 0, 0, 0),
             "stack top set below the registers that use it"),
            ("forprep_jmp", "the issue's FORPREP turned into a JMP",
             "local t = {}\nfor i = t, -1e308, 0 do return i, t end\n",
             lambda w, i, ws: dec(w)[0] == OP["FORPREP"] and 0 < dec(w)[4] < 8 and
             dec(ws[i + 1 + dec(w)[4]])[0] == OP["FORLOOP"],
             lambda w, i, ws: enc_asbx(OP["JMP"], 0, dec(w)[4]),
             "FORLOOP without its FORPREP"),
            ("for_control_written", "a for loop's limit overwritten in its body",
             "local s = 0\nfor i = 1, 10 do s = i end\nreturn s\n",
             lambda w, i, ws: dec(w)[0] == OP["MOVE"] and dec(w)[1] == 0 and dec(w)[2] == 4 and
             dec(ws[i + 1])[0] == OP["FORLOOP"],
             lambda w, i, ws: enc_abc(OP["MOVE"], 2, 4, 0),
             "loop control register written inside the loop"),
            ("open_call_jumped_to", "a CALL up to the top reached by a jump",
             "local x = ...\nif x then x = 1 end\nprint(select('#', ...))\n",
             lambda w, i, ws: dec(w)[0] == OP["JMP"] and dec(ws[i - 1])[0] == 26 and
             any(dec(x)[0] == OP["CALL"] and dec(x)[2] == 0 for x in ws[i + 1:i + 10]),
             lambda w, i, ws: enc_asbx(OP["JMP"], 0, next(
                 j for j in range(i + 1, len(ws)) if dec(ws[j])[0] == OP["CALL"] and
                 dec(ws[j])[2] == 0) - i - 1),
             "jump to an instruction that uses the stack top"),
            ("tforloop_control_written", "a generic for's function overwritten in its body",
             "local n = 0\nfor k, v in pairs({1, 2}) do n = n + v end\nreturn n\n",
             lambda w, i, ws: dec(w)[0] == 12 and dec(w)[1] == 0 and     # ADD 0 0 x: n = n + v
             dec(ws[i + 1])[0] == OP["TFORLOOP"],
             lambda w, i, ws: (w & ~(255 << 6)) | (1 << 6),            # ADD 1 ...: R(1) = f
             "loop control register written inside the loop"),
            ("newtable_overflow", "a NEWTABLE size hint liblua5.1 decodes with an int overflow",
             "local t = {1, 2, 3}\nreturn t\n",
             lambda w, i, ws: dec(w)[0] == 10 and dec(w)[2] == 3,       # NEWTABLE A 3 0
             lambda w, i, ws: enc_abc(10, dec(w)[1], 0xF8, 0),
             "NEWTABLE size hint larger than any constructor"),
        ]
        for name, what, src, pick, change, reason in cases:
            good, bad = mutate(tmp, name, src, pick, change)
            rc, j = verify_json(bad)
            check(what + ": verify says valid (the device loads it)", rc == 0 and j["ok"], j)
            check(what + ": but not run-safe", j.get("run_safe") is False and
                  reason in (j.get("run_unsafe") or {}).get("message", ""), j.get("run_unsafe"))
            t = run(lfsimg, "verify", bad)
            check(what + ": its own line in the text", "not run-safe" in t.stdout and
                  reason in t.stdout, t.stdout)
            r = run(lfsimg, "run", bad, "-e", "for _, m in ipairs(node.LFS.list()) do "
                    "pcall(node.LFS.get(m)) end")
            check(what + ": run refuses it", r.returncode == 1 and reason in r.stderr and
                  "not safe to run" in r.stderr, (r.returncode, r.stderr[:300]))
            script = os.path.join(tmp, "e.lua")
            open(script, "w").write("return\n")
            r = run(luac, "-F", bad, "-e", script, "-p", script)
            check(what + ": luac.cross -F -e refuses it", r.returncode != 0 and
                  reason in r.stderr, (r.returncode, r.stderr[:300]))
            r = run(lfsimg, "run", good, "-e", "print(#node.LFS.list())")
            check(what + ": the unmutated image runs", r.returncode == 0 and
                  r.stdout.strip() == "1", (r.returncode, r.stdout, r.stderr))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed >= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
