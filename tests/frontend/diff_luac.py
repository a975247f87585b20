#!/usr/bin/env python3
"""Differential test of the front end against Debian's luac5.1.

Compiles hand-written tricky snippets (valid and invalid) and seeded
random programs with `luac.cross -t host` and with `luac5.1`, with and
without -s, and requires identical bytes, or identical error messages
(after the program name). Exit 77 (skipped) when luac5.1 is missing.

With OTHER_LUAC_CROSS (a 64-bit build's luac.cross, when this one is
-m32, whose host format cannot match Debian's 64-bit luac5.1) both are
run for the NodeMCU float target instead: a 32-bit host must compile
exactly like a 64-bit one.

Random programs against luac5.1 are checked in bulk, so that thousands fit
in a CI run: one lua5.1 process loads every program (loadfile gives
luac's message for an invalid one); the valid ones are compiled by both
compilers in one run each, all files combined under one main function
(and again with -s), and must give the same bytes; each invalid one is
compiled by luac.cross alone and must fail with lua5.1's message. When
the combined outputs differ, every valid program is compared alone to
name the culprits.

usage: diff_luac.py LUAC_CROSS WORKDIR [NRANDOM [OTHER_LUAC_CROSS]]
"""
import os
import random
import shutil
import subprocess
import sys

SNIPPETS = [
    # operators, precedence, folding
    'x = 1 + 2 * 3 ^ 2 ^ -1 .. "a" .. "b" == c',
    'x = -2 ^ 2', 'x = not a == b', 'x = a + b - c * d / e % f ^ g', 'x = #t + -y',
    'x = 1/0', 'x = 0/0', 'x = -0', 'x = 0, -0', 'x = -0, 0', 'x = 5 % 0', 'x = 2^0.5',
    'x = (-8)^(1/3)', 'x = "a" + 1', 'x = 1e308 * 10', 'x = 2^53 + 1',
    # conditions and values
    'local x = a or false', 'local x = false and a', 'local x = true or a',
    'local x = a and true or false', 'local x = nil or a', 'if true then f() end',
    'if false then f() end', 'while true do f() end', 'local x = not nil', 'local x = not 1',
    'if not a then f() end', 'local x = a and b or c and d', 'x = a == 1', 'x = 1 < a',
    'x = a >= 2', 'x = not (a < b)', 'x = 1 == a, a ~= 1, nil == a, a == nil, true == a',
    'if a == "x" or b ~= 3 and c then f() elseif not d then g() else h() end',
    'f(a and b)', 'local t = {a and b, c or d}', 'return a and b or c',
    # calls, returns, varargs
    'return f(x)', 'return (f(x))', 'return f(x), g(y)', 'return ...', 'return a, ...',
    'local a, b = ...', 'local a, b, c = f()', 'local a, b = f(), g()', 'local a = f(), g()',
    'function f(a, b, ...) return select("#", ...) end', 'function f(...) return arg end',
    'function f(...) local x = ... end', 'x = {...}', 'x = {..., 1}', 'x = {f(), g()}',
    # assignment
    'a, b = b, a', 'a.x, a.y = a.y, a.x', 'local a, b; a, b.c = b, a', 'local a; a, a.x = 1, 2',
    'local t; t[1], t = 1, 2', 'local i, t; t[i], i = 1, 2', 'a.b.c.d = 1',
    'a[b][c] = d[e][f]', 'a.b.c:d(1, 2, ...)', 'local s = "x"; s:upper():lower()',
    'f{1,2,3}', 'f"str"', 'f[[long]]',
    # loops and scopes
    'for i = 10, 1, -1 do end', 'for i = a, b, c do f(i) end',
    'for k, v in pairs(t) do print(k, v) end', 'for a, b, c, d, e in f() do end',
    'for k in next, t do break end', 'while a do if b then break end end',
    'repeat a = a + 1 until a > 10',
    'repeat local x = 1; local f = function() return x end until x',
    'repeat local x = 1; if y then break end; local f = function() return x end until x',
    'do local a; local function f() return a end end',
    'while true do local a; f(function() return a end); if x then break end end',
    'local function f(...) local arg = 1 return arg end',
    'function a.b.c() end', 'function a:b() return self end',
    # lexer corners
    'x = [[]] y = [=[]=] z = [==[a]=]b]==] w = [[\nx]]',
    '--[[ c ]] x = 1 --[=[ c\nc ]=] y = 2 -- [[ z\nz = 3',
    'x = "\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\x\\065\\0651\\255"', "x = '\\''",
    'x = 0x10, 0XfF, 1e2, 1E-2, .5e1, 3., 0x1p4', 'x = 9007199254740993',
    'x = 1e400, -1e400', 'x = 1\ry = 2\r\rz = 3', 'x = 1\n\ry = 2\r\nz = 3\n\n\r\rw = 4',
    'x = [[\r\na\r\n\rb]]\nf()', 'x = "a\\\r\nb"\ny=1', '#!/usr/bin/lua\nx = 1',
    'f(\n1,\n2\n)\ng{\n}', 'local t = {\n1,\n2;\nf()\n}', 'if a\nthen\nb()\nelse\nc()\nend',
    'x = a\nand\nb\nor\nc', 'a.b\n:c\n(1)', 'for i\n=\n1\n,\n2\ndo\nend',
    # errors
    'x = @', 'x = "abc', 'x = "abc\ny"', 'x = 3x', 'x = [[a [[b]]', 'x = 0xA.8p1', 'x=\x01',
    'function f() ', 'function f()\n\n x=1', 'x = = 1', 'x', 'f() g', 'f\n(g)',
    'function f() return ... end', 'break', 'for i=1 do end', 'for i in do end',
    'local function end', 'x = {1,2', 'x = {1,2\n', 'x = [==[ abc', '--[==[ abc',
    'x = [=x', 'x = "\\300"', 'a.b:c = 1', 'a, b() = 1, 2', 'x = 1..2', 'x = 1e',
    '(a) = 1', 'return return', 'return 1 x = 2', 'local 1', 'x = {[1] 2}', 'f(1,)',
    'x = function(a b) end', 'x = function(...,a) end', 'if x else end', 'do end end',
    'x = 1 // 2', 'goto x', '::lbl::', 'x = "a\x00b\n',
]


