"""Small builder of ESP-IDF app images for lfsc's esp32app tests, written
from ESP-IDF's esp_app_format.h / esp_image_format.c (not from our C):
24-byte header, segments {load_addr, data_len, data}, XOR checksum seeded
0xEF in the last byte of the padding to 16, SHA-256 (hashlib) of all of
it when hash_appended, optional secure boot signatures. Also an
independent checker of such images."""
import hashlib
import struct
import zlib

CHIPS = {  # chip id, DROM segment address, IROM address, RAM address
    'esp32': (0x0000, 0x3F400000, 0x400D0000, 0x3FFB0000),
    'esp32s2': (0x0002, 0x3F000000, 0x40080000, 0x3FFB0000),
    'esp32s3': (0x0009, 0x3C000000, 0x42000000, 0x3FC88000),
    'esp32c3': (0x0005, 0x3C000000, 0x42000000, 0x3FC80000),
    'esp32c6': (0x000D, 0x42800000, 0x42000000, 0x40800000),
    'esp32h2': (0x0010, 0x42800000, 0x42000000, 0x40800000),
}


def app_desc(project=b'nodemcu', version=b'v1.0-test', idf=b'v5.1.2',
             elf_sha=bytes(range(32))):
    d = struct.pack('<II8s32s32s16s16s32s32s', 0xABCD5432, 0, b'\xff' * 8, version,
                    project, b'12:00:00', b'Dec  6 2026', idf, elf_sha)
    return d.ljust(256, b'\0')


def build(chip='esp32', banner=b'5.1-doublefp', region=0x20000, content=b'',
          hash_appended=1, rodata_before=0x300, extra_segments=True, desc=True, drom=None):
    """An app image; returns (bytes, facts). The DROM segment holds the app
    description, strings, then the embedded LFS region (4 KiB aligned)."""
    cid, drom0, irom, ram = CHIPS[chip]
    drom = drom0 if drom is None else drom
    hdr_len = 24
    # DROM data at file offset 0x20: load address 0x..0020 keeps the
    # 64 KiB congruence the bootloader checks
    drom_addr = drom + 0x20
    ro = bytearray(app_desc() if desc else b'\x11' * 256)
    ro += b'\0NodeMCU ESP32\0Lua 5.1.4\0' + (banner + b'\0' if banner else b'')
    ro += b'\0' * rodata_before
    ro += b'\0' * ((-(drom_addr + len(ro))) % 4096)
    lfs_addr = drom_addr + len(ro)
    reg = bytearray(region)
    reg[:len(content)] = content
    ro += reg
    ro += b'trailing rodata\0'
    ro += b'\0' * ((-len(ro)) % 4)
    segs = [(drom_addr, bytes(ro))]
    if extra_segments:
        segs.append((ram, bytes(range(256)) * 2))
    off = hdr_len + sum(8 + len(d) for _, d in segs) + 8
    if extra_segments:
        # an IROM segment, at an address congruent to its file offset
        code = bytes((i * 7) & 0xFF for i in range(0x800))
        segs.append((irom + off % 0x10000, code))
    img = bytearray(struct.pack('<BBBBIB3sHBHH4sB', 0xE9, len(segs), 2, 0x20, irom + 0x100,
                                0xEE, b'\0\0\0', cid, 0, 0, 399, b'\0' * 4, hash_appended))
    assert len(img) == 24
    for a, d in segs:
        img += struct.pack('<II', a, len(d)) + d
    ck = 0xEF
    for _, d in segs:
        for b in d:
            ck ^= b
    img += b'\0' * ((15 - len(img) % 16) % 16)
    img.append(ck)
    if hash_appended:
        img += hashlib.sha256(bytes(img)).digest()
    return bytes(img), {'chip': chip, 'chip_id': cid, 'lfs_addr': lfs_addr, 'lfs_size': region,
                        'segments': segs}


def sign_v1(img):
    return img + b'\0\0\0\0' + bytes(range(64))


