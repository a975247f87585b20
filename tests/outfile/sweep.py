#!/usr/bin/env python3
"""The temporary-file sweep removes only what is provably ours and dead
(issue #22 item 4).

- a user's files beside the target that look like temporary names
  (out.img.tmp99999.backup, the old NAME.tmpPID.XXXXXX form with a dead
  PID, our own form with a wrong check) are kept;
- a temporary file stranded by SIGKILL is swept by the next output;
- two builds of one target in two PID namespaces (containers sharing a
  volume): the second never deletes the first's live temporary file, and
  both deliver.

usage: sweep.py LUAC_CROSS SHIM CONFORMANCE_DIR WORK_DIR
"""
import os, shutil, signal, subprocess, sys, time
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tally import check, summary  # noqa: E402

LUAC, SHIM, CONF, WORK = (os.path.abspath(a) for a in sys.argv[1:5])
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
shutil.copy(os.path.join(CONF, "src", "c01_basic.lua"), "a.lua")
SHIMENV = {"LD_PRELOAD": SHIM,
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}


def env(extra=None):
    e = dict(os.environ)
    e.update(extra or {})
    return e


def read(p):
    with open(p, "rb") as f:
        return f.read()


r = subprocess.run([LUAC, "-o", "ref.lc", "a.lua"], capture_output=True)
REF = read("ref.lc")

# 1. Files that only look like temporary files are the user's.
users = ["out.img.tmp99999.backup", "out.img.tmp99999.abcdef", "out.img.tmp-lfsc-abcdef-00000000",
         "out.img.tmp-lfsc-abcdef-12345678.orig", "out.img.tmp1.XXXXXX"]
for n in users:
    with open(n, "w") as f:
        f.write("notes\n")
r = subprocess.run([LUAC, "-o", "out.img", "a.lua"], capture_output=True)
check(r.returncode == 0 and read("out.img") == REF, "build: %r" % r.stderr)
for n in users:
    check(os.path.exists(n) and read(n) == b"notes\n", "the sweep deleted the user's %s" % n)


def temps():
    return sorted(n for n in os.listdir(".") if n.startswith("out.img.tmp") and n not in users)


# 2. A temporary file stranded by SIGKILL is swept by the next output.
r = subprocess.run([LUAC, "-o", "out.img", "a.lua"], capture_output=True,
                   env=env(dict(SHIMENV, LFSC_KILL_AT_RENAME=str(int(signal.SIGKILL)))))
check(r.returncode == -signal.SIGKILL and len(temps()) == 1,
      "SIGKILL: want one stranded file, have %r" % temps())
r = subprocess.run([LUAC, "-o", "out.img", "a.lua"], capture_output=True)
check(r.returncode == 0 and temps() == [], "stranded file not swept: %r" % temps())


# 3. Two PID namespaces. Build A stops (SIGSTOP from the shim) with its
# complete temporary file at rename time; build B runs in a new PID
# namespace, where A's PID does not exist; then A goes on.
def new_pidns():
    for pre in (["unshare", "--pid", "--fork"],
                ["unshare", "--user", "--map-root-user", "--pid", "--fork"]):
        if shutil.which(pre[0]) and subprocess.run(pre + ["true"], capture_output=True).returncode == 0:
            return pre
    return None


PRE = new_pidns()
if PRE:
    for n in users:
        if os.path.exists(n):
            os.unlink(n)
    a = subprocess.Popen([LUAC, "-o", "out.img", "a.lua"], stderr=subprocess.PIPE,
                         env=env(dict(SHIMENV, LFSC_KILL_AT_RENAME=str(int(signal.SIGSTOP)))))
    state = ""
    for _ in range(500):
        with open("/proc/%d/stat" % a.pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        if state == "T":
            break
        time.sleep(0.01)
    check(state == "T" and len(temps()) == 1, "build A did not stop at rename: %s %r" % (state, temps()))
    live = temps()
    b = subprocess.run(PRE + [LUAC, "-o", "out.img", "a.lua"], capture_output=True)
    check(b.returncode == 0 and read("out.img") == REF, "build B: %r" % b.stderr)
    check(temps() == live, "build B (another PID namespace) deleted A's live temporary file: %r"
          % temps())
    os.kill(a.pid, signal.SIGCONT)
    _, err = a.communicate(timeout=20)
    check(a.returncode == 0 and read("out.img") == REF, "build A after B: exit %d, %r"
          % (a.returncode, err))
    check(temps() == [], "left: %r" % temps())
else:
    print("note: no new PID namespace (unshare): case 3 skipped")

sys.exit(summary(at_least=13 if PRE else 8))
