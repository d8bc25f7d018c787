// Kept in its own file: the replacement operators must not be inlined into code that also sees
// std::allocator, or g++ reports the malloc/free pairing as mismatched.
#include "kafka/protocol/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> allocated{0};
}  // namespace

void* operator new(std::size_t n) {
  allocated += n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace sluice::kafka::testing {

std::size_t allocated_bytes() { return allocated.load(); }

}  // namespace sluice::kafka::testing
