#!/usr/bin/env python3
"""lfsimg partitions against an independent model of the ESP-IDF partition
table, written here from the format's description (esp_flash_partitions.h,
gen_esp32part.py's documented behaviour), sharing no code with lfsc:

  - binary: 32-byte entries '<2sBBII16sI' (0xAA 0x50, type, subtype,
    offset, size, label, flags), then 0xEB 0xEB + 0xFF x 14 + the MD5 of
    the entries, then 0xFF to 0xC00 bytes;
  - CSV as gen_esp32part.py writes it (header comments, names or decimal
    numbers, offsets in hex, sizes in M/K when whole), and as users write
    it (spaces, hex, K/M, empty offsets placed after the previous
    partition on 64 KiB for apps and 4 KiB for the rest);
  - the LFS partition NodeMCU wants (type 0xC2, subtype 0x01) at the next
    64 KiB boundary after the last partition.

Random tables go through lfsimg both ways (binary -> CSV, CSV -> binary,
users' CSV -> binary, JSON), byte for byte against this model; every
refusal gives its message, exit status 1 and no output file.

With GEN_ESP32PART=/path/to/gen_esp32part.py (ESP-IDF's own tool, not in
this repository) every random table also goes through that tool, whose
bytes and CSV must be ours.

usage: esp32pt.py LFSIMG WORKDIR
"""
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tally import check, summary  # noqa: E402

LFSIMG, WORK = sys.argv[1], sys.argv[2]
GEN = os.environ.get("GEN_ESP32PART")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
rng = random.Random(20)

TYPES = {"app": 0, "data": 1}
SUBTYPES = {
    0: dict([("factory", 0), ("test", 0x20)] + [("ota_%d" % i, 0x10 + i) for i in range(16)]),
    1: {"ota": 0, "phy": 1, "nvs": 2, "coredump": 3, "nvs_keys": 4, "efuse": 5,
        "undefined": 6, "esphttpd": 0x80, "fat": 0x81, "spiffs": 0x82, "littlefs": 0x83},
}
FLAG_NAMES = ["encrypted", "readonly"]  # bits 0 and 1


# ---- the model -------------------------------------------------------------

def entry_bytes(p):
    name, t, st, off, size, flags = p
    return (b"\xaa\x50" + bytes([t, st]) + struct.pack("<II", off, size)
            + name.encode().ljust(16, b"\0") + struct.pack("<I", flags))


def table_bin(parts, md5=True):
    b = b"".join(entry_bytes(p) for p in parts)
    if md5:
        b += b"\xeb\xeb" + b"\xff" * 14 + hashlib.md5(b).digest()
    assert len(b) < 0xC00
    return b + b"\xff" * (0xC00 - len(b))


def name_of(v, names):
    for k, x in names.items():
        if x == v:
            return k
    return "%d" % v


