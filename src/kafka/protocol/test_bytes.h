// kafka/protocol/test_bytes.h — test helpers for writing byte captures as hex.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/assert.h"

namespace sluice::kafka::testing {

// "00 0a ff" → {0x00, 0x0a, 0xff}; spaces are ignored.
inline std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    SLUICE_ASSERT(v >= 0, "from_hex: not a lower-case hex digit");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::byte>(high * 16 + v));
      high = -1;
    }
  }
  SLUICE_ASSERT(high < 0, "from_hex: odd number of digits");
  return out;
}

// The bytes of a string, for readable captures: bytes_of("rdkafka").
inline std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> out;
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

// Concatenates pieces of a capture.
inline std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
  std::vector<std::byte> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace sluice::kafka::testing
