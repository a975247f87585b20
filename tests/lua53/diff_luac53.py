#!/usr/bin/env python3
"""Differential test of the Lua 5.3 front end against Debian's luac5.3.

Compiles tricky snippets (valid ones, and one or more per error-message
family) and seeded random programs (tests/frontend/diff_luac.py's
generator with 5.3's operators, integer/float numerals, goto and labels)
with lua53c and with luac5.3, with and without -s: identical bytes, or
identical messages (luac5.3's without its program name). Exit 77 when
luac5.3 is missing.

usage: diff_luac53.py LUA53C WORKDIR [NRANDOM]
"""
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'frontend'))
from diff_luac import Gen  # noqa: E402

SNIPPETS = [
    # 5.3 operators, precedence and folding
    'x = 7 // 2, 7.0 // 2, -7 // 2, 7 // -2, 7 % -3, -7 % 3, 7.5 % -2, -0.0 % 1',
    'x = 1 // 0, 1 % 0, 1.0 // 0, 1 % 0.0, 0/0, 1/0, -1/0, 0.0 // 0.0',
    'x = 3 & 5 | 6 ~ 1 << 2 >> 1, ~0, ~5, ~-1, ~1.0, ~1.5, 1 & 1.5, "1" & 1',
    'x = 1 << 63, 1 << 64, 1 << -1, -1 >> 1, 1 >> -63, 1 << 1e100, 2^63 | 0',
    'x = math.mininteger // -1, -9223372036854775807 - 1, 9223372036854775807 + 1',
    'x = -9223372036854775808, 9223372036854775808, 0x7fffffffffffffff + 1, 0xffffffffffffffff',
    'x = 2^53, 2^63, 2^64, -2^63, 2^0.5, (-8)^(1/3), 10 // 3.0, 2^2, 2.0^2',
    'x = 1e308 * 10, -1e308 * 10, 1e-320, -(0.0), -0.0, 0.0, -0, 0 * -1.0',
    'x = 1 + 2 * 3 ^ 2 ^ -1 .. "a" .. "b" == c', 'x = -2 ^ 2', 'x = not a == b',
    'x = a & b | c ~ d << e >> f // g .. h', 'x = 1 .. 2', 'x = 1 < 2, 1 == 1.0, "a" < "b"',
    'x = 3 - -3, - - 3, -(-3), not not nil, #"abc", -"2", - {}',
    'local a <const> = 1',
    'x = 0x10, 0XfF, 1e2, 1E-2, .5e1, 3., 0x1p4, 0x.8, 0xA.8p1, 0x1P-2, 1e+2',
    'x = 9007199254740993, 123456789012345678901234567890, 0x123456789abcdef01',
    'x = 1e400, -1e400, 2^1024, 3 % math.huge',
    'x = 5 // 0.0, -5 // 0.0, 0 // 0.0', 'x = 2^-1074, 2^-1075',
    'x = 0.1 + 0.2, 1/3, 100 * 1.1, 3.0 == 3',
    # constants: the shared scanner table of 5.3
    'local a = "x"; local function f() return "y", "x" end; local b = "x"',
    'local a = 1; local function f() return 2, 1 end; local b = 1, 1.0, 2',
    'local t = {1, 1.0, 0, 0.0, -0.0, "1", true, false, nil}',
    'local x = 0.0; local y = -0.0; local z = 0',
    # conditions, values, jumps
    'local x = a or false', 'local x = false and a', 'if true then f() end',
    'while true do f() end', 'local x = not 1', 'if not a then f() end',
    'x = a == 1, 1 == a, a ~= 1, nil == a, a == nil, a > 1, 1 > a, a >= b',
    'if a == "x" or b ~= 3 and c then f() elseif not d then g() else h() end',
    'return a and b or c', 'f(a and b)', 'local t = {a and b, c or d}',
    # calls, returns, varargs
    'return f(x)', 'return (f(x))', 'return f(x), g(y)', 'return ...', 'return a, ...',
    'local a, b = ...', 'local a, b, c = f()', 'local a = f(), g()', 'x = {...}',
    'function f(a, b, ...) return select("#", ...) end', 'f{1,2,3}', 'f"str"', 'f[[long]]',
    # assignment (conflicts, upvalue tables)
    'a, b = b, a', 'a.x, a.y = a.y, a.x', 'local a, b; a, b.c = b, a',
    'local a; a, a.x = 1, 2', 'local t; t[1], t = 1, 2', 'local i, t; t[i], i = 1, 2',
    'local u = {}; function f() u, u.x = 1, 2 end',
    'local u = {}; function f() u.x, u = 1, 2 end', 'a.b.c.d = 1', 'a[b][c] = d[e][f]',
    'local e = _ENV; x = 1; local _ENV = {}; y = 2', 'function f(_ENV) return x end',
    # loops, scopes, goto
    'for i = 10, 1, -1 do end', 'for i = 1, 3 do local function f() return i end end',
    'for k, v in pairs(t) do print(k, v) end', 'for a, b, c, d, e in f() do end',
    'for k in a, b, c, d do end', 'for k in f do end',
    'while a do if b then break end end', 'repeat a = a + 1 until a > 10',
    'repeat local x = 1; local f = function() return x end until x',
    'repeat local x; if y then break end; local f = function() return x end until x',
    'do local a; local function f() return a end end',
    'for i = 1, 3 do if i == 2 then goto continue end; print(i) ::continue:: end',
    'do goto l; local x; ::l:: end', '::top:: x = x + 1 if x < 3 then goto top end',
    'do local x; goto l; ::l:: end', 'while x do local y = function() return x end; goto e end ::e::',
    'do local a = 1; local f = function() return a end; goto out end ::out::',
    'if x then goto a end ::a:: ;; ::b:: return', 'if x then break end',
    'while x do if y then break end; local z; if w then break end end',
    'for i = 1, 2 do do end\nend',
    'local function f() local x; return function() x = 1; goto done; ::done:: end end',
    # lexer corners: 5.3 escapes, long brackets, line breaks
    'x = "\\z   \n  a\\x41\\u{48}\\u{7FF}\\u{FFFF}\\u{10FFFF}\\065\\0651\\255"',
    'x = "a\\z\n\n\n  b"\ny = 1', "x = '\\'' .. \"\\\"\"",
    'x = [[]] y = [=[]=] z = [==[a]=]b]==] w = [[\nx]] v = [[a [[ b]]',
    '--[[ c ]] x = 1 --[=[ c\nc ]=] y = 2 -- [[ z\nz = 3',
    'x = 1\ry = 2\r\rz = 3', 'x = 1\n\ry = 2\r\nz = 3\n\n\r\rw = 4', '#!/usr/bin/lua\nx = 1',
    '\xef\xbb\xbfx = 1', '\xef\xbb\xbf#!x\ny = 2', '\xef\xbbx = 1', '\xef#x\ny = 2',
    '\xef\xbb', '#', '#\n', '\xef\xbb\xbf', '\xef\xbb\xbf\xef\xbb\xbfx = 1', 'f(\n1,\n2\n)\ng{\n}', 'x = a\nand\nb',
    'local t = {\n1,\n2;\nf()\n}', 'x = 1 + \n2 * \n3 .. \n"a"\n- -\n4', 'x = -\n\n\na',
    'x = f\n(1)\n(2)', 'x = 3x',
    # error families: lexer
    'x = @', 'x = "abc', 'x = "abc\ny"', 'x = [[a', '--[==[ abc', 'x = [=x', 'x = [==',
    'x = "\\q"', 'x = "\\x4g"', 'x = "\\x"', 'x = "\\u{110000}"', 'x = "\\u{12"', 'x = "\\u12"',
    'x = "\\u{}"', 'x = "\\300"', 'x = "\\256\\', 'x = 0x', 'x = 1e', 'x = 1e+', 'x = 0x1p',
    'x = 1..2', 'x = 3.4.5', 'x = 0xg', 'x=\x01', 'x = \x80', 'x = "a\\', 'x = "a\\\r',
    # error families: parser
    'x = = 1', 'x', 'f() g', 'function f() ', 'function f()\n\n x=1', 'x = {1,2', 'x = {1,2\n',
    'function f() return ... end', 'break', 'do break end', 'for i=1 do end',
    'for i in do end', 'for i do end', 'local function end', 'a.b:c = 1', 'a, b() = 1, 2',
    '(a) = 1', 'return return', 'return 1 x = 2', 'local 1', 'x = {[1] 2}', 'f(1,)',
    'x = function(a b) end', 'x = function(...,a) end', 'if x else end', 'do end end',
    'goto x', 'goto', 'goto 1', 'do goto x end ::x::', '::a:: ::a::', '::a:: do ::a:: end',
    'do ::a:: end ::a::', '::a', ':: a ::', 'goto l; local x; ::l:: print(x)',
    'repeat goto l; local x; ::l:: until x', 'x = a..', 'x = (1', 'x = (1\n\n',
    'if x then', 'while x do', 'repeat x = 1', 'f(', 'f(\n\n', 'a.', 'a:b', 'a:b.c()',
    'x = ~', 'x = a ~= ', 'x = a // ', 'x = a >>', 'local x <const> = 1', 'x = 1 = 2',
    'local a, b, = 1', 'function a:b:c() end', 'function a.b() end end', 'return ;;',
    'return 1;;', 'x = {;}', 'x = {,}', 'x = { a = }', 'f{} = 1', '("x"):f() = 1',
    '::lbl:: goto lbl2', 'local x = ...; local function f() return ... end',
]


