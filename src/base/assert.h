/* Internal invariants. LFSC_ASSERT(cond) checks cond in builds that define
 * LFSC_CHECKS (the test and sanitizer builds, see CMakeLists.txt) and on
 * failure aborts with file:line and the condition; elsewhere it compiles to
 * nothing. A check, never a change: cond must have no side effects (it is
 * not evaluated in a release build). */
#ifndef LFSC_ASSERT_H
#define LFSC_ASSERT_H

#ifdef LFSC_CHECKS
_Noreturn void lfsc_assert_fail(const char *cond, const char *file, int line);
#define LFSC_ASSERT(cond) ((cond) ? (void)0 : lfsc_assert_fail(#cond, __FILE__, __LINE__))
#else
#define LFSC_ASSERT(cond) ((void)sizeof((cond) ? 1 : 0))
#endif

#endif
