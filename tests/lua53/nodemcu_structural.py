#!/usr/bin/env python3
"""Structural check of the Lua 5.3 front end against NodeMCU's format-10 vectors.

  nodemcu_structural.py LUA53C NLC53_DIR CONFORMANCE53_DIR [ESP32_DIR CONFORMANCE_SRC]

For every out/{32,64}/lc/*.lc (int32+float32 / int64+double) of
conformance53, compiles the matching src/*.lua with lua53c -d (cwd = src,
names dropped as NodeMCU does) and compares, function by function: code
words, constants (type and value bits), numparams, is_vararg, maxstacksize,
upvalue pairs, packed line info. Line info is compared twice: with
--compat-lineinfo (must equal the reference everywhere) and by default
(must equal it except where the reference's undo bug struck: li_undo*).
With ESP32_DIR (conformance-esp32) also its four 5.3 variants (out/53-32,
53-64 and the mixed 53-i32f64, 53-i64f32), whose sources are the 5.1
conformance sources (CONFORMANCE_SRC). Prints N of M identical per
variant; fails on any difference or when nothing was compared.
"""
import os, shutil, struct, subprocess, sys, tempfile

def parse_tree(text):
    funcs, cur = [], None
    for line in text.splitlines():
        tag, _, rest = line.partition(" ")
        if tag == "F":
            parts = rest.split()
            cur = dict(path=parts[0], linedefined=int(parts[1]), lastlinedefined=int(parts[2]))
            for kv in parts[3:]:
                k, v = kv.split("=")
                cur[k] = int(v)
            funcs.append(cur)
        elif tag == "C":
            cur["code"] = [int(w, 16) for w in rest.split()]
        elif tag == "K":
            cur["k"] = rest
        elif tag == "U":
            cur["ups"] = [tuple(int(x) for x in p.split(",")) for p in rest.split()]
        elif tag == "L":
            cur["li"] = bytes(int(b, 16) for b in rest.split())
        elif tag == "A":
            cur["lines"] = [int(x) for x in rest.split()]
    return funcs

def fmt_k(k):
    t, v = k
    if t == "nil": return "nil"
    if t == "bool": return "true" if v else "false"
    if t == "int": return "i%d" % v
    if t == "flt": return "f%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]
    s = '"' + "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else "\\x%02x" % c
                      for c in v) + '"'
    return s

def flatten(f, out):
    out.append(f)
    for c in f["p"]:
        flatten(c, out)
    return out

def compare(ref, ours, check_li):
    rf = flatten(ref["main"], [])
    if len(rf) != len(ours):
        return "%d functions, ours %d" % (len(rf), len(ours))
    for i, (a, b) in enumerate(zip(rf, ours)):
        where = "function %d (%s)" % (i, b["path"])
        for key, bk in (("numparams", "np"), ("is_vararg", "va"), ("maxstacksize", "ms"),
                        ("linedefined", "linedefined"), ("lastlinedefined", "lastlinedefined")):
            if a[key] != b[bk]:
                return "%s: %s %d, ours %d" % (where, key, a[key], b[bk])
        if a["code"] != b["code"]:
            for j, (x, y) in enumerate(zip(a["code"], b["code"])):
                if x != y:
                    return "%s: code[%d] %08x, ours %08x" % (where, j, x, y)
            return "%s: %d instructions, ours %d" % (where, len(a["code"]), len(b["code"]))
        ks = " ".join(fmt_k(k) for k in a["k"])
        if ks != b["k"]:
            return "%s: constants\n    ref  %s\n    ours %s" % (where, ks[:300], b["k"][:300])
        ups = [(u[1], u[2]) for u in a["upvalues"]]
        if ups != b["ups"]:
            return "%s: upvalues %s, ours %s" % (where, ups, b["ups"])
        if check_li:
            li = a["lineinfo"][:-1] if a["lineinfo"].endswith(b"\0") else a["lineinfo"]
            if li != b["li"]:
                return "%s: line info %s, ours %s" % (where, li.hex(), b["li"].hex())
    return None

