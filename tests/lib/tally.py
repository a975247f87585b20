"""Pass/fail counting for the Python test scripts: check() counts a
result and prints each failure; summary() prints the "N passed, M failed"
line the other tests print too and returns the exit status for ctest."""

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return ok


def summary():
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
