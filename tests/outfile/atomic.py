#!/usr/bin/env python3
"""In-place writes are all or nothing (issue #22 item 2, and item 10's
"a disk-full error in rename mode names no file").

A target with another hard link (or in a directory we cannot write) is
written in place. If that copy fails or is interrupted, the old bytes must
come back: never a mix of new and old content under the final name.

- a real full disk: a small tmpfs (as root, when mount works; else
  skipped): an in-place target whose new content does not fit keeps its
  old bytes, every link intact, exit 1 and a message naming the file; a
  plain target (rename mode) likewise, and its message names the file;
- the same through the shim (any machine): the target's file cannot grow,
  or SIGINT/SIGTERM arrive in the middle of the copy: old bytes, every
  link intact, and the tool dies of the signal;
- a file size limit (ulimit -f): the tool dies of SIGXFSZ, the old file
  whole, no temporary file left;
- a read-only directory (run as nobody): the same failure, the same
  guarantee.

usage: atomic.py LUAC_CROSS SHIM WORK_DIR
"""
import os, shutil, signal, subprocess, sys
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC, SHIM, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
OLD = bytes(range(256)) * 400          # 102,400 bytes, easy to tell apart


def run(args, env=None, pre=()):
    e = dict(os.environ)
    if env:
        e.update(env)
    if pre and "LD_PRELOAD" in e:
        # the shim goes into the tool only, not into the program that runs
        # it (setpriv): a sanitizer build's shim needs the tool's runtime
        pre = list(pre) + ["env", "LD_PRELOAD=" + e.pop("LD_PRELOAD")]
    return subprocess.run(list(pre) + args, capture_output=True, env=e)


def read(p):
    with open(p, "rb") as f:
        return f.read()


def write(p, b):
    with open(p, "wb") as f:
        f.write(b)


def leftovers(d):
    return sorted(n for n in os.listdir(d) if ".tmp" in n)


# A source whose .lc is about 300 KB.
with open("big.lua", "w") as f:
    f.write("local t = {\n")
    for i in range(20000):
        f.write('"string constant number %06d",\n' % i)
    f.write("}\nreturn t\n")
r = run([LUAC, "-o", "new.ref", "big.lua"])
check(r.returncode == 0, "reference: %r" % r.stderr)
NEW = read("new.ref")
check(len(NEW) > 3 * len(OLD), "the new output is not larger than the old: %d" % len(NEW))


def linked(d, name):
    """name in d holding OLD, with a second hard link."""
    p = os.path.join(d, name)
    write(p, OLD)
    os.link(p, p + ".link")
    return p


def intact(p, what, link=True):
    check(read(p) == OLD, "%s: %s holds %d bytes, not the old ones (new: %s)" %
          (what, p, len(read(p)), read(p)[:len(NEW)] == NEW))
    if link:
        check(os.path.samefile(p, p + ".link"), "%s: hard link broken" % what)


# 1. A real full disk.
small = os.path.join(WORK, "small")
os.makedirs(small)
mounted = False
if os.geteuid() == 0 and shutil.which("mount"):
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small],
                             capture_output=True).returncode == 0
if mounted:
    try:
        target = linked(small, "old.out")
        plain = os.path.join(small, "plain.out")
        write(plain, OLD[:8192])
        # fill the rest of the file system
        fd = os.open(os.path.join(small, "filler"), os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b"\0" * 4096) > 0:
                pass
        except OSError:
            pass
        os.close(fd)
        r = run([LUAC, "-o", target, "big.lua"])
        err = r.stderr.decode("latin-1")
        check(r.returncode == 1, "full disk, in place: exit %d" % r.returncode)
        check("old.out" in err and "No space left" in err, "full disk, in place: %r" % err)
        intact(target, "full disk, in place")
        r = run([LUAC, "-o", plain, "big.lua"])
        err = r.stderr.decode("latin-1")
        check(r.returncode == 1, "full disk, rename: exit %d" % r.returncode)
        check("plain.out" in err and "No space left" in err,
              "full disk, rename mode: the message names no file: %r" % err)
        check(read(plain) == OLD[:8192], "full disk, rename: old content lost")
        check(leftovers(small) == [], "full disk: temporary files left: %r" % leftovers(small))
    finally:
        subprocess.run(["umount", small])
