#!/usr/bin/env python3
"""One input limit for every reader (issue #22 item 3, and item 10's
"errors repeat the file name").

Every reader stops at the same limit, 64 MiB (67,108,864 bytes), with one
message that names the file once:
    PROG: NAME: file too large (more than 67108864 bytes, the input limit)
in bounded memory (peak RSS of the child below 200 MiB) and time, where
before it read gigabytes:
- luac.cross: a source (a 1 GiB sparse file after "x = [["), /dev/zero
  and a 2 GiB sparse file through --embed c, --embed elf, --embed --split,
  a stock (-t host) chunk declaring a 2^40-byte string followed by 2 GiB,
  a NodeMCU .lc declaring a 4 GiB string followed by 2 GiB, and the same
  endless on stdin; --firmware with a 2 GiB firmware file;
- lfsimg: info, list, verify, dis, strings, diff, reloc, extract on a
  2 GiB sparse file, firmware on one;
- the boundary: exactly 64 MiB is read (and fails as what it is, not as
  too large), one byte more is too large;
- the manuals and the README state the limit.

usage: input_limit.py LUAC_CROSS LFSIMG SOURCE_DIR WORK_DIR   (luac5.1 for the host chunk)
"""
import os, shutil, subprocess, sys, time
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC, LFSIMG, SRCDIR, WORK = (os.path.abspath(a) for a in sys.argv[1:5])
LIMIT = 64 * 1024 * 1024
RSS_MAX_KB = 200 * 1024
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)


