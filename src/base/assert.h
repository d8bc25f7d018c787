// base/assert.h — invariant checks that stay on in release builds.
//
// SLUICE_ASSERT guards the program's own invariants. It must never fire on
// client or disk input: those are validated and answered with an error.
#pragma once

namespace sluice::detail {
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line, const char* msg);
}

#define SLUICE_ASSERT(cond, msg)                                            \
  do {                                                                      \
    if (!(cond)) [[unlikely]]                                               \
      ::sluice::detail::assertion_failed(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
