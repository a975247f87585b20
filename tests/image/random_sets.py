#!/usr/bin/env python3
"""Random multi-module images: generate Lua modules (many strings, shared
and binary ones, nested functions, tables, line gaps), build images of 1 to
200 modules with our luac.cross for a random variant and kind, and check:

* the image decodes (spec decoder lfs51dec), and re-emitting its decoded
  tree with the spec's independent model (lfs51model.Builder: ROstrt order,
  layout, relocation bitmap, absolute relocation) gives exactly our image
  and bitmap, beyond 50 modules too;
* structural rules: every flagged word after the header and the buckets
  points backwards,
  no string twice in the ROstrt, header sizes consistent;
* the index function: one child per module in command-line order, k[i] the
  module name, k[n] the timestamp, the reference's code for n <= 50 and the
  batched form beyond (spec §9 and image.c);
* PI files pass the firmware loader's rules (PICHECK).

usage: random_sets.py LUAC_CROSS PICHECK TOOLS_DIR WORK_DIR [SEED [NSETS]]
"""
import os, random, struct, subprocess, sys, zlib

TS = 1234567890
VARIANTS = {'float': 'float12', 'float16': 'float16', 'int': 'int'}


def lua_string(rnd, pool):
    r = rnd.random()
    if r < 0.3:
        return rnd.choice(pool)
    if r < 0.45:   # binary bytes, escaped
        return ''.join('\\%d' % rnd.randrange(256) for _ in range(rnd.randrange(0, 12)))
    n = rnd.choice([0, 1, 3, 8, 20, 40, 100, 300])
    alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:/'
    return ''.join(rnd.choice(alphabet) for _ in range(n))


def gen_module(rnd, idx, pool):
    out = ['-- generated module %d' % idx, 'local M = {}']
    nfun = rnd.randrange(0, 6)
    for f in range(nfun):
        out.append('\n' * rnd.choice([0, 0, 1, 5, 70, 200]))
        body = ['  local x%d = "%s"' % (j, lua_string(rnd, pool)) for j in range(rnd.randrange(0, 5))]
        if rnd.random() < 0.5:
            body.append('  local function inner(y) return y .. "%s" end' % lua_string(rnd, pool))
            body.append('  return inner(a)')
        else:
            body.append('  return a + %d, b' % rnd.randrange(-1000, 1000))
        out.append('function M.f%d(a, b)\n%s\nend' % (f, '\n'.join(body)))
    items = []
    for _ in range(rnd.randrange(0, 40)):
        r = rnd.random()
        if r < 0.5:
            items.append('"%s"' % lua_string(rnd, pool))
        elif r < 0.8:
            items.append(str(rnd.randrange(-100000, 100000)))
        else:
            items.append(rnd.choice(['true', 'false', 'nil']))
    out.append('M.t = {%s}' % ', '.join(items))
    out.append('M.k = {["%s"] = %d}' % (lua_string(rnd, pool), rnd.randrange(1000)))
    out.append('return M')
    return '\n'.join(out) + '\n'


