-- A small test runner for the suites (our own): test(name, fn) runs fn
-- and prints "ok NAME" or "FAIL NAME: why"; done() prints the tally and
-- ends the process with status 1 when anything failed. Lines starting
-- with "#" are remarks the drivers do not compare.
local M = {passed = 0, failed = 0}

function M.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    M.passed = M.passed + 1
    print("ok " .. name)
  else
    M.failed = M.failed + 1
    print("FAIL " .. name .. ": " .. tostring(err))
  end
end

function M.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", tostring(got), tostring(want)), 2)
  end
end

function M.done()
  print(string.format("%d passed, %d failed", M.passed, M.failed))
  if M.failed > 0 then os.exit(1) end
end

return M
