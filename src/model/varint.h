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

// Decodes a zig-zag varlong at *p, advancing *p; nullopt if malformed. Inline for its common case, one
// byte (a record's attributes, deltas and small lengths): it runs several times per record read.
inline std::optional<std::int64_t> read_varlong(const std::byte** p, const std::byte* end) {
  if (*p < end) {
    auto b = static_cast<std::uint8_t>(**p);
    if (b < 0x80) {
      ++*p;
      return static_cast<std::int64_t>(b >> 1) ^ -static_cast<std::int64_t>(b & 1);
    }
  }
  return read_long_varlong(p, end);
}

void append_varlong(std::vector<std::byte>& out, std::int64_t value);

// Bytes that append_varlong would write.
std::size_t varlong_size(std::int64_t value);

}  // namespace sluice::model
