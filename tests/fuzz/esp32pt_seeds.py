#!/usr/bin/env python3
"""Seeds for fuzz_esp32pt: binary tables (with and without MD5, a flash
dump) and CSV files, each behind fuzz_esp32pt.c's selector byte.
usage: esp32pt_seeds.py DIR"""
import hashlib
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def table(parts, md5=True):
    b = b"".join(b"\xaa\x50" + bytes([t, st]) + struct.pack("<II", o, s) + n.encode().ljust(16, b"\0")
                 + struct.pack("<I", f) for n, t, st, o, s, f in parts)
    if md5:
        b += b"\xeb\xeb" + b"\xff" * 14 + hashlib.md5(b).digest()
    return b + b"\xff" * (0xC00 - len(b))


nodemcu = [("nvs", 1, 2, 0x9000, 0x6000, 0), ("phy_init", 1, 1, 0xF000, 0x1000, 0),
           ("factory", 0, 0, 0x10000, 0x180000, 0), ("lfs", 0xC2, 1, 0x190000, 0x10000, 0)]
ota = [("nvs", 1, 2, 0x9000, 0x4000, 0), ("otadata", 1, 0, 0xD000, 0x2000, 0),
       ("phy_init", 1, 1, 0xF000, 0x1000, 0), ("ota_0", 0, 0x10, 0x10000, 0x100000, 0),
       ("ota_1", 0, 0x11, 0x110000, 0x100000, 0), ("spiffs", 1, 0x82, 0x210000, 0xF0000, 3)]
seeds = {
    "nodemcu.bin": b"\x00" + table(nodemcu),
    "nolfs.bin": b"\x04" + table(nodemcu[:3]),
    "ota.nomd5.bin": b"\x00" + table(ota, md5=False),
    "empty.bin": b"\x00" + table([]),
    "dump.bin": b"\x08" + b"\xff" * 0x8000 + table(ota),
    "nodemcu.csv": b"\x01" + b"""# Name,   Type, SubType, Offset,   Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 0x180000,
lfs,      0xC2, 0x01,          ,  0x10000,
""",
    "ota.csv": b"\x05" + b"""# ESP-IDF Partition Table
nvs,data,nvs,,16K
otadata,data,ota,,8K
phy_init,data,phy,,4K
ota_0,app,ota_0,,1M
ota_1,app,ota_1,,1M
store,data,spiffs,,-0x400000,encrypted:readonly
ro,data,,,4k,readonly
""",
    "offset.csv": b"\x03" + b"pt,partition_table,primary,,\nnvs,data,nvs,,24K\nfactory,app,factory,,1M\n",
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
