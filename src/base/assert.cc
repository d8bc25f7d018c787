#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace sluice::detail {

void assertion_failed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "sluice: invariant violated at %s:%d: %s (%s)\n", file, line, msg, expr);
  std::abort();
}

}  // namespace sluice::detail
