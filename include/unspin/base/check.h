// Invariant checks. A failed check is a bug in unspin, never bad input:
// UNSPIN_CHECK aborts in every build, UNSPIN_DCHECK only in debug builds.
#ifndef UNSPIN_BASE_CHECK_H_
#define UNSPIN_BASE_CHECK_H_

namespace unspin::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
}  // namespace unspin::internal

#define UNSPIN_CHECK(condition)                                                        \
  do {                                                                                 \
    if (!(condition)) ::unspin::internal::CheckFailed(__FILE__, __LINE__, #condition); \
  } while (false)

#ifdef NDEBUG
#define UNSPIN_DCHECK(condition) \
  do {                           \
  } while (false && (condition))
#else
#define UNSPIN_DCHECK(condition) UNSPIN_CHECK(condition)
#endif

#endif  // UNSPIN_BASE_CHECK_H_
