"""Pass/fail counting for the Python test scripts: check() counts a
result and prints each failure; summary(at_least=N) prints the
"N passed, M failed" line the other tests print too and returns the exit
status for ctest: failure when a check failed, or when fewer than N checks
ran (a test that checked nothing must not pass)."""

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return ok


def summary(at_least):
    print("%d passed, %d failed" % (passed, failed))
    ran = passed + failed
    if ran < at_least:
        print("FAIL: only %d checks ran, at least %d expected" % (ran, at_least))
        return 1
    return 1 if failed else 0