def generated(n):
    """Seeded random programs; about half are valid Lua 5.1."""
    out = []
    for seed in range(n):
        rnd = random.Random(seed)
        out.append(Gen(rnd).program())
    return out


class Gen:
    NAMES = ['g', 'h', 'x', 'y', 't', 'print']
    KONST = ['nil', 'true', 'false', '0', '1', '-1', '2.5', '1e3', '0x10', '-0', '255',
             '256', '"a"', "'b'", '[[c]]', '""', '0/0', '2^63']
    CMP = ['==', '~=', '<', '<=', '>', '>=']
    ARITH = ['+', '-', '*', '/', '%', '^', '..']

    def __init__(self, rnd):
        self.r = rnd

    def name(self, scope):
        if scope and self.r.random() < 0.6:
            return self.r.choice(scope)
        return self.r.choice(self.NAMES)

    def expr(self, scope, d=0):
        r = self.r
        if d > 4 or r.random() < 0.3:
            return self.atom(scope, d)
        c = r.randrange(7)
        if c == 0:
            return r.choice(['not ', '-', '#']) + self.expr(scope, d + 1)
        if c == 1:
            return '(%s %s %s)' % (self.expr(scope, d + 1), r.choice(['and', 'or']),
                                   self.expr(scope, d + 1))
        if c == 2:
            return '%s %s %s' % (self.expr(scope, d + 1), r.choice(self.CMP),
                                 self.expr(scope, d + 1))
        return '%s %s %s' % (self.expr(scope, d + 1), r.choice(self.ARITH + ['and', 'or']),
                             self.expr(scope, d + 1))

    def args(self, scope, d):
        a = [self.expr(scope, d + 1) for _ in range(self.r.randrange(3))]
        if self.r.random() < 0.15:
            a.append('...')
        return ', '.join(a)

    def atom(self, scope, d):
        r = self.r
        c = r.randrange(11)
        if c < 2:
            return r.choice(self.KONST)
        if c == 2:
            return '...' if r.random() < 0.3 else self.name(scope)
        if c == 3:
            return self.name(scope) + '.' + r.choice(['f', 'x'])
        if c == 4:
            return '%s[%s]' % (self.name(scope), self.expr(scope, d + 1))
        if c == 5:
            return '%s(%s)' % (self.name(scope), self.args(scope, d))
        if c == 6:
            return '%s:m(%s)' % (self.name(scope), self.args(scope, d))
        if c == 7:
            items = [r.choice(['', 'k = ', '[1] = ']) + self.expr(scope, d + 1)
                     for _ in range(r.randrange(4))]
            return '{' + r.choice([', ', '; ']).join(items) + '}'
        if c == 8 and d < 3:
            return 'function(a, b) %s end' % self.block(scope + ['a', 'b'], d + 1)
        if c == 9:
            return '(' + self.expr(scope, d + 1) + ')'
        return self.name(scope)

    def target(self, scope):
        r = self.r
        c = r.randrange(3)
        if c == 0:
            return self.name(scope)
        if c == 1:
            return self.name(scope) + '.' + r.choice(['x', 'y'])
        return '%s[%s]' % (self.name(scope), self.name(scope))

    def stat(self, scope, d, loop):
        r = self.r
        c = r.randrange(15)
        if c == 0:
            names = ['l%d' % r.randrange(5) for _ in range(r.randrange(1, 4))]
            s = 'local ' + ', '.join(names)
            if r.random() < 0.7:
                s += ' = ' + ', '.join(self.expr(scope, d) for _ in range(r.randrange(1, 4)))
            scope.extend(names)
            return s
        if c == 1:
            return '%s = %s' % (', '.join(self.target(scope) for _ in range(r.randrange(1, 4))),
                                ', '.join(self.expr(scope, d) for _ in range(r.randrange(1, 4))))
        if c == 2:
            return '%s(%s)' % (self.name(scope), self.args(scope, d))
        if d < 4:
            if c == 3:
                s = 'if %s then %s' % (self.expr(scope, d), self.block(scope, d + 1, loop))
                if r.random() < 0.4:
                    s += ' elseif %s then %s' % (self.expr(scope, d), self.block(scope, d + 1, loop))
                if r.random() < 0.5:
                    s += ' else ' + self.block(scope, d + 1, loop)
                return s + ' end'
            if c == 4:
                return 'while %s do %s end' % (self.expr(scope, d), self.block(scope, d + 1, True))
            if c == 5:
                return 'for i = %s do local b = i %s%s end' % (
                    r.choice(['10, 1, -1', '1, n', 'a, b, c', '1, 3', '1, 2, 0.5']),
                    'f(function() return b, i end) ' if r.random() < 0.4 else '',
                    self.block(scope + ['i', 'b'], d + 1, True))
            if c == 6:
                return 'for k, v in %s do %s end' % (self.expr(scope, 3),
                                                     self.block(scope + ['k', 'v'], d + 1, True))
            if c == 7:
                return 'repeat local u = %s %s%s until %s' % (
                    self.expr(scope, 3), 'f(function() return u end) ' if r.random() < 0.4 else '',
                    self.block(scope + ['u'], d + 1, True), self.expr(scope + ['u'], d))
            if c == 8:
                return 'do %s end' % self.block(scope, d + 1, loop)
            if c == 9 and d < 3:
                n = 'lf%d' % r.randrange(3)
                scope.append(n)
                return 'local function %s(p, ...) %s end' % (n, self.block(scope + ['p'], d + 1))
            if c == 10 and d < 3:
                return 'function %s(q) %s end' % (r.choice(['gf', 'a.b', 'a.b:c', 't.x']),
                                                  self.block(scope + ['q'], d + 1))
        if c == 11 and loop:
            return 'break'
        if c == 12:
            return 'return ' + ', '.join(self.expr(scope, d) for _ in range(r.randrange(3)))
        return '%s:m(%s)' % (self.name(scope), self.expr(scope, d))

    def block(self, scope, d, loop=False):
        scope = list(scope)
        out = []
        for _ in range(self.r.randrange(1, 5)):
            s = self.stat(scope, d, loop)
            out.append(s)
            if s.startswith('return') or s == 'break':
                break
        return self.r.choice(['\n', ' ', '; ']).join(out)

    def program(self):
        return 'local a, b, c = ...\nlocal n = 5\n' + self.block(['a', 'b', 'c', 'n'], 0) + '\n'