def measured(cmd, stdin_cmd=None, timeout=60):
    """Run cmd (stdin from stdin_cmd's output, if any): (rc, stderr, seconds)."""
    t = time.monotonic()
    feeder = None
    if stdin_cmd:
        feeder = subprocess.Popen(stdin_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        r = subprocess.run(cmd, stdin=feeder.stdout if feeder else subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        rc, err = r.returncode, r.stderr
    except subprocess.TimeoutExpired:
        rc, err = "timeout", b""
    if feeder:
        feeder.stdout.close()
        feeder.kill()
        feeder.wait()
    return rc, err.decode("latin-1").strip(), time.monotonic() - t


def sparse(name, size, head=b""):
    with open(name, "wb") as f:
        f.write(head)
        f.truncate(size)


def too_large(prog, name, cmd, stdin_cmd=None):
    rc, err, rss, dt = measured_rss(cmd, stdin_cmd)
    want = "%s: %s: file too large (more than %d bytes, the input limit)" % (prog, name, LIMIT)
    # lfsimg diff says "trouble" with 2, as cmp and diff do
    check(rc == (2 if cmd[1:2] == ["diff"] else 1) and err == want, "%s: exit %s, %r (want %r)" % (" ".join(cmd), rc, err, want))
    check(0 < rss < RSS_MAX_KB, "%s: peak RSS %d KiB" % (" ".join(cmd), rss))
    return dt


def measured_rss(cmd, stdin_cmd=None):
    """measured(), with the peak RSS in KiB of cmd alone: a wrapper process
    runs only it and reports its children's rusage."""
    wrapper = [sys.executable, "-c",
               "import os,subprocess,sys,resource;"
               "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
               "sys.stderr.flush();"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,file=sys.stderr);"
               "sys.exit(r.returncode if r.returncode>=0 else 128-r.returncode)"] + cmd
    rc, err, dt = measured(wrapper, stdin_cmd)
    lines = err.rsplit("\n", 1)
    rss = int(lines[-1]) if lines[-1].isdigit() else -1
    return rc, (lines[0] if len(lines) > 1 else ""), rss, dt


GIB = 1 << 30
with open("a.lua", "w") as f:
    f.write("return 1\n")
sparse("sparse.bin", 2 * GIB)
sparse("long.lua", GIB, b"x = [[")
too_large(LUAC, "long.lua", [LUAC, "-o", "x.lc", "long.lua"])
too_large(LUAC, "/dev/zero", [LUAC, "--embed", "c", "-o", "z.c", "/dev/zero"])
r = subprocess.run([LUAC, "--embed", "elf", "-o", "z.o", "a.lua"], capture_output=True)
if r.returncode == 0:
    too_large(LUAC, "/dev/zero", [LUAC, "--embed", "elf", "-o", "z.o", "/dev/zero"])
else:
    print("note: no --embed elf in this build")
too_large(LUAC, "sparse.bin", [LUAC, "--embed", "c", "--split", "-o", "z.c", "sparse.bin"])
too_large(LUAC, "sparse.bin", [LUAC, "-f", "--firmware", "sparse.bin", "-o", "x.img", "a.lua"])

# precompiled chunks that declare a huge string
r = subprocess.run([LUAC, "-o", "n.lc", "a.lua"], capture_output=True)
with open("n.lc", "rb") as f:
    nlc = bytearray(f.read())
nlc[12:16] = (0xFFFFFFF0).to_bytes(4, "little")     # the source name's length
sparse("n4g.lc", 2 * GIB, bytes(nlc))
dt = too_large(LUAC, "n4g.lc", [LUAC, "-o", "x.lc", "n4g.lc"])
check(dt < 10, "n4g.lc: %.1f s" % dt)
too_large(LUAC, "n4g.lc", [LUAC, "-l", "-p", "n4g.lc"])
if shutil.which("luac5.1") and subprocess.run(["luac5.1", "-o", "h.luac", "a.lua"]).returncode == 0:
    with open("h.luac", "rb") as f:
        h = bytearray(f.read())
    if h[8] == 8:                                   # 8-byte size_t
        h[12:20] = (1 << 40).to_bytes(8, "little")
        sparse("h40.luac", 2 * GIB, bytes(h))
        dt = too_large(LUAC, "h40.luac", [LUAC, "-t", "host", "-o", "x.luac", "h40.luac"])
        check(dt < 10, "h40.luac: %.1f s" % dt)
        with open("h40.head", "wb") as f:
            f.write(h)
        too_large(LUAC, "stdin", [LUAC, "-t", "host", "-o", "x.luac", "-"],
                  ["sh", "-c", "cat h40.head; exec cat /dev/zero"])
too_large(LUAC, "stdin", [LUAC, "-o", "x.lc", "-"], ["sh", "-c", "printf 'x = [['; exec cat /dev/zero"])

for cmd in (["info"], ["list"], ["verify"], ["dis"], ["strings"], ["diff", "a.img"],
            ["reloc", "--base", "0x40280000"], ["extract", "-o", "x", "--all"]):
    args = [LFSIMG] + cmd[:1] + ["sparse.bin"] + cmd[1:]
    if cmd[0] == "diff":
        args = [LFSIMG, "diff", "sparse.bin", "sparse.bin"]
    if cmd[0] == "reloc":
        args = [LFSIMG, "reloc", "--base", "0x40280000", "sparse.bin", "out.img"]
    if cmd[0] == "extract":
        args = [LFSIMG, "extract", "-o", "x", "sparse.bin", "m"]
    too_large("lfsimg", "sparse.bin", args)
too_large("lfsimg", "sparse.bin", [LFSIMG, "firmware", "sparse.bin"])

# the boundary: the limit itself is read, one byte more is refused
sparse("exact.bin", LIMIT)
sparse("over.bin", LIMIT + 1)
r = subprocess.run([LFSIMG, "info", "exact.bin"], capture_output=True)
check(r.returncode == 1 and b"too large" not in r.stderr, "exactly the limit: %r" % r.stderr)
r = subprocess.run([LFSIMG, "info", "over.bin"], capture_output=True)
check(r.returncode == 1 and b"file too large (more than 67108864 bytes, the input limit)"
      in r.stderr, "the limit + 1: %r" % r.stderr)
with open("exact.lua", "wb") as f:
    f.write(b"return 1" + b" " * (LIMIT - 8))
with open("over.lua", "wb") as f:
    f.write(b"return 1" + b" " * (LIMIT - 7))
r = subprocess.run([LUAC, "-o", "x.lc", "exact.lua"], capture_output=True)
check(r.returncode == 0, "a source of exactly the limit: %r" % r.stderr)
r = subprocess.run([LUAC, "-o", "x.lc", "over.lua"], capture_output=True)
check(r.returncode == 1 and b"over.lua: file too large" in r.stderr, "a source over: %r" % r.stderr)

# documented
for doc in ("man/luac.cross.1", "man/lfsimg.1", "README.md"):
    with open(os.path.join(SRCDIR, doc), encoding="utf-8") as f:
        text = f.read().replace("\\-", "-").replace("\\ ", " ")
    check("64 MiB" in text and "input limit" in text, "%s does not state the input limit" % doc)

sys.exit(summary(at_least=45))
