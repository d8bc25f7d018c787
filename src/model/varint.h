// model/varint.h — the zig-zag variable-length integers of Kafka records
// (protobuf style). Decoders never read past `end` and report truncation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::model {

// Decodes a zig-zag varlong at *p, advancing *p; nullopt if malformed.
std::optional<std::int64_t> read_varlong(const std::byte** p, const std::byte* end);

void append_varlong(std::vector<std::byte>& out, std::int64_t value);

// Bytes that append_varlong would write.
std::size_t varlong_size(std::int64_t value);

}  // namespace sluice::model
