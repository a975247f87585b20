#!/usr/bin/env python3
"""Image conformance: rebuild every LFS image vector of the reference with
our luac.cross and compare.

usage: conformance.py LUAC_CROSS PICHECK CONFORMANCE_DIR WORK_DIR

Each image row of MANIFEST.md is run from CONFORMANCE_DIR/src with its exact
command line, except that the output goes to WORK_DIR, the float16 variant
gets `-t float16` (the reference had a separate binary), and the clock is
fixed with SOURCE_DATE_EPOCH=1700000000. `luac.cross.int` is a symlink to
our binary (that name selects the int target).

* ABS images must be byte-identical; PI images must inflate to exactly the
  reference's inflated content, and our file must pass the firmware loader's
  rules (PICHECK). stdout ("Image size: N") and the exit status must match.
* Each command runs with --compat-lineinfo (must match), and without it
  (must match too, unless an input is c20_linefix.lua, the one source where
  the reference's line-info bug shows).
* The negative vector (-m too small) must fail with an empty stdout (the
  reference prints "Image size: N" even then) and give the size on stderr,
  and leave no output file (the reference leaves an empty one).
* The `-f -l -l` listing vectors must match but for host addresses.
* `-s` vectors: the reference ignores -s for images, lfsc really strips
  (documented improvement). So the command without -s must match as above,
  and the -s image must equal what the spec's Python model builds from the
  reference's decoded tree with line info and names removed, be smaller,
  and pass the loader rules.
"""
import os, re, shlex, subprocess, sys, zlib

VARIANT_SIG = {'float': 0xFAFAA154, 'float16': 0xFAFAA150, 'int': 0xFAFAA152}


def parse_manifest(path):
    rows = []
    variant = None
    for line in open(path, encoding='utf-8'):
        if line.startswith('## NodeMCU bytecode'):
            break
        m = re.match(r'### variant `(\w+)`', line)
        if m:
            variant = m.group(1)
            continue
        if not line.startswith('| ') or variant is None:
            continue
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 7:
            continue
        m = re.match(r'`([^`]*)`', cells[1])
        out = cells[4].strip('`')
        if not m or not (out.endswith('.img') or out.endswith('.lst')):
            continue
        rows.append(dict(id=cells[0], variant=variant, cmd=m.group(1), stdout=cells[2],
                         exit=int(cells[3]), output=out))
    return rows


def strip_tree(P, index=True):
    """The tree -s writes: no line info, no names, and "=?" for the source
    of every module's function (the index function keeps "=(luac)")."""
    return dict(P, source=P['source'] if index else b'=?', lineinfo=None, upv=[], locv=[],
                children=[strip_tree(c, False) for c in P['children']])


def check_stripped(tools, ours, ref, variant):
    """Our -s image against the model's build of the reference tree, stripped."""
    sys.path.insert(0, tools)
    import lfs51dec, lfs51model, lfs51check
    im = lfs51dec.Image(ref)
    tree = strip_tree(lfs51check.abstract(im.main()))
    model = {'float': 'float12', 'float16': 'float16', 'int': 'int'}[variant]
    img, bm = lfs51model.Builder(model).build(tree)
    if gunzip(ours) != img + bm:
        return 'stripped image differs from the model build of the stripped reference tree'
    if len(img) >= im.size:
        return 'stripped image is not smaller'
    return None


