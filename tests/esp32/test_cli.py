#!/usr/bin/env python3
"""ESP32 end to end (#20 item 5; a draft, registered once the ESP32 CLI
lands): lfsimg and luac.cross on the firmware forms espgen.py makes, judged
by espgen's facts and by espcheck.py, which share no code with lfsc.

1. `lfsimg firmware --json FW...` on every form (partition tables, app
   images, ELFs, flash dumps) says what facts.json says: chip, form, lua,
   variant, lfs kind/offset/address/size, and a luac.cross command.
2. `lfsimg partitions` on the tables: the LFS partition, the line to add
   when there is none, the 64 KiB alignment when it is off.
3. `lfsimg provision --firmware app.bin --firmware app.elf --lfs IMG -o out`
   for the ESP32-C3 (RISC-V ELF) and the ESP32 (Xtensa ELF); out passes
   `espcheck.py check-app out --elf app.elf --expect-lfs ADDR ABS`, with ABS
   = `luac.cross --chip CHIP -a ADDR -o ABS src.lua...` (from an ABS and
   from a PI image).
4. Refusals (signed image, image larger than the region, corrupted app,
   corrupted table): non-zero exit, a message, no output file.

usage: test_cli.py LFSIMG LUAC_CROSS SHARED_DIR WORK_DIR [--with-53]
  SHARED_DIR: the test data (its conformance/src holds the Lua sources).
  --with-53: also provision the Lua 5.3 ELFs (needs luac.cross --lua 5.3 -a
  for the ESP32).
Exit 77 when riscv64-unknown-elf-gcc or xtensa-lx106-elf-gcc is missing.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'lib'))
import espgen  # noqa: E402
from tally import check, summary  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith('--')]
WITH53 = '--with-53' in sys.argv
if len(args) != 4:
    sys.exit(__doc__)
LFSIMG, LUAC, SHARED, WORK = args
SRC = os.path.join(SHARED, 'conformance', 'src')
CHECK = [sys.executable, os.path.join(HERE, 'espcheck.py')]
N_AT_LEAST = 800    # checks that must run (about 1100 when all is there)

missing = espgen.have_compilers()
if missing:
    print('skipped: %s not installed' % ', '.join(missing))
    sys.exit(77)
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
GEN = os.path.join(WORK, 'gen')
INDEX = espgen.generate_all(GEN)
ENV = dict(os.environ, SOURCE_DATE_EPOCH='1700000000')


def run(*argv):
    p = subprocess.run([str(a) for a in argv], capture_output=True, text=True, env=ENV, cwd=WORK)
    return p.returncode, p.stdout, p.stderr


def w(*names):
    return os.path.join(WORK, *names)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def refuse(what, argv, out, want=()):
    """argv must exit non-zero, say something (each of want, any case), and
    leave no out."""
    if os.path.exists(out):
        os.remove(out)
    rc, so, se = run(*argv)
    msg = (so + se).strip()
    check(rc != 0, '%s: exit 0: %s' % (what, msg))
    check(msg != '', what + ': no message')
    for wnt in want:   # a string, or a tuple of strings of which one will do
        alts = wnt if isinstance(wnt, tuple) else (wnt,)
        check(any(a.lower() in msg.lower() for a in alts), '%s: message lacks %r: %s' % (what, wnt, msg))
    check(not os.path.exists(out), '%s: output %s appeared' % (what, out))


def fw_json(files):
    rc, so, se = run(LFSIMG, 'firmware', '--json', *files)
    if rc != 0:
        return None, so + se
    try:
        return json.loads(so), so
    except ValueError:
        return None, 'not JSON: ' + so


# ---- 1. lfsimg firmware --json against the facts --------------------------------

def compare(name, fx, files, strict=True):
    """strict=False: an app .bin or flash dump alone, where an embedded
    region has no marker and lfsimg may say it cannot locate it without the
    ELF (kind 'none' or 'unknown'); if it says 'embedded', it must be right."""
    j, out = fw_json(files)
    if not check(j is not None, '%s: lfsimg firmware failed: %s' % (name, out)):
        return
    for key in ('chip', 'form', 'lua', 'variant'):
        want_v = fx[key]
        if key == 'form' and want_v == 'elf' and len(files) > 1:
            want_v = 'app'          # the app .bin with its ELF: the app is described
        if key == 'chip' and fx['form'] == 'elf' and len(files) == 1 and j.get('chip') is None:
            # an ELF alone: its machine and addresses may fit more than one chip
            # (Xtensa at 0x3F4xxxxx: ESP32 or -S2); then no chip, never a wrong one
            check(fx['chip'] not in ('esp32c3',), '%s: chip None, facts %r' % (name, fx['chip']))
            continue
        if want_v is not None:
            check(j.get(key) == want_v, '%s: %s %r, facts %r' % (name, key, j.get(key), want_v))
    lfs, want = j.get('lfs') or {'kind': 'none'}, fx['lfs']
    if not strict and want['kind'] == 'embedded' and lfs.get('kind') != 'embedded':
        check(lfs.get('kind') in ('none', 'unknown'), '%s: lfs %r' % (name, lfs))
        return
    check(lfs.get('kind') == want['kind'], '%s: lfs kind %r, facts %r' % (name, lfs.get('kind'), want['kind']))
    for key in ('size', 'offset', 'address'):
        if key in want:
            check(lfs.get(key) == want[key], '%s: lfs %s %r, facts %#x' % (name, key, lfs.get(key), want[key]))
    if fx['form'] != 'partition-table' and want['kind'] != 'none':
        cmd = j.get('command') or ''
        check('luac.cross' in cmd, '%s: command %r' % (name, cmd))
        if want['kind'] == 'embedded':
            check(('%#x' % want['address']) in cmd.lower(), '%s: command %r lacks -a %#x' % (name, cmd, want['address']))


nforms = 0
for name, fx in sorted(INDEX.items()):
    d = os.path.join(GEN, name)
    files = [os.path.join(d, f) for f in fx['files']]
    if fx['form'] == 'app' and fx.get('elf'):
        compare(name + ' (bin)', fx, files, strict=False)
        compare(name + ' (bin+elf)', dict(fx, form='elf'), files + [os.path.join(d, fx['elf'])])
    else:   # without the ELF nothing marks where an embedded region is
        compare(name, fx, files, strict=fx['lfs']['kind'] != 'embedded' or fx['form'] == 'elf')
    nforms += 1
print('%d forms through lfsimg firmware --json' % nforms)

# ---- 2. lfsimg partitions ----------------------------------------------------

for kind in ('aligned', 'none', 'misaligned'):
    d = os.path.join(GEN, 'table-lfs-' + kind)
    fx = INDEX['table-lfs-' + kind]
    for f in ('partitions.bin', 'partitions.csv'):
        rc, so, se = run(LFSIMG, 'partitions', os.path.join(d, f))
        msg = (so + se).lower()
        what = 'partitions %s %s' % (kind, f)
        if kind == 'aligned':
            check(rc == 0, '%s: exit %d: %s' % (what, rc, msg))
            check('%#x' % fx['lfs']['offset'] in msg, '%s: no LFS offset: %s' % (what, msg))
        elif kind == 'none':
            check('0xc2' in msg and '0x01' in msg, '%s: no line to add: %s' % (what, msg))
        else:
            check('64' in msg and 'align' in msg, '%s: no alignment warning: %s' % (what, msg))

# ---- 3. provisioning into an app image ---------------------------------------

SOURCES = [os.path.join(SRC, f) for f in sorted(os.listdir(SRC)) if f.endswith('.lua')][:8]


def provision_case(chip, name, lua):
    fx = INDEX[name]
    d = os.path.join(GEN, name)
    addr, size = fx['lfs']['address'], fx['lfs']['size']
    app, elf = os.path.join(d, 'app.bin'), os.path.join(d, 'app.elf')
    luav = ['--lua', '5.3'] if lua == '5.3' else []
    abs_img, pi_img = w('%s.abs.img' % name), w('%s.pi.img' % name)
    # one timestamp for both images: the clock may tick between the runs
    rc, so, se = run(LUAC, *luav, '--chip', chip, '--timestamp', '1', '-a', '%#x' % addr, '-o', abs_img, *SOURCES)
    if not check(rc == 0, '%s: luac.cross -a: %s' % (name, so + se)):
        return
    rc, so, se = run(LUAC, *luav, '--chip', chip, '--timestamp', '1', '-f', '-o', pi_img, *SOURCES)
    check(rc == 0, '%s: luac.cross -f: %s' % (name, so + se))
    for tag, img in (('ABS', abs_img), ('PI', pi_img)):
        out = w('%s.%s.out.bin' % (name, tag))
        if lua == '5.3' and tag == 'PI':
            # a 5.3 -f image is not relocated here: the message gives the line
            refuse('%s: a 5.3 PI image' % name, [LFSIMG, 'provision', '--firmware', app,
                   '--firmware', elf, '--lfs', img, '-o', out], out, ['-F'])
            continue
        rc, so, se = run(LFSIMG, 'provision', '--firmware', app, '--firmware', elf, '--lfs', img, '-o', out)
        if not check(rc == 0 and os.path.exists(out), '%s %s: provision: %s' % (name, tag, so + se)):
            continue
        rc, so, se = run(*CHECK, 'check-app', out, '--chip', chip, '--elf', elf,
                         '--expect-lfs', '%#x' % addr, abs_img)
        check(rc == 0, '%s %s: espcheck: %s' % (name, tag, so + se))
        check(len(read(out)) == len(read(app)), '%s %s: size changed' % (name, tag))
        # the result is still a firmware lfsimg reads
        rc, so, se = run(LFSIMG, 'firmware', '--json', out, elf)
        check(rc == 0, '%s %s: lfsimg firmware on the result: %s' % (name, tag, so + se))
    # refusals on this firmware
    o = w('refused.bin')
    signed = w('%s.signed.bin' % name)
    with open(signed, 'wb') as f:
        f.write(espgen.sign(read(app), 'v2'))
    refuse('%s: signed image' % name, [LFSIMG, 'provision', '--firmware', signed, '--firmware', elf,
                                       '--lfs', abs_img, '-o', o], o, ['sign'])
    signed1 = w('%s.signed1.bin' % name)
    with open(signed1, 'wb') as f:
        f.write(espgen.sign(read(app), 'v1'))
    refuse('%s: signed image (v1)' % name, [LFSIMG, 'provision', '--firmware', signed1, '--firmware', elf,
                                            '--lfs', abs_img, '-o', o], o, ['sign'])
    big_src = w('big.lua')
    with open(big_src, 'w') as f:   # about 3 bytes of image per byte here: past any test region
        f.write('local t = {}\n' + ''.join('t[%d] = "%s"\n' % (i, ('s%06d' % i) * 8) for i in range(size // 40)))
    big = w('%s.big.img' % name)
    rc, so, se = run(LUAC, *luav, '--chip', chip, '-a', '%#x' % addr, '-o', big, big_src)
    if check(rc == 0 and os.path.getsize(big) > size, '%s: big image (%s)' % (name, so + se)):
        refuse('%s: image larger than the region' % name,
               [LFSIMG, 'provision', '--firmware', app, '--firmware', elf, '--lfs', big, '-o', o], o,
               [('%d' % size, '%#x' % size)])   # the message names the region's size
    data = bytearray(read(app))
    data[0x40] ^= 1     # inside the first segment: the checksum no longer holds
    bad = w('%s.corrupt.bin' % name)
    with open(bad, 'wb') as f:
        f.write(data)
    refuse('%s: corrupted app' % name, [LFSIMG, 'provision', '--firmware', bad, '--firmware', elf,
                                        '--lfs', abs_img, '-o', o], o, ['checksum'])
    refuse('%s: lfsimg firmware on a corrupted app' % name, [LFSIMG, 'firmware', bad], w('nothing'),
           ['checksum'])
    data = bytearray(read(app))
    data[-5] ^= 1       # inside the SHA-256
    with open(bad, 'wb') as f:
        f.write(data)
    refuse('%s: app with a bad SHA-256' % name, [LFSIMG, 'provision', '--firmware', bad, '--firmware', elf,
                                                 '--lfs', abs_img, '-o', o], o, ['sha'])


provision_case('esp32c3', 'elf-esp32c3-5.1-doublefp-emb64k', '5.1')
provision_case('esp32', 'elf-esp32-5.1-doublefp-emb64k', '5.1')
if WITH53:
    provision_case('esp32c3', 'elf-esp32c3-5.3-int32-singlefp-emb128k', '5.3')
    provision_case('esp32', 'elf-esp32-5.3-int32-singlefp-emb128k', '5.3')

# ---- 3b. a whole flash dump with its LFS partition filled --------------------
# The partition is mapped where the MMU has room, so the image is linked for
# the address the device reports (--lfs-addr, node.LFS.config()).

def partition_case(chip, name, mapped):
    fx = INDEX[name]
    flash = os.path.join(GEN, name, 'flash.bin')
    abs_img, pi_img = w('%s.pabs.img' % name), w('%s.ppi.img' % name)
    rc, so, se = run(LUAC, '--chip', chip, '--timestamp', '1', '-a', '%#x' % mapped, '-o', abs_img, *SOURCES[:3])
    rc2, so2, se2 = run(LUAC, '--chip', chip, '--timestamp', '1', '-f', '-o', pi_img, *SOURCES[:3])
    if not check(rc == 0 and rc2 == 0, '%s: luac.cross: %s' % (name, so + se + so2 + se2)):
        return
    for tag, img in (('PI', pi_img), ('ABS', abs_img)):
        out = w('%s.%s.flash.bin' % (name, tag))
        rc, so, se = run(LFSIMG, 'provision', '--firmware', flash, '--lfs', img,
                         '--lfs-addr', '%#x' % mapped, '-o', out)
        if not check(rc == 0 and os.path.exists(out), '%s %s: provision: %s' % (name, tag, so + se)):
            continue
        check('esptool.py --chip %s write_flash 0x0 %s' % (chip, out) in so,
              '%s %s: esptool line: %s' % (name, tag, so))
        rc, so, se = run(*CHECK, 'check-flash', out, '--chip', chip, '--expect-lfs-partition', abs_img)
        check(rc == 0, '%s %s: espcheck check-flash: %s' % (name, tag, so + se))
        a, b = read(flash), read(out)
        off, size = fx['lfs']['offset'], fx['lfs']['size']
        check(b[:off] == a[:off] and b[off + size:] == a[off + size:],
              '%s %s: bytes outside the LFS partition changed' % (name, tag))
    o = w('refused.bin')
    refuse('%s: no --lfs-addr' % name, [LFSIMG, 'provision', '--firmware', flash, '--lfs', pi_img,
                                         '-o', o], o, ['node.LFS.config', '--lfs-addr'])
    refuse('%s: --lfs-addr off a 64 KiB page' % name,
           [LFSIMG, 'provision', '--firmware', flash, '--lfs', pi_img, '--lfs-addr',
            '%#x' % (mapped + 0x1000), '-o', o], o, ['64 KiB'])
    refuse('%s: an ABS image for another address' % name,
           [LFSIMG, 'provision', '--firmware', flash, '--lfs', abs_img, '--lfs-addr',
            '%#x' % (mapped + 0x10000), '-o', o], o, ['--lfs-addr'])


# ---- 3c. luac.cross --firmware on ESP32 forms ---------------------------------
# the chip, variant and region from the firmware: the same bytes as the
# options spelled out

def luac_firmware_case(name, files, spelled, lua='5.1', fwextra=(), srcs=None):
    srcs = srcs or SOURCES[:3]
    luav = ['--lua', '5.3'] if lua == '5.3' else []
    a, b = w('%s.fw.img' % name), w('%s.opts.img' % name)
    fwargs = []
    for f in files:
        fwargs += ['--firmware', os.path.join(GEN, name, f)]
    rc, so, se = run(LUAC, *luav, *fwargs, *fwextra, '-o', a, *srcs)
    rc2, so2, se2 = run(LUAC, *luav, *spelled, '-o', b, *srcs)
    check(rc == 0 and rc2 == 0 and read(a) == read(b),
          '%s: luac.cross --firmware differs from %s: %s' % (name, ' '.join(spelled), so + se + so2 + se2))


for nm, files in (('elf-esp32c3-5.1-doublefp-emb64k', ['app.elf']),
                  ('elfbin-esp32-5.1-doublefp-emb64k', ['app.bin', 'app.elf'])):
    if nm in INDEX:
        fx = INDEX[nm]
        luac_firmware_case(nm, files, ['--chip', fx['chip'], '-a', '%#x' % fx['lfs']['address']])
if 'flash-esp32c3-lfs-partition' in INDEX:
    luac_firmware_case('flash-esp32c3-lfs-partition', ['flash.bin'], ['--chip', 'esp32c3', '-f'])
if 'elf-esp32c3-5.1-integral-none' in INDEX:
    luac_firmware_case('elf-esp32c3-5.1-integral-none', ['app.elf'],
                       ['--chip', 'esp32c3', '-t', 'int', '-f'], fwextra=['-f'],
                       srcs=SOURCES[:1])   # integers only
    refuse('luac.cross --firmware: no LFS and no -f',
           [LUAC, '--firmware', os.path.join(GEN, 'elf-esp32c3-5.1-integral-none', 'app.elf'), '-o',
            w('nolfs.img'), SOURCES[0]], w('nolfs.img'), ['no LFS'])
if 'elf-esp32c3-5.3-int32-singlefp-emb128k' in INDEX:
    refuse('luac.cross --firmware: a Lua 5.3 firmware without --lua 5.3',
           [LUAC, '--firmware', os.path.join(GEN, 'elf-esp32c3-5.3-int32-singlefp-emb128k', 'app.elf'),
            '-o', w('l53.img'), SOURCES[0]], w('l53.img'), ['--lua 5.3'])

partition_case('esp32c3', 'flash-esp32c3-lfs-partition', 0x3C030000)
partition_case('esp32', 'flash-esp32-lfs-partition', 0x3F430000)

# ---- 4. refusals on tables ---------------------------------------------------

t = read(os.path.join(GEN, 'table-lfs-aligned', 'partitions.bin'))
bad = bytearray(t)
bad[32 * 5 + 20] ^= 1   # the MD5 digest
with open(w('badmd5.bin'), 'wb') as f:
    f.write(bad)
refuse('partitions: bad MD5', [LFSIMG, 'partitions', w('badmd5.bin')], w('nothing'), ['md5'])
refuse('firmware: bad MD5', [LFSIMG, 'firmware', w('badmd5.bin')], w('nothing'), ['md5'])

sys.exit(summary(at_least=N_AT_LEAST))
