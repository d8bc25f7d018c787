// perf/payload.h — the benchmark's record value: the send time (wall clock, nanoseconds since the
// epoch) and a sequence number in the first 16 bytes, then filler to the record size. Native
// byte order: sender and receiver are one process (`--mode end-to-end`), and the
// consumer subtracts the send time from its own clock to get produce→consume latency.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sluice::perf {

inline constexpr std::size_t payload_header_bytes = 16;

inline std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Filler is a repeating pattern, not zeros, so compression codecs see something like text.
inline std::vector<char> make_payload(std::size_t size) {
  static constexpr char pattern[] = "sluice benchmark record payload 0123456789 ";
  std::vector<char> value(size);
  for (std::size_t i = 0; i < size; ++i) value[i] = pattern[i % (sizeof(pattern) - 1)];
  return value;
}

// Requires value.size() >= payload_header_bytes.
inline void stamp_payload(std::span<char> value, std::int64_t send_ns, std::int64_t sequence) {
  std::memcpy(value.data(), &send_ns, sizeof send_ns);
  std::memcpy(value.data() + 8, &sequence, sizeof sequence);
}

// The send time stamped into `value`, or -1 when it is too short to hold one.
inline std::int64_t read_send_ns(std::span<const char> value) {
  if (value.size() < payload_header_bytes) return -1;
  std::int64_t send_ns = 0;
  std::memcpy(&send_ns, value.data(), sizeof send_ns);
  return send_ns;
}

}  // namespace sluice::perf
