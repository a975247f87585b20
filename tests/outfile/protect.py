#!/usr/bin/env python3
"""Protected files are not replaced (issue #22 item 5).

As a normal user (the test drops to nobody when it runs as root), every
tool that writes refuses a file luac5.1 could not open for writing, with
luac5.1's "cannot open NAME: Permission denied", and leaves it as it was:
- a 0444 file of our own, in a directory we can write (where a rename
  could replace it);
- a root-owned 0644 file in a directory we can write;
- a root-owned 0644 file in a directory we cannot write.
luac5.1 itself is the oracle for luac.cross (same exit status, same
message after the program name, same file afterwards); as root, a 0444
file is replaced, as luac5.1 replaces it.

usage: protect.py LUAC_CROSS LFSIMG CONFORMANCE_DIR WORK_DIR
   (exit 77 when no normal user can be had: not root and no setpriv)
"""
import os, shutil, subprocess, sys
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC, LFSIMG, CONF, WORK = (os.path.abspath(a) for a in sys.argv[1:5])
ROOT = os.geteuid() == 0
if ROOT and not shutil.which("setpriv"):
    print("root, and no setpriv to become a normal user: skipped")
    sys.exit(77)
NOBODY = 65534 if ROOT else os.geteuid()
DROP = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if ROOT else []
REF = shutil.which("luac5.1")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chmod(WORK, 0o755)
os.chdir(WORK)
shutil.copy(os.path.join(CONF, "src", "c01_basic.lua"), "a.lua")
os.chmod("a.lua", 0o644)
OLD = b"old content\n"


def run(args, user=True):
    return subprocess.run((DROP if user else []) + args, capture_output=True)


def message(r):
    """stderr without the program name."""
    return r.stderr.decode("latin-1").split(": ", 1)[-1].strip()


def read(p):
    with open(p, "rb") as f:
        return f.read()


r = run([LUAC, "-f", "-o", "ref.img", "a.lua"], user=False)
check(r.returncode == 0, "reference image: %r" % r.stderr)


def setup(d, dir_owner, dir_mode, owner, mode, name="out"):
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(OLD)
    os.chmod(p, mode)
    if ROOT:
        os.chown(p, owner, owner)
        os.chown(d, dir_owner, dir_owner)
    os.chmod(d, dir_mode)
    return p


CASES = [  # (what, dir owner, dir mode, file owner, file mode)
    ("a 0444 file of ours in our directory", NOBODY, 0o755, NOBODY, 0o444),
    ("a root-owned file in our directory", NOBODY, 0o755, 0, 0o644),
    ("a root-owned file in root's directory", 0, 0o755, 0, 0o644),
]
if not ROOT:
    CASES = CASES[:1]           # nothing can be root-owned without root
checked = 0
for what, downer, dmode, fowner, fmode in CASES:
    d = os.path.join(WORK, "d%d" % checked)
    checked += 1
    tools = [("luac.cross", [LUAC, "-o", "%s", "a.lua"]),
             ("luac.cross -f", [LUAC, "-f", "-o", "%s", "a.lua"]),
             ("lfsimg reloc", [LFSIMG, "reloc", "--base", "0x40280000", "ref.img", "%s"]),
             ("lfsimg extract", [LFSIMG, "extract", "-o", "%s", "ref.img", "a"]),
             ("luac.cross --embed elf", [LUAC, "--embed", "elf", "-o", "%s", "a.lua"])]
    for tool, args in tools:
        p = setup(d, downer, dmode, fowner, fmode)
        r = run([a.replace("%s", p) for a in args])
        check(r.returncode == 1 and "cannot open %s: Permission denied" % p in
              r.stderr.decode("latin-1"), "%s, %s: exit %d, %r" % (what, tool, r.returncode, r.stderr))
        check(read(p) == OLD and (os.stat(p).st_mode & 0o777) == fmode, "%s, %s: file replaced" % (what, tool))
        check(sorted(os.listdir(d)) == ["out"], "%s, %s: left %r" % (what, tool, os.listdir(d)))
    # --embed c: the header is protected; neither file appears or changes
    p = setup(d, downer, dmode, fowner, fmode, "e.h")
    r = run([LUAC, "--embed", "c", "-o", os.path.join(d, "e.c"), "a.lua"])
    check(r.returncode == 1 and b"Permission denied" in r.stderr and read(p) == OLD and
          not os.path.exists(os.path.join(d, "e.c")), "%s, --embed c: %r" % (what, r.stderr))
    os.unlink(p)
    if REF:
        p = setup(d, downer, dmode, fowner, fmode)
        ref = run([REF, "-o", p, "a.lua"])
        refold = read(p) == OLD
        p = setup(d, downer, dmode, fowner, fmode)
        r = run([LUAC, "-o", p, "a.lua"])
        check((r.returncode, message(r), read(p) == OLD) == (ref.returncode, message(ref), refold),
              "%s: luac.cross and luac5.1 differ: %r %r" % (what, r.stderr, ref.stderr))
    os.chmod(d, 0o755)

# as root, luac5.1 replaces a 0444 file: so do we
if ROOT:
    p = setup(os.path.join(WORK, "root"), 0, 0o755, 0, 0o444)
    r = run([LUAC, "-o", p, "a.lua"], user=False)
    check(r.returncode == 0 and read(p) != OLD and (os.stat(p).st_mode & 0o777) == 0o444,
          "root, a 0444 file: %r" % r.stderr)
    if REF:
        p = setup(os.path.join(WORK, "root"), 0, 0o755, 0, 0o444)
        check(run([REF, "-o", p, "a.lua"], user=False).returncode == 0 and read(p) != OLD,
              "root: luac5.1 did not replace a 0444 file")

sys.exit(summary(at_least=len(CASES) * 17))