def limit_snippets():
    """Programs at 5.3's limits: registers, locals, upvalues, C levels."""
    out = []
    out.append('local ' + ', '.join('v%d' % i for i in range(199)) + ' = 1')
    out.append('local ' + ', '.join('v%d' % i for i in range(201)) + ' = 1')
    out.append('function f()\n local ' + ', '.join('v%d' % i for i in range(201)) + '\nend')
    ups = '\n'.join('local u%d = %d' % (i, i) for i in range(150))
    out.append(ups + '\nlocal function g()\n' + ups.replace('local u', 'local w') +
               '\nreturn function() return ' + ' + '.join(['u%d' % i for i in range(150)] +
                                                      ['w%d' % i for i in range(150)]) +
               ' end end')
    out.append('x = ' + '(' * 150 + '1' + ')' * 150)
    out.append('x = ' + '(' * 250 + '1' + ')' * 250)
    out.append('x = ' + '{' * 198 + '}' * 198)
    out.append('x = ' + '{' * 199 + '}' * 199)
    out.append('x = ' + '- ' * 197 + '1')
    out.append('x = ' + '- ' * 198 + '1')
    out.append('x = ' + 'not ' * 199 + '1')
    out.append('do ' * 100 + 'x = ' + '(' * 99 + '1' + ')' * 99 + ' end' * 100)
    out.append('do ' * 100 + 'x = ' + '(' * 100 + '1' + ')' * 100 + ' end' * 100)
    out.append('x = ' + 'a .. ' * 300 + 'a')
    out.append('do ' * 198 + 'end ' * 198)
    out.append('do ' * 199 + 'end ' * 199)
    out.append('f(' + ', '.join(str(i) for i in range(260)) + ')')
    out.append('local t = {' + ', '.join(str(i) for i in range(300)) + '}')
    out.append(', '.join('a%d' % i for i in range(190)) + ' = 1')
    out.append(', '.join('a%d' % i for i in range(210)) + ' = 1')
    out.append('local x = {' + ', '.join('"s%d"' % i for i in range(300)) + '}')
    # the allocator's limits, whose messages carry no chunk and line
    out.append('\n'.join('do local a%d end' % i for i in range(32767)))
    out.append('\n'.join('do local a%d end' % i for i in range(32768)))
    out.append('\n'.join('::a%d:: f()' % i for i in range(32767)))
    out.append('\n'.join('::a%d:: f()' % i for i in range(32768)))
    out.append(' '.join('goto a%d' % i for i in range(32768)))
    return out