else:
    print("note: cannot mount a tmpfs (not root?): the real full disk is skipped")

# 2. Through the shim: the target cannot grow past 150,000 bytes, or a
# signal comes after 64 KiB of the copy.
shim = {"LD_PRELOAD": SHIM,
        "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
t = linked(WORK, "shim.out")
env = dict(shim, LFSC_FAIL_WRITE_PATH=os.path.realpath(t), LFSC_FAIL_WRITE_AFTER="150000",
           LFSC_FAIL_WRITE_HOW="ENOSPC")
r = run([LUAC, "-o", t, "big.lua"], env)
err = r.stderr.decode("latin-1")
check(r.returncode == 1 and "shim.out" in err and "No space left" in err,
      "shim ENOSPC: exit %d, %r" % (r.returncode, err))
intact(t, "shim ENOSPC")
for sig in (signal.SIGINT, signal.SIGTERM):
    env = dict(shim, LFSC_FAIL_WRITE_PATH=os.path.realpath(t), LFSC_FAIL_WRITE_AFTER="65536",
               LFSC_FAIL_WRITE_HOW=str(int(sig)))
    r = run([LUAC, "-o", t, "big.lua"], env)
    check(r.returncode == -sig, "%s during the copy: exit %d" % (sig.name, r.returncode))
    intact(t, "%s during the copy" % sig.name)
check(leftovers(WORK) == [], "temporary files left: %r" % leftovers(WORK))
# and without a failure the same path delivers, to both names
r = run([LUAC, "-o", t, "big.lua"], shim)
check(r.returncode == 0 and read(t) == NEW and read(t + ".link") == NEW,
      "in place, no failure: %r" % r.stderr)

# 3. A file size limit (ulimit -f, SIGXFSZ): the tool dies of it or fails,
# and either way the old file is whole and no temporary file is left.
import resource  # noqa: E402


def fsize_limit():
    resource.setrlimit(resource.RLIMIT_FSIZE, (200000, 200000))


for name, link in (("fsize.out", False), ("fsize2.out", True)):
    p = os.path.join(WORK, name)
    if link:
        linked(WORK, name)
    else:
        write(p, OLD)
    r = subprocess.run([LUAC, "-o", p, "big.lua"], capture_output=True, preexec_fn=fsize_limit)
    check(r.returncode in (1, -signal.SIGXFSZ), "ulimit -f, %s: exit %d" % (name, r.returncode))
    intact(p, "ulimit -f", link)
    check(leftovers(WORK) == [], "ulimit -f, %s: temporary files left: %r" % (name, leftovers(WORK)))

# 4. A read-only directory (in place without a link), as nobody.
if os.geteuid() != 0 or shutil.which("setpriv"):
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] \
        if os.geteuid() == 0 else []
    ro = os.path.join(WORK, "ro")
    os.makedirs(ro)
    p = os.path.join(ro, "out.lc")
    write(p, OLD)
    os.chmod(p, 0o666)
    os.chmod(ro, 0o555)
    os.chmod(WORK, 0o755)
    os.chmod("big.lua", 0o644)
    env = dict(shim, LFSC_FAIL_WRITE_PATH=os.path.realpath(p), LFSC_FAIL_WRITE_AFTER="150000",
               LFSC_FAIL_WRITE_HOW="ENOSPC")
    r = run([LUAC, "-o", p, "big.lua"], env, drop)
    check(r.returncode == 1 and read(p) == OLD,
          "read-only directory, ENOSPC: exit %d, %d bytes, %r" % (r.returncode, len(read(p)), r.stderr))
    r = run([LUAC, "-o", p, "big.lua"], None, drop)
    check(r.returncode == 0 and read(p) == NEW, "read-only directory: %r" % r.stderr)
    os.chmod(ro, 0o755)
else:
    print("note: no setpriv: the read-only directory case is skipped")

sys.exit(summary(at_least=30 if mounted else 22))
