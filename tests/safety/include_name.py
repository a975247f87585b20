#!/usr/bin/env python3
"""--embed c writes an #include line that names its header as it is
(issue #22 item 6).

An #include "..." line has no escapes, so the header's name goes in
verbatim: for names with spaces, UTF-8, shell and C punctuation the output
compiles with the host's C compiler (which finds the header through that
line); names the line cannot hold ('"', '\\', "'", control bytes) are
refused before any input is read: exit 2, a message naming the problem,
no output file.

usage: include_name.py LUAC_CROSS WORK_DIR     (exit 77 without cc)
"""
import os, shutil, subprocess, sys
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC, WORK = (os.path.abspath(a) for a in sys.argv[1:3])
CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
if not CC:
    print("no C compiler: skipped")
    sys.exit(77)
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
with open("m.lua", "w") as f:
    f.write("return 42\n")

GOOD = ["plain.c", "with space.c", "caf\u00e9.c", "a#b.c", "a$b.c", "a&b;c.c", "a(b)c.c",
        "a<b>c.c", "a%d%s.c", "a?b*c.c", "x", "dir/inner.c", "a.b.c.c", "-dash.c"]
BAD = ['x"y.c', "x\\y.c", "x'y.c", "a\nb.c", "a\tb.c", "a\x7fb.c", 'dir/q"uote.c']
os.makedirs("dir")
for name in GOOD:
    r = subprocess.run([LUAC, "--embed", "c", "-o", name, "m.lua"], capture_output=True)
    hdr = name[:-2] + ".h" if name.endswith(".c") else name + ".h"
    ok = check(r.returncode == 0 and os.path.exists(name) and os.path.exists(hdr),
               "%r: exit %d, %r" % (name, r.returncode, r.stderr))
    if not ok:
        continue
    with open(name, "rb") as f:
        src = f.read()
    base = os.path.basename(hdr).encode()
    check(b'#include "' + base + b'"\n' in src, "%r: the include line is not the header's name" % name)
    # compile it as C (a name without .c is C too, with -x c)
    c = subprocess.run([CC, "-x", "c", "-c", "-o", os.path.join(WORK, "t.o"), "./" + name],
                       capture_output=True)
    check(c.returncode == 0, "%r: does not compile: %s" % (name, c.stderr.decode("latin-1")[:300]))

for name in BAD:
    before = sorted(os.listdir(".")) + sorted(os.listdir("dir"))
    r = subprocess.run([LUAC, "--embed", "c", "-o", name, "m.lua"], capture_output=True)
    err = r.stderr.decode("latin-1")
    check(r.returncode == 2 and "#include" in err and "choose another -o name" in err,
          "%r: exit %d, %r" % (name, r.returncode, err))
    check(sorted(os.listdir(".")) + sorted(os.listdir("dir")) == before,
          "%r: files written: %r" % (name, set(os.listdir(".")) - set(before)))

sys.exit(summary(at_least=3 * len(GOOD) + 2 * len(BAD)))
