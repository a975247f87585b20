#!/usr/bin/env python3
"""Write the synthetic inputs of bench/synthetic.sh into DIR: one file per
shape that could make a compiler phase superlinear (constant table,
string interning, closures, module count, nesting)."""
import os
import sys

N = 10000


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main(out):
    os.makedirs(out, exist_ok=True)
    # whole numbers and halves: small whole numbers leave the low bits of
    # a double at zero, the case a weak constant hash piles up
    nums = ",".join(str(i) if i % 2 else "%d.5" % i for i in range(N))
    write(os.path.join(out, "numbers.lua"), "local t = {%s}\nreturn t\n" % nums)
    strs = ",".join('"s%05d_%x"' % (i, i * 2654435761 % 65536) for i in range(N))
    write(os.path.join(out, "strings.lua"), "local t = {%s}\nreturn t\n" % strs)
    funcs = "".join("t[%d] = function(a) return a + %d end\n" % (i, i) for i in range(N))
    write(os.path.join(out, "functions.lua"), "local t = {}\n%sreturn t\n" % funcs)
    # nesting close to the parser's 200-level limit (both ifs and
    # parentheses count), many times over; 180 local functions stay under
    # the 200-local limit
    depth = 95
    body = []
    for i in range(180):
        body.append("local function f%d(x)\n" % i + "if x then " * depth + "x = " +
                    "(" * depth + "x + %d" % i + ")" * depth + " " + "end " * depth +
                    "\nreturn x\nend\n")
    write(os.path.join(out, "nesting.lua"), "".join(body))
    mods = os.path.join(out, "modules")
    os.makedirs(mods, exist_ok=True)
    for i in range(3000):
        write(os.path.join(mods, "m%04d.lua" % i),
              "local M = {}\nfunction M.f%d(a, b) return a * %d + b, 'm%d' end\nreturn M\n"
              % (i, i, i))


if __name__ == "__main__":
    main(sys.argv[1])
