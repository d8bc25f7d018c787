// kafka/protocol/sample_values.h — test support for the generated fill() functions
// (generated/samples.h): a source of distinct values that differ from a field's default, so a
// filled message exercises every field that exists at a version, tagged fields included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/wire.h"

namespace sluice::kafka {

class sample_values {
 public:
  // With `nulls`, nullable fields are set to null where the version allows it and arrays get
  // one element instead of two.
  explicit sample_values(bool nulls = false) : nulls_(nulls) {}

  bool nulls() const { return nulls_; }
  int array_size() const { return nulls_ ? 1 : 2; }

  std::int8_t int8(std::int8_t avoid) { return pick<std::int8_t>(avoid, 100); }
  std::int16_t int16(std::int16_t avoid) { return pick<std::int16_t>(avoid, 30000); }
  std::uint16_t uint16(std::uint16_t avoid) { return pick<std::uint16_t>(avoid, 60000); }
  std::int32_t int32(std::int32_t avoid) { return pick<std::int32_t>(avoid, 1 << 30); }
  std::uint32_t uint32(std::uint32_t avoid) { return pick<std::uint32_t>(avoid, 1u << 31); }
  // Wide values so that all eight bytes are exercised.
  std::int64_t int64(std::int64_t avoid) {
    auto v = (std::int64_t{next()} << 40) + 0x1234567;
    return v == avoid ? v + 1 : v;
  }
  double float64(double avoid) {
    double v = next() + 0.25;
    return v == avoid ? v + 1 : v;
  }
  bool boolean(bool avoid) { return !avoid; }

  uuid uuid_value() {
    uuid u;
    for (std::size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<std::uint8_t>(next() + i);
    return u;
  }
  std::string string() { return "s" + std::to_string(next()); }
  std::vector<std::byte> bytes() {
    const auto n = next();
    return {std::byte{0xB0}, static_cast<std::byte>(n), static_cast<std::byte>(n >> 8)};
  }
  // Opaque to the codec: any bytes stand in for record batches.
  record_set records() {
    std::vector<std::byte> b(13);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::byte>(next());
    return record_set(std::move(b));
  }

 private:
  std::uint32_t next() { return ++counter_; }

  template <typename T>
  T pick(T avoid, std::uint32_t modulus) {
    auto v = static_cast<T>(next() % modulus + 1);
    return v == avoid ? static_cast<T>(v + 1) : v;
  }

  bool nulls_;
  std::uint32_t counter_ = 0;
};

}  // namespace sluice::kafka
