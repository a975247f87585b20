#!/usr/bin/env python3
"""espcheck: an independent reader of ESP32 firmware for lfsc's tests. It
shares no code with lfsc or with espgen.py: it reads the formats as ESP-IDF
documents them (esp_app_format.h, esp_image_format.c, esp_flash_partitions.h,
gen_esp32part.py) and says, for each file, what is wrong with it.

  espcheck.py check-app APP [--elf ELF] [--expect-lfs ADDR|elf FILE] [--chip C]
      the image header, every segment, the checksum (XOR of the segment data
      from 0xEF, in the last byte of the padding to 16) and the appended
      SHA-256; with --elf, every allocated PROGBITS section of ELF is at its
      address in APP (except the bytes --expect-lfs names); with
      --expect-lfs, the bytes at mapped address ADDR ('elf': the ELF's
      _binary_lua_flash_store_reserved_start) equal FILE.
  espcheck.py check-table TABLE [--require-md5] [--expect-lfs-aligned]
      0x50AA entries, the MD5 entry, 0xFF to the end, no overlaps.
  espcheck.py check-flash DUMP [--chip C] [--expect-lfs-partition FILE]
      the bootloader image, the table at 0x8000, each app partition's image,
      and the LFS partition's bytes.

Exit status: 0 all is well, 1 a check failed (the message names file,
offset and what is wrong), 2 usage. What it read goes to stdout.
"""
import hashlib
import struct
import sys

# esp_chip_id_t values (esp_app_format.h) and each chip's flash-mapped
# address ranges (soc.h SOC_DROM_*/SOC_IROM_*).
CHIP_IDS = {0x0000: 'esp32', 0x0002: 'esp32s2', 0x0005: 'esp32c3', 0x0009: 'esp32s3',
            0x000C: 'esp32c2', 0x000D: 'esp32c6', 0x0010: 'esp32h2'}
FLASH_RANGES = {
    'esp32': [(0x3F400000, 0x3F800000), (0x400D0000, 0x40400000)],
    'esp32s2': [(0x3F000000, 0x3FF80000), (0x40080000, 0x40800000)],
    'esp32s3': [(0x3C000000, 0x3D000000), (0x42000000, 0x44000000)],
    'esp32c3': [(0x3C000000, 0x3C800000), (0x42000000, 0x42800000)],
    'esp32c2': [(0x3C000000, 0x3C400000), (0x42000000, 0x42400000)],
    'esp32c6': [(0x42000000, 0x43000000)],
    'esp32h2': [(0x42000000, 0x42800000)],
}
BOOTLOADER_AT = {'esp32': 0x1000, 'esp32s2': 0x1000}   # others: 0x0


class Bad(Exception):
    """A failed check: str() is the message."""


def bad(name, off, what):
    raise Bad('%s: offset %#x: %s' % (name, off, what))


