#!/usr/bin/env python3
"""Output paths never destroy what they replace (issue: reliability, item 1).

Each case runs luac.cross (and lfsimg reloc/extract, which share the path)
onto one kind of existing name and checks what is there afterwards:
device nodes and FIFOs are written, never replaced; symlinks are followed;
permission bits and hard links survive; names up to NAME_MAX work; a
writable file in a read-only directory is written in place; a failure or a
signal leaves the old content and no temporary file; a temporary file
stranded by SIGKILL is swept by the next run.

usage: outpaths.py LUAC_CROSS LFSIMG KILLSHIM CONFORMANCE_DIR WORK_DIR
"""
import os, shutil, signal, stat, subprocess, sys, threading
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC, LFSIMG, SHIM, CONF, WORK = sys.argv[1:6]
SRC = os.path.join(CONF, "src", "c01_basic.lua")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)


def run(args, env=None):
    e = dict(os.environ)
    e.pop("SOURCE_DATE_EPOCH", None)
    if env:
        e.update(env)
    return subprocess.run(args, capture_output=True, env=e)


def leftovers(d="."):
    return sorted(n for n in os.listdir(d) if ".tmp" in n)


def read(p):
    with open(p, "rb") as f:
        return f.read()


# The expected bytes, written to a plain new file.
r = run([LUAC, "-f", "--timestamp", "1", "-o", "ref.img", SRC])
check(r.returncode == 0, "reference build: %r" % r.stderr)
REF = read("ref.img")
r = run([LUAC, "-o", "ref.lc", SRC])
REFLC = read("ref.lc")

# 1. A character device (our own node of the null device, so that a
# regression replaces this node and not the machine's /dev/null).
if os.geteuid() == 0:
    os.mknod("null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    for args in ([LUAC, "-f", "-l", "-l", "-o", "null", SRC],
                 [LFSIMG, "reloc", "--base", "0x40280000", "ref.img", "null"],
                 [LFSIMG, "extract", "-o", "null", "ref.img", "c01_basic"]):
        r = run(args)
        check(r.returncode == 0, "%s onto a device: %r" % (args[1], r.stderr))
        check(stat.S_ISCHR(os.lstat("null").st_mode), "%s replaced a device node" % args[1])
check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a device")

# 2. A FIFO: the reader gets the image, and the FIFO stays a FIFO.
os.mkfifo("fifo")
got = {}
t = threading.Thread(target=lambda: got.setdefault("b", read("fifo")), daemon=True)
t.start()
r = run([LUAC, "-f", "--timestamp", "1", "-o", "fifo", SRC])
t.join(10)
check(r.returncode == 0 and got.get("b") == REF, "FIFO reader did not get the image")
check(stat.S_ISFIFO(os.lstat("fifo").st_mode), "FIFO was replaced")

# 3. Symlinks are followed: the target is replaced, the link stays a link
# (also through a chain, and onto a dangling link's target).
with open("target.img", "wb") as f:
    f.write(b"old")
os.symlink("target.img", "link1")
os.symlink("link1", "link2")
r = run([LUAC, "-f", "--timestamp", "1", "-o", "link2", SRC])
check(r.returncode == 0, "symlink chain: %r" % r.stderr)
check(os.path.islink("link1") and os.path.islink("link2"), "a symlink was replaced")
check(read("target.img") == REF, "symlink target not written")
os.makedirs("sub")
os.symlink("sub/new.img", "dangling")
r = run([LUAC, "-f", "--timestamp", "1", "-o", "dangling", SRC])
check(r.returncode == 0 and os.path.islink("dangling") and read("sub/new.img") == REF,
      "dangling symlink: target not created")
check(leftovers() == [] and leftovers("sub") == [], "temporary files left: %r" % leftovers())

# 4. Permission bits of an existing file survive.
for mode in (0o600, 0o640, 0o755):
    with open("perm.img", "wb") as f:
        f.write(b"old")
    os.chmod("perm.img", mode)
    r = run([LUAC, "-f", "--timestamp", "1", "-o", "perm.img", SRC])
    check(r.returncode == 0 and stat.S_IMODE(os.stat("perm.img").st_mode) == mode,
          "mode %o became %o" % (mode, stat.S_IMODE(os.stat("perm.img").st_mode)))
    os.unlink("perm.img")

# 5. Hard links: every name sees the new content.
with open("hard1.img", "wb") as f:
    f.write(b"old content that is longer than nothing" * 1000)
os.link("hard1.img", "hard2.img")
r = run([LUAC, "-f", "--timestamp", "1", "-o", "hard1.img", SRC])
check(r.returncode == 0 and read("hard2.img") == REF and read("hard1.img") == REF,
      "hard link went stale")