def sign_v2(img):
    pad = (-len(img)) % 4096
    blk = bytearray(1216)
    blk[0] = 0xE7
    blk[1] = 0x02
    blk[4:36] = hashlib.sha256(img).digest()
    struct.pack_into('<I', blk, 1196, zlib.crc32(bytes(blk[:1196])) & 0xFFFFFFFF)
    return img + b'\xff' * pad + bytes(blk) + b'\xff' * (4096 - 1216)


def check(img):
    """Independent check: returns (segments, problems)."""
    probs = []
    if img[0] != 0xE9:
        return [], ['magic']
    n = img[1]
    at = 24
    segs = []
    for _ in range(n):
        a, ln = struct.unpack_from('<II', img, at)
        at += 8
        segs.append((a, at, ln))
        at += ln
    ck = 0xEF
    for _, o, ln in segs:
        for b in img[o:o + ln]:
            ck ^= b
    pad_end = (at + 1 + 15) // 16 * 16
    if img[pad_end - 1] != ck:
        probs.append('checksum %02x want %02x' % (img[pad_end - 1], ck))
    if img[23]:
        if hashlib.sha256(img[:pad_end]).digest() != img[pad_end:pad_end + 32]:
            probs.append('sha256')
    return segs, probs


def bytes_at(img, addr, n):
    for a, o, ln in check(img)[0]:
        if a <= addr and addr + n <= a + ln:
            return img[o + addr - a:o + addr - a + n]
    return None


def build_segments(chip_id, segs, hash_appended=1, entry=0x42000020):
    """An app image of segs [(addr, data, mapped)]: a mapped segment gets
    a padding segment (load address 0) before it when needed, so that its
    file offset and address agree modulo 64 KiB, as esptool elf2image
    does."""
    body = bytearray()
    out = []
    pos = 24
    for a, d, mapped in segs:
        d = bytes(d) + b'\0' * ((-len(d)) % 4)
        if mapped and (pos + 8) % 0x10000 != a % 0x10000:
            pad = (a - (pos + 16)) % 0x10000
            out.append((0, b'\0' * pad))
            pos += 8 + pad
        out.append((a, d))
        pos += 8 + len(d)
    img = bytearray(struct.pack('<BBBBIB3sHBHH4sB', 0xE9, len(out), 2, 0x20, entry,
                                0xEE, b'\0\0\0', chip_id, 0, 0, 399, b'\0' * 4, hash_appended))
    ck = 0xEF
    for a, d in out:
        img += struct.pack('<II', a, len(d)) + d
        for b in d:
            ck ^= b
    img += b'\0' * ((15 - len(img) % 16) % 16)
    img.append(ck)
    if hash_appended:
        img += hashlib.sha256(bytes(img)).digest()
    return bytes(img)


def elf_sections(path):
    """[(name, addr, data)] of an ELF32 LE file's allocated PROGBITS sections."""
    b = open(path, 'rb').read()
    shoff, = struct.unpack_from('<I', b, 32)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 46)
    hdrs = [struct.unpack_from('<IIIIIIIIII', b, shoff + i * shentsize) for i in range(shnum)]
    stro = hdrs[shstrndx][4]
    res = []
    for h in hdrs:
        name = b[stro + h[0]:b.index(b'\0', stro + h[0])].decode()
        if h[1] == 1 and h[2] & 2 and h[5]:
            res.append((name, h[3], b[h[4]:h[4] + h[5]]))
    return res


def elf_symbol(path, want):
    b = open(path, 'rb').read()
    shoff, = struct.unpack_from('<I', b, 32)
    shentsize, shnum, _ = struct.unpack_from('<HHH', b, 46)
    hdrs = [struct.unpack_from('<IIIIIIIIII', b, shoff + i * shentsize) for i in range(shnum)]
    for h in hdrs:
        if h[1] != 2:
            continue
        strtab = hdrs[h[6]]
        for k in range(h[5] // 16):
            nm, val, size, _, _, _ = struct.unpack_from('<IIIBBH', b, h[4] + 16 * k)
            s = strtab[4] + nm
            if b[s:b.index(b'\0', s)].decode() == want:
                return val
    return None
