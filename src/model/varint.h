// model/varint.h — the zig-zag variable-length integers of Kafka records
// (protobuf style). Decoders never read past `end` and report truncation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::model {

// The multi-byte case of read_varlong.
std::optional<std::int64_t> read_long_varlong(const std::byte** p, const std::byte* end);

// Decodes a zig-zag varlong at *p, advancing *p; nullopt if malformed. Inline for its common cases,
// one or two bytes (a record's deltas and lengths): it runs several times per record read.
inline std::optional<std::int64_t> read_varlong(const std::byte** p, const std::byte* end) {
  if (end - *p >= 2) {
    auto b0 = static_cast<std::uint8_t>((*p)[0]);
    std::uint64_t raw = b0;
    if (b0 < 0x80) {
      *p += 1;
    } else if (auto b1 = static_cast<std::uint8_t>((*p)[1]); b1 < 0x80) {
      raw = (raw & 0x7f) | (std::uint64_t{b1} << 7);
      *p += 2;
    } else {
      return read_long_varlong(p, end);
    }
    return static_cast<std::int64_t>(raw >> 1) ^ -static_cast<std::int64_t>(raw & 1);
  }
  return read_long_varlong(p, end);
}

void append_varlong(std::vector<std::byte>& out, std::int64_t value);

// Bytes that append_varlong would write.
std::size_t varlong_size(std::int64_t value);

}  // namespace sluice::model