check(os.stat("hard1.img").st_nlink == 2, "hard link broken")

# 6. Names up to NAME_MAX, new and existing.
for n in (240, 246, 250, 255):
    name = ("n%03d" % n) + "x" * (n - 8) + ".img"
    assert len(name) == n
    for _ in range(2):          # create, then replace
        r = run([LUAC, "-f", "--timestamp", "1", "-o", name, SRC])
        check(r.returncode == 0 and read(name) == REF, "%d-character name: %r" % (n, r.stderr))
check(leftovers() == [], "temporary files left: %r" % leftovers())

# 7. A writable file in a directory we cannot write: written in place.
# (root ignores directory permissions, so this runs as nobody when root.)
os.makedirs("ro")
with open("ro/out.img", "wb") as f:
    f.write(b"old")
os.chmod("ro/out.img", 0o666)
shutil.copy(SRC, "src.lua")
os.chmod("src.lua", 0o644)
os.chmod("ro", 0o555)
os.chmod(".", 0o755)
drop = []
if os.geteuid() == 0:
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
if os.geteuid() != 0 or shutil.which("setpriv"):
    r = run([LUAC, "-f", "--timestamp", "1", "-o", "src.img", "src.lua"])
    r = run(drop + [LUAC, "-f", "--timestamp", "1", "-o", "ro/out.img", "src.lua"])
    check(r.returncode == 0 and read("ro/out.img") == read("src.img"),
          "read-only directory: %r" % r.stderr)
    # ... and a new name there is an error, not a crash
    r = run(drop + [LUAC, "-f", "-o", "ro/new.img", "src.lua"])
    check(r.returncode == 1 and b"ro/new.img" in r.stderr and not os.path.exists("ro/new.img"),
          "read-only directory, new name: %r" % r.stderr)
os.chmod("ro", 0o755)

# 8. A failure keeps the old content and leaves no temporary file.
with open("bad.lua", "w") as f:
    f.write("x = = 1\n")
with open("keep.img", "wb") as f:
    f.write(b"precious")
r = run([LUAC, "-f", "-o", "keep.img", "bad.lua"])
check(r.returncode == 1 and read("keep.img") == b"precious", "compile error clobbered output")
r = run([LUAC, "-a", "0x40280000", "-m", "64", "-o", "keep.img", SRC])
check(r.returncode == 2 and read("keep.img") == b"precious", "-m refused, output clobbered")
check(leftovers() == [], "temporary files left: %r" % leftovers())
os.makedirs("adir")
r = run([LUAC, "-f", "-o", "adir", SRC])
check(r.returncode == 1 and b"Is a directory" in r.stderr, "directory as output: %r" % r.stderr)

# 9. Signals while the complete temporary file exists (the shim raises
# the signal from rename): the tool dies of that signal, the old file is
# intact and its temporary file is gone.
if os.path.exists(SHIM):
    env = {"LD_PRELOAD": SHIM,
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        for args in ([LUAC, "-f", "-o", "keep.img", SRC],
                     [LFSIMG, "reloc", "--base", "0x40280000", "ref.img", "keep.img"],
                     [LFSIMG, "extract", "-o", "keep.img", "ref.img", "c01_basic"]):
            env["LFSC_KILL_AT_RENAME"] = str(int(sig))
            r = run(args, env)
            check(r.returncode == -sig, "%s: %s: exit %d" % (args[1], sig.name, r.returncode))
            check(read("keep.img") == b"precious", "%s: %s clobbered output" % (args[1], sig.name))
            check(leftovers() == [], "%s: %s left %r" % (args[1], sig.name, leftovers()))
    # SIGKILL cannot be caught: the next output to the same name sweeps it.
    env["LFSC_KILL_AT_RENAME"] = str(int(signal.SIGKILL))
    r = run([LUAC, "-f", "-o", "keep.img", SRC], env)
    check(r.returncode == -signal.SIGKILL and len(leftovers()) == 1,
          "SIGKILL: want one stranded file, have %r" % leftovers())
    r = run([LUAC, "-f", "--timestamp", "1", "-o", "keep.img", SRC])
    check(r.returncode == 0 and read("keep.img") == REF and leftovers() == [],
          "stranded file not swept: %r" % leftovers())
else:
    print("note: no kill shim, signal cases skipped")

# 10. luac.cross -o - still goes to stdout.
r = run([LUAC, "-o", "-", SRC])
check(r.returncode == 0 and r.stdout == REFLC, "-o - did not write stdout")

sys.exit(summary(at_least=74))      # 74 checks today
