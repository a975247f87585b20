#!/usr/bin/env python3
"""espgen: ESP32-family firmware forms for lfsc's tests, written from the
documented formats (not from lfsc's C code):

- ESP-IDF partition table (esp_flash_partitions.h, gen_esp32part.py): 32-byte
  entries {u16 0x50AA, u8 type, u8 subtype, u32 offset, u32 size, char
  label[16], u32 flags}, then an MD5 entry (0xEBEB, 14 x 0xFF, MD5 of the
  entries before it), 0xFF up to 0xC00 bytes; flashed at 0x8000.
- ESP app image (esp_app_format.h, esp_image_format.c): a 24-byte header
  (0xE9, segment count, SPI mode, size/freq, entry, then the extended header:
  WP pin, drive settings, u16 chip id, u8 min rev, u16 min/max rev full,
  4 reserved, u8 hash_appended), segments {u32 load_addr, u32 data_len},
  zeros until the length is 15 mod 16, the XOR of all segment data started
  from 0xEF, then (hash_appended) the SHA-256 of everything before it.
  The first segment of an app starts with esp_app_desc_t (magic 0xABCD5432).
- elf2image as esptool does it: the ELF's allocated PROGBITS sections in
  address order, adjacent ones merged, flash-mapped ones placed so that
  file offset == address modulo 64 KiB (padding with RAM segment data or a
  padding segment at address 0), the RAM segments after them.
- NodeMCU dev-esp32 (7c5bb151): the banner strings lua.c prints
  ("NodeMCU ESP32", the build date, "Lua 5.1.4"/"Lua 5.3.5", the
  XLUA_OPT_STR tag "5.1-doublefp", "5.1-integral", "5.3-int32-singlefp",
  ...; luaconf.h), the embedded LFS region (components/embedded_lfs: a
  zero-filled file 'truncate'd to CONFIG_NODEMCU_EMBEDDED_LFS_SIZE, in
  .rodata.embedded, flash rodata ALIGN(4096), symbols
  _binary_lua_flash_store_reserved_start/_end), the LFS partition
  (partitions.csv: 'lfs, 0xC2, 0x01, , 0x10000').

Everything is deterministic: same arguments, same bytes.

CLI:  espgen.py all OUTDIR [--no-elf]     the whole set, OUTDIR/index.json
      espgen.py table OUT.bin [--lfs aligned|none|misaligned] [--csv OUT.csv]
      espgen.py app OUT.bin --chip C [--lua 5.1|5.3] [--variant V]
                    [--lfs-size N] [--fill 0|255] [--sign v1|v2]
      espgen.py elf OUTDIR --chip esp32c3|esp32 [--lfs-size N] ...
      espgen.py elf2image ELF OUT.bin --chip C
      espgen.py flash OUT.bin --chip C --app APP [--lfs aligned|none] [--lfs-image IMG]
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FW = os.path.join(HERE, 'fw')

# Chips. Ids: esp_chip_id_t (esp_app_format.h). Bootloader offset: 0x1000 on
# the ESP32 and ESP32-S2, 0x0 on the later chips (ESP-IDF's
# CONFIG_BOOTLOADER_OFFSET_IN_FLASH). Flash-mapped ranges: each chip's soc.h
# SOC_DROM_LOW/HIGH, SOC_IROM_LOW/HIGH (esptool's MEMORY_MAP agrees); the
# C6 and H2 map data and code in one range (soc.h: SOC_DROM_LOW ==
# SOC_IROM_LOW). RAM addresses: inside each chip's SOC_DRAM/SOC_IRAM range.
# org: where the generated DROM/IROM segments start (0x20 into a 64 KiB
# page, as ESP-IDF's memory.ld does); 'unified' chips put code after data.
CHIPS = {
    'esp32':   dict(id=0x0000, boot=0x1000, drom=(0x3F400000, 0x3F800000),
                    irom=(0x400D0000, 0x40400000), drom_org=0x3F400020,
                    irom_org=0x400D0020, dram=0x3FFB0000, iram=0x40080000),
    'esp32s2': dict(id=0x0002, boot=0x1000, drom=(0x3F000000, 0x3FF80000),
                    irom=(0x40080000, 0x40800000), drom_org=0x3F000020,
                    irom_org=0x40080020, dram=0x3FFB0000, iram=0x40022000),
    'esp32s3': dict(id=0x0009, boot=0x0, drom=(0x3C000000, 0x3D000000),
                    irom=(0x42000000, 0x44000000), drom_org=0x3C010020,
                    irom_org=0x42000020, dram=0x3FC90000, iram=0x40378000),
    'esp32c3': dict(id=0x0005, boot=0x0, drom=(0x3C000000, 0x3C800000),
                    irom=(0x42000000, 0x42800000), drom_org=0x3C010020,
                    irom_org=0x42000020, dram=0x3FC90000, iram=0x40380000),
    'esp32c6': dict(id=0x000D, boot=0x0, drom=(0x42000000, 0x43000000),
                    irom=(0x42000000, 0x43000000), drom_org=0x42000020,
                    irom_org=None, dram=0x40810000, iram=0x40800000),
    'esp32h2': dict(id=0x0010, boot=0x0, drom=(0x42000000, 0x42800000),
                    irom=(0x42000000, 0x42800000), drom_org=0x42000020,
                    irom_org=None, dram=0x40810000, iram=0x40800000),
}
CHIP_BY_ID = {c['id']: n for n, c in CHIPS.items()}

IMAGE_MAGIC = 0xE9
CHECKSUM_SEED = 0xEF
APP_DESC_MAGIC = 0xABCD5432
APP_DESC_SIZE = 256
MMU_PAGE = 0x10000          # flash segments: file offset == address mod this
TABLE_OFFSET = 0x8000
TABLE_MAX = 0xC00
PART_MAGIC = 0x50AA
MD5_MAGIC = 0xEBEB
LFS_TYPE, LFS_SUBTYPE = 0xC2, 0x01
LFS_ALIGN = 0x10000         # NodeMCU maps the LFS partition: 64 KiB (lfs.c)
SIGV2_MAGIC, SIGV2_BLOCK = 0xE7, 1216

# Lua versions and number variants: the tag NodeMCU's luaconf.h builds
# (XLUA_OPT_STR) and what lfsimg's JSON calls the variant.
LUA_RELEASE = {'5.1': 'Lua 5.1.4', '5.3': 'Lua 5.3.5'}
VARIANTS = {
    '5.1': {'float': '5.1-doublefp', 'int': '5.1-integral'},
    '5.3': {v: v for v in ('5.3-int32-singlefp', '5.3-int32-doublefp',
                           '5.3-int64-singlefp', '5.3-int64-doublefp')},
}
DEFAULT_VARIANT = {'5.1': 'float', '5.3': '5.3-int32-singlefp'}
IDF_VER = 'v5.1.4'
BUILD_DATE = '2024-10-25 12:00'
BANNER_FMT = '\n%s build %s powered by %s [%s] on IDF %s\n'


def u8(v): return struct.pack('<B', v)
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def align(v, a): return (v + a - 1) // a * a
def cstr(s, n):
    b = s.encode()
    assert len(b) < n
    return b + b'\0' * (n - len(b))


def filler(n, seed):
    """n deterministic pseudo-random bytes (stand-in code)."""
    out, i = bytearray(), 0
    while len(out) < n:
        out += hashlib.sha256(b'%s:%d' % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


# ---------------------------------------------------------------- tables

def part(label, ptype, subtype, offset, size, flags=0):
    return dict(label=label, type=ptype, subtype=subtype, offset=offset,
                size=size, flags=flags)


def nodemcu_parts(lfs='aligned', app_size=0x180000, lfs_size=0x10000):
    """NodeMCU dev-esp32's partitions.csv with the offsets gen_esp32part.py
    gives it (app 64 KiB aligned, data 4 KiB): lfs lands at 0x190000.
    lfs: 'aligned' (as NodeMCU), 'none' (no LFS line), 'misaligned' (the
    LFS partition at a 4 KiB but not 64 KiB boundary)."""
    ps = [part('nvs', 0x01, 0x02, 0x9000, 0x6000),
          part('phy_init', 0x01, 0x01, 0xF000, 0x1000),
          part('factory', 0x00, 0x00, 0x10000, app_size)]
    off = 0x10000 + app_size
    if lfs == 'aligned':
        ps.append(part('lfs', LFS_TYPE, LFS_SUBTYPE, align(off, LFS_ALIGN), lfs_size))
        off = align(off, LFS_ALIGN) + lfs_size
    elif lfs == 'misaligned':
        ps.append(part('lfs', LFS_TYPE, LFS_SUBTYPE, off + 0x1000, lfs_size))
        off = off + 0x1000 + lfs_size
    elif lfs != 'none':
        raise ValueError('lfs: aligned, none or misaligned')
    ps.append(part('storage', 0x01, 0x82, align(off, 0x1000), 0x70000))
    return ps


def partition_table(parts, md5=True):
    """The binary table: entries, the MD5 entry, 0xFF to 0xC00 bytes."""
    body = b''.join(u16(PART_MAGIC) + u8(p['type']) + u8(p['subtype']) +
                    u32(p['offset']) + u32(p['size']) + cstr(p['label'], 17)[:16] +
                    u32(p['flags']) for p in parts)
    if md5:
        body += u16(MD5_MAGIC) + b'\xff' * 14 + hashlib.md5(body).digest()
    assert len(body) <= TABLE_MAX - 32, 'too many partitions'
    return body + b'\xff' * (TABLE_MAX - len(body))


TYPE_NAMES = {0x00: 'app', 0x01: 'data'}
SUBTYPE_NAMES = {(0x00, 0x00): 'factory', (0x01, 0x01): 'phy', (0x01, 0x02): 'nvs',
                 (0x01, 0x82): 'spiffs'}


def partitions_csv(parts):
    """The CSV ESP-IDF's gen_esp32part.py reads, offsets written out."""
    lines = ['# Name,   Type, SubType, Offset,  Size, Flags']
    for p in parts:
        t = TYPE_NAMES.get(p['type'], '0x%02X' % p['type'])
        s = SUBTYPE_NAMES.get((p['type'], p['subtype']), '0x%02X' % p['subtype'])
        lines.append('%s, %s, %s, 0x%x, 0x%x,' % (p['label'], t, s, p['offset'], p['size']))
    return '\n'.join(lines) + '\n'


