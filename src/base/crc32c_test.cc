#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// Test vectors from RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32c, MatchesRfc3720Vectors) {
  std::vector<std::byte> zeros(32, std::byte{0});
  std::vector<std::byte> ones(32, std::byte{0xFF});
  std::vector<std::byte> ascending(32);
  for (int i = 0; i < 32; ++i) ascending[static_cast<std::size_t>(i)] = static_cast<std::byte>(i);
  EXPECT_EQ(crc32c::value(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c::value(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c::value(ascending), 0x46DD794Eu);
}

TEST(Crc32c, KnownString) { EXPECT_EQ(crc32c::value(bytes_of("123456789")), 0xE3069283u); }

TEST(Crc32c, EmptyInputIsZero) { EXPECT_EQ(crc32c::value({}), 0u); }

TEST(Crc32c, ExtendEqualsWholeValue) {
  std::string text = "the quick brown fox jumps over the lazy dog, twice over";
  auto whole = crc32c::value(bytes_of(text));
  for (std::size_t split = 0; split <= text.size(); ++split) {
    auto first = crc32c::value(bytes_of(text.substr(0, split)));
    EXPECT_EQ(crc32c::extend(first, bytes_of(text.substr(split))), whole) << "split at " << split;
  }
}

TEST(Crc32c, HardwareAndPortablePathsAgreeAtEveryAlignmentAndLength) {
  std::mt19937 rng(42);
  std::vector<std::byte> data(20000 + 16);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  for (std::size_t offset = 0; offset < 16; ++offset)
    // Around the 3 KiB rounds of the interleaved path too.
    for (std::size_t len : {0u, 1u, 7u, 8u, 9u, 31u, 32u, 33u, 100u, 1000u, 3071u, 3072u, 3073u, 4096u, 6151u,
                            16384u, 20000u}) {
      auto span = std::span<const std::byte>(data).subspan(offset, len);
      EXPECT_EQ(crc32c::extend(0, span), crc32c::extend_portable(0, span)) << offset << "/" << len;
    }
}

}  // namespace
}  // namespace sluice
