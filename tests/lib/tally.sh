# Pass/fail counting for the shell test scripts (sourced):
#   ok / bad WHAT     count a check (bad prints "FAIL: WHAT")
#   tally_end AT_LEAST   print "N passed, M failed"; exit status 0 only
#                     when nothing failed and at least AT_LEAST checks ran,
#                     so that a test which checked nothing cannot pass
#   sampled N         N divided by LFSC_SAMPLE (run-all.sh's sanitizer and
#                     -m32 runs take every LFSC_SAMPLE-th file only)
pass=${pass:-0} fail=${fail:-0}
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
sampled() { echo $(($1 / ${LFSC_SAMPLE:-1})); }
tally_end() {
  echo "$pass passed, $fail failed"
  if [ $((pass + fail)) -lt "$1" ]; then
    echo "FAIL: only $((pass + fail)) checks ran, at least $1 expected"
    return 1
  fi
  [ "$fail" -eq 0 ]
}