def lfs_partition(parts):
    for p in parts:
        if p['type'] == LFS_TYPE and p['subtype'] == LFS_SUBTYPE:
            return p
    return None


# ---------------------------------------------------------------- images

def image_header(chip, nseg, entry, hash_appended=True, spi_mode=2, size_freq=0x20):
    return (u8(IMAGE_MAGIC) + u8(nseg) + u8(spi_mode) + u8(size_freq) + u32(entry) +
            u8(0xEE) + b'\0\0\0' + u16(CHIPS[chip]['id']) + u8(0) + u16(0) +
            u16(0xFFFF) + b'\0' * 4 + u8(1 if hash_appended else 0))


def image(chip, segments, entry, hash_appended=True):
    """An app/bootloader image from segments in file order [(addr, data)]."""
    out = bytearray(image_header(chip, len(segments), entry, hash_appended))
    ck = CHECKSUM_SEED
    for addr, data in segments:
        assert len(data) % 4 == 0, 'segment length must be a multiple of 4'
        out += u32(addr) + u32(len(data)) + data
        for b in data:
            ck ^= b
    out += b'\0' * (15 - len(out) % 16) + u8(ck)
    if hash_appended:
        out += hashlib.sha256(out).digest()
    return bytes(out)


def is_flash(chip, addr):
    c = CHIPS[chip]
    return c['drom'][0] <= addr < c['drom'][1] or c['irom'][0] <= addr < c['irom'][1]


