// kafka/protocol/allocation_counter.h — test support: the test binary replaces the global
// operator new (allocation_counter.cc) to count the bytes it hands out, so tests can show that
// hostile length prefixes never make a decoder allocate.
#pragma once

#include <cstddef>

namespace sluice::kafka::testing {

// Bytes allocated with operator new since the program started.
std::size_t allocated_bytes();

}  // namespace sluice::kafka::testing
