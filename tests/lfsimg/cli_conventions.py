#!/usr/bin/env python3
"""lfsimg's one command-line convention, stdin and --json (issue #11 items 3, 5).

For every subcommand:
  - -h and --help print its usage on stdout, exit 0, nothing on stderr;
  - an unknown option, a missing value, a missing operand and an extra
    operand are usage errors: exit 2, one line naming it and the --help
    hint on stderr, nothing on stdout;
  - an image operand "-" reads stdin and gives the same output as the file
    name (the name itself aside: "stdin" in text, "-" in JSON), on the
    conformance vectors; more stdin than the largest image file is refused;
  - --json (info, list, strings, verify, diff, firmware) is one object that
    a strict parser accepts (valid UTF-8, no duplicate keys, no NaN), with
    the fields and types that man/lfsimg.1 documents, agreeing with the
    text output; also on an image with non-ASCII module names and strings.
Also: the bash completion offers the new options.

usage: cli_conventions.py LFSIMG LUAC CONFORMANCE_DIR SOURCE_DIR [FIRMWARE_DIR]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textout import unquote  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LFSIMG, LUAC = (os.path.abspath(a) for a in sys.argv[1:3])
CONF, SRCDIR = sys.argv[3], sys.argv[4]
FWDIR = sys.argv[5] if len(sys.argv) > 5 else None
if not os.path.isdir(CONF):
    print("no conformance vectors at %s: skipped" % CONF)
    sys.exit(77)


def run(args, stdin=None, cwd=None):
    r = subprocess.run([LFSIMG] + list(args), input=stdin, capture_output=True, cwd=cwd,
                       timeout=120)
    return r.returncode, r.stdout, r.stderr


def strict_json(data, what):
    """Parse as RFC 8259 strictly: UTF-8 (surrogate escapes of json.h's rule
    allowed), no duplicate keys, no NaN/Infinity, one value and a newline."""
    def pairs(kv):
        keys = [k for k, _ in kv]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate keys %r" % keys)
        return dict(kv)

    def constant(name):
        raise ValueError("non-JSON constant %s" % name)
    try:
        text = data.decode("utf-8")
        if not text.endswith("\n") or text.endswith("\n\n"):
            raise ValueError("not one document ending in a line break")
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (UnicodeDecodeError, ValueError) as e:
        check(False, "%s: not strict JSON: %s\n%s" % (what, e, data[:400]))
        return None


INT, STR, BOOL, NUM, NULL, LIST, OBJ = int, str, bool, float, type(None), list, dict


def typed(v, types):
    if isinstance(v, bool):
        return bool in types
    if isinstance(v, int):
        return int in types or float in types
    return isinstance(v, types)


def schema(obj, fields, what):
    """obj has exactly these keys, in this order, with these types."""
    if not check(isinstance(obj, dict), "%s: not an object: %r" % (what, obj)):
        return False
    ok = check(list(obj) == list(fields), "%s: keys %r, documented %r" % (what, list(obj), list(fields)))
    for k, types in fields.items():
        if k in obj:
            ok &= check(typed(obj[k], types if isinstance(types, tuple) else (types,)),
                        "%s: %s = %r is not %r" % (what, k, obj[k], types))
    return ok


INFO = {"file": STR, "file_bytes": INT, "kind": STR, "base": (STR, NULL), "signature": STR,
        "signature_absolute": BOOL, "variant": STR, "chip": OBJ, "tvalue_bytes": INT, "version": INT,
        "timestamp": (NUM, NULL), "date": (STR, NULL), "image_bytes": INT, "bitmap_bytes": INT,
        "compressed": BOOL, "uncompressed_bytes": INT, "strings": INT, "buckets": INT,
        "string_bytes": INT, "protos": INT, "modules": LIST}
INFO_MODULE = {"name": (STR, NULL), "bytes": INT, "share": NUM}
CHIP = {"name": (STR, NULL), "family": (STR, NULL), "chips": LIST, "given": BOOL, "how": STR}
LIST_ = {"file": STR, "modules": LIST}
STRINGS = {"file": STR, "strings": LIST}
STRING = {"offset": INT, "hash": INT, "text": STR}
VERIFY = {"file": STR, "ok": BOOL, "errors": INT, "warnings": INT, "problems": LIST,
          "problems_not_shown": INT, "run_safe": (BOOL, NULL), "run_unsafe": (OBJ, NULL),
          "image": (OBJ, NULL)}
PROBLEM = {"severity": STR, "where": STR, "offset": (INT, NULL), "message": STR}
VIMAGE = {"variant": STR, "kind": STR, "signature_absolute": BOOL, "modules": INT}
DIFF = {"a": STR, "b": STR, "variant": (OBJ, NULL), "modules": LIST, "order_differs": BOOL,
        "differences": INT, "equivalent": BOOL}
DMODULE = {"name": (STR, NULL), "change": STR, "where": (STR, NULL), "detail": (STR, NULL)}
FIRMWARE = {"files": LIST, "form": STR, "build_type": (STR, NULL), "irom0_start": INT,
            "irom0_end": INT, "boot_flash_size": (INT, NULL), "lfs_capacity": (INT, NULL),
            "rcr": LIST, "stored_table": LIST, "computed_at_first_boot": BOOL,
            "flash_size": INT, "flash_size_from": STR, "table": LIST, "lfs": (OBJ, NULL)}
PART = {"type": INT, "name": (STR, NULL), "addr": INT, "size": INT}
RCR = {"offset": INT, "id": INT, "len": INT}
LFS = {"offset": INT, "size": INT, "address": INT, "in_window": BOOL}
VARIANTS = ("float", "float16", "int")


def raw(s):
    return None if s is None else s.encode("utf-8", "surrogateescape")


def check_info(d, path, what):
    if not schema(d, INFO, what):
        return
    check(d["file"] == path, "%s: file %r" % (what, d["file"]))
    check(d["kind"] in ("PI", "ABS") and d["variant"] in VARIANTS, "%s: kind/variant" % what)
    check((d["base"] is None) == (d["kind"] == "PI"), "%s: base %r for %s" % (what, d["base"], d["kind"]))
    for m in d["modules"]:
        schema(m, INFO_MODULE, what + " module")
    if schema(d["chip"], CHIP, what + " chip"):
        check(all(isinstance(c, str) for c in d["chip"]["chips"]), "%s: chip.chips" % what)


def check_list(d, path, text_out, what):
    if not schema(d, LIST_, what):
        return
    check(d["file"] == path, "%s: file %r" % (what, d["file"]))
    check(all(isinstance(n, (str, type(None))) for n in d["modules"]), "%s: names" % what)
    check([raw(n) for n in d["modules"]] == [unquote(l) for l in text_out.splitlines()],
          "%s: names differ from the text output" % what)


def check_strings(d, path, text_out, what):
    if not schema(d, STRINGS, what):
        return
    check(d["file"] == path, "%s: file %r" % (what, d["file"]))
    for s in d["strings"]:
        schema(s, STRING, what + " string")
    got = [b"0x%05x %08x \"" % (s["offset"], s["hash"]) + raw(s["text"]) + b'"'
           for s in d["strings"] if isinstance(s, dict) and "text" in s]
    want = [l[:16] + unquote(l[16:]) for l in text_out.splitlines()]
    check(got == want, "%s: strings differ from strings --offsets" % what)


def check_verify(d, path, rc, what):
    if not schema(d, VERIFY, what):
        return
    check(d["file"] == path, "%s: file %r" % (what, d["file"]))
    check(d["ok"] == (rc == 0) and d["ok"] == (d["errors"] == 0),
          "%s: ok %r, errors %r, exit %d" % (what, d["ok"], d["errors"], rc))
    for p in d["problems"]:
        if schema(p, PROBLEM, what + " problem"):
            check(p["severity"] in ("error", "warning") and p["where"] in ("image", "file", "none")
                  and (p["offset"] is None) == (p["where"] == "none"), "%s: problem %r" % (what, p))
    n = len(d["problems"]) + d["problems_not_shown"]
    check(n == d["errors"] + d["warnings"], "%s: %d problems for %d errors + %d warnings"
          % (what, n, d["errors"], d["warnings"]))
    if d["image"] is not None and schema(d["image"], VIMAGE, what + " image"):
        check(d["image"]["variant"] in VARIANTS and d["image"]["kind"] in ("PI", "ABS"),
              "%s: image %r" % (what, d["image"]))


def check_diff(d, a, b, rc, text_out, what):
    if not schema(d, DIFF, what):
        return
    check((d["a"], d["b"]) == (a, b), "%s: names %r %r" % (what, d["a"], d["b"]))
    check(d["equivalent"] == (d["differences"] == 0) == (rc == 0),
          "%s: equivalent %r, differences %r, exit %d" % (what, d["equivalent"], d["differences"], rc))
    counted = sum(1 for m in d["modules"] if m.get("change") != "debug_only") + (d["variant"] is not None)
    check(counted == d["differences"], "%s: %d listed, %d counted" % (what, counted, d["differences"]))
    for m in d["modules"]:
        if schema(m, DMODULE, what + " module"):
            check(m["change"] in ("only_in_a", "only_in_b", "changed", "debug_only") and
                  (m["where"] is not None) == (m["detail"] is not None) == (m["change"] == "changed"),
                  "%s: module %r" % (what, m))
    if d["variant"] is not None:
        schema(d["variant"], {"a": STR, "b": STR}, what + " variant")
    last = text_out.splitlines()[-1] if text_out else b""
    want = b"%d difference" % d["differences"] if d["differences"] else b"equivalent:"
    check(last.startswith(want), "%s: text says %r, JSON %d differences" % (what, last, d["differences"]))
    # the text says what order_differs says, with or without other differences
    check((b"module order differs" in text_out) == d["order_differs"],
          "%s: order_differs %r, text %r" % (what, d["order_differs"], text_out[-200:]))
    changed = [raw(m["name"]) for m in d["modules"] if m["change"] == "changed"]
    check(changed == [unquote(l[2:-10]) for l in text_out.splitlines() if l.startswith(b"~ ")],
          "%s: changed modules differ from the text output" % what)


tmp = tempfile.mkdtemp()
try:
    W = lambda *p: os.path.join(tmp, *p)
    pi, abs_, pi_int = (os.path.join(CONF, v) for v in
                        ("float/multi.pi.img", "float/multi.abs.img", "int/all.pi.img"))
    allf = os.path.join(CONF, "float/all.pi.img")
    have_run = run(["run", "--no-image", "-e", "print(1)"])[0] == 0
    fw = None
    if FWDIR and os.path.isfile(os.path.join(FWDIR, "0x10000.bin")):
        fw = [os.path.join(FWDIR, "0x00000.bin"), os.path.join(FWDIR, "0x10000.bin")]

    # ---- -h, --help, usage errors, for every subcommand --------------------
    ok_args = {  # a valid command line (for the extra-operand and option checks)
        "info": [pi], "list": [pi], "strings": [pi], "dis": [pi, "c12"], "verify": [pi],
        "reloc": ["--base", "0x40280000", pi, W("r.img")], "extract": [pi, "c12", "-o", W("x.lc")],
        "diff": [pi, pi], "firmware": [pi, pi], "provision": ["--firmware", pi, "--lfs", pi, "-o", W("f")],
        "run": [pi], "partitions": [pi],
    }
    missing = {  # too few operands, and the name the message must give
        "info": ([], "missing image file"), "list": ([], "missing image file"),
        "strings": ([], "missing image file"), "dis": ([], "missing image file"),
        "verify": ([], "missing image file"),
        "reloc": (["--base", "0x40280000", pi], "missing output file"),
        "extract": ([pi, "-o", W("x.lc")], "missing module name"),
        "diff": ([pi], "missing image file B"), "firmware": ([], "missing firmware file"),
        "provision": (["--firmware", pi, "-o", W("f")], "missing --lfs IMG"),
        "run": ([], "missing image file"), "partitions": ([], "missing partition table"),
    }
    # no command is a usage error: the list on stderr, nothing on stdout,
    # exit 2; 'help --help' (and 'help -h') is the list, exit 0 (issue #22)
    rc, out, err = run([])
    check(rc == 2 and not out and err.startswith(b"usage: lfsimg COMMAND"),
          "no command: exit %d, stdout %r" % (rc, out[:40]))
    # one module is "1 module" (issue #22: "1 modules")
    one = os.path.join(CONF, "float/single/c15_empty.pi.img")
    rc, out, err = run(["verify", one])
    check(rc == 0 and out.endswith(b"image, 1 module\n"), "verify, 1 module: %r" % out)
    rc, out, err = run(["diff", one, one])
    check(rc == 0 and out.startswith(b"equivalent: 1 module, "), "diff, 1 module: %r" % out)
    for h in ("-h", "--help"):
        rc, out, err = run(["help", h])
        check(rc == 0 and out.startswith(b"usage: lfsimg COMMAND") and not err,
              "help %s: exit %d, %r" % (h, rc, err))
    for cmd in ok_args:
        for h in ("-h", "--help"):
            rc, out, err = run([cmd, h])
            check(rc == 0 and out.startswith(b"usage: lfsimg %s " % cmd.encode()) and not err,
                  "%s %s: exit %d, %r %r" % (cmd, h, rc, out[:60], err))
        # -h anywhere among valid arguments still means help
        if cmd != "run":
            rc, out, err = run([cmd] + ok_args[cmd] + ["-h"])
            check(rc == 0 and out.startswith(b"usage: lfsimg %s " % cmd.encode()),
                  "%s ... -h: exit %d" % (cmd, rc))
        rc, out, err = run(["help", cmd])
        check(rc == 0 and out.startswith(b"usage: lfsimg %s " % cmd.encode()), "help %s" % cmd)
        for bad, name in (("-Z", "-Z"), ("--frobnicate", "--frobnicate"), ("--frob=1", "--frob")):
            rc, out, err = run([cmd, bad] + ok_args[cmd])
            check(rc == 2 and not out and err.decode() == "lfsimg: %s: unknown option '%s'\n"
                  "Try 'lfsimg %s --help'.\n" % (cmd, name, cmd),
                  "%s %s: exit %d, stderr %r" % (cmd, bad, rc, err))
        args, want = missing[cmd]
        rc, out, err = run([cmd] + args)
        check(rc == 2 and not out and err.startswith(b"lfsimg: %s: %s" % (cmd.encode(), want.encode()))
              and b"Try 'lfsimg %s --help'." % cmd.encode() in err,
              "%s %r: exit %d, stderr %r (want %r)" % (cmd, args, rc, err, want))
        if cmd not in ("run", "provision"):
            rc, out, err = run([cmd] + ok_args[cmd] + ["extra_operand"])
            check(rc == 2 and not out and b"unexpected argument 'extra_operand'" in err,
                  "%s with an extra operand: exit %d, %r" % (cmd, rc, err))
    for cmd, opt in (("verify", "--variant"), ("reloc", "--base"), ("extract", "-o"),
                     ("extract", "-t"), ("firmware", "--flash-size"), ("provision", "--lfs")):
        rc, out, err = run([cmd, opt])
        check(rc == 2 and b"'%s' needs an argument" % opt.encode() in err,
              "%s %s without a value: exit %d, %r" % (cmd, opt, rc, err))
    rc, out, err = run(["list", "--json=yes", pi])
    check(rc == 2 and b"'--json' takes no argument" in err, "--json=yes: %d %r" % (rc, err))
    # the value forms: --base=ADDR, -aADDR, -oFILE; "--" ends the options
    ref = run(["reloc", "--base", "0x40280000", pi, W("r0.img")])[0]
    for form in (["--base=0x40280000", pi, W("r1.img")], ["-a0x40280000", pi, W("r2.img")],
                 [pi, W("r3.img"), "--base", "0x40280000"], ["--base", "0x40280000", "--", pi, W("r4.img")]):
        rc = run(["reloc"] + form)[0]
        out = form[-1] if form[-1].endswith(".img") else form[-3]
        check(rc == 0 and ref == 0 and open(W("r0.img"), "rb").read() == open(out, "rb").read(),
              "reloc %r: exit %d" % (form, rc))
    rc, out, err = run(["list", "--", "-Z"])
    check(rc == 1 and b"cannot open -Z" in err, "list -- -Z: %d %r" % (rc, err))
    rc = run(["extract", pi, "c12", "-o" + W("x1.lc")])[0]
    check(rc == 0 and os.path.getsize(W("x1.lc")) > 0, "extract -oFILE: exit %d" % rc)
    rc, out, err = run(["dis", "-l", pi, "c12"])
    rc2, out2, _ = run(["dis", "--short", pi, "c12"])
    check(rc == rc2 == 0 and out == out2 and out, "dis -l / --short")
    rc, out, err = run(["frobnicate"])
    check(rc == 2 and b"unknown command 'frobnicate'" in err, "unknown command: %d" % rc)
    for v in ("--version", "-v"):
        rc, out, err = run([v])
        check(rc == 0 and out.startswith(b"lfsimg (lfsc) "), "%s: %d %r" % (v, rc, out))

    # ---- "-" reads stdin: the same output as the file -----------------------
    vectors = sorted(os.path.join(CONF, v, f) for v in VARIANTS
                     for f in os.listdir(os.path.join(CONF, v)) if f.endswith(".img"))
    if not check(len(vectors) >= 20, "only %d vectors" % len(vectors)):
        vectors = []

    def same(args, path, what, json_out=False, base=False):
        """args with path, and with "-" and path on stdin: same exit, stdout, stderr."""
        data = open(path, "rb").read()
        a = run([x if x != "IMG" else path for x in args])
        b = run([x if x != "IMG" else "-" for x in args], stdin=data)
        # (base: info's "next" line also names the file on the device by its base name)
        name = lambda s: s.replace(os.path.basename(path).encode(), b"stdin") if base else s
        text = lambda s: name(s.replace(path.encode(), b"stdin"))
        fix = (lambda s: s.replace(json.dumps(path).encode(), b'"-"')) if json_out else text
        return check(a[0] == b[0] and fix(a[1]) == b[1] and text(a[2]) == b[2],
                     "%s %s: file and stdin differ: exit %d/%d\n%r\n%r\n%r\n%r"
                     % (what, path, a[0], b[0], a[1][:300], b[1][:300], a[2][:200], b[2][:200]))

    # info says what to do next, in words a user knows (#22 item 11)
    rc, out, _ = run(["info", allf])
    check(rc == 0 and b'node.LFS.reload("all.pi.img")' in out and b"Protos" not in out and
          b"buckets" not in out, "info of a PI image: %r" % out[-300:])
    rc, out, _ = run(["info", abs_])
    check(rc == 0 and (b"write_flash 0x%x %s" % (0x80000, abs_.encode())) in out,
          "info of an absolute image: %r" % out[-300:])
    for v in vectors:
        same(["info", "IMG"], v, "info", base=True)
        same(["info", "--json", "IMG"], v, "info --json", json_out=True)
        same(["list", "IMG"], v, "list")
        same(["strings", "--offsets", "IMG"], v, "strings")
        same(["dis", "IMG"], v, "dis")
        same(["verify", "IMG"], v, "verify")
        same(["verify", "--json", "IMG"], v, "verify --json", json_out=True)
    for v in (pi, abs_, pi_int, os.path.join(CONF, "float/multi.pi.stripped.img")):
        same(["diff", "IMG", allf], v, "diff A=-")
        same(["diff", allf, "IMG"], v, "diff B=-")
        same(["diff", "--json", "IMG", allf], v, "diff --json", json_out=True)
        for out, args in ((W("o1"), ["reloc", "--base", "0x40280000", "IMG"]),
                          (W("o2"), ["extract", "-t", "host", "IMG", "init", "-o"])):
            data = open(v, "rb").read()
            r1 = run([x if x != "IMG" else v for x in args] + [out])
            r2 = run([x if x != "IMG" else "-" for x in args] + [out + "s"], stdin=data)
            check(r1[0] == r2[0] == 0 and open(out, "rb").read() == open(out + "s", "rb").read(),
                  "%s from stdin: exit %d/%d %r" % (args[0], r1[0], r2[0], r2[2]))
        if have_run:
            same(["run", "IMG", "-e", "print(table.concat(node.LFS.list(), ' '), node.LFS.time)"],
                 v, "run")
    rc, out, err = run(["diff", "-", "-"], stdin=b"")
    check(rc == 2 and b"only one of the two images can be '-'" in err, "diff - -: %d %r" % (rc, err))
    if have_run:
        rc, out, err = run(["run", "-", "-"], stdin=open(pi, "rb").read())
        check(rc == 2 and b"cannot both come from stdin" in err, "run - -: %d %r" % (rc, err))
    if fw:
        o1, o2 = W("flash1.bin"), W("flash2.bin")
        base = ["provision", "--firmware", fw[0], "--firmware", fw[1], "--lfs"]
        r1 = run(base + [pi, "-o", o1])
        r2 = run(base + ["-", "-o", o2], stdin=open(pi, "rb").read())
        check(r1[0] == r2[0] == 0 and open(o1, "rb").read() == open(o2, "rb").read(),
              "provision --lfs -: exit %d/%d %r" % (r1[0], r2[0], r2[2]))
    # bounded: one byte more than the largest image file is refused, by size
    limit = 0x3E0000 + 0x3E0000 // 32 + 18 + 5 * (0x3E0000 // 65535 + 2)
    for cmd in (["info", "-"], ["verify", "--json", "-"]):
        rc, out, err = run(cmd, stdin=b"\0" * (limit + 1))
        check(rc == 1 and err == b"lfsimg: stdin: more than %d bytes, larger than any LFS image file\n"
              % limit, "%r with %d bytes: exit %d, %r" % (cmd, limit + 1, rc, err))
    rc, out, err = run(["info", "-"], stdin=b"\0" * limit)
    check(rc == 1 and b"stdin: " in err and b"more than" not in err,
          "info - with %d bytes: exit %d, %r" % (limit, rc, err))
    rc, out, err = run(["info", "-"], stdin=b"")
    check(rc == 1 and err.startswith(b"lfsimg: stdin: "), "info - on empty stdin: %d %r" % (rc, err))

    # ---- --json: strict, documented, agreeing with the text ----------------
    for v in vectors:
        if os.path.getsize(v) == 0:
            continue                    # the vectors of what must fail to build
        rc, out, err = run(["info", "--json", v])
        d = strict_json(out, "info --json " + v)
        if d is not None and check(rc == 0, "info --json %s: exit %d" % (v, rc)):
            check_info(d, v, "info --json " + v)
        rc, out, _ = run(["list", "--json", v])
        d = strict_json(out, "list --json " + v)
        if d is not None:
            check_list(d, v, run(["list", v])[1], "list --json " + v)
        rc, out, _ = run(["strings", "--json", v])
        d = strict_json(out, "strings --json " + v)
        if d is not None:
            check_strings(d, v, run(["strings", "--offsets", v])[1], "strings --json " + v)
        rc, out, _ = run(["verify", "--json", v])
        d = strict_json(out, "verify --json " + v)
        if d is not None:
            check_verify(d, v, rc, "verify --json " + v)
            check(d["ok"] == (run(["verify", v])[0] == 0), "verify --json %s: verdict" % v)
    # invalid images: exit 1, ok false, with the messages
    good = open(pi, "rb").read()
    bad_images = {"truncated": good[:len(good) // 2], "empty": b"", "flipped":
                  open(abs_, "rb").read()[:40] + b"\x55" + open(abs_, "rb").read()[41:]}
    for name, data in bad_images.items():
        p = W(name + ".img")
        open(p, "wb").write(data)
        for args, stdin, shown_as in (([p], None, p), (["-"], data, "-")):
            rc, out, err = run(["verify", "--json"] + args, stdin=stdin)
            d = strict_json(out, "verify --json " + name)
            if d is not None and check(rc == 1 and d.get("ok") is False and d.get("problems"),
                                       "verify --json %s: exit %d %r" % (name, rc, d)):
                check_verify(d, shown_as, rc, "verify --json " + name)
                check(any(p["severity"] == "error" and p["message"] for p in d["problems"]),
                      "verify --json %s: no error message" % name)
    rc, out, err = run(["verify", "--json", W("no_such.img")])
    d = strict_json(out, "verify --json missing file")
    if d is not None:
        check(rc == 1 and d["ok"] is False and "cannot open" in d["problems"][0]["message"] and
              b"cannot open" in err, "verify --json missing file: %d %r" % (rc, d))
        check_verify(d, W("no_such.img"), rc, "verify --json missing file")
    # diff --json: equivalent, changed, added/removed, other variant
    # and two images of the same modules in another order, one of them changed
    src = os.path.join(CONF, "src")
    mods = ["c01_basic.lua", "c03_closures.lua", "c15_empty.lua"]
    with open(W("c15_empty.lua"), "w") as f:
        f.write("return 42\n")
    subprocess.run([LUAC, "-f", "--timestamp", "1", "-o", W("ord1.img")] + [os.path.join(src, m) for m in mods],
                   check=True, capture_output=True)
    subprocess.run([LUAC, "-f", "--timestamp", "1", "-o", W("ord2.img"), W("c15_empty.lua")] +
                   [os.path.join(src, m) for m in reversed(mods[:2])], check=True, capture_output=True)
    for a, b in ((pi, abs_), (pi, allf), (allf, pi), (pi, pi_int),
                 (os.path.join(CONF, "int/multi.pi.img"), os.path.join(CONF, "float/multi.pi.img")),
                 (W("ord1.img"), W("ord2.img"))):
        rc, out, _ = run(["diff", "--json", a, b])
        d = strict_json(out, "diff --json %s %s" % (a, b))
        if d is not None:
            check_diff(d, a, b, rc, run(["diff", a, b])[1], "diff --json %s %s" % (a, b))

    # an image of non-ASCII names and strings, and a module that changed
    names = ["modul_\u00fcn\u00ef".encode(), "\u65e5\u672c".encode(), b"bad_\xff", b'q"uote',
             "emoji_\U0001F600".encode(), b"ctl_\x01"]
    src = W("src")
    os.mkdir(src)
    for i, n in enumerate(names):
        with open(os.path.join(os.fsencode(src), n + b".lua"), "wb") as f:
            f.write(b"local s = '\xc3\xa9t\xc3\xa9 \xff \\1 \\\\'\nreturn s .. %d\n" % i)
    files = [n + b".lua" for n in names]
    r1 = subprocess.run([LUAC, "-f", "-o", os.fsencode(W("u1.img"))] + files, cwd=os.fsencode(src),
                        capture_output=True)
    with open(os.path.join(os.fsencode(src), names[1] + b".lua"), "wb") as f:
        f.write(b"local s = '\xe2\x82\xac'\nreturn s .. 1\n")
    r2 = subprocess.run([LUAC, "-f", "-o", os.fsencode(W("u2.img"))] + files[:-1], cwd=os.fsencode(src),
                        capture_output=True)
    if check(r1.returncode == 0 and r2.returncode == 0, "luac.cross on non-ASCII names: %r" % r1.stderr):
        u1, u2 = W("u1.img"), W("u2.img")
        rc, out, _ = run(["list", "--json", u1])
        d = strict_json(out, "list --json non-ASCII")
        if d is not None:
            check_list(d, u1, run(["list", u1])[1], "list --json non-ASCII")
            check(sorted(raw(n) for n in d["modules"]) == sorted(names),
                  "list --json non-ASCII: %r" % d["modules"])
            check(names[0] in out and b"\\udcff" in out and b"\\u0001" in out,
                  "list --json non-ASCII: not the documented escapes: %r" % out)
        rc, out, _ = run(["strings", "--json", u1])
        d = strict_json(out, "strings --json non-ASCII")
        if d is not None:
            check_strings(d, u1, run(["strings", "--offsets", u1])[1], "strings --json non-ASCII")
            texts = [raw(s["text"]) for s in d["strings"]]
            check(b"\xc3\xa9t\xc3\xa9 \xff \x01 \\" in texts, "strings --json: %r" % texts[:20])
        for args in ([u1], [u2]):
            rc, out, _ = run(["verify", "--json"] + args)
            d = strict_json(out, "verify --json non-ASCII")
            if d is not None:
                check_verify(d, args[0], rc, "verify --json non-ASCII")
                check(rc == 0, "verify --json non-ASCII: exit %d" % rc)
        rc, out, _ = run(["info", "--json", u1])
        d = strict_json(out, "info --json non-ASCII")
        if d is not None:
            check_info(d, u1, "info --json non-ASCII")
        rc, out, _ = run(["diff", "--json", u1, u2])
        d = strict_json(out, "diff --json non-ASCII")
        if d is not None:
            check_diff(d, u1, u2, rc, run(["diff", u1, u2])[1], "diff --json non-ASCII")
            ch = {raw(m["name"]): m["change"] for m in d["modules"]}
            check(ch == {names[1]: "changed", names[-1]: "only_in_a"}, "diff --json non-ASCII: %r" % ch)
        # the JSON file name by the same rule
        odd = os.fsencode(W("img_\u00e9_")) + b"\xfe.img"
        shutil.copy(os.fsencode(u1), odd)
        rc, out, _ = run(["list", "--json", odd])
        d = strict_json(out, "list --json odd name")
        if d is not None:
            check(raw(d["file"]) == odd, "list --json: file %r" % d["file"])

    # firmware --json through json.c: strict, documented
    if fw:
        for args in ([fw[1]], fw, ["--flash-size", "4M", fw[1]]):
            rc, out, _ = run(["firmware", "--json"] + args)
            d = strict_json(out, "firmware --json %r" % args)
            if d is not None and schema(d, FIRMWARE, "firmware --json"):
                check(rc == 0 and d["files"] == [a for a in args if a.startswith("/")],
                      "firmware --json: files %r" % d["files"])
                for t in d["stored_table"] + d["table"]:
                    schema(t, PART, "firmware --json table entry")
                for r in d["rcr"]:
                    schema(r, RCR, "firmware --json rcr")
                if d["lfs"] is not None:
                    schema(d["lfs"], LFS, "firmware --json lfs")
                check(d["lfs"] == {"offset": 0x78000, "size": 0x20000, "address": 0x40278000,
                                   "in_window": True}, "firmware --json: lfs %r" % d["lfs"])

    # bash completion: the options come from each command's --help
    comp = os.path.join(SRCDIR, "packaging/completions/lfsimg")
    if shutil.which("bash"):
        for words, want in ((["lfsimg", "list", "--j"], "--json"), (["lfsimg", "diff", "--"], "--json"),
                            (["lfsimg", "verify", "--j"], "--json"), (["lfsimg", "strings", "--"], "--json")):
            script = ('PATH="%s:$PATH"; . "%s"; COMP_WORDS=(%s); COMP_CWORD=%d; _lfsc_lfsimg; '
                      'echo "${COMPREPLY[*]}"' % (os.path.dirname(LFSIMG), comp, " ".join(words),
                                                  len(words) - 1))
            r = subprocess.run(["bash", "-c", script], capture_output=True)
            check(want.encode() in r.stdout.split(), "completion %r: %r" % (words, r.stdout))
finally:
    shutil.rmtree(tmp)
sys.exit(summary(at_least=50000))      # 52493 checks today