def layout(chip, segs, first=None):
    """esptool elf2image's order: merge adjacent segments (same kind:
    flash-mapped or RAM), flash segments in address order (the one at
    address first, the app descriptor's, at their head) each at file offset
    == address mod 64 KiB, a gap before one filled with RAM segment data
    (split as needed, when the gap is over 8 bytes) or else a padding
    segment of zeros at address 0, the remaining RAM segments last. On the
    ESP32 a flash segment ending less than 0x24 bytes into a 64 KiB page is
    padded with zeros to 0x24 (esptool's workaround for an old IDF
    bootloader that left that page unmapped). segs: [(addr, data)]."""
    merged = []
    for addr, data in sorted(segs):
        data = data + b'\0' * (-len(data) % 4)
        if merged and merged[-1][0] + len(merged[-1][1]) == addr and \
                is_flash(chip, addr) == is_flash(chip, merged[-1][0]):
            merged[-1] = (merged[-1][0], merged[-1][1] + data)
        else:
            merged.append((addr, data))
    flash = [s for s in merged if is_flash(chip, s[0])]
    flash.sort(key=lambda s: s[0] != first)
    ram = [s for s in merged if not is_flash(chip, s[0])]
    out, pos = [], 24
    for addr, data in flash:
        while (pos + 8) % MMU_PAGE != addr % MMU_PAGE:
            gap = (addr - pos - 16) % MMU_PAGE  # data bytes of a filler segment
            if ram and gap > 8:
                a, d = ram[0][0], ram[0][1][:gap]
                ram[0] = (a + len(d), ram[0][1][len(d):])
                if not ram[0][1]:
                    ram.pop(0)
            else:
                a, d = 0, b'\0' * gap
            out.append((a, d))
            pos += 8 + len(d)
        if chip == 'esp32' and (pos + 8 + len(data)) % MMU_PAGE < 0x24:
            data += b'\0' * (0x24 - (pos + 8 + len(data)) % MMU_PAGE)
        out.append((addr, data))
        pos += 8 + len(data)
    return out + ram


