// tests/crash/crash_record.h — what crash_writer stores at each offset, so that crash_test can recompute
// every byte it expects without any record of what the writer did.
//
// The record at offset o has key decimal(o) and a value of 10–2000 bytes: "r<o>:" followed by a slice of a
// fixed pseudo-random tape, the length and the slice both derived from o. A record that is torn, stale,
// duplicated or moved then shows as a mismatch at a known offset.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "model/record_batch_builder.h"
#include "storage/log_config.h"

namespace sluice::crash {

inline constexpr std::size_t min_value_bytes = 10;
inline constexpr std::size_t max_value_bytes = 2000;
inline constexpr int max_records_per_batch = 20;

// splitmix64's finalizer: a cheap, well-mixed hash of one integer.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Not periodic, so a value shifted by a few bytes does not compare equal by accident.
inline const std::string& filler_tape() {
  static const std::string tape = [] {
    std::string t(2 * max_value_bytes, '\0');
    std::uint64_t state = 0x5eed;
    for (auto& c : t) {
      state = mix(state);
      c = static_cast<char>('a' + state % 26);
    }
    return t;
  }();
  return tape;
}

inline std::string record_key(std::int64_t offset) { return std::to_string(offset); }

inline std::string record_value(std::int64_t offset) {
  auto h = mix(static_cast<std::uint64_t>(offset));
  std::size_t size = min_value_bytes + h % (max_value_bytes - min_value_bytes + 1);
  std::string value = "r" + std::to_string(offset) + ":";
  if (value.size() < size) value += filler_tape().substr((h >> 32) % max_value_bytes, size - value.size());
  value.resize(size);
  return value;
}

inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The batch of `count` records for offsets [first_offset, first_offset + count), its base offset still 0
// (the log assigns it). Timestamps are the wall clock so segment.ms never rolls on every append.
inline std::vector<std::byte> build_batch(std::int64_t first_offset, int count) {
  model::record_batch_builder builder;
  auto now = wall_clock_ms();
  for (int i = 0; i < count; ++i)
    builder.add(record_key(first_offset + i), record_value(first_offset + i), now);
  return builder.build();
}

// The writer's and the verifier's config: every append durable before it returns (so it may be
// acknowledged), and small segments so that kills also land around segment rolls.
inline storage::log_config crash_log_config() {
  storage::log_config config;
  config.flush_messages = 1;
  config.segment_bytes = 256 * 1024;
  return config;
}

}  // namespace sluice::crash
