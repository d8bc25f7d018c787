#include "model/varint.h"

namespace sluice::model {

std::optional<std::int64_t> read_long_varlong(const std::byte** p, const std::byte* end) {
  std::uint64_t raw = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*p >= end) return std::nullopt;
    auto b = static_cast<std::uint8_t>(*(*p)++);
    raw |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return static_cast<std::int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  return std::nullopt;  // more than 10 bytes
}

void append_varlong(std::vector<std::byte>& out, std::int64_t value) {
  auto raw = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  while (raw >= 0x80) {
    out.push_back(static_cast<std::byte>((raw & 0x7F) | 0x80));
    raw >>= 7;
  }
  out.push_back(static_cast<std::byte>(raw));
}

std::size_t varlong_size(std::int64_t value) {
  auto raw = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  std::size_t n = 1;
  while (raw >= 0x80) {
    raw >>= 7;
    ++n;
  }
  return n;
}

}  // namespace sluice::model