def app_desc(project='nodemcu', version='dev-esp32-7c5bb151', idf_ver=IDF_VER,
             time='12:00:00', date='Oct 25 2024', secure_version=0):
    """esp_app_desc_t, 256 bytes (esp_app_desc.h)."""
    d = (u32(APP_DESC_MAGIC) + u32(secure_version) + b'\0' * 8 + cstr(version, 32) +
         cstr(project, 32) + cstr(time, 16) + cstr(date, 16) + cstr(idf_ver, 32) +
         b'\0' * 32 + u16(0) + u16(0xFFFF) + u8(16) + b'\0' * 3 + b'\0' * 72)
    assert len(d) == APP_DESC_SIZE
    return d


def banner_strings(lua, variant):
    """The strings NodeMCU's lua.c prints its banner from, each NUL-ended
    and 4-aligned as a compiler lays out .rodata: the XLUA_OPT_STR tag
    stands alone (the brackets are in the format string)."""
    tag = VARIANTS[lua][variant]
    out = b''
    for s in (BANNER_FMT, 'NodeMCU ESP32', BUILD_DATE, LUA_RELEASE[lua], tag, IDF_VER):
        b = s.encode() + b'\0'
        out += b + b'\0' * (-len(b) % 4)
    return out


def banner_line(lua, variant):
    """The banner as the firmware prints it."""
    return BANNER_FMT % ('NodeMCU ESP32', BUILD_DATE, LUA_RELEASE[lua],
                         VARIANTS[lua][variant], IDF_VER)