class Gen53(Gen):
    KONST = Gen.KONST + ['0.0', '-0.0', '3 // 0', '1.5', '0xff', '2^53', '9007199254740993',
                         '1e308', '0x7fffffffffffffff', '"10"']
    ARITH = Gen.ARITH + ['//', '&', '|', '~', '<<', '>>']

    def expr(self, scope, d=0):
        if self.r.random() < 0.06:
            return '~' + super().expr(scope, d + 1)
        return super().expr(scope, d)

    def stat(self, scope, d, loop):
        r = self.r
        if r.random() < 0.03:
            return '::l%d::' % r.randrange(3)
        if r.random() < 0.02:
            return 'goto l%d' % r.randrange(3)
        return super().stat(scope, d, loop)


def run(cmd, cwd):
    p = subprocess.run(cmd, capture_output=True, cwd=cwd)
    msg = p.stderr.decode('latin-1').strip()
    head, sep, rest = msg.partition(': ')
    if sep and head.endswith('luac5.3'):
        msg = rest
    return p.returncode, msg


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    ours, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    nrandom = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    nrandom = max(1, nrandom // int(os.environ.get('LFSC_SAMPLE', '1')))
    ref = shutil.which('luac5.3')
    if not ref:
        print('luac5.3 not installed: skipped')
        return 77
    os.makedirs(work, exist_ok=True)
    cases = [('snippet %d' % i, s) for i, s in enumerate(SNIPPETS)]
    cases += [('limit %d' % i, s) for i, s in enumerate(limit_snippets())]
    cases += [('random seed %d' % i, Gen53(random.Random(i)).program()) for i in range(nrandom)]
    passed = failed = valid = 0
    for label, text in cases:
        with open(os.path.join(work, 'p.lua'), 'wb') as f:
            f.write(text.encode('latin-1'))
        for strip in ([], ['-s']):
            for p in ('a.out', 'b.out'):
                if os.path.exists(os.path.join(work, p)):
                    os.remove(os.path.join(work, p))
            ra, ma = run([ours] + strip + ['-o', 'a.out', 'p.lua'], work)
            rb, mb = run([ref] + strip + ['-o', 'b.out', 'p.lua'], work)
            if ra != 0 or rb != 0:
                ok = (ra != 0) == (rb != 0) and ma == mb
            else:
                valid += 1
                with open(os.path.join(work, 'a.out'), 'rb') as fa, \
                        open(os.path.join(work, 'b.out'), 'rb') as fb:
                    ok = fa.read() == fb.read()
            if ok:
                passed += 1
            else:
                failed += 1
                print('FAIL %s %s\n  source: %r\n  ours:    %s\n  luac5.3: %s'
                      % (label, ' '.join(strip), text[:300], ma, mb))
            if not strip and ra != 0 and ok:
                break           # a rejected program: once is enough
    print('lua53 diff: %d of %d checks identical to luac5.3 (%d compiled by both, the rest '
          'rejected by both with the same message; %d snippets, %d random programs)'
          % (passed, passed + failed, valid, len(SNIPPETS), nrandom))
    if passed + failed < len(cases):
        print('FAIL: only %d checks ran' % (passed + failed))
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
