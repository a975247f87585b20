#!/usr/bin/env python3
"""lfsimg info --json is valid, UTF-8-safe JSON (issue #12 item 5).

Images whose module names (and file names, and strings) are non-ASCII:
valid UTF-8 (2-, 3- and 4-byte sequences), invalid bytes (a lone 0xff,
a truncated sequence, an overlong form, an encoded surrogate), control
characters, quotes and backslashes. For each, the output must
  - be valid UTF-8 and parse with Python's strict json;
  - carry valid UTF-8 text unescaped (the bytes themselves appear);
  - give back each name's exact bytes by the documented rule
    (json.h, man/lfsimg.1): invalid bytes are \\udcXX, so
    name.encode("utf-8", "surrogateescape") is the original;
  - agree with `lfsimg list` (whose \\ddd escapes are decoded here).

usage: json_utf8.py LFSIMG LUAC
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textout import unquote as unlist  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LFSIMG, LUAC = (os.path.abspath(a) for a in sys.argv[1:3])


names = [
    "json_utf8_name_\u00fcn\u00ef".encode(),          # the reproducer
    "\u65e5\u672c\u8a9e".encode(),                    # 3-byte sequences
    "emoji_\U0001F600".encode(),                      # 4-byte sequence
    b"bad_\xff_byte",                                 # never valid
    b"cut_\xe6\x97",                                  # truncated 3-byte sequence
    b"overlong_\xc0\xaf",                             # overlong '/'
    b"surrogate_\xed\xa0\x80",                        # an encoded U+D800
    b"too_big_\xf4\x90\x80\x80",                      # above U+10FFFF
    b"ctl_\x01\x1f\x7f_tab\t",                        # control characters
    b'quote_"_name',                                  # (a backslash would end the path)
]
tmp = tempfile.mkdtemp()
try:
    bdir = os.fsencode(tmp)
    srcs = []
    for i, n in enumerate(names):
        p = os.path.join(bdir, n + b".lua")
        with open(p, "wb") as f:
            f.write(b"local s = '\xc3\xa9t\xc3\xa9 \xff\\0'\nreturn s .. %d\n" % i)
        srcs.append(n + b".lua")
    for kind, opt in (("pi", ["-f"]), ("abs", ["-a", "0x40280000"])):
        img = "img_\u00e9\\_" + kind + ".img"   # a non-ASCII image path, with a backslash
        r = subprocess.run([LUAC, *opt, "-o", img.encode(), *srcs], cwd=bdir, capture_output=True)
        check(r.returncode == 0, "luac.cross %s: %r" % (kind, r.stderr))
        if r.returncode:
            continue
        out = subprocess.run([LFSIMG, "info", "--json", img.encode()], cwd=bdir,
                             capture_output=True)
        check(out.returncode == 0, "info --json %s: exit %d %r" % (kind, out.returncode, out.stderr))
        try:
            text = out.stdout.decode("utf-8")          # strict: valid UTF-8 only
        except UnicodeDecodeError as e:
            check(False, "%s: output is not UTF-8: %s" % (kind, e))
            continue
        try:
            d = json.loads(text)                       # strict: no raw control characters
        except ValueError as e:
            check(False, "%s: not JSON: %s\n%s" % (kind, e, text))
            continue
        check(d["file"].encode("utf-8", "surrogateescape") == img.encode(),
              "%s: file name %r" % (kind, d["file"]))
        got = [m["name"].encode("utf-8", "surrogateescape") for m in d["modules"]]
        listed = [unlist(line) for line in subprocess.run(
            [LFSIMG, "list", img.encode()], cwd=bdir, capture_output=True).stdout.splitlines()]
        check(got == listed, "%s: names %r, list says %r" % (kind, got, listed))
        check(sorted(got) == sorted(names), "%s: names %r, expected %r" % (kind, got, names))
        for n in names:
            try:
                valid = n.decode("utf-8")
            except UnicodeDecodeError:
                valid = None
            if valid is not None and all(ord(c) >= 0x20 and c not in '"\\\x7f' for c in valid):
                check(n in out.stdout, "%s: valid UTF-8 %r is not passed through as is" % (kind, n))
        for bad in (b"\\u00ff", b"\\u00c3", b"\\u00e6"):      # bytes as Latin-1 code points
            check(bad not in out.stdout, "%s: %r escaped as a code point" % (kind, bad))
        check(b"\\udcff" in out.stdout and b"\\u0001" in out.stdout and b"\\t" in out.stdout,
              "%s: the escapes of the documented rule are missing" % kind)
finally:
    shutil.rmtree(tmp)
sys.exit(summary(at_least=24))      # 24 checks today