def check_listing(row, luac, intlink, conf, src, env):
    """-f -l -l listings: equal to the reference's but for host addresses."""
    words = shlex.split(row['cmd'])
    k = words.index('>')
    ref = open(os.path.join(conf, row['output']), encoding='latin-1').read()
    prog, args = words[0], words[1:k]
    # LFSC_DEVNULL: the null device's name where it is not /dev/null (NUL
    # for the Windows build under wine).
    args = [os.environ.get('LFSC_DEVNULL', a) if a == '/dev/null' else a for a in args]
    binary = intlink if prog == 'luac.cross.int' else luac
    p = subprocess.run([binary, '--compat-lineinfo'] + args, cwd=src, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mask = lambda t: re.sub(r'0x[0-9a-fA-F]+', 'ADDR', t)
    if p.returncode != row['exit']:
        return ['exit %d: %s' % (p.returncode, p.stderr.decode(errors='replace'))]
    # A listing is text: on Windows its lines end in CRLF.
    if mask(p.stdout.decode('latin-1').replace('\r\n', '\n')) != mask(ref):
        return ['listing differs']
    return []


def gunzip(data):
    return zlib.decompress(data, 16 + 15)


def run(row, argv, stdin_path, src, out_path, env):
    if os.path.exists(out_path):
        os.unlink(out_path)
    stdin = open(os.path.join(src, stdin_path), 'rb') if stdin_path else subprocess.DEVNULL
    p = subprocess.run(argv, cwd=src, stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    return p


def command(row, luac, intlink, out_path, compat):
    words = shlex.split(row['cmd'])
    stdin_path = None
    if '<' in words:
        k = words.index('<')
        stdin_path = words[k + 1]
        del words[k:k + 2]
    prog = words[0]
    args = words[1:]
    o = args.index('-o')
    args[o + 1] = out_path
    extra = []
    if row['variant'] == 'float16':
        extra += ['-t', 'float16']
    if compat:
        extra += ['--compat-lineinfo']
    binary = intlink if prog == 'luac.cross.int' else luac
    return [binary] + extra + args, stdin_path


def main():
    luac, picheck, conf, work = sys.argv[1:5]
    luac = os.path.abspath(luac)
    src = os.path.join(conf, 'src')
    tools = os.path.join(conf, '..', 'spec', 'tools')
    os.makedirs(work, exist_ok=True)
    intlink = os.path.join(work, 'luac.cross.int')
    if os.path.lexists(intlink):
        os.unlink(intlink)
    os.symlink(luac, intlink)
    env = dict(os.environ, SOURCE_DATE_EPOCH='1700000000')

    rows = parse_manifest(os.path.join(conf, 'MANIFEST.md'))
    passed = failed = negative = 0
    failures = []
    ours_pi = {}
    listings = [r for r in rows if r['output'].endswith('.lst')]
    rows = [r for r in rows if r['output'].endswith('.img')]
    for row in listings:
        problems = check_listing(row, luac, intlink, conf, src, env)
        if problems:
            failed += 1
            failures.append((row['id'], problems))
    print('%d -f -l -l listings compared' % len(listings))
    for row in rows:
        ref_path = os.path.join(conf, row['output'])
        out_path = os.path.join(work, row['output'].replace('/', '_'))
        problems = []
        stripped = ' -s ' in ' %s ' % row['cmd']
        # LFSC_CONFORMANCE_COMPAT_ONLY=1 (the wine run): bytes only, once.
        for compat in (True,) if os.environ.get('LFSC_CONFORMANCE_COMPAT_ONLY') else (True, False):
            argv, stdin_path = command(row, luac, intlink, out_path, compat)
            if stripped:
                argv.remove('-s')
            inputs = ' '.join(argv) + ' ' + (stdin_path or '')
            if not compat and 'c20_linefix' in inputs:
                continue   # the one source where the reference's line-info bug shows
            p = run(row, argv, stdin_path, src, out_path, env)
            tag = '--compat-lineinfo' if compat else 'default'
            if p.returncode != row['exit']:
                problems.append('%s: exit %d, want %d: %s' % (tag, p.returncode, row['exit'],
                                                               p.stderr.decode(errors='replace').strip()))
                continue
            # A failed build prints no "Image size:" (the reference does, a
            # success-looking line); its error names the size instead.
            want = row['stdout'] if row['exit'] == 0 else ''
            if p.stdout.decode().strip() != want:
                problems.append('%s: stdout %r, want %r' % (tag, p.stdout.decode().strip(), want))
            if row['exit'] != 0:
                size = re.sub(r'\D', '', row['stdout'])
                if size and ('%s bytes' % size) not in p.stderr.decode(errors='replace'):
                    problems.append('%s: stderr does not give the size %s: %r' % (tag, size, p.stderr))
                if os.path.exists(out_path):
                    problems.append('%s: output file left behind on failure' % tag)
                continue
            ref = open(ref_path, 'rb').read()
            ours = open(out_path, 'rb').read()
            if '.pi' in row['output']:
                try:
                    same = gunzip(ours) == gunzip(ref)
                except zlib.error as e:
                    same = False
                    problems.append('%s: our file does not inflate: %s' % (tag, e))
                if not same:
                    problems.append('%s: inflated content differs' % tag)
                chk = subprocess.run([picheck, '--sig', hex(VARIANT_SIG[row['variant']]), out_path],
                                     stdout=subprocess.PIPE)
                if chk.returncode != 0:
                    problems.append('%s: loader rules: %s' % (tag, chk.stdout.decode().strip()))
                if compat:
                    ours_pi[row['output']] = (len(ours), len(ref))
            elif ours != ref:
                problems.append('%s: bytes differ' % tag)
        if stripped and not problems:
            argv, stdin_path = command(row, luac, intlink, out_path, True)
            p = run(row, argv, stdin_path, src, out_path, env)
            if p.returncode != 0:
                problems.append('-s: exit %d' % p.returncode)
            else:
                why = check_stripped(tools, open(out_path, 'rb').read(),
                                     open(ref_path, 'rb').read(), row['variant'])
                chk = subprocess.run([picheck, out_path], stdout=subprocess.PIPE)
                if why:
                    problems.append('-s: ' + why)
                if chk.returncode != 0:
                    problems.append('-s: loader rules: %s' % chk.stdout.decode().strip())
        if row['exit'] != 0:
            negative += 1
        if problems:
            failed += 1
            failures.append((row['id'], problems))
        elif row['exit'] == 0:
            passed += 1
    # Our C rendering of the loader rules must agree with the spec's Python
    # model on the reference files (which use fixed blocks only, all the
    # model can decode): all accepted except the three quirk_sigbytes.
    refs = sorted(set(os.path.join(conf, r['output']) for r in rows
                      if '.pi' in r['output'] and r['exit'] == 0))
    py = subprocess.run([sys.executable, os.path.join(tools, 'lfs51loader.py')] + refs,
                        stdout=subprocess.PIPE).stdout.decode().splitlines()
    rejected = 0
    for path, line in zip(refs, py):
        c = subprocess.run([picheck, path], stdout=subprocess.PIPE)
        model_ok = ' OK matches=' in line
        if model_ok != (c.returncode == 0):
            failed += 1
            failures.append((path, ['loader rules disagree with lfs51loader.py: %s / %s'
                                    % (c.stdout.decode().strip(), line)]))
        rejected += not model_ok
    if len(py) != len(refs) or rejected != 3:
        failed += 1
        failures.append(('lfs51loader.py', ['%d verdicts for %d files, %d rejected (want 3)'
                                            % (len(py), len(refs), rejected)]))
    print('reference PI files: %d, rejected by both loader models: %d (quirk_sigbytes)'
          % (len(refs), rejected))
    for vid, probs in failures:
        print('FAIL', vid)
        for pr in probs:
            print('   ', pr)
    if 'float/all.pi.img' in ours_pi:
        o, r = ours_pi['float/all.pi.img']
        print('float/all.pi.img: lfsc %d bytes, reference %d bytes (%.1f%%)' % (o, r, 100.0 * o / r))
    tot_o = sum(v[0] for v in ours_pi.values())
    tot_r = sum(v[1] for v in ours_pi.values())
    if tot_r:
        print('all PI vectors: lfsc %d bytes, reference %d bytes' % (tot_o, tot_r))
    print('%d passed, %d failed (%d image vectors, %d negative)' % (
        passed, failed, len(rows) - negative, negative))
    if len(rows) - negative < 145:
        print('MANIFEST.md lists only %d image vectors: parse error?' % (len(rows) - negative))
        return 1
    return 1 if failed or passed + negative != len(rows) else 0


if __name__ == '__main__':
    sys.exit(main())