def run(cmd, cwd=None):
    p = subprocess.run(cmd, capture_output=True, cwd=cwd)
    msg = p.stderr.decode('latin-1').strip()
    if ': ' in msg:
        msg = msg.split(': ', 1)[1]
    return p.returncode, msg


LOADER = r"""
-- every program: "1" when it loads, else "0 " and the message
local out = assert(io.open(arg[2], "wb"))
for p in io.lines(arg[1]) do
  local f, e = loadfile(p)
  out:write(f and "1" or ("0 " .. e:gsub("\n", "\\n")), "\n")
end
out:close()
"""


def bulk_random(ours, work, programs):
    """(passed, failed, valid) over the random programs, in bulk (see above)."""
    ours = os.path.abspath(ours)
    rdir = os.path.join(work, "random")
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    names = []
    for i, text in enumerate(programs):
        n = 'r%05d.lua' % i
        with open(os.path.join(rdir, n), 'wb') as f:
            f.write(text.encode('latin-1'))
        names.append(n)
    with open(os.path.join(rdir, 'list'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    with open(os.path.join(rdir, 'loader.lua'), 'w') as f:
        f.write(LOADER)
    subprocess.run(['lua5.1', 'loader.lua', 'list', 'verdicts'], cwd=rdir, check=True)
    with open(os.path.join(rdir, 'verdicts'), 'rb') as f:
        verdicts = f.read().decode('latin-1').split('\n')[:len(names)]
    good = [n for n, v in zip(names, verdicts) if v == '1']
    passed = failed = 0
    for strip in ([], ['-s']):
        a = subprocess.run([ours, '-t', 'host'] + strip + ['-o', '-'] + good, cwd=rdir,
                           capture_output=True)
        b = subprocess.run(['luac5.1'] + strip + ['-o', '-'] + good, cwd=rdir, capture_output=True)
        if a.returncode == 0 and b.returncode == 0 and a.stdout == b.stdout:
            passed += len(good)
            continue
        for n in good:          # name the culprits
            a = subprocess.run([ours, '-t', 'host'] + strip + ['-o', '-', n], cwd=rdir,
                               capture_output=True)
            b = subprocess.run(['luac5.1'] + strip + ['-o', '-', n], cwd=rdir, capture_output=True)
            if a.returncode == 0 and a.stdout == b.stdout:
                passed += 1
            else:
                failed += 1
                print('FAIL random %s %s: bytes differ from luac5.1 (%s)'
                      % (n, ' '.join(strip), a.stderr.decode('latin-1').strip()))
    for n, v in zip(names, verdicts):
        if v == '1':
            continue
        want = v[2:].replace('\\n', '\n')
        rc, msg = run([ours, '-t', 'host', '-p', n], cwd=rdir)
        if rc != 0 and msg == want:
            passed += 1
        else:
            failed += 1
            print('FAIL random %s\n  ours: %s\n  lua5.1: %s' % (n, msg, want))
    print('%d random programs: %d compiled by both (in one run, and again with -s), '
          '%d rejected by both with the same message'
          % (len(names), len(good), len(names) - len(good)))
    return passed, failed, len(good)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    ours, work = sys.argv[1], sys.argv[2]
    nrandom = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    # LFSC_SAMPLE=N (run-all.sh's sanitizer and -m32 runs): N times fewer.
    nrandom = max(1, nrandom // int(os.environ.get('LFSC_SAMPLE', '1')))
    if len(sys.argv) > 4:
        ours_cmd, ref_cmd = [ours, '-t', 'float'], [sys.argv[4], '-t', 'float']
    else:
        if not shutil.which('luac5.1'):
            print('luac5.1 not installed: skipped')
            return 77
        ours_cmd, ref_cmd = [ours, '-t', 'host'], ['luac5.1']
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, 'snippet.lua')
    out_a, out_b = os.path.join(work, 'a.out'), os.path.join(work, 'b.out')
    cases = [('snippet %d' % i, s) for i, s in enumerate(SNIPPETS)]
    bulk = None
    if len(sys.argv) > 4:       # no lua5.1 to sort the programs: one by one
        cases += [('random seed %d' % i, s) for i, s in enumerate(generated(nrandom))]
    else:
        bulk = bulk_random(ours, work, generated(nrandom))
    passed = failed = valid = 0
    if bulk:
        passed, failed, valid = bulk
    for label, text in cases:
        with open(src, 'wb') as f:
            f.write(text.encode('latin-1'))
        for strip in ([], ['-s']):
            for p in (out_a, out_b):
                if os.path.exists(p):
                    os.remove(p)
            ra, ma = run(ours_cmd + strip + ['-o', out_a, src])
            rb, mb = run(ref_cmd + strip + ['-o', out_b, src])
            if ra != 0 or rb != 0:
                ok = (ra != 0) == (rb != 0) and ma == mb
            else:
                valid += 1
                with open(out_a, 'rb') as fa, open(out_b, 'rb') as fb:
                    ok = fa.read() == fb.read()
            if ok:
                passed += 1
            else:
                failed += 1
                print('FAIL %s %s\n  source: %r\n  ours: %s\n  luac: %s'
                      % (label, ' '.join(strip), text[:200], ma, mb))
    print('%d compiled by both, the rest rejected by both' % valid)
    print('%d passed, %d failed' % (passed, failed))
    # every snippet twice (plain and -s), every random program at least once
    at_least = 2 * len(SNIPPETS) + nrandom
    if passed + failed < at_least:
        print('FAIL: only %d checks ran, at least %d expected' % (passed + failed, at_least))
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
