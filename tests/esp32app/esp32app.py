#!/usr/bin/env python3
"""lfsimg firmware/provision on ESP32 app images, checked independently.

  esp32app.py LFSIMG LUAC CONFORMANCE_DIR HERE WORKDIR

App images, an RISC-V ELF (gcc-riscv64-unknown-elf, when installed) and a
flash dump are made here (mkapp.py, from the ESP-IDF formats); the
provisioned images are checked by mkapp.check (checksum, SHA-256 by
hashlib) and their LFS bytes against the PI image relocated here from its
bitmap (lfs51-image-format.md §4), and against luac.cross -a where it
takes ESP32 addresses. Every refusal must name its reason and leave no
output file. Prints "N passed, M failed"; exit 1 on a failure."""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys

lfsimg, luac, conf, here, work = sys.argv[1:6]
sys.path.insert(0, here)
import mkapp  # noqa: E402

os.makedirs(work, exist_ok=True)
passed = failed = 0


def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL: ' + what)


def run(*args):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def w(name, data):
    path = os.path.join(work, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def rd(path):
    with open(path, 'rb') as f:
        return f.read()


def relocate(pi, base):
    """The absolute image of a PI image file: flagged words + base, sig bit 0."""
    data = gzip.decompress(pi) if pi[:2] == b'\x1f\x8b' else pi
    size, = struct.unpack_from('<I', data, 4)
    img, bm = bytearray(data[:size]), data[size:]
    for i in range(size // 4):
        if bm[i >> 3] >> (i & 7) & 1:
            v, = struct.unpack_from('<I', img, 4 * i)
            struct.pack_into('<I', img, 4 * i, (4 * v + base) & 0xFFFFFFFF)
    img[0] |= 1
    return bytes(img)


src = [os.path.join(conf, 'src', f) for f in ('c01_basic.lua', 'c02_control.lua',
                                               'c05_strings.lua')]
pi = os.path.join(work, 'lfs.img')
subprocess.run([luac, '-f', '-o', pi] + src, check=True, capture_output=True)
pi_int = os.path.join(work, 'lfs-int.img')
subprocess.run([luac, '-t', 'int', '-f', '-o', pi_int] + src[:1], check=True, capture_output=True)


def provision_ok(tag, fws, reserved, addr, size, chip, flash_off=0x10000, app_off=0):
    out = os.path.join(work, tag + '-out.bin')
    args = [lfsimg, 'provision']
    for f in fws:
        args += ['--firmware', f]
    if reserved:
        args += ['--reserved', '0x%x:0x%x' % (addr, size)]
    rc, so, se = run(*(args + ['--lfs', pi, '-o', out]))
    ok(rc == 0, '%s: provision rc %d: %s' % (tag, rc, se.strip()))
    if rc:
        return None
    line = 'esptool.py --chip %s write_flash 0x%x %s' % (chip, flash_off, out)
    ok(line in so, '%s: esptool line %r not in %r' % (tag, line, so))
    img = rd(out)[app_off:]
    segs, probs = mkapp.check(img)
    ok(not probs, '%s: independent check: %s' % (tag, probs))
    want = relocate(rd(pi), addr)
    got = mkapp.bytes_at(img, addr, size)
    ok(got is not None and got[:len(want)] == want and not any(got[len(want):]),
       '%s: LFS bytes at 0x%x are not the image relocated there, zeros after' % (tag, addr))
    # luac.cross -a for the address, once it takes ESP32 addresses (esp32 platform)
    # (the chip's own -f: the ESP32 sizes the string table by its own rule)
    absf = os.path.join(work, tag + '-abs.img')
    pichip = os.path.join(work, tag + '-chip.pi.img')
    # one timestamp for both: the clock may tick between the two runs
    rc, _, _ = run(luac, '--chip', chip, '--timestamp', '1', '-a', hex(addr), '-o', absf, *src)
    rc2, _, _ = run(luac, '--chip', chip, '--timestamp', '1', '-f', '-o', pichip, *src)
    if rc == 0 and rc2 == 0:
        want = relocate(rd(pichip), addr)
        ok(rd(absf) == want, '%s: luac.cross -a 0x%x differs from the relocated image' %
           (tag, addr))
    # the firmware command now finds the image by its signature
    rc, so, se = run(lfsimg, 'firmware', '--json', out)
    j = json.loads(so) if rc == 0 else {}
    ok(j.get('lfs', {}).get('address') == addr and j['lfs'].get('image_size') == len(want),
       '%s: firmware on the provisioned app: %s %s' % (tag, so, se))
    return out


def refused(tag, args, needle):
    out = os.path.join(work, tag + '-refused.bin')
    if os.path.exists(out):
        os.remove(out)
    rc, so, se = run(lfsimg, 'provision', *(args + ['-o', out]))
    ok(rc != 0 and needle in se and not os.path.exists(out),
       '%s: want a refusal saying %r and no output, got rc %d, %r, exists %s' %
       (tag, needle, rc, se, os.path.exists(out)))


# ---- app .bin with --reserved, every chip ------------------------------
for chip in mkapp.CHIPS:
    img, f = mkapp.build(chip)
    app = w(chip + '.bin', img)
    rc, so, se = run(lfsimg, 'firmware', '--json', app)
    j = json.loads(so) if rc == 0 else {}
    ok(j.get('chip') == chip and j.get('form') == 'app' and j.get('lua') == '5.1' and
       j.get('variant') == 'float' and j.get('lfs', {}).get('kind') == 'none',
       '%s: firmware --json: %s %s' % (chip, so, se))
    rc, so, se = run(lfsimg, 'firmware', '--json', '--reserved',
                     '0x%x:0x%x' % (f['lfs_addr'], f['lfs_size']), app)
    j = json.loads(so) if rc == 0 else {}
    cmd = 'luac.cross --chip %s -a 0x%08x -m 0x%x -o lfs.img *.lua' % (chip, f['lfs_addr'],
                                                                         f['lfs_size'])
    ok(j.get('lfs', {}).get('kind') == 'embedded' and j['lfs'].get('address') == f['lfs_addr']
       and j['lfs'].get('size') == f['lfs_size'] and j.get('command') == cmd,
       '%s: firmware --reserved --json: %s %s' % (chip, so, se))
    provision_ok(chip, [app], True, f['lfs_addr'], f['lfs_size'], chip)

# ---- without an appended hash; an int build ------------------------------
img, f = mkapp.build('esp32s3', hash_appended=0, banner=b'5.1-integral')
app = w('nohash.bin', img)
rc, so, se = run(lfsimg, 'firmware', '--json', app)
j = json.loads(so) if rc == 0 else {}
ok(j.get('variant') == 'int', 'integral banner: %s' % so)
out = os.path.join(work, 'nohash-out.bin')
rc, so, se = run(lfsimg, 'provision', '--firmware', app, '--reserved',
                 '0x%x:0x%x' % (f['lfs_addr'], f['lfs_size']), '--lfs', pi_int, '-o', out)
ok(rc == 0 and not mkapp.check(rd(out))[1] and len(rd(out)) == len(img),
   'no hash appended: %s' % se)

# ---- refusals -----------------------------------------------------------
img, f = mkapp.build('esp32')
res = ['--reserved', '0x%x:0x%x' % (f['lfs_addr'], f['lfs_size']), '--lfs', pi]
refused('signed-v1', ['--firmware', w('s1.bin', mkapp.sign_v1(img))] + res,
        'secure boot v1 signature')
refused('signed-v2', ['--firmware', w('s2.bin', mkapp.sign_v2(img))] + res,
        'secure boot v2 signature')
app = w('plain.bin', img)
refused('too-large', ['--firmware', app, '--reserved', '0x%x:0x1000' % f['lfs_addr'],
                      '--lfs', pi], 'larger than the embedded region of 4096 bytes')
refused('no-region', ['--firmware', app, '--lfs', pi], 'no embedded LFS region known')
refused('variant', ['--firmware', app] + res[:2] + ['--lfs', pi_int],
        'image is for the int firmware')
refused('outside', ['--firmware', app, '--reserved', '0x%x:0x%x' % (f['lfs_addr'] + 0x1000,
                                                                    f['lfs_size']),
                    '--lfs', pi], 'runs past the end of segment 0')
refused('unaligned', ['--firmware', app, '--reserved', '0x%x:0x1000' % (f['lfs_addr'] + 4),
                      '--lfs', pi], '4096-byte boundary')
bad = bytearray(img)
bad[0x40] ^= 1
refused('corrupt', ['--firmware', w('bad.bin', bytes(bad))] + res, 'the image is corrupt')
# an absolute image for another address: cut from a provisioned app
img2, f2 = mkapp.build('esp32', rodata_before=0x1300)
prov = provision_ok('other', [w('other.bin', img2)], True, f2['lfs_addr'], f2['lfs_size'],
                    'esp32')
if prov:
    absimg = relocate(rd(pi), f2['lfs_addr'])
    refused('address', ['--firmware', app] + res[:2] + ['--lfs', w('abs.img', absimg)],
            'an absolute image for 0x%08x, but the embedded region is at 0x%08x' %
            (f2['lfs_addr'], f['lfs_addr']))
    # the same image at its own address is taken as it is
    out = os.path.join(work, 'abs-ok.bin')
    rc, so, se = run(lfsimg, 'provision', '--firmware', w('other2.bin', img2), '--reserved',
                     '0x%x:0x%x' % (f2['lfs_addr'], f2['lfs_size']), '--lfs',
                     os.path.join(work, 'abs.img'), '-o', out)
    ok(rc == 0 and rd(out) == rd(prov), 'an absolute image at its address: %s' % se)
# Lua 5.3 firmware: a 5.1 image refused, a 5.3 -f image gets the -F -a line
img53, f53 = mkapp.build('esp32c3', banner=b'5.3-int32-singlefp')
app53 = w('app53.bin', img53)
rc, so, se = run(lfsimg, 'firmware', '--json', app53)
j = json.loads(so) if rc == 0 else {}
ok(j.get('lua') == '5.3' and j.get('variant') == '5.3-int32-singlefp', '5.3 banner: %s' % so)
res53 = ['--reserved', '0x%x:0x%x' % (f53['lfs_addr'], f53['lfs_size'])]
refused('5.1-for-5.3', ['--firmware', app53] + res53 + ['--lfs', pi], 'not a Lua 5.3')
img53f = os.path.join(work, 'lfs53.img')
if run(luac, '--lua', '5.3', '-f', '-o', img53f, src[0])[0] == 0:
    refused('5.3-pi', ['--firmware', app53] + res53 + ['--lfs', img53f],
            'luac.cross --lua 5.3 -t 5.3-int32-singlefp -F %s -a 0x%08x' % (img53f,
                                                                            f53['lfs_addr']))

# a 5.3 absolute image at the region's address is written as it is; its
# region here sits where today's luac.cross -a takes addresses
img53, f53 = mkapp.build('esp32c3', banner=b'5.3-int32-singlefp', drom=0x40280000)
app53 = w('app53w.bin', img53)
abs53 = os.path.join(work, 'lfs53.abs')
if run(luac, '--lua', '5.3', '-t', '5.3-int32-singlefp', '-a', hex(f53['lfs_addr']), '-o',
       abs53, src[0])[0] == 0:
    out = os.path.join(work, 'app53w-out.bin')
    res53 = ['--reserved', '0x%x:0x%x' % (f53['lfs_addr'], f53['lfs_size'])]
    rc, so, se = run(lfsimg, 'provision', '--firmware', app53, *res53, '--lfs', abs53, '-o', out)
    a = rd(abs53)
    got = mkapp.bytes_at(rd(out), f53['lfs_addr'], f53['lfs_size']) if rc == 0 else None
    ok(got is not None and got[:len(a)] == a and not any(got[len(a):]) and
       not mkapp.check(rd(out))[1], '5.3 absolute image provisioned: %s' % se)
    other = os.path.join(work, 'lfs53-other.abs')
    run(luac, '--lua', '5.3', '-t', '5.3-int32-singlefp', '-a', hex(f53['lfs_addr'] + 0x1000),
        '-o', other, src[0])
    refused('5.3-address', ['--firmware', app53] + res53 + ['--lfs', other],
            'luac.cross --lua 5.3 -t 5.3-int32-singlefp -F IMG.img -a 0x%08x' % f53['lfs_addr'])

# ---- the ELF (RISC-V, as for the C3/C6) ---------------------------------
gcc = shutil.which('riscv64-unknown-elf-gcc')
for chip, drom, irom, size in (('esp32c3', 0x3C000000, 0x42000020, 0x10000),
                               ('esp32c6', 0x42800000, 0x42000020, 0x8000)):
    if not gcc:
        print('skipped: the ELF tests (no riscv64-unknown-elf-gcc)')
        break
    elf = os.path.join(work, chip + '.elf')
    subprocess.run([gcc, '-march=rv32imc', '-mabi=ilp32', '-Os', '-nostdlib', '-ffreestanding',
                    '-DLFS_SIZE=0x%x' % size, '-Wl,--defsym=DROM_ADDR=0x%x' % drom,
                    '-Wl,--defsym=IROM_ADDR=0x%x' % irom, '-T', os.path.join(here, 'fw32.ld'),
                    os.path.join(here, 'fw32.c'), '-o', elf], check=True)
    start = mkapp.elf_symbol(elf, '_binary_lua_flash_store_reserved_start')
    end = mkapp.elf_symbol(elf, '_binary_lua_flash_store_reserved_end')
    secs = mkapp.elf_sections(elf)
    app = w(chip + '-elf.bin', mkapp.build_segments(mkapp.CHIPS[chip][0],
                                                    [(a, d, True) for _, a, d in secs]))
    rc, so, se = run(lfsimg, 'firmware', '--json', elf)
    if rc and 'not available in this build' in se:
        print('skipped: the ELF tests (no libelf in this build)')
        break
    j = json.loads(so) if rc == 0 else {}
    ok(j.get('form') == 'elf' and j.get('lfs', {}).get('address') == start and
       j['lfs'].get('size') == end - start and j.get('lua') == '5.1' and
       j.get('variant') == 'float' and
       # an ELF alone: the chip when its machine and addresses fit one only
       # (RISC-V at 0x3C...: the C3; at 0x42...: the C6 or the H2)
       j.get('chip') == {'esp32c3': 'esp32c3'}.get(chip),
       '%s ELF: firmware --json: %s %s' % (chip, so, se))
    rc, so, se = run(lfsimg, 'firmware', '--json', app, elf)
    j = json.loads(so) if rc == 0 else {}
    ok(j.get('chip') == chip and j.get('lfs', {}).get('address') == start,
       '%s app + ELF: %s %s' % (chip, so, se))
    prov = provision_ok(chip + '-elf', [app, elf], False, start, end - start, chip)
    # verify --firmware takes the region and variant from the app and ELF
    if prov:
        absf = w(chip + '-cut.img', relocate(rd(pi), start))
        rc, so, se = run(lfsimg, 'verify', '--firmware', app, '--firmware', elf, absf)
        ok(rc == 0 and 'valid float ABS image' in so, '%s verify --firmware: %s %s' %
           (chip, so, se))
        rc, so, se = run(lfsimg, 'verify', '--firmware', app, '--firmware', elf, pi_int)
        ok(rc == 1 and 'image is for the int firmware' in so, '%s verify int: %s' % (chip, so))
        rc, so, se = run(lfsimg, 'verify', '--firmware', app, '--firmware', elf, '--base',
                         hex(start + 0x1000), absf)
        ok(rc == 2 and 'contradicts' in se, '%s verify --base: %s' % (chip, se))
    refused(chip + '-contradicts', ['--firmware', app, '--firmware', elf, '--reserved',
                                    '0x%x:0x1000' % start, '--lfs', pi], 'contradicts')

# ---- a flash dump: bootloader at 0x1000, table at 0x8000, app at 0x10000
img, f = mkapp.build('esp32')
boot = mkapp.build_segments(0, [(0x3FFF0000, b'\x55' * 64, False)])
dump = bytearray(b'\xff' * 0x10000)
dump[0x1000:0x1000 + len(boot)] = boot
dump[0x8000:0x8020] = struct.pack('<HBBII16sI', 0x50AA, 0, 0, 0x10000, 0x100000,
                                  b'factory', 0)
dump += img + b'\xff' * 0x1000
dumpf = w('flash.bin', bytes(dump))
rc, so, se = run(lfsimg, 'firmware', '--json', '--reserved',
                 '0x%x:0x%x' % (f['lfs_addr'], f['lfs_size']), dumpf)
j = json.loads(so) if rc == 0 else {}
ok(j.get('form') == 'flash' and j.get('table_offset') == 0x8000 and
   j.get('bootloader_offset') == 0x1000 and j.get('app', {}).get('offset') == 0x10000,
   'flash dump: %s %s' % (so, se))
out = provision_ok('flash', [dumpf], True, f['lfs_addr'], f['lfs_size'], 'esp32', 0, 0x10000)
if out:
    ok(rd(out)[:0x10000] == bytes(dump[:0x10000]) and len(rd(out)) == len(dump),
       'flash dump: bytes before the app changed')
# a bootloader alone is not an app
rc, so, se = run(lfsimg, 'firmware', w('boot.bin', boot))
ok(rc != 0 and 'a bootloader, not the app' in se, 'bootloader alone: %s' % se)

print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed or not passed else 0)