def index_code(n):
    """Index function code: the reference's for n <= 50 (spec §9); beyond,
    names past constant 255 go through R1 and SETLIST runs in batches of 50."""
    def abc(op, a, b, c): return op | a << 6 | b << 23 | c << 14
    def abx(op, a, bx): return op | a << 6 | bx << 14
    EQ, JMP, CLOSURE, RETURN, LOADK, NEWTABLE, SETLIST = 23, 22, 36, 30, 1, 10, 34
    code = []
    for i in range(n):
        if i <= 255:
            code.append(abc(EQ, 0, 0, 256 + i))
        else:
            code += [abx(LOADK, 1, i), abc(EQ, 0, 0, 1)]
        code += [abx(JMP, 0, 131071 + 2), abx(CLOSURE, 1, i), abc(RETURN, 1, 2, 0)]
    x, e = n, 0
    while x >= 16:
        x = (x + 1) >> 1
        e += 1
    fb = x if x < 8 else ((e + 1) << 3) | (x - 8)
    code += [abx(LOADK, 1, n), abc(NEWTABLE, 2, fb, 0)]
    for start in range(0, n, 50):
        cnt = min(50, n - start)
        code += [abx(LOADK, 3 + j, start + j) for j in range(cnt)]
        code.append(abc(SETLIST, 2, cnt, start // 50 + 1))
    code += [abc(RETURN, 1, 3, 0), abc(RETURN, 0, 1, 0)]
    return code


def abstract(P):
    return dict(source=P['source_s'], lineinfo=P['lineinfo_b'], k=P['kv'], upv=P['upv'],
                locv=P['locv'], children=[abstract(c) for c in P['children']], code=P['codev'],
                linedefined=P['linedefined'], lastlinedefined=P['lastlinedefined'],
                nups=P['nups'], numparams=P['numparams'], is_vararg=P['is_vararg'],
                maxstacksize=P['maxstacksize'])


def check_set(args, rnd, setno, nmod, pool):
    luac, picheck, tools, work = args
    import lfs51dec, lfs51model
    d = os.path.join(work, 'set%d' % setno)
    os.makedirs(d, exist_ok=True)
    files, names = [], []
    for i in range(nmod):
        sub = rnd.choice(['', 'lib/', 'lib.v2/', 'a/b/'])
        ext = rnd.choice(['.lua', '.x.lua', '.lua'])
        name = 'm%d_%d' % (setno, i)
        path = os.path.join(d, sub + name + ext)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as fp:
            fp.write(gen_module(rnd, i, pool))
        files.append(os.path.relpath(path, d))
        names.append(name.encode())
    variant = rnd.choice(list(VARIANTS))
    absolute = rnd.random() < 0.4
    addr = 0x40210000 + 4 * rnd.randrange(0x40000) if absolute else 0
    out = os.path.join(d, 'img')
    # word-aligned addresses anywhere in the reference's range test the
    # format, not the firmware's placement rules: hence --no-window-check
    argv = [luac, '-t', variant, '-m', str(0x3E0000), '--no-window-check', '--timestamp', str(TS),
            '-o', out]
    argv += ['-a', hex(addr)] if absolute else ['-f']
    p = subprocess.run(argv + files, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    what = 'set %d: %d modules, %s %s' % (setno, nmod, variant, 'ABS@%#x' % addr if absolute else 'PI')
    if p.returncode != 0:
        return what, ['luac.cross failed: ' + p.stderr.decode(errors='replace')]
    raw = open(out, 'rb').read()
    problems = []
    im = lfs51dec.Image(raw)
    main = im.main()
    tree = abstract(main)
    img, bm = lfs51model.Builder(VARIANTS[variant]).build(tree, address=addr)
    if img != im.img:
        problems.append('image differs from the model rebuild of its own tree')
    if not absolute:
        if bm != im.bitmap:
            problems.append('bitmap differs from the model')
        chk = subprocess.run([picheck, '--partition', str(0x1000000), out],
                             stdout=subprocess.PIPE)
        if chk.returncode:
            problems.append('loader rules: ' + chk.stdout.decode().strip())
        # every pointer after the header and the bucket vector points back
        for i, t in enumerate(im.tags):
            if t and i >= 8 + im.nROsize and im.words[i] >= i:
                problems.append('word %d points forward' % i)
                break
    strings = [ts['s'] for ts in im.strings_seq()]
    if len(set(strings)) != len(strings) or len(strings) != im.nROuse:
        problems.append('ROstrt holds a string twice')
    if im.size != len(im.img) or im.nROsize != 2 << (im.nROuse.bit_length() - 1):
        problems.append('header sizes')
    if len(main['children']) != nmod:
        problems.append('index has %d children' % len(main['children']))
    if [k for k in main['kv'][:nmod]] != [('str', n) for n in names]:
        problems.append('index names differ')
    if main['kv'][nmod] != ('num', TS):
        problems.append('index timestamp %r' % (main['kv'][nmod],))
    if main['codev'] != index_code(nmod):
        problems.append('index code differs')
    if main['maxstacksize'] != 3 + min(nmod, 50):
        problems.append('index maxstacksize %d' % main['maxstacksize'])
    srcs = [c['source_s'] for c in main['children']]
    if srcs != [('@' + f).encode() for f in files]:
        problems.append('module sources out of order')
    return what, problems


def main():
    luac, picheck, tools, work = sys.argv[1:5]
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    nsets = int(sys.argv[6]) if len(sys.argv) > 6 else 16
    sys.path.insert(0, tools)
    luac = os.path.abspath(luac)
    picheck = os.path.abspath(picheck)
    rnd = random.Random(seed)
    pool = [lua_string(rnd, ['x']) for _ in range(30)]
    sizes = [1, 50, 51, 200, 2, 49, 120, 7]
    sizes += [rnd.randrange(1, 201) for _ in range(max(0, nsets - len(sizes)))]
    passed = failed = 0
    for setno, n in enumerate(sizes[:nsets]):
        what, problems = check_set((luac, picheck, tools, work), rnd, setno, n, pool)
        if problems:
            failed += 1
            print('FAIL', what)
            for pr in problems:
                print('   ', pr)
        else:
            passed += 1
            print('ok  ', what)
    print('%d passed, %d failed' % (passed, failed))
    if passed + failed < nsets:
        print('FAIL: only %d sets checked, %d expected' % (passed + failed, nsets))
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
