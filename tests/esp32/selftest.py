#!/usr/bin/env python3
"""The ESP32 test parts test each other (ctest esp32_gen_selftest): every
form espgen.py makes passes espcheck.py, mutated copies fail with the right
message, the ELFs and their elf2image .bin agree on every section's address,
the facts agree with what the checker reads, and generation is
deterministic and fast.

  selftest.py WORKDIR
Exit 0 when all checks pass, 1 when one fails, 77 when a cross compiler
(riscv64-unknown-elf-gcc, xtensa-lx106-elf-gcc) is missing.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import espcheck  # noqa: E402
import espgen  # noqa: E402

passed, failed = 0, []


def ok(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failed.append(what)
        print('FAIL: ' + what)


def quiet(*_):
    pass


def rejects(fn, needle, what):
    """fn must raise espcheck.Bad whose message holds needle."""
    try:
        fn()
    except espcheck.Bad as e:
        ok(needle in str(e), '%s: message %r lacks %r' % (what, str(e), needle))
        return needle in str(e)
    ok(False, what + ': accepted')
    return False


def tree_digest(d):
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(d)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(os.path.relpath(p, d).encode() + b'\0')
            h.update(open(p, 'rb').read())
    return h.hexdigest()


def flip(data, off):
    b = bytearray(data)
    b[off] ^= 0x01
    return bytes(b)


def main(work):
    missing = espgen.have_compilers()
    if missing:
        print('skipped: %s not installed' % ', '.join(missing))
        return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    a, b = os.path.join(work, 'a'), os.path.join(work, 'b')
    def cpu():   # this process and the compilers: load on the machine does not count
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system
    t0, w0 = cpu(), time.time()
    index = espgen.generate_all(a)
    dt, wall = cpu() - t0, time.time() - w0
    espgen.generate_all(b)
    ok(tree_digest(a) == tree_digest(b), 'two generations differ')
    ok(dt < 10, 'generation took %.1f s of CPU (limit 10)' % dt)
    print('generated %d forms in %.1f s of CPU (%.1f s wall), twice, identical' % (len(index), dt, wall))
    forms = {}
    for f in index.values():
        forms[f['form']] = forms.get(f['form'], 0) + 1
    print('forms: ' + ', '.join('%s %d' % kv for kv in sorted(forms.items())))
    ok(set(forms) == {'app', 'elf', 'flash', 'partition-table'}, 'missing forms: %s' % forms)

    # 1. the checker accepts every form, and what it reads agrees with the facts
    accepted = 0
    for name, fx in sorted(index.items()):
        d = os.path.join(a, name)
        f0 = os.path.join(d, fx['files'][0])
        try:
            if fx['form'] == 'partition-table':
                parts = espcheck.check_table(f0, require_md5=True, out=quiet)
                lp = espcheck.lfs_of(parts)
                ok((lp is None) == (fx['lfs']['kind'] == 'none'), name + ': LFS partition presence')
                if lp:
                    ok((lp[3], lp[4]) == (fx['lfs']['offset'], fx['lfs']['size']), name + ': LFS offset/size')
                    ok((lp[3] % 0x10000 == 0) == fx['lfs_aligned'], name + ': alignment fact')
            elif fx['form'] == 'flash':
                li = os.path.join(d, fx['lfs_image']) if fx.get('lfs_image') else None
                parts = espcheck.check_flash(f0, fx['chip'], expect_lfs=li, out=quiet)
                if li:
                    rejects(lambda: espcheck.check_flash(f0, expect_lfs=os.path.join(work, 'a', 'table-lfs-none',
                                                                                     'partitions.bin'), out=quiet),
                            'does not hold', name + ': other bytes in the LFS partition')
                lp = espcheck.lfs_of(parts)
                ok((lp is not None) == (fx['lfs']['kind'] == 'partition'), name + ': LFS partition presence')
                if lp:
                    ok((lp[3], lp[4]) == (fx['lfs']['offset'], fx['lfs']['size']), name + ': LFS offset/size')
                data = open(f0, 'rb').read()
                info = espcheck.parse_app(data[0x10000:], name)
                if fx['lfs']['kind'] == 'embedded':
                    region = espcheck.mapped(data[0x10000:], info, fx['lfs']['address'], fx['lfs']['size'])
                    ok(region == b'\0' * fx['lfs']['size'], name + ': embedded region not zero-filled')
            else:
                app = os.path.join(d, fx.get('bin') or 'app.bin')
                elf = os.path.join(d, 'app.elf') if os.path.exists(os.path.join(d, 'app.elf')) else None
                info = espcheck.check_app(app, elf=elf, chip=fx['chip'], out=quiet)
                ok(info['desc']['project_name'] == 'nodemcu', name + ': project name')
                ok((info['trailer'] is not None) == bool(fx.get('signed')), name + ': signature trailer')
                data = open(app, 'rb').read()
                tag = espgen.VARIANTS[fx['lua']][fx['variant']].encode() + b'\0'
                ok(tag in data and espgen.LUA_RELEASE[fx['lua']].encode() + b'\0' in data,
                   name + ': banner strings')
                if fx['lfs']['kind'] == 'embedded':
                    ad, sz = fx['lfs']['address'], fx['lfs']['size']
                    ok(ad % 4096 == 0, name + ': region not 4096-aligned')
                    region = espcheck.mapped(data, info, ad, sz, app)
                    ok(region == bytes([fx.get('fill', 0)]) * sz, name + ': region fill')
                    fill = os.path.join(work, 'fill.bin')
                    open(fill, 'wb').write(region)
                    espcheck.check_app(app, elf=elf, expect=(('elf' if elf else hex(ad)), fill), out=quiet)
            accepted += 1
        except espcheck.Bad as e:
            ok(False, '%s: rejected: %s' % (name, e))
    print('%d of %d generated forms accepted by the checker' % (accepted, len(index)))
    ok(accepted == len(index), 'forms rejected')

    # 2. mutated copies are refused with the right message
    m = os.path.join(work, 'mut.bin')
    nmut = nref = 0
    for name, fx in sorted(index.items()):
        d = os.path.join(a, name)
        f0 = os.path.join(d, fx['files'][0])
        if fx['form'] == 'partition-table':
            data = open(f0, 'rb').read()
            md5 = 32 * len(fx['partitions'])
            for off, needle in ((5, 'MD5 entry does not match'),      # an entry's offset
                                (md5 + 16 + 9, 'MD5 entry does not match'),  # the digest
                                (md5 + 3, 'MD5 entry: bytes 2..15'),
                                (0, 'entry magic')):
                open(m, 'wb').write(flip(data, off))
                nref += rejects(lambda: espcheck.check_table(m, out=quiet), needle, '%s flip %#x' % (name, off))
                nmut += 1
        elif fx['form'] in ('app', 'elf') and not fx.get('signed'):
            app = os.path.join(d, fx.get('bin') or 'app.bin')
            data = open(app, 'rb').read()
            info = espcheck.parse_app(data)
            segs = info['segments']
            end = info['checksum_offset'] + 1
            cases = [(segs[0][1] + 300, 'checksum'),              # desc/rodata byte
                     (segs[-1][1] + segs[-1][2] - 1, 'checksum'),  # last code byte
                     (end + 7, 'SHA-256'),                        # inside the hash
                     (info['checksum_offset'], 'checksum'),       # the checksum itself
                     (0, 'magic')]
            for off, needle in cases:
                open(m, 'wb').write(flip(data, off))
                nref += rejects(lambda: espcheck.check_app(m, out=quiet), needle, '%s flip %#x' % (name, off))
                nmut += 1
            open(m, 'wb').write(data[:end + 16])
            nref += rejects(lambda: espcheck.check_app(m, out=quiet), 'SHA-256', name + ' truncated')
            nmut += 1
            if fx['lfs']['kind'] == 'embedded':
                other = os.path.join(work, 'other.bin')
                open(other, 'wb').write(b'\x5a' * 64)
                nref += rejects(lambda: espcheck.check_app(app, expect=(hex(fx['lfs']['address']), other), out=quiet),
                        'differ', name + ' wrong LFS bytes')
                nmut += 1
        elif fx['form'] == 'flash':
            data = open(f0, 'rb').read()
            md5 = 0x8000 + 32 * (4 if fx['lfs']['kind'] != 'partition' else 5)
            for off, needle in ((md5 + 20, 'MD5'), (0x8000 + 8, 'MD5'),
                                (0x10000 + 0x40, 'checksum'),
                                (espgen.CHIPS[fx['chip']]['boot'] + 0x30, 'checksum')):
                open(m, 'wb').write(flip(data, off))
                nref += rejects(lambda: espcheck.check_flash(m, out=quiet), needle, '%s flip %#x' % (name, off))
                nmut += 1
    print('%d of %d mutated copies refused with the expected message' % (nref, nmut))

    # 3. provisioning as lfsimg will do it, done here from the formats: the
    # checker sees the bytes at the ELF symbol's address
    nprov = nprovok = 0
    for chip in espgen.ELF_CHIPS:
        d = os.path.join(a, 'elf-%s-5.1-doublefp-emb64k' % chip)
        elf = open(os.path.join(d, 'app.elf'), 'rb').read()
        _, _, syms = espgen.read_elf(elf)
        addr = syms['_binary_lua_flash_store_reserved_start'][0]
        lfs = espgen.filler(5000 * 4, 'lfs-image')
        img = bytearray(espgen.elf2image(chip, elf))
        info = espcheck.parse_app(bytes(img))
        for sa, off, n in info['segments']:
            if sa <= addr < sa + n:
                img[off + addr - sa:off + addr - sa + len(lfs)] = lfs
        body = img[:info['checksum_offset']]
        ck = 0xEF
        for sa, off, n in info['segments']:
            for x in img[off:off + n]:
                ck ^= x
        img = bytes(body) + bytes([ck])
        img += hashlib.sha256(img).digest()
        p, l = os.path.join(work, 'prov-%s.bin' % chip), os.path.join(work, 'lfs.img')
        open(p, 'wb').write(img)
        open(l, 'wb').write(lfs)
        espcheck.check_app(p, elf=os.path.join(d, 'app.elf'), expect=('elf', l), out=quiet)
        r = subprocess.run([sys.executable, os.path.join(HERE, 'espcheck.py'), 'check-app', p,
                            '--elf', os.path.join(d, 'app.elf'), '--expect-lfs', 'elf', l],
                           capture_output=True, text=True)
        good = r.returncode == 0 and 'LFS at %#x' % addr in r.stdout
        ok(good, chip + ': CLI check-app: ' + r.stderr)
        nprovok += good
        r = subprocess.run([sys.executable, os.path.join(HERE, 'espcheck.py'), 'check-app',
                            os.path.join(d, 'app.bin'), '--expect-lfs', hex(addr), l],
                           capture_output=True, text=True)
        good = r.returncode == 1 and 'differ' in r.stderr
        ok(good, chip + ': CLI refuses the unprovisioned app')
        nprovok += good
        nprov += 2
    print('%d of %d provisioning checks (ESP32-C3 RISC-V ELF, ESP32 Xtensa ELF)' % (nprovok, nprov))

    # 4. the CLI front ends
    r = subprocess.run([sys.executable, os.path.join(HERE, 'espcheck.py'), 'check-table',
                        os.path.join(a, 'table-lfs-misaligned', 'partitions.bin'), '--expect-lfs-aligned'],
                       capture_output=True, text=True)
    ok(r.returncode == 1 and 'not 64 KiB aligned' in r.stderr, 'check-table --expect-lfs-aligned')
    r = subprocess.run([sys.executable, os.path.join(HERE, 'espgen.py'), 'app', m, '--chip', 'esp32s3',
                        '--lua', '5.3', '--lfs-size', '0x10000'], capture_output=True, text=True)
    ok(r.returncode == 0 and json.loads(r.stdout)['size'] == 0x10000, 'espgen.py app')
    r = subprocess.run([sys.executable, os.path.join(HERE, 'espcheck.py'), 'check-app', m, '--chip', 'esp32s3'],
                       capture_output=True, text=True)
    ok(r.returncode == 0, 'espcheck.py check-app on espgen.py app: ' + r.stderr)

    shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed' % (passed, len(failed)))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.getcwd(), 'esp32_gen_selftest')))