def app_image(chip, lua='5.1', variant=None, lfs_size=0, fill=0, lfs_image=None,
              hash_appended=True):
    """A NodeMCU-like app image: DROM (app desc, banner strings, the
    embedded LFS region 4096-aligned if lfs_size, some rodata), DRAM, IRAM,
    IROM. Returns (image bytes, info) with info['lfs'] the region's
    address/size and info['segments'] the layout."""
    variant = variant or DEFAULT_VARIANT[lua]
    c = CHIPS[chip]
    drom_addr = c['drom_org']
    drom = bytearray(app_desc() + banner_strings(lua, variant))
    lfs_addr = None
    if lfs_size:
        assert lfs_size % 4096 == 0
        drom += b'\0' * (align(drom_addr + len(drom), 4096) - drom_addr - len(drom))
        lfs_addr = drom_addr + len(drom)
        region = bytearray([fill]) * lfs_size
        if lfs_image:
            assert len(lfs_image) <= lfs_size, 'LFS image larger than the region'
            region[:len(lfs_image)] = lfs_image
        drom += region
    drom += filler(0x200, chip + ':rodata')
    irom_addr = c['irom_org'] or align(drom_addr + len(drom), MMU_PAGE) + 0x20
    segs = [(drom_addr, bytes(drom)),
            (c['dram'], filler(0x40, chip + ':dram')),
            (c['iram'], filler(0x100, chip + ':iram')),
            (irom_addr, filler(0x1000, chip + ':irom'))]
    laid = layout(chip, segs, drom_addr)
    img = image(chip, laid, c['iram'], hash_appended)
    info = dict(segments=[(a, len(d)) for a, d in laid],
                lfs=dict(address=lfs_addr, size=lfs_size) if lfs_size else None)
    return img, info


def bootloader_image(chip):
    """A minimal second-stage bootloader: an image of two RAM segments and no
    app descriptor."""
    c = CHIPS[chip]
    segs = [(c['dram'] + 0x20000, filler(0x100, chip + ':bl-dram')),
            (c['iram'] + 0x20000, filler(0x400, chip + ':bl-iram'))]
    return image(chip, segs, c['iram'] + 0x20000, True)


def sign(img, version='v2'):
    """A fake secure-boot signature after an image (for refusal tests).
    v2: the image padded with 0xFF to 4 KiB, then a signature block (magic
    0xE7, version 2, the image's SHA-256, key and signature bytes, CRC32)
    and 0xFF to the next 4 KiB. v1: a 4-byte version 0 and a 64-byte
    ECDSA signature right after the image."""
    if version == 'v1':
        return img + u32(0) + filler(64, 'sigv1')
    out = img + b'\xff' * (-len(img) % 4096)
    blk = u8(SIGV2_MAGIC) + u8(0x02) + b'\0\0' + hashlib.sha256(img).digest()
    blk += filler(384 + 4 + 384 + 4 + 384, 'sigv2')  # key n, e, rinv, mdash, sig
    blk += u32(zlib.crc32(blk) & 0xFFFFFFFF)
    blk += b'\0' * (SIGV2_BLOCK - len(blk))
    out += blk
    return out + b'\xff' * (-len(out) % 4096)


def flash_dump(chip, parts, app, bootloader=None, lfs_image=None, size=None):
    """A whole-flash image: bootloader at the chip's offset, the table at
    0x8000, the app at the factory partition, the LFS partition 0xFF
    (erased) or holding lfs_image; size: up to the end of the last
    partition with data (the LFS or app one) unless given."""
    bootloader = bootloader or bootloader_image(chip)
    app_p = next(p for p in parts if p['type'] == 0x00)
    lfs_p = lfs_partition(parts)
    end = max(app_p['offset'] + app_p['size'],
              lfs_p['offset'] + lfs_p['size'] if lfs_p else 0)
    size = size or end
    f = bytearray(b'\xff') * size
    bo = CHIPS[chip]['boot']
    f[bo:bo + len(bootloader)] = bootloader
    f[TABLE_OFFSET:TABLE_OFFSET + TABLE_MAX] = partition_table(parts)
    assert len(app) <= app_p['size']
    f[app_p['offset']:app_p['offset'] + len(app)] = app
    if lfs_p and lfs_image:
        assert len(lfs_image) <= lfs_p['size']
        f[lfs_p['offset']:lfs_p['offset'] + len(lfs_image)] = lfs_image
    return bytes(f)


# ---------------------------------------------------------------- ELF

ELF_CHIPS = {'esp32c3': (['riscv64-unknown-elf-gcc', '-march=rv32imc', '-mabi=ilp32',
                          '-mno-relax'], 'esp32c3.ld'),
             'esp32': (['xtensa-lx106-elf-gcc', '-mtext-section-literals', '-mlongcalls'],
                       'esp32.ld')}