def size_text(a):
    if a % 0x100000 == 0:
        return "%dM" % (a // 0x100000)
    if a % 0x400 == 0:
        return "%dK" % (a // 0x400)
    return "0x%x" % a


def table_csv(parts):
    rows = ["# ESP-IDF Partition Table", "# Name, Type, SubType, Offset, Size, Flags"]
    for name, t, st, off, size, flags in parts:
        rows.append(",".join([name, name_of(t, TYPES), name_of(st, SUBTYPES.get(t, {})),
                              "0x%x" % off, size_text(size),
                              ":".join(f for i, f in enumerate(FLAG_NAMES) if flags >> i & 1)]))
    return "\n".join(rows) + "\n"


def align(v, a):
    return (v + a - 1) // a * a


def users_csv(parts):
    """The same table as a person writes it: spaces, mixed case, hex or K/M,
    offsets left empty where the placement rule gives them."""
    rows = ["# Name,   Type, SubType, Offset,  Size, Flags"]
    last_end = 0x9000
    for name, t, st, off, size, flags in parts:
        auto = align(last_end, 0x10000 if t == 0 else 0x1000)
        tt = rng.choice([name_of(t, TYPES).upper(), "0x%02X" % t, str(t)])
        sn = SUBTYPES.get(t, {})
        stt = rng.choice([name_of(st, sn), "0x%x" % st]) if sn else "0x%02x" % st
        if t == 1 and st == 6 and rng.random() < 0.5:
            stt = ""                  # an empty data subtype is "undefined"
        ot = "" if off == auto and rng.random() < 0.7 else rng.choice(["0x%X" % off, "%d" % off])
        if size % 0x100000 == 0 and rng.random() < 0.5:
            zt = "%dM" % (size >> 20)
        elif size % 1024 == 0 and rng.random() < 0.5:
            zt = "%dk" % (size >> 10)
        elif rng.random() < 0.2:
            zt = "-0x%x" % (off + size)   # a negative size is the end address
        else:
            zt = "0x%x" % size
        ft = ":".join(f for i, f in enumerate(FLAG_NAMES) if flags >> i & 1)
        rows.append("%s,%s%s, %s ,\t%s, %s, %s" % (name, " " * rng.randint(0, 3), tt, stt, ot, zt, ft))
        if rng.random() < 0.1:
            rows.append("   # a comment")
        if rng.random() < 0.1:
            rows.append("")
        last_end = off + size
    return "\n".join(rows) + "\n"


def random_name(used):
    while True:
        n = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(rng.randint(1, 16)))
        if n not in used:
            used.add(n)
            return n


def random_table(n, lfs=None, start=0x9000):
    """n valid partitions in ascending order; lfs: None (no LFS partition),
    64 (one on 64 KiB), 4 (one on 4 KiB only)."""
    parts, used, at, otadata = [], set(), start, False
    kinds = ["app", "data", "other"]
    for i in range(n):
        k = rng.choice(kinds)
        flags = rng.choice([0, 0, 1, 2, 3])
        if k == "app":
            t, st = 0, rng.choice(list(SUBTYPES[0].values()))
            size = 0x1000 * rng.randint(1, 0x200)
            a = 0x10000
        elif k == "data":
            t, st = 1, rng.choice(list(SUBTYPES[1].values()))
            if st == 0 and otadata:
                st = 0x81
            size = rng.choice([0x1000 * rng.randint(1, 64), rng.randint(1, 0x20000)])
            if st == 0:
                otadata, size = True, 0x2000
            if st in (0, 3):
                flags &= 1        # otadata and coredump are never readonly
            if st == 2 and size < 0x3000:
                flags |= 2        # a small NVS must be readonly
            a = 0x1000
        else:
            t, st = rng.choice([0x40, 0x80, 0xFE, 0xC2]), rng.randint(0, 255)
            if t == 0xC2 and st == 1:
                st = 2
            size = rng.randint(1, 0x40000)
            a = 0x1000
        at = align(at + rng.choice([0, 0, 0x1000, 0x5000]), a)
        parts.append((random_name(used), t, st, at, size, flags))
        at += size
    if lfs:
        at = align(at, 0x10000) + (0x1000 if lfs == 4 else 0)
        # last (the table stays in ascending order); random names have no "lfs"
        if "lfs" in used:
            parts = [p if p[0] != "lfs" else ("lfs_", ) + p[1:] for p in parts]
        parts.append(("lfs", 0xC2, 0x01, at, 0x10000 * rng.randint(1, 4), 0))
    return parts


# ---- running lfsimg ---------------------------------------------------------

def run(*args):
    r = subprocess.run([LFSIMG, "partitions"] + list(args), capture_output=True)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def path(name):
    return os.path.join(WORK, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path(name)


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def lfs_line(parts, size=0x10000, flash=0x400000):
    end = max([0x9000] + [o + s for _, _, _, o, s, _ in parts])
    off = align(end, 0x10000)
    if off + size > flash:
        return None, None
    return off, "lfs, 0xC2, 0x01, 0x%X, 0x%X" % (off, size)


# ---- round trips ------------------------------------------------------------

def round_trip(k, parts):
    b = table_bin(parts)
    tb = write("t%d.bin" % k, b)
    # binary -> JSON: every field
    rc, out, err = run("--json", tb)
    ok = rc == 0
    if ok:
        j = json.loads(out)
        got = [(p["name"], p["type"], p["subtype"], p["offset"], p["size"], p["flags"]) for p in j["partitions"]]
        ok = got == [tuple(p) for p in parts] and j["md5"] is True and j["form"] == "partition-table"
        has = [p for p in parts if p[1] == 0xC2 and p[2] == 1]
        if has:
            ok = ok and j["lfs"]["kind"] == "partition" and j["lfs"]["offset"] == has[0][3] \
                and j["lfs"]["mmap_aligned"] == (has[0][3] % 0x10000 == 0)
        else:
            off, line = lfs_line(parts)
            ok = ok and j["lfs"]["kind"] == "none" and \
                (j["lfs"].get("suggest", {}).get("line") == line if line else "no_room" in j["lfs"])
    check(ok, "table %d: --json of the binary table (%d partitions): rc %d %s" % (k, len(parts), rc, err))
    # binary -> CSV: gen_esp32part.py's to_csv text
    rc, out, err = run("-o", path("t%d.csv" % k), tb)
    check(rc == 0 and read("t%d.csv" % k).decode() == table_csv(parts),
          "table %d: binary -> CSV: rc %d %s" % (k, rc, err))
    # that CSV -> binary: the same bytes
    rc, out, err = run("-o", path("back%d.bin" % k), path("t%d.csv" % k))
    check(rc == 0 and read("back%d.bin" % k) == b, "table %d: CSV -> binary: rc %d %s" % (k, rc, err))
    # a person's CSV -> binary: the same bytes
    uc = write("u%d.csv" % k, users_csv(parts))
    rc, out, err = run("-o", path("u%d.bin" % k), uc)
    check(rc == 0 and read("u%d.bin" % k) == b, "table %d: users' CSV -> binary: rc %d %s" % (k, rc, err))
    if GEN:
        # ESP-IDF's own tool: users' CSV -> the same bytes; binary -> the same CSV
        # (it cannot read a table that starts with the MD5 entry: no partitions)
        r = subprocess.run([sys.executable, GEN, "-q", uc, path("g%d.bin" % k)], capture_output=True)
        check(r.returncode == 0 and read("g%d.bin" % k) == b, "table %d: gen_esp32part.py CSV -> binary: %r" % (k, r.stderr[-300:]))
        if parts:
            r = subprocess.run([sys.executable, GEN, "-q", tb, path("g%d.csv" % k)], capture_output=True)
            check(r.returncode == 0 and read("g%d.csv" % k) == read("t%d.csv" % k),
                  "table %d: gen_esp32part.py binary -> CSV: %r" % (k, r.stderr[-300:]))
    # without the MD5 entry, both ways
    nb = write("n%d.bin" % k, table_bin(parts, md5=False))
    rc, out, err = run("-o", path("n%d.out.bin" % k), nb)
    check(rc == 0 and read("n%d.out.bin" % k) == table_bin(parts, md5=False),
          "table %d: binary without MD5 -> binary: rc %d %s" % (k, rc, err))
    rc, out, err = run("--no-md5", "-o", path("n%d.csv.bin" % k), uc)
    check(rc == 0 and read("n%d.csv.bin" % k) == table_bin(parts, md5=False),
          "table %d: CSV --no-md5 -> binary: rc %d %s" % (k, rc, err))


k = 0
for n in [0, 1, 2, 3] + [rng.randint(1, 12) for _ in range(150)] + [40, 94]:
    round_trip(k, random_table(n, lfs=rng.choice([None, None, 64, 4]) if n < 94 else None))
    k += 1

# ---- NodeMCU's own partitions.csv, and the LFS suggestion --------------------

nodemcu = """# Name,   Type, SubType, Offset,   Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 0x180000,
lfs,      0xC2, 0x01,          ,  0x10000,
"""
parts = [("nvs", 1, 2, 0x9000, 0x6000, 0), ("phy_init", 1, 1, 0xF000, 0x1000, 0),
         ("factory", 0, 0, 0x10000, 0x180000, 0), ("lfs", 0xC2, 1, 0x190000, 0x10000, 0)]
rc, out, err = run("-o", path("nodemcu.bin"), write("nodemcu.csv", nodemcu))
check(rc == 0 and read("nodemcu.bin") == table_bin(parts), "NodeMCU's partitions.csv: %s" % err)
check("LFS: partition 'lfs' at 0x190000, 64 KiB" in out, "NodeMCU's table: where LFS is: %s" % out)

no_lfs = parts[:3]
tb = write("nolfs.bin", table_bin(no_lfs))
rc, out, err = run(tb)
off, line = lfs_line(no_lfs)
check(rc == 0 and ("\n  %s\n" % line) in out and line == "lfs, 0xC2, 0x01, 0x190000, 0x10000",
      "no LFS partition: the line to add: %s" % out)
rc, out, err = run("--add-lfs", "128K", "-o", path("added.bin"), tb)
check(rc == 0 and read("added.bin") == table_bin(no_lfs + [("lfs", 0xC2, 1, 0x190000, 0x20000, 0)]),
      "--add-lfs 128K: %s" % err)
rc, out, err = run("--add-lfs", "0x18001", "-o", path("added.csv"), tb)
check(rc == 0 and read("added.csv").decode() == table_csv(no_lfs + [("lfs", 0xC2, 1, 0x190000, 0x19000, 0)]),
      "--add-lfs 0x18001 (rounded to 4 KiB) to CSV: %s" % err)
# random tables without LFS: the suggested line and --add-lfs agree with the model
for i in range(30):
    p = random_table(rng.randint(0, 10))
    tb = write("s%d.bin" % i, table_bin(p))
    flash = rng.choice([0x200000, 0x400000, 0x1000000])
    size = 0x1000 * rng.randint(1, 64)
    off, line = lfs_line(p, size, flash)
    rc, out, err = run("--json", "--flash-size", "0x%x" % flash, "--add-lfs", "0x%x" % size,
                       "-o", path("s%d.out.bin" % i), tb)
    end = max([0] + [o + s for _, _, _, o, s, _ in p])
    if end > flash:
        check(rc == 1 and "beyond the flash's 0x%x bytes" % flash in err and not os.path.exists(path("s%d.out.bin" % i)),
              "random table %d: larger than the flash: rc %d %s" % (i, rc, err))
    elif off is None:
        check(rc == 1 and "no room for a" in err and not os.path.exists(path("s%d.out.bin" % i)),
              "random table %d: no room for LFS: rc %d %s" % (i, rc, err))
    else:
        want = table_bin(p + [("lfs", 0xC2, 1, off, size, 0)])
        check(rc == 0 and read("s%d.out.bin" % i) == want and json.loads(out)["lfs"]["offset"] == off,
              "random table %d: --add-lfs at 0x%x: rc %d %s" % (i, off, rc, err))

# an LFS partition on 4 KiB only: a warning, and JSON says so
p = [("nvs", 1, 2, 0x9000, 0x6000, 0), ("lfs", 0xC2, 1, 0xF000, 0x10000, 0)]
rc, out, err = run(write("lfs4k.bin", table_bin(p)))
check(rc == 0 and "warning: LFS partition 'lfs' at 0xf000 is not on a 64 KiB boundary" in err
      and "such as 0x10000" in err, "4 KiB-aligned LFS: %s" % err)
rc, out, err = run("--json", path("lfs4k.bin"))
check(rc == 0 and json.loads(out)["lfs"]["mmap_aligned"] is False, "4 KiB-aligned LFS in JSON")

# ---- the JSON keys man/lfsimg.1 documents, each once ------------------------

def pairs(kv):
    keys = [k for k, _ in kv]
    check(len(keys) == len(set(keys)), "JSON: a key twice in %r" % keys)
    return dict(kv)


for f in (path("nodemcu.bin"), path("nolfs.bin"), path("t3.bin")):
    rc, out, err = run("--json", f)
    j = json.loads(out, object_pairs_hook=pairs)
    check(set(j) == {"file", "form", "table_offset", "md5", "flash_size", "flash_size_from",
                     "partitions", "apps", "lfs"}, "JSON keys: %r" % sorted(j))
    check(all(set(p) == {"name", "type", "type_name", "subtype", "subtype_name", "offset", "size", "flags"}
              for p in j["partitions"]), "JSON partition keys")
    l = j["lfs"]
    check(set(l) in ({"kind", "name", "offset", "size", "mmap_aligned"}, {"kind", "suggest"}, {"kind", "no_room"})
          and (l["kind"] != "none" or set(l.get("suggest", {"offset": 0, "size": 0, "line": ""})) == {"offset", "size", "line"}),
          "JSON lfs keys: %r" % l)

# ---- flash dumps -------------------------------------------------------------

p = random_table(5)
dump = bytearray(b"\xff" * 0x400000)
dump[0x1000:0x1004] = b"\xe9\x03\x02\x20"    # a bootloader's first bytes
dump[0x8000:0x8C00] = table_bin(p)
rc, out, err = run("--json", write("flash.bin", bytes(dump)))
j = json.loads(out) if rc == 0 else {}
check(rc == 0 and j["form"] == "flash" and j["flash_size"] == 0x400000 and j["flash_size_from"] == "dump"
      and [tuple(x[k] for k in ("name", "type", "subtype", "offset", "size", "flags")) for x in j["partitions"]] == p,
      "a 4 MiB flash dump: rc %d %s" % (rc, err))
rc, out, err = run("-o", path("fromdump.bin"), path("flash.bin"))
check(rc == 0 and read("fromdump.bin") == table_bin(p), "the table out of a dump: %s" % err)
# a table at a custom offset (--offset), partitions after its sector
p = random_table(4, start=0x11000)
dump = bytearray(b"\xff" * 0x200000)
dump[0x10000:0x10C00] = table_bin(p)
write("flash2.bin", bytes(dump))
rc, out, err = run("--json", "--offset", "0x10000", path("flash2.bin"))
j = json.loads(out) if rc == 0 else {}
check(rc == 0 and j["form"] == "flash" and j["table_offset"] == 0x10000 and len(j["partitions"]) == 4,
      "--offset 0x10000 in a dump: rc %d %s" % (rc, err))
rc, out, err = run(path("flash2.bin"))
check(rc == 0 and "0 partitions" in out and "the table's sector is erased: --offset OFF" in out,
      "the same dump without --offset: an erased table at 0x8000: %s %s" % (out, err))
# a CSV with --offset: the first partition after that table's sector
rc, out, err = run("--offset", "0x10000", "--json", write("off.csv", "nvs, data, nvs, , 24K\nfactory, app, factory, , 1M\n"))
j = json.loads(out) if rc == 0 else {}
check(rc == 0 and [x["offset"] for x in j["partitions"]] == [0x11000, 0x20000], "CSV with --offset 0x10000: %s" % err)

# ---- refusals: message, exit status 1, no output file --------------------------

good = [("nvs", 1, 2, 0x9000, 0x6000, 0), ("phy_init", 1, 1, 0xF000, 0x1000, 0),
        ("factory", 0, 0, 0x10000, 0x100000, 0)]
gb = table_bin(good)


def patched(b, at, new, md5=True):
    b = bytearray(b)
    b[at:at + len(new)] = new
    if md5:
        n = 3
        b[32 * n + 16:32 * n + 32] = hashlib.md5(bytes(b[:32 * n])).digest()
    return bytes(b)


refusals = [
    ("bad magic", patched(gb, 32, b"\x12\x34", md5=False), [], "entry 1 at 0x20: bad magic 0x3412"),
    ("MD5 mismatch", patched(gb, 0x70, b"\x00", md5=False), [], "entry 3 at 0x60: MD5 mismatch"),
    ("app offset", patched(gb, 64 + 4, struct.pack("<I", 0x18000)), [], "entry 2 at 0x40: 'factory' offset 0x18000 is not aligned to 0x10000"),
    ("data offset", patched(gb, 32 + 4, struct.pack("<I", 0xF100)), [], "entry 1 at 0x20: 'phy_init' offset 0xf100 is not aligned to 0x1000"),
    ("app size", patched(gb, 64 + 8, struct.pack("<I", 0x100100)), [], "'factory' size 0x100100 is not aligned to 0x1000"),
    ("overlap", patched(gb, 8, struct.pack("<I", 0x7000)), [], "'phy_init' at 0xf000 overlaps 'nvs' at 0x9000-0xffff"),
    ("below the table", patched(gb, 4, struct.pack("<I", 0x1000)), [], "'nvs' offset 0x1000 is below 0x9000"),
    ("same label", patched(gb, 32 + 12, b"nvs\0\0\0\0\0"), [], "label 'nvs' is used again"),
    ("no end marker", gb[:96] + b"\x00" * 32, [], "entry 3 at 0x60"),
    ("truncated", gb[:50], [], "the input ends (50 bytes)"),
    ("not a table", bytes(range(256)) * 4, [], "a NUL byte"),
    ("flash too small", table_bin(good + [("big", 1, 0x81, 0x110000, 0x100000, 0)]), ["--flash-size", "2M"],
     "'big' at 0x110000 of 0x100000 bytes ends at 0x210000, beyond the flash's 0x200000 bytes"),
    ("LFS already there", table_bin(good + [("lfs", 0xC2, 1, 0x110000, 0x10000, 0)]), ["--add-lfs", "64K"],
     "--add-lfs: the table has an LFS partition already: 'lfs' at 0x110000"),
    ("table beyond the flash", table_bin(good + [("big", 1, 0x81, 0x110000, 0xE0000, 0)]), ["--flash-size", "1M", "--add-lfs", "64K"],
     "'factory' at 0x10000 of 0x100000 bytes ends at 0x110000, beyond the flash's 0x100000 bytes"),
    ("no room for LFS", table_bin(good + [("big", 1, 0x81, 0x110000, 0xE1000, 0)]), ["--flash-size", "2M", "--add-lfs", "64K"],
     "no room for a 0x10000-byte LFS partition: the partitions end at 0x1f1000, the next 64 KiB boundary is 0x200000"),
    ("CSV overlap", "nvs, data, nvs, 0x9000, 24K\nphy, data, phy, 0xA000, 4K\n", [],
     "x.csv:2: offset 0xa000 overlaps the previous partition, which ends at 0xf000"),
    ("CSV unknown subtype", "# t\nnvs, data, nvx, , 24K\n", [], "x.csv:2: subtype 'nvx' is not valid"),
    ("CSV name too long", "a_name_of_17_byte, data, nvs, , 24K\n", [], "x.csv:1: name 'a_name_of_17_byte' is 17 bytes"),
    ("CSV small nvs", "nvs, data, nvs, , 8K\n", [], "x.csv:1: 'nvs' (data, nvs) of 0x2000 bytes must be readonly"),
    ("CSV unknown flag", "nvs, data, nvs, , 24K, secret\n", [], "x.csv:1: unknown flag 'secret'"),
    ("CSV into the table", "nvs, data, nvs, 0x8000, 24K\n", [], "x.csv:1: offset 0x8000 overlaps the partition table's sector"),
    ("CSV otadata size", "otadata, data, ota, , 0x3000\n", [], "x.csv:1: otadata partition 'otadata' is 0x3000 bytes: it must be 0x2000"),
]
for i, (what, data, args, msg) in enumerate(refusals):
    name = "x.csv" if isinstance(data, str) else "bad%d.bin" % i
    src = write(name, data)
    for out in ("o%d.bin" % i, "o%d.csv" % i):
        if os.path.exists(path(out)):
            os.remove(path(out))
        rc, so, err = run(*(args + ["-o", path(out), src]))
        check(rc == 1 and msg in err and not os.path.exists(path(out)),
              "refusal '%s' (-o %s): rc %d, stderr %r, wanted %r" % (what, out, rc, err, msg))
# an existing output stays as it was
write("keep.bin", b"old")
rc, so, err = run("-o", path("keep.bin"), write("bad.bin", refusals[1][1]))
check(rc == 1 and read("keep.bin") == b"old", "a refusal leaves an existing output alone")
# usage errors: exit status 2
for args, msg in [(["-o", path("x.txt"), path("nodemcu.csv")], "ends in .csv or .bin"),
                  (["--flash-size", "3M", path("nodemcu.csv")], "bad flash size '3M'"),
                  (["--add-lfs", "lots", path("nodemcu.csv")], "bad LFS size 'lots'"),
                  (["--offset", "0x8001", path("nodemcu.csv")], "bad table offset '0x8001'"),
                  ([], "missing partition table")]:
    rc, so, err = run(*args)
    check(rc == 2 and msg in err, "usage error %s: rc %d %r" % (args, rc, err))
rc, so, err = run(path("missing.bin"))
check(rc == 1 and "cannot open" in err, "a missing file: %r" % err)
rc, so, err = run("--help")
check(rc == 0 and so.startswith("usage: lfsimg partitions"), "partitions --help")
r = subprocess.run([LFSIMG, "help"], capture_output=True)
check(r.returncode == 0 and b"partitions" in r.stdout, "lfsimg help lists partitions")

sys.exit(summary(at_least=1000))