def esp32(lua53c, nlc53, esp, src):
    failed = False
    for variant, model in (("53-32", "i32f32"), ("53-64", "i64f64"),
                           ("53-i32f64", "i32f64"), ("53-i64f32", "i64f32")):
        d = os.path.join(esp, "out", variant)
        n = same = 0
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if not name.endswith(".lc"):
                continue
            rel = name[:-3] + ".lua"
            if not os.path.isfile(os.path.join(src, rel)):
                print("not compared: esp32 %s/%s (no source)" % (variant, name))
                continue
            with open(os.path.join(d, name), "rb") as fh:
                ref = nlc53.NodeMCU(fh.read()).read()
            n += 1
            p = subprocess.run([lua53c, "-d", "-k", "-c", "-n", model, rel], cwd=src,
                               capture_output=True, text=True, errors="replace")
            res = ("lua53c failed: " + p.stderr.strip()) if p.returncode else \
                compare(ref, parse_tree(p.stdout), True)
            if res is None:
                same += 1
            else:
                failed = True
                print("DIFFERENT (esp32 %s) %s: %s" % (variant, rel, res))
        print("lua53 esp32 %s: %d of %d identical (structure and packed line info)"
              % (variant, same, n))
        if n == 0:
            failed = True
    return failed

def main():
    if len(sys.argv) not in (4, 6):
        print(__doc__)
        return 2
    lua53c, tools, conf = sys.argv[1:4]
    sys.path.insert(0, tools)
    import nlc53
    src = os.path.join(conf, "src")
    # the generated inputs the vectors do not store (gen_vectors.py makes
    # them byte for byte)
    gen = tempfile.mkdtemp(prefix="lua53gen")
    subprocess.run([sys.executable, os.path.join(conf, "gen_vectors.py"), gen], check=True,
                   capture_output=True)
    failed = False
    for variant, model in (("32", "i32f32"), ("64", "i64f64")):
        lcdir = os.path.join(conf, "out", variant, "lc")
        n = same = same_default = 0
        for root, _, files in os.walk(lcdir):
            for name in sorted(files):
                if not name.endswith(".lc"):
                    continue
                base = os.path.relpath(os.path.join(root, name), lcdir)[:-3]
                where = None
                for d in (src, gen):
                    for cand in (base + ".lua", base):
                        if where is None and os.path.isfile(os.path.join(d, cand)):
                            where, rel = d, cand
                if where is None:
                    print("not compared: %s/%s.lc (several sources or a .lc input)"
                          % (variant, base))
                    continue
                with open(os.path.join(root, name), "rb") as fh:
                    ref = nlc53.NodeMCU(fh.read()).read()
                n += 1
                res = {}
                for mode, flags in (("compat", ["-c"]), ("default", [])):
                    p = subprocess.run([lua53c, "-d", "-k", "-n", model] + flags + [rel], cwd=where,
                                       capture_output=True, text=True, errors="replace")
                    if p.returncode != 0:
                        res[mode] = "lua53c failed: " + p.stderr.strip()
                    else:
                        ours = parse_tree(p.stdout)
                        res[mode] = compare(ref, ours, True)
                        if mode == "default":
                            # our packed line info must say the true lines
                            for f in ours:
                                if nlc53.decode_lines(f["li"], len(f["lines"])) != f["lines"]:
                                    failed = True
                                    print("WRONG LINES %s %s: packed %s, lines %s" % (
                                        rel, f["path"], f["li"].hex(), f["lines"]))
                if res["compat"] is None:
                    same += 1
                else:
                    failed = True
                    print("DIFFERENT (%s, compat line info) %s: %s" % (variant, rel, res["compat"]))
                if res["default"] is None:
                    same_default += 1
                elif not os.path.basename(rel).startswith("li_undo"):
                    failed = True
                    print("DIFFERENT (%s, default line info) %s: %s" % (variant, rel, res["default"]))
        print("lua53 nodemcu %s-bit: %d of %d identical (structure and packed line info "
              "with --compat-lineinfo); %d of %d with correct line info (the rest: the "
              "reference's undo bug)" % (variant, same, n, same_default, n))
        if n == 0:
            failed = True
    shutil.rmtree(gen, ignore_errors=True)
    if len(sys.argv) == 6 and esp32(lua53c, nlc53, sys.argv[4], sys.argv[5]):
        failed = True
    return 1 if failed else 0

sys.exit(main())
