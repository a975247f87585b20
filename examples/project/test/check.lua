-- check.lua: a few lines of test harness. check.eq(name, got, want) counts a
-- result; check.done() prints "N passed, N failed" and fails the run if any did.
local check = { passed = 0, failed = 0 }

function check.eq(name, got, want)
  if got == want then
    check.passed = check.passed + 1
  else
    check.failed = check.failed + 1
    print(("FAIL %s: got %s, want %s"):format(name, tostring(got), tostring(want)))
  end
end

function check.done()
  print(("%d passed, %d failed"):format(check.passed, check.failed))
  if check.failed > 0 then error("tests failed", 0) end
end

return check