def parse_app(data, name='image', require_desc=False):
    """Read an ESP image. Returns a dict: chip, entry, hash_appended,
    segments [(load_addr, file_offset_of_data, length)], checksum offset,
    end (bytes the image takes, with the hash), desc (esp_app_desc_t fields
    or None), trailer (what follows: signature block kind or None)."""
    if len(data) < 24:
        bad(name, 0, 'shorter (%d bytes) than an image header (24)' % len(data))
    if data[0] != 0xE9:
        bad(name, 0, 'magic %#04x, not 0xe9' % data[0])
    nseg = data[1]
    if not 1 <= nseg <= 16:
        bad(name, 1, '%d segments (1 to 16)' % nseg)
    entry, = struct.unpack_from('<I', data, 4)
    chip_id, = struct.unpack_from('<H', data, 12)
    if chip_id not in CHIP_IDS:
        bad(name, 12, 'unknown chip id %#06x' % chip_id)
    chip = CHIP_IDS[chip_id]
    hash_appended = data[23]
    if hash_appended not in (0, 1):
        bad(name, 23, 'hash_appended is %d' % hash_appended)
    segs, pos, ck = [], 24, 0xEF
    for i in range(nseg):
        if pos + 8 > len(data):
            bad(name, pos, 'segment %d header past the end of the file' % i)
        addr, length = struct.unpack_from('<II', data, pos)
        if length % 4:
            bad(name, pos + 4, 'segment %d length %#x is not a multiple of 4' % (i, length))
        if pos + 8 + length > len(data):
            bad(name, pos + 4, 'segment %d (%#x bytes) runs past the end of the file' % (i, length))
        body = data[pos + 8:pos + 8 + length]
        # XOR of all bytes: fold 8-byte words, then the 8 bytes of the result
        w = 0
        for (q,) in struct.iter_unpack('<Q', body[:length // 8 * 8]):
            w ^= q
        for b in w.to_bytes(8, 'little') + body[length // 8 * 8:]:
            ck ^= b
        for lo, hi in FLASH_RANGES[chip]:
            if lo <= addr < hi and (pos + 8) % 0x10000 != addr % 0x10000:
                bad(name, pos, 'flash segment %d at %#x has file offset %#x: not equal '
                    'modulo 64 KiB (the cache MMU cannot map it)' % (i, addr, pos + 8))
        segs.append((addr, pos + 8, length))
        pos += 8 + length
    ckoff = pos + 15 - pos % 16
    if ckoff >= len(data):
        bad(name, ckoff, 'file ends before the checksum byte')
    if any(data[pos:ckoff]):
        bad(name, pos, 'checksum padding is not zero')
    if data[ckoff] != ck:
        bad(name, ckoff, 'checksum %#04x, the segments give %#04x' % (data[ckoff], ck))
    end = ckoff + 1
    if hash_appended:
        if end + 32 > len(data):
            bad(name, end, 'hash_appended but no room for the SHA-256')
        if hashlib.sha256(data[:end]).digest() != data[end:end + 32]:
            bad(name, end, 'appended SHA-256 does not match the image')
        end += 32
    desc = None
    if segs and len(data) >= segs[0][1] + 256:
        o = segs[0][1]
        if struct.unpack_from('<I', data, o)[0] == 0xABCD5432:
            z = lambda a, n: data[o + a:o + a + n].split(b'\0')[0].decode('latin-1')
            desc = dict(secure_version=struct.unpack_from('<I', data, o + 4)[0],
                        version=z(16, 32), project_name=z(48, 32), time=z(80, 16),
                        date=z(96, 16), idf_ver=z(112, 32))
    if require_desc and desc is None:
        bad(name, 32, 'no esp_app_desc_t (magic 0xabcd5432) at the start of the first segment')
    trailer = None
    rest = data[end:]
    if len(rest) >= 68 and rest[:4] == b'\0\0\0\0' and any(rest[4:68]):
        trailer = 'secure boot v1 signature'
    sig = (end + 4095) // 4096 * 4096
    if len(data) >= sig + 1216 and data[sig] == 0xE7 and data[sig + 1] in (2, 3):
        trailer = 'secure boot v2 signature block'
    return dict(chip=chip, entry=entry, hash_appended=bool(hash_appended), segments=segs,
                checksum_offset=ckoff, end=end, desc=desc, trailer=trailer)


def mapped(data, info, addr, n, name='image'):
    """The n bytes at mapped address addr (one segment must hold them all)."""
    for a, off, length in info['segments']:
        if a <= addr and addr + n <= a + length:
            return data[off + addr - a:off + addr - a + n]
    raise Bad('%s: no segment holds %#x bytes at address %#x' % (name, n, addr))


def read_elf(data, name='elf'):
    """(sections [(name, addr, bytes)] of allocated PROGBITS, symbols {name: value})."""
    if data[:4] != b'\x7fELF' or data[4] != 1 or data[5] != 1:
        bad(name, 0, 'not a 32-bit little-endian ELF')
    shoff, = struct.unpack_from('<I', data, 0x20)
    shsize, shnum, shstr = struct.unpack_from('<HHH', data, 0x2E)
    hdrs = [struct.unpack_from('<10I', data, shoff + i * shsize) for i in range(shnum)]
    def name_at(tab, off):
        base = hdrs[tab][4] + off
        return data[base:data.index(b'\0', base)].decode()
    secs, syms = [], {}
    for h in hdrs:
        nm, typ, flags, addr, off, size, link = h[:7]
        if typ == 1 and flags & 2 and size and addr:
            secs.append((name_at(shstr, nm), addr, data[off:off + size]))
        if typ == 2:
            for j in range(off, off + size, 16):
                snm, val = struct.unpack_from('<II', data, j)
                if snm:
                    syms[name_at(link, snm)] = val
    return secs, syms


def check_app(path, elf=None, expect=None, chip=None, out=print):
    data = open(path, 'rb').read()
    info = parse_app(data, path, require_desc=True)
    if chip and info['chip'] != chip:
        raise Bad('%s: offset 0xc: chip %s, expected %s' % (path, info['chip'], chip))
    out('%s: %s app image, %d segments, entry %#x, checksum ok%s, %d bytes%s' % (
        path, info['chip'], len(info['segments']), info['entry'],
        ', SHA-256 ok' if info['hash_appended'] else '', info['end'],
        ', then a ' + info['trailer'] if info['trailer'] else ''))
    for a, off, n in info['segments']:
        out('  segment at %#010x, file offset %#x, %#x bytes' % (a, off, n))
    d = info['desc']
    out('  app desc: project %r version %r idf %r' % (d['project_name'], d['version'], d['idf_ver']))
    syms, secs = {}, []
    if elf:
        secs, syms = read_elf(open(elf, 'rb').read(), elf)
    skip = None
    if expect:
        addr, fname = expect
        if addr == 'elf':
            if '_binary_lua_flash_store_reserved_start' not in syms:
                raise Bad('%s: no symbol _binary_lua_flash_store_reserved_start' % elf)
            addr = syms['_binary_lua_flash_store_reserved_start']
        else:
            addr = int(addr, 0)
        want = open(fname, 'rb').read()
        got = mapped(data, info, addr, len(want), path)
        if got != want:
            i = next(k for k in range(len(want)) if got[k] != want[k])
            raise Bad('%s: address %#x: the %d bytes there differ from %s from byte %d on' % (
                path, addr, len(want), fname, i))
        out('  LFS at %#x: %d bytes equal %s' % (addr, len(want), fname))
        skip = (addr, addr + len(want))
        end = syms.get('_binary_lua_flash_store_reserved_end')
        if syms.get('_binary_lua_flash_store_reserved_start') == addr and end and end > skip[1]:
            # the rest of the reserved region: cleared, as the firmware's
            # embedded_lfs leaves an unused region (zeros)
            tail = mapped(data, info, skip[1], end - skip[1], path)
            if any(tail):
                raise Bad('%s: the reserved region after the LFS image (%#x..%#x) is not zero' % (
                    path, skip[1], end))
            skip = (addr, end)
    if elf:
        for nm, a, body in secs:
            got = mapped(data, info, a, len(body), path)
            if skip and a < skip[1] and skip[0] < a + len(body):
                lo, hi = max(skip[0], a) - a, min(skip[1], a + len(body)) - a
                got, body = got[:lo] + got[hi:], body[:lo] + body[hi:]
            if got != body:
                raise Bad('%s: section %s of %s (%#x, %#x bytes) differs in the image' % (
                    path, nm, elf, a, len(body)))
        out('  ELF %s: %d sections at their addresses' % (elf, len(secs)))
    return info


def parse_table(data, name='table', require_md5=False):
    """Partitions [(label, type, subtype, offset, size, flags)] and whether
    an MD5 entry checked."""
    if len(data) < 32:
        bad(name, 0, 'shorter than one entry')
    parts, md5ok, pos = [], False, 0
    while pos + 32 <= min(len(data), 0xC00):
        e = data[pos:pos + 32]
        magic, = struct.unpack_from('<H', e)
        if magic == 0x50AA:
            t, st, off, size = struct.unpack_from('<BBII', e, 2)
            label = e[12:28].split(b'\0')[0].decode('latin-1')
            flags, = struct.unpack_from('<I', e, 28)
            parts.append((label, t, st, off, size, flags))
        elif magic == 0xEBEB:
            if e[2:16] != b'\xff' * 14:
                bad(name, pos + 2, 'MD5 entry: bytes 2..15 are not 0xff')
            if hashlib.md5(data[:pos]).digest() != e[16:32]:
                bad(name, pos + 16, 'MD5 entry does not match the %d entries before it' % len(parts))
            md5ok = True
        elif e == b'\xff' * 32:
            break
        else:
            bad(name, pos, 'entry magic %#06x (0x50aa, 0xebeb, or 0xff: end)' % magic)
        pos += 32
    if not parts:
        bad(name, 0, 'no partitions')
    if require_md5 and not md5ok:
        bad(name, pos, 'no MD5 entry')
    if any(b != 0xFF for b in data[pos:0xC00]):
        bad(name, pos, 'bytes after the last entry are not 0xff')
    spans = sorted((p[3], p[3] + p[4], p[0]) for p in parts)
    for (a0, a1, n0), (b0, b1, n1) in zip(spans, spans[1:]):
        if b0 < a1:
            bad(name, 0, 'partitions %s and %s overlap' % (n0, n1))
    for i, p in enumerate(parts):
        if p[1] == 0x00 and p[3] % 0x10000:
            bad(name, i * 32 + 4, 'app partition %s at %#x is not 64 KiB aligned' % (p[0], p[3]))
        if p[3] < 0x9000:
            bad(name, i * 32 + 4, 'partition %s at %#x overlaps the bootloader or table' % (p[0], p[3]))
    return parts, md5ok


def lfs_of(parts):
    return next((p for p in parts if p[1] == 0xC2 and p[2] == 0x01), None)


def check_table(path, require_md5=False, expect_aligned=False, out=print, data=None):
    data = open(path, 'rb').read() if data is None else data
    parts, md5ok = parse_table(data, path, require_md5)
    out('%s: %d partitions, %s' % (path, len(parts), 'MD5 ok' if md5ok else 'no MD5 entry'))
    for p in parts:
        out('  %-16s type %#04x subtype %#04x offset %#08x size %#08x flags %#x' % p)
    lp = lfs_of(parts)
    if lp:
        aligned = lp[3] % 0x10000 == 0
        out('  LFS partition at %#x, %#x bytes, %s' % (lp[3], lp[4],
            '64 KiB aligned' if aligned else 'NOT 64 KiB aligned (cannot be mapped)'))
        if expect_aligned and not aligned:
            raise Bad('%s: LFS partition at %#x is not 64 KiB aligned' % (path, lp[3]))
    else:
        out('  no LFS partition (type 0xc2 subtype 0x01)')
        if expect_aligned:
            raise Bad('%s: no LFS partition' % path)
    return parts


def check_flash(path, chip=None, expect_lfs=None, out=print):
    data = open(path, 'rb').read()
    if len(data) < 0x8C00:
        bad(path, len(data), 'too short for a bootloader and a partition table')
    boots = [o for o in (0x0, 0x1000) if data[o] == 0xE9]
    if not boots:
        bad(path, 0, 'no bootloader image at 0x0 or 0x1000')
    binfo = parse_app(data[boots[0]:0x8000], '%s@%#x' % (path, boots[0]))
    bchip = binfo['chip']
    if BOOTLOADER_AT.get(bchip, 0) != boots[0]:
        bad(path, boots[0], 'an %s bootloader belongs at %#x' % (bchip, BOOTLOADER_AT.get(bchip, 0)))
    if chip and bchip != chip:
        bad(path, boots[0] + 12, 'bootloader for %s, expected %s' % (bchip, chip))
    out('%s: %s bootloader at %#x, %d bytes' % (path, bchip, boots[0], binfo['end']))
    parts = check_table(path + '@0x8000', out=out, data=data[0x8000:0x8C00])
    napps = 0
    for p in parts:
        if p[1] == 0x00 and p[3] < len(data) and data[p[3]] == 0xE9:
            sub = data[p[3]:p[3] + p[4]]
            info = parse_app(sub, '%s@%#x' % (path, p[3]), require_desc=True)
            if info['chip'] != bchip:
                bad(path, p[3] + 12, 'app for %s, bootloader for %s' % (info['chip'], bchip))
            out('  app %s at %#x: %d segments, checksum and SHA-256 ok' % (p[0], p[3], len(info['segments'])))
            napps += 1
    if not napps:
        bad(path, 0x8000, 'no app partition holds an image')
    lp = lfs_of(parts)
    if expect_lfs:
        if not lp:
            raise Bad('%s: no LFS partition to compare with %s' % (path, expect_lfs))
        want = open(expect_lfs, 'rb').read()
        if len(want) > lp[4] or data[lp[3]:lp[3] + len(want)] != want:
            bad(path, lp[3], 'LFS partition does not hold %s' % expect_lfs)
        out('  LFS partition at %#x holds %s (%d bytes)' % (lp[3], expect_lfs, len(want)))
    return parts


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description='independent checker of ESP32 firmware')
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('check-app'); a.add_argument('app'); a.add_argument('--elf')
    a.add_argument('--expect-lfs', nargs=2, metavar=('ADDR', 'FILE')); a.add_argument('--chip')
    t = sub.add_parser('check-table'); t.add_argument('table')
    t.add_argument('--require-md5', action='store_true')
    t.add_argument('--expect-lfs-aligned', action='store_true')
    f = sub.add_parser('check-flash'); f.add_argument('dump'); f.add_argument('--chip')
    f.add_argument('--expect-lfs-partition', metavar='FILE')
    o = ap.parse_args(argv)
    try:
        if o.cmd == 'check-app':
            check_app(o.app, o.elf, o.expect_lfs, o.chip)
        elif o.cmd == 'check-table':
            check_table(o.table, o.require_md5, o.expect_lfs_aligned)
        else:
            check_flash(o.dump, o.chip, o.expect_lfs_partition)
    except Bad as e:
        print('espcheck: %s' % e, file=sys.stderr)
        return 1
    except (OSError, ValueError, struct.error, IndexError) as e:
        print('espcheck: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
