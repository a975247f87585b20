#!/usr/bin/env python3
"""Bounded input (issue #12 item 2): luac.cross streams its inputs.

- A 1 GiB file of zeros (sparse), endless /dev/zero and an endless junk
  pipe fail at once with luac5.1's message, in bounded memory (peak RSS
  of the child, from the kernel's rusage, below 64 MiB);
- a binary chunk header followed by 1 GiB of zeros fails the same way,
  with the .lc reader's (and luac5.1's) message;
- a '#' first line longer than the first read chunk is skipped;
- streaming gives the same bytes as luac5.1 when identifiers, strings,
  comments, long strings, numbers and runs of blanks straddle the 64 KiB
  chunk boundaries.

usage: bounded_input.py LUAC_CROSS     (exit 77 without luac5.1)
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC = os.path.abspath(sys.argv[1])
REF = shutil.which("luac5.1")
if not REF:
    print("luac5.1 not installed: skipped")
    sys.exit(77)
CHUNK = 65536
LIMIT_KB = 64 * 1024



def run_measured(cmd, stdin=None, cwd=None, timeout=20):
    """Run cmd alone; return (rc, stderr, peak RSS in KiB of that child, seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.monotonic()
    r = subprocess.run(cmd, stdin=stdin, capture_output=True, cwd=cwd, timeout=timeout)
    dt = time.monotonic() - t
    # ru_maxrss of children is the largest of any child so far: run the
    # small ones first, and read it as an upper bound
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return r.returncode, r.stderr.decode("latin-1"), max(peak, before), dt


def msg(stderr, prog=None):
    """The message without the program name (the part before the first ': ')."""
    return stderr.split(": ", 1)[-1].strip()


tmp = tempfile.mkdtemp()
try:
    zero = os.path.join(tmp, "zero.lua")
    with open(zero, "wb") as f:
        f.truncate(1 << 30)
    rc, err, peak, dt = run_measured([LUAC, "-p", "zero.lua"], cwd=tmp)
    ref = subprocess.run([REF, "-p", "zero.lua"], capture_output=True, cwd=tmp)
    check(rc == 1 and msg(err, LUAC) == msg(ref.stderr.decode("latin-1"), "luac5.1"),
          "1 GiB of zeros: %r vs luac5.1 %r" % (err, ref.stderr))
    check(peak < LIMIT_KB, "1 GiB of zeros: peak RSS %d KiB" % peak)
    print("1 GiB of zeros: exit %d in %.2f s, peak RSS at most %d KiB" % (rc, dt, peak))

    rc, err, peak, dt = run_measured([LUAC, "-p", "/dev/zero"])
    check(rc == 1 and "/dev/zero:1: unexpected symbol" in err, "/dev/zero: %r" % err)
    check(peak < LIMIT_KB, "/dev/zero: peak RSS %d KiB" % peak)

    # an endless pipe of junk (like yes '@ x' | luac.cross -p -)
    p = subprocess.Popen(["sh", "-c", "yes '@ x' | \"$0\" -p -", LUAC], stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=20)
        check(p.returncode == 1 and b"stdin:1: unexpected symbol near '@'" in err,
              "endless junk pipe: %r" % err)
    except subprocess.TimeoutExpired:
        p.kill()
        check(False, "endless junk pipe: still running after 20 s")

    # a stock binary chunk header, then 1 GiB of zeros: the .lc reader
    # stops at the first bad field like luac5.1's
    hdr = subprocess.run([REF, "-o", "-", "-"], input=b"", capture_output=True).stdout[:12]
    lc = os.path.join(tmp, "zero.luac")
    with open(lc, "wb") as f:
        f.write(hdr)
        f.truncate(1 << 30)
    rc, err, peak, dt = run_measured([LUAC, "-t", "host", "-p", "zero.luac"], cwd=tmp)
    ref = subprocess.run([REF, "-p", "zero.luac"], capture_output=True, cwd=tmp)
    check(rc == 1 and msg(err, LUAC) == msg(ref.stderr.decode("latin-1"), "luac5.1"),
          "header + 1 GiB of zeros: %r vs luac5.1 %r" % (err, ref.stderr))
    check(peak < LIMIT_KB, "header + 1 GiB of zeros: peak RSS %d KiB" % peak)

    # a '#' line of 3 chunks and a bit, then source, then bytecode
    body = b"local x = 1\nreturn x +\n"
    for tail, what in ((body, "source"), (None, "bytecode")):
        src = os.path.join(tmp, "hash.lua")
        with open(src, "wb") as f:
            f.write(b"#" + b"!" * (3 * CHUNK + 17) + b"\n")
            if tail is not None:
                f.write(tail)
            else:
                f.write(subprocess.run([REF, "-o", "-", "-"], input=b"return 42\n",
                                       capture_output=True).stdout)
        r = subprocess.run([LUAC, "-t", "host", "-p", "hash.lua"], capture_output=True, cwd=tmp)
        ref = subprocess.run([REF, "-p", "hash.lua"], capture_output=True, cwd=tmp)
        check(r.returncode == ref.returncode and
              msg(r.stderr.decode("latin-1"), LUAC) == msg(ref.stderr.decode("latin-1"), "luac5.1"),
              "long '#' line then %s: %r vs %r" % (what, r.stderr, ref.stderr))

    # a '#' line without a line break (found by fuzz_compile: streamed, it
    # must still end in one, as luaL_loadfile feeds it)
    for text in (b"#!lua", b"#", b"#!x\r"):
        path = os.path.join(tmp, "h.lua")
        with open(path, "wb") as f:
            f.write(text)
        a = subprocess.run([LUAC, "-t", "host", "-o", "-", "h.lua"], capture_output=True, cwd=tmp)
        b = subprocess.run([REF, "-o", "-", "h.lua"], capture_output=True, cwd=tmp)
        check(a.returncode == 0 and a.stdout == b.stdout, "%r alone: output differs from luac5.1" % text)

    # tokens across chunk boundaries: same bytes as luac5.1
    pieces = {
        "name": lambda n: b"local " + b"v" * n + b" = 1\n",
        "string": lambda n: b"local s = '" + b"a\\tb" * (n // 4) + b"'\n",
        "comment": lambda n: b"-- " + b"c" * n + b"\nlocal c = 2\n",
        "longstr": lambda n: b"local l = [==[\n" + (b"x]=]y\n" * (n // 6)) + b"]==]\n",
        "longcomment": lambda n: b"--[[" + b"z\n" * (n // 2) + b"]] local d = 3\n",
        "number": lambda n: b"local k = " + b"1" * min(n, 300) + b".5e3\n",
        "blanks": lambda n: b"local b =" + b" \t" * (n // 2) + b"4\n",
        "newlines": lambda n: b"\r\n" * (n // 2) + b"local e = 5\n",
    }
    count = 0
    for name, make in pieces.items():
        for shift in (-3, -2, -1, 0, 1, 2):
            # padding puts the piece's middle on a chunk boundary
            piece = make(600)
            pad = CHUNK - len(piece) // 2 + shift - 1
            src = b"-" * 2 + b" " * (pad - 3) + b"\n" + piece + b"print(1)\n"
            path = os.path.join(tmp, "b.lua")
            with open(path, "wb") as f:
                f.write(src)
            a = subprocess.run([LUAC, "-t", "host", "-o", "-", "b.lua"], capture_output=True, cwd=tmp)
            b = subprocess.run([REF, "-o", "-", "b.lua"], capture_output=True, cwd=tmp)
            check(a.returncode == b.returncode and a.stdout == b.stdout,
                  "%s across a chunk boundary (shift %d): output differs from luac5.1 (%r / %r)"
                  % (name, shift, a.stderr, b.stderr))
            count += 1
    # the same through stdin (a pipe delivers the input in small reads)
    a = subprocess.run(["sh", "-c", "cat \"$1\" | \"$0\" -t host -o - -", LUAC,
                        os.path.join(tmp, "b.lua")], capture_output=True)
    b = subprocess.run([REF, "-o", "-", "-"], stdin=open(os.path.join(tmp, "b.lua"), "rb"),
                       capture_output=True)
    check(a.stdout == b.stdout and a.returncode == 0, "through a pipe: output differs")
    print("%d programs with tokens across chunk boundaries identical to luac5.1" % count)
finally:
    shutil.rmtree(tmp)
sys.exit(summary(at_least=60))      # 61 checks today
