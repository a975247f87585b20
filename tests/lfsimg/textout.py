"""What lfsimg's text output means, for the tests that compare it with JSON."""
import re

SIMPLE = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord('"'): 34, ord("\\"): 92}


def unquote(line):
    """The bytes of a name or string as `lfsimg list` and `strings` print
    them: C escapes, and \\ddd for other bytes (decimal)."""
    out, i = bytearray(), 0
    while i < len(line):
        if line[i] == 0x5C and i + 1 < len(line):
            m = re.match(rb"\d{3}", line[i + 1:i + 4])
            if m:
                out.append(int(m.group(0)))
                i += 4
                continue
            out.append(SIMPLE.get(line[i + 1], line[i + 1]))
            i += 2
            continue
        out.append(line[i])
        i += 1
    return bytes(out)