def have_compilers():
    return [ELF_CHIPS[c][0][0] for c in ELF_CHIPS if not shutil.which(ELF_CHIPS[c][0][0])]


def build_elf(chip, out, lua='5.1', variant=None, lfs_size=0x10000, fill=0):
    """Compile fw/fw.c for chip (esp32c3: RISC-V, esp32: Xtensa) into out."""
    variant = variant or DEFAULT_VARIANT[lua]
    cc, ld = ELF_CHIPS[chip]
    # relative names, run in fw/: the ELF names no path of this checkout
    argv = cc + ['-Os', '-nostdlib', '-ffreestanding', '-fno-ident', '-T', ld,
                 '-DLFS_SIZE=%#x' % lfs_size, '-DLFS_FILL=%#x' % fill,
                 '-DLUA_RELEASE_STR="%s"' % LUA_RELEASE[lua],
                 '-DXLUA_OPT="%s"' % VARIANTS[lua][variant],
                 '-DIDF_VER_STR="%s"' % IDF_VER, '-DBUILD_DATE_STR="%s"' % BUILD_DATE,
                 '-o', os.path.abspath(out), 'fw.c']
    subprocess.run(argv, check=True, cwd=FW)
    return out


def read_elf(data):
    """A 32-bit little-endian ELF: (entry, sections, symbols) with sections
    [(name, type, flags, addr, bytes)] and symbols {name: (value, size)}."""
    if data[:4] != b'\x7fELF' or data[4] != 1 or data[5] != 1:
        raise ValueError('not a 32-bit little-endian ELF')
    entry, = struct.unpack_from('<I', data, 24)
    shoff, = struct.unpack_from('<I', data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 46)
    raw = [struct.unpack_from('<IIIIIIIIII', data, shoff + i * shentsize) for i in range(shnum)]
    def strat(tab, off):
        s = raw[tab]
        b = data[s[4] + off:s[4] + s[5]]
        return b[:b.index(b'\0')].decode()
    secs, syms = [], {}
    for name, typ, flags, addr, off, size, link, info, al, es in raw:
        body = data[off:off + size] if typ != 8 else b''
        secs.append((strat(shstrndx, name), typ, flags, addr, body))
        if typ == 2:  # SHT_SYMTAB
            for j in range(size // 16):
                nm, val, sz, inf, oth, shn = struct.unpack_from('<IIIBBH', data, off + j * 16)
                if nm:
                    syms[strat(link, nm)] = (val, sz)
    return entry, secs, syms


def elf2image(chip, elf):
    """An app image from an ELF as esptool's elf2image makes it."""
    entry, secs, _ = read_elf(elf)
    # PROGBITS and init/fini arrays, allocated, at a non-zero address
    segs = [(addr, body) for name, typ, flags, addr, body in secs
            if typ in (1, 14, 15, 16) and flags & 2 and addr and body]
    desc = [addr for name, typ, flags, addr, body in secs if name == '.flash.appdesc']
    return image(chip, layout(chip, segs, desc[0] if desc else None), entry, True)


# ---------------------------------------------------------------- the set

def facts(chip, form, lua, variant, kind, size=0, offset=None, address=None, files=(), **extra):
    f = dict(chip=chip, form=form, lua=lua, variant=variant,
             lfs=dict(kind=kind), files=list(files))
    if kind != 'none':
        f['lfs']['size'] = size
    if offset is not None:
        f['lfs']['offset'] = offset
    if address is not None:
        f['lfs']['address'] = address
    f.update(extra)
    return f


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb' if isinstance(data, bytes) else 'w') as fh:
        fh.write(data)


def generate_all(outdir, elf=True):
    """Every form into outdir/NAME/ with its facts.json; returns the index
    {NAME: facts}, also written to outdir/index.json."""
    index = {}
    def add(name, fx, blobs):
        for fn, data in blobs.items():
            write(os.path.join(outdir, name, fn), data)
        fx['name'] = name
        write(os.path.join(outdir, name, 'facts.json'), json.dumps(fx, indent=1, sort_keys=True) + '\n')
        index[name] = fx

    # partition tables
    for kind in ('aligned', 'none', 'misaligned'):
        ps = nodemcu_parts(kind)
        lp = lfs_partition(ps)
        fx = facts(None, 'partition-table', None, None, 'partition' if lp else 'none',
                   lp['size'] if lp else 0, lp['offset'] if lp else None,
                   files=['partitions.bin'], csv='partitions.csv',
                   lfs_aligned=(lp['offset'] % LFS_ALIGN == 0) if lp else None,
                   partitions=ps)
        add('table-lfs-' + kind, fx, {'partitions.bin': partition_table(ps),
                                      'partitions.csv': partitions_csv(ps)})

    # app images: each chip, each Lua variant, embedded LFS or none
    for chip in CHIPS:
        for lua in ('5.1', '5.3'):
            for variant in VARIANTS[lua]:
                for lfs_size, fill in ((0, 0), (0x10000, 0), (0x20000, 0xFF)):
                    if (lua, variant) != ('5.1', 'float') and lfs_size == 0x20000:
                        continue  # the 0xFF fill once per chip is enough
                    img, info = app_image(chip, lua, variant, lfs_size, fill)
                    tag = 'none' if not lfs_size else 'emb%dk' % (lfs_size >> 10)
                    name = 'app-%s-%s-%s' % (chip, VARIANTS[lua][variant], tag)
                    kind = 'embedded' if lfs_size else 'none'
                    fx = facts(chip, 'app', lua, variant, kind, lfs_size,
                               address=info['lfs']['address'] if lfs_size else None,
                               files=['app.bin'], fill=fill, banner=banner_line(lua, variant),
                               segments=info['segments'])
                    add(name, fx, {'app.bin': img})
        # a signed app (refusals)
        for sv in ('v1', 'v2'):
            img, info = app_image(chip, '5.1', 'float', 0x10000, 0)
            fx = facts(chip, 'app', '5.1', 'float', 'embedded', 0x10000,
                       address=info['lfs']['address'], files=['app.bin'], signed=sv)
            add('app-%s-signed-%s' % (chip, sv), fx, {'app.bin': sign(img, sv)})
        # flash dumps: LFS partition (erased), none, embedded LFS in the app
        for kind in ('partition', 'none', 'embedded'):
            ps = nodemcu_parts('aligned' if kind == 'partition' else 'none', app_size=0x100000)
            img, info = app_image(chip, '5.1', 'float', 0x10000 if kind == 'embedded' else 0)
            lp = lfs_partition(ps)
            fx = facts(chip, 'flash', '5.1', 'float', kind,
                       lp['size'] if lp else (0x10000 if kind == 'embedded' else 0),
                       offset=lp['offset'] if lp else None,
                       address=info['lfs']['address'] if kind == 'embedded' else None,
                       files=['flash.bin'], app_offset=0x10000,
                       bootloader_offset=CHIPS[chip]['boot'])
            add('flash-%s-lfs-%s' % (chip, kind), fx, {'flash.bin': flash_dump(chip, ps, img)})
            if kind == 'partition':   # the partition holding an image (bytes here)
                lfs = filler(0x3000, chip + ':lfs-image')
                fx = dict(fx, lfs_image='lfs.img')
                add('flash-%s-lfs-partition-filled' % chip, fx,
                    {'flash.bin': flash_dump(chip, ps, img, lfs_image=lfs), 'lfs.img': lfs})

    # real ELFs and their elf2image .bin
    if elf:
        tmp = os.path.join(outdir, '.build')
        os.makedirs(tmp, exist_ok=True)
        for chip in ELF_CHIPS:
            for lua, variant, lfs_size, fill in (('5.1', 'float', 0x10000, 0),
                                                 ('5.3', '5.3-int32-singlefp', 0x20000, 0xFF),
                                                 ('5.1', 'int', 0, 0)):
                tag = 'emb%dk' % (lfs_size >> 10) if lfs_size else 'none'
                out = build_elf(chip, os.path.join(tmp, '%s-%s.elf' % (chip, tag)), lua, variant,
                                lfs_size, fill)
                with open(out, 'rb') as fh:
                    e = fh.read()
                _, _, syms = read_elf(e)
                kind = 'embedded' if lfs_size else 'none'
                addr = syms['_binary_lua_flash_store_reserved_start'][0] if lfs_size else None
                if lfs_size:
                    assert syms['_binary_lua_flash_store_reserved_end'][0] - addr == lfs_size
                    assert addr % 4096 == 0
                name = 'elf-%s-%s-%s' % (chip, VARIANTS[lua][variant], tag)
                fx = facts(chip, 'elf', lua, variant, kind, lfs_size, address=addr,
                           files=['app.elf'], fill=fill, bin='app.bin',
                           banner=banner_line(lua, variant))
                add(name, fx, {'app.elf': e, 'app.bin': elf2image(chip, e)})
                fxb = dict(fx, form='app', files=['app.bin'], elf='app.elf')
                add(name.replace('elf-', 'elfbin-', 1), fxb,
                    {'app.bin': elf2image(chip, e), 'app.elf': e})
        shutil.rmtree(tmp)
    write(os.path.join(outdir, 'index.json'), json.dumps(index, indent=1, sort_keys=True) + '\n')
    return index


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('all'); a.add_argument('outdir'); a.add_argument('--no-elf', action='store_true')
    t = sub.add_parser('table'); t.add_argument('out'); t.add_argument('--lfs', default='aligned')
    t.add_argument('--csv')
    p = sub.add_parser('app'); p.add_argument('out'); p.add_argument('--chip', required=True)
    p.add_argument('--lua', default='5.1'); p.add_argument('--variant')
    p.add_argument('--lfs-size', type=lambda s: int(s, 0), default=0)
    p.add_argument('--fill', type=lambda s: int(s, 0), default=0)
    p.add_argument('--lfs-image'); p.add_argument('--sign', choices=('v1', 'v2'))
    e = sub.add_parser('elf'); e.add_argument('out'); e.add_argument('--chip', required=True)
    e.add_argument('--lua', default='5.1'); e.add_argument('--variant')
    e.add_argument('--lfs-size', type=lambda s: int(s, 0), default=0x10000)
    e.add_argument('--fill', type=lambda s: int(s, 0), default=0)
    b = sub.add_parser('elf2image'); b.add_argument('elf'); b.add_argument('out')
    b.add_argument('--chip', required=True)
    f = sub.add_parser('flash'); f.add_argument('out'); f.add_argument('--chip', required=True)
    f.add_argument('--app', required=True); f.add_argument('--lfs', default='aligned')
    f.add_argument('--lfs-image')
    o = ap.parse_args(argv)
    if o.cmd == 'all':
        idx = generate_all(o.outdir, not o.no_elf)
        print('%d firmware forms in %s' % (len(idx), o.outdir))
    elif o.cmd == 'table':
        ps = nodemcu_parts(o.lfs)
        write(o.out, partition_table(ps))
        if o.csv:
            write(o.csv, partitions_csv(ps))
    elif o.cmd == 'app':
        lfs = open(o.lfs_image, 'rb').read() if o.lfs_image else None
        img, info = app_image(o.chip, o.lua, o.variant, o.lfs_size, o.fill, lfs)
        write(o.out, sign(img, o.sign) if o.sign else img)
        print(json.dumps(info['lfs']))
    elif o.cmd == 'elf':
        build_elf(o.chip, o.out, o.lua, o.variant, o.lfs_size, o.fill)
    elif o.cmd == 'elf2image':
        write(o.out, elf2image(o.chip, open(o.elf, 'rb').read()))
    elif o.cmd == 'flash':
        lfs = open(o.lfs_image, 'rb').read() if o.lfs_image else None
        write(o.out, flash_dump(o.chip, nodemcu_parts(o.lfs, app_size=0x100000),
                                open(o.app, 'rb').read(), lfs_image=lfs))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
