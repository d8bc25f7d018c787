#include "model/compression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::model {
namespace {

using byte_vector = std::vector<std::byte>;

constexpr std::size_t one_mib = std::size_t{1} << 20;

byte_vector bytes_of(std::initializer_list<int> values) {
  byte_vector out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

byte_vector bytes_of(std::string_view text) {
  byte_vector out;
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

byte_vector concat(std::initializer_list<byte_vector> parts) {
  byte_vector out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

byte_vector be32(std::int32_t v) {
  byte_vector out(4);
  store_be(out.data(), v);
  return out;
}

// Runs of repeated text between pseudo-random stretches, so every codec emits both literals and matches.
byte_vector sample(std::size_t size) {
  byte_vector out;
  out.reserve(size);
  std::uint32_t state = 12345;
  const std::string_view phrase = "sluice record payload ";
  while (out.size() < size) {
    state = state * 1664525u + 1013904223u;
    if ((state >> 28) < 8) {
      for (char c : phrase) out.push_back(static_cast<std::byte>(c));
    } else {
      for (int i = 0; i < 16; ++i) out.push_back(static_cast<std::byte>((state >> (i % 4 * 8)) ^ i));
    }
  }
  out.resize(size);
  return out;
}

byte_vector compressed(compression codec, bytes_view payload) {
  auto out = compress(codec, payload);
  EXPECT_TRUE(out.has_value()) << out.error().describe();
  return out.has_value() ? *out : byte_vector{};
}

byte_vector xerial_header() {
  return concat({bytes_of({0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}), be32(1), be32(1)});
}

void expect_decodes_to(compression codec, bytes_view payload, const byte_vector& expected) {
  auto out = decompress(codec, payload);
  ASSERT_TRUE(out.has_value()) << out.error().describe();
  EXPECT_EQ(*out, expected);
}

void expect_invalid(compression codec, bytes_view payload,
                    std::size_t max_output = default_max_decompressed) {
  auto out = decompress(codec, payload, max_output);
  ASSERT_FALSE(out.has_value()) << compression_name(codec) << " decoded " << out->size() << " bytes";
  EXPECT_EQ(out.error().code, errc::invalid_record) << out.error().describe();
}

class every_codec : public testing::TestWithParam<compression> {};
class every_compressing_codec : public testing::TestWithParam<compression> {};
// Codecs whose streams may hold several members or frames back to back; xerial snappy has one header.
class every_streaming_codec : public testing::TestWithParam<compression> {};

std::string codec_test_name(const testing::TestParamInfo<compression>& info) {
  return compression_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(codecs, every_codec,
                         testing::Values(compression::none, compression::gzip, compression::snappy,
                                         compression::lz4, compression::zstd),
                         codec_test_name);
INSTANTIATE_TEST_SUITE_P(codecs, every_compressing_codec,
                         testing::Values(compression::gzip, compression::snappy, compression::lz4,
                                         compression::zstd),
                         codec_test_name);
INSTANTIATE_TEST_SUITE_P(codecs, every_streaming_codec,
                         testing::Values(compression::gzip, compression::lz4, compression::zstd),
                         codec_test_name);

TEST_P(every_codec, round_trips_empty_payload) {
  auto packed = compressed(GetParam(), {});
  expect_decodes_to(GetParam(), packed, {});
}

TEST_P(every_codec, round_trips_small_payload) {
  const auto payload = bytes_of("a single small record");
  auto packed = compressed(GetParam(), payload);
  expect_decodes_to(GetParam(), packed, payload);
}

TEST_P(every_codec, round_trips_one_mib_payload) {
  const auto payload = sample(one_mib);
  auto packed = compressed(GetParam(), payload);
  if (GetParam() != compression::none) {
    EXPECT_LT(packed.size(), payload.size() * 3 / 4);
  }
  expect_decodes_to(GetParam(), packed, payload);
}

TEST_P(every_codec, refuses_output_beyond_max_output_and_accepts_it_exactly) {
  const byte_vector zeros(4 * one_mib);
  auto packed = compressed(GetParam(), zeros);
  expect_invalid(GetParam(), packed, one_mib);
  expect_invalid(GetParam(), packed, zeros.size() - 1);
  auto exact = decompress(GetParam(), packed, zeros.size());
  ASSERT_TRUE(exact.has_value()) << exact.error().describe();
  EXPECT_EQ(*exact, zeros);
}

TEST_P(every_compressing_codec, truncated_payload_is_invalid) {
  const auto payload = sample(one_mib);
  const auto packed = compressed(GetParam(), payload);
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{1}, std::size_t{10}, packed.size() / 2, packed.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(packed.size()));
    expect_invalid(GetParam(), bytes_view(packed).first(cut));
  }
}

TEST_P(every_compressing_codec, garbage_is_invalid) {
  expect_invalid(GetParam(), bytes_of("this was never compressed by anything"));
  expect_invalid(GetParam(), byte_vector(64, std::byte{0xff}));
  expect_invalid(GetParam(), byte_vector(64, std::byte{0x00}));
}

TEST_P(every_compressing_codec, damaged_header_is_invalid) {
  auto packed = compressed(GetParam(), sample(4096));
  for (std::size_t i = 0; i < 4; ++i) packed[i] ^= std::byte{0x5a};
  expect_invalid(GetParam(), packed);
}

TEST_P(every_streaming_codec, concatenated_streams_decode_as_one) {
  const auto first = sample(70000);
  const auto second = bytes_of("and a short tail");
  auto packed = concat({compressed(GetParam(), first), compressed(GetParam(), second)});
  expect_decodes_to(GetParam(), packed, concat({first, second}));
}

TEST_P(every_streaming_codec, stream_of_concatenated_frames_is_still_bounded) {
  const auto frame = compressed(GetParam(), byte_vector(one_mib));
  byte_vector bomb;
  for (int i = 0; i < 64; ++i) bomb.insert(bomb.end(), frame.begin(), frame.end());
  expect_invalid(GetParam(), bomb, 2 * one_mib);
}

// Foreign encodings below come from the reference command-line tools (gzip -n, lz4 1.9.4, zstd 1.5.4
// reading stdin), so decoding is not checked only against this file's own encoder.

TEST(gzip, decodes_reference_stream) {
  const auto stream = bytes_of({0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb,
                                0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x4e, 0x4c, 0xcb, 0x4e, 0x04,
                                0x00, 0xd1, 0x75, 0x81, 0x6c, 0x0b, 0x00, 0x00, 0x00});
  expect_decodes_to(compression::gzip, stream, bytes_of("hello kafka"));
}

TEST(gzip, decodes_concatenated_reference_members) {
  const auto stream = bytes_of({0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd,
                                0xc9, 0xc9, 0x07, 0x00, 0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00, 0x1f,
                                0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x53, 0xc8, 0x4e, 0x4c,
                                0xcb, 0x4e, 0x04, 0x00, 0x9f, 0x26, 0xf0, 0x2b, 0x06, 0x00, 0x00, 0x00});
  expect_decodes_to(compression::gzip, stream, bytes_of("hello kafka"));
}

TEST(gzip, rejects_trailing_garbage_after_a_member) {
  auto stream = compressed(compression::gzip, bytes_of("hello"));
  stream.push_back(std::byte{0x00});
  expect_invalid(compression::gzip, stream);
}

TEST(gzip, rejects_a_corrupted_crc) {
  auto stream = compressed(compression::gzip, sample(4096));
  stream[stream.size() - 6] ^= std::byte{0x01};  // inside the CRC-32 trailer
  expect_invalid(compression::gzip, stream);
}

TEST(gzip, compresses_to_a_gzip_member) {
  const auto stream = compressed(compression::gzip, bytes_of("hello"));
  ASSERT_GE(stream.size(), 18u);
  EXPECT_EQ(stream[0], std::byte{0x1f});
  EXPECT_EQ(stream[1], std::byte{0x8b});
  EXPECT_EQ(stream[2], std::byte{0x08});  // deflate
}

// Raw snappy as librdkafka writes it: varint length, then tagged elements.
TEST(snappy, decodes_raw_block_with_literal) {
  const auto block = concat({bytes_of({0x0b, 0x28}), bytes_of("hello world")});  // literal of 11
  expect_decodes_to(compression::snappy, block, bytes_of("hello world"));
}

TEST(snappy, decodes_raw_block_with_copy) {
  // Length 12, literal "abc", then a copy of 9 bytes from offset 3 (one-byte-offset form).
  const auto block = bytes_of({0x0c, 0x08, 'a', 'b', 'c', 0x15, 0x03});
  expect_decodes_to(compression::snappy, block, bytes_of("abcabcabcabc"));
}

TEST(snappy, decodes_xerial_stream_with_several_blocks) {
  const auto block1 = concat({bytes_of({0x0b, 0x28}), bytes_of("hello world")});
  const auto block2 = bytes_of({0x0c, 0x08, 'a', 'b', 'c', 0x15, 0x03});
  const auto block3 = concat({bytes_of({0x01, 0x00}), bytes_of("!")});
  const auto stream = concat({xerial_header(), be32(static_cast<std::int32_t>(block1.size())), block1,
                              be32(static_cast<std::int32_t>(block2.size())), block2,
                              be32(static_cast<std::int32_t>(block3.size())), block3});
  expect_decodes_to(compression::snappy, stream, bytes_of("hello worldabcabcabcabc!"));
}

TEST(snappy, decodes_header_only_xerial_stream_as_empty) {
  expect_decodes_to(compression::snappy, xerial_header(), {});
}

TEST(snappy, rejects_xerial_block_overrunning_the_payload) {
  const auto block = concat({bytes_of({0x0b, 0x28}), bytes_of("hello world")});
  expect_invalid(compression::snappy, concat({xerial_header(), be32(100), block}));
  expect_invalid(compression::snappy, concat({xerial_header(), be32(-1), block}));
  expect_invalid(compression::snappy, concat({xerial_header(), bytes_of({0x00, 0x00})}));
  expect_invalid(compression::snappy, bytes_view(xerial_header()).first(12));
}

TEST(snappy, rejects_raw_block_whose_length_disagrees_with_its_elements) {
  expect_invalid(compression::snappy, concat({bytes_of({0x0c, 0x28}), bytes_of("hello world")}));
  expect_invalid(compression::snappy, concat({bytes_of({0x0a, 0x28}), bytes_of("hello world")}));
}

TEST(snappy, refuses_implausible_length_before_allocating) {
  // A 4 GiB claim from 8 bytes: were it believed, the decoder would allocate it all up front.
  const auto block = bytes_of({0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x', 0x00});
  expect_invalid(compression::snappy, block, std::numeric_limits<std::size_t>::max());
}

TEST(snappy, compresses_to_xerial_framing_of_32_kib_blocks) {
  const auto payload = sample(100 * 1024);
  const auto stream = compressed(compression::snappy, payload);
  const auto header = xerial_header();
  ASSERT_GE(stream.size(), header.size());
  EXPECT_TRUE(std::equal(header.begin(), header.end(), stream.begin()));

  // Each block must stand alone as raw snappy, which is how Java's SnappyInputStream reads it.
  bytes_view rest = bytes_view(stream).subspan(header.size());
  byte_vector joined;
  int blocks = 0;
  while (!rest.empty()) {
    ASSERT_GE(rest.size(), 4u);
    const auto length = static_cast<std::size_t>(load_be<std::int32_t>(rest.data()));
    ASSERT_LE(length + 4, rest.size());
    auto block = decompress(compression::snappy, rest.subspan(4, length));
    ASSERT_TRUE(block.has_value()) << block.error().describe();
    EXPECT_LE(block->size(), 32u * 1024);
    joined.insert(joined.end(), block->begin(), block->end());
    rest = rest.subspan(4 + length);
    ++blocks;
  }
  EXPECT_EQ(blocks, 4);
  EXPECT_EQ(joined, payload);
}

TEST(lz4, decodes_reference_frame_with_content_checksum) {
  const auto frame =
      bytes_of({0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x0b, 0x00, 0x00, 0x80, 0x68, 0x65, 0x6c, 0x6c,
                0x6f, 0x20, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x00, 0x00, 0x00, 0x00, 0x84, 0x11, 0x88, 0x1b});
  expect_decodes_to(compression::lz4, frame, bytes_of("hello kafka"));
}

TEST(lz4, rejects_a_wrong_content_checksum) {
  auto frame =
      bytes_of({0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x0b, 0x00, 0x00, 0x80, 0x68, 0x65, 0x6c, 0x6c,
                0x6f, 0x20, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x00, 0x00, 0x00, 0x00, 0x84, 0x11, 0x88, 0x1b});
  frame.back() ^= std::byte{0x01};
  expect_invalid(compression::lz4, frame);
}

TEST(lz4, compresses_to_a_frame_the_java_client_accepts) {
  const auto frame = compressed(compression::lz4, sample(200 * 1024));
  ASSERT_GE(frame.size(), 7u);
  EXPECT_EQ(frame[0], std::byte{0x04});  // magic 0x184D2204, little-endian
  EXPECT_EQ(frame[3], std::byte{0x18});
  // FLG: version 1, independent blocks, no checksums, no content size.
  EXPECT_EQ(frame[4], std::byte{0x60});
  // BD: 64 KiB blocks, the smallest KafkaLZ4BlockInputStream accepts.
  EXPECT_EQ(frame[5], std::byte{0x40});
}

TEST(zstd, decodes_reference_frame_without_content_size) {
  // Frame header descriptor 0x04: checksum present, no content size, as a streaming producer writes.
  const auto frame = bytes_of({0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x59, 0x00, 0x00, 0x68, 0x65, 0x6c,
                               0x6c, 0x6f, 0x20, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x7c, 0xc9, 0xa6, 0x2d});
  expect_decodes_to(compression::zstd, frame, bytes_of("hello kafka"));
}

TEST(zstd, compresses_to_a_zstd_frame) {
  const auto frame = compressed(compression::zstd, bytes_of("hello"));
  ASSERT_GE(frame.size(), 4u);
  EXPECT_EQ(frame[0], std::byte{0x28});
  EXPECT_EQ(frame[3], std::byte{0xfd});
}

TEST(none, copies_and_bounds_the_payload) {
  const auto payload = bytes_of("plain");
  expect_decodes_to(compression::none, payload, payload);
  expect_invalid(compression::none, payload, payload.size() - 1);
}

TEST(unknown_codec, is_refused_both_ways) {
  const auto codec = static_cast<compression>(5);
  expect_invalid(codec, bytes_of("x"));
  auto out = compress(codec, bytes_of("x"));
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, errc::invalid_argument);
  EXPECT_STREQ(compression_name(codec), "unknown");
}

TEST(compression_name, uses_kafka_names) {
  EXPECT_STREQ(compression_name(compression::none), "none");
  EXPECT_STREQ(compression_name(compression::gzip), "gzip");
  EXPECT_STREQ(compression_name(compression::snappy), "snappy");
  EXPECT_STREQ(compression_name(compression::lz4), "lz4");
  EXPECT_STREQ(compression_name(compression::zstd), "zstd");
}

}  // namespace
}  // namespace sluice::model
