#include "kafka/protocol/wire.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "kafka/protocol/allocation_counter.h"
#include "kafka/protocol/generated/all.h"
#include "kafka/protocol/test_bytes.h"

namespace sluice::kafka {
namespace {

using testing::allocated_bytes;
using testing::from_hex;

TEST(KafkaWire, FixedWidthIntegersAreBigEndian) {
  writer w;
  w.write_int8(-2);
  w.write_int16(0x0102);
  w.write_int32(-2);
  w.write_int64(0x0102030405060708);
  w.write_uint16(0xFFFE);
  w.write_uint32(0x80000001u);
  w.write_bool(true);
  EXPECT_EQ(w.bytes(), from_hex("fe 0102 fffffffe 0102030405060708 fffe 80000001 01"));
  reader r(w.bytes());
  EXPECT_EQ(*r.read_int8(), -2);
  EXPECT_EQ(*r.read_int16(), 0x0102);
  EXPECT_EQ(*r.read_int32(), -2);
  EXPECT_EQ(*r.read_int64(), 0x0102030405060708);
  EXPECT_EQ(*r.read_uint16(), 0xFFFE);
  EXPECT_EQ(*r.read_uint32(), 0x80000001u);
  EXPECT_EQ(*r.read_bool(), true);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(KafkaWire, Float64IsIeee754BigEndian) {
  writer w;
  w.write_float64(1.5);
  EXPECT_EQ(w.bytes(), from_hex("3ff8000000000000"));
  reader r(w.bytes());
  EXPECT_EQ(*r.read_float64(), 1.5);
}

TEST(KafkaWire, UuidIsSixteenRawBytes) {
  uuid u;
  for (std::size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(i * 17);
  writer w;
  w.write_uuid(u);
  EXPECT_EQ(w.bytes(), from_hex("00112233445566778899aabbccddeeff"));
  reader r(w.bytes());
  EXPECT_EQ(*r.read_uuid(), u);
}

// Values from the protocol guide's varint description (protobuf encoding).
TEST(KafkaWire, UnsignedVarintKnownEncodings) {
  const std::vector<std::pair<std::uint32_t, std::string>> cases = {{0, "00"},
                                                                    {1, "01"},
                                                                    {127, "7f"},
                                                                    {128, "8001"},
                                                                    {300, "ac02"},
                                                                    {16384, "808001"},
                                                                    {0xFFFFFFFFu, "ffffffff0f"}};
  for (const auto& [value, hex] : cases) {
    writer w;
    w.write_unsigned_varint(value);
    EXPECT_EQ(w.bytes(), from_hex(hex)) << value;
    reader r(w.bytes());
    EXPECT_EQ(*r.read_unsigned_varint(), value);
  }
}

TEST(KafkaWire, ZigZagVarintsRoundTripAtTheEdges) {
  for (std::int32_t v : {0, -1, 1, -64, 64, std::numeric_limits<std::int32_t>::min(),
                         std::numeric_limits<std::int32_t>::max()}) {
    writer w;
    w.write_varint(v);
    reader r(w.bytes());
    EXPECT_EQ(*r.read_varint(), v);
  }
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1} << 40, std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::int64_t>::max()}) {
    writer w;
    w.write_varlong(v);
    reader r(w.bytes());
    EXPECT_EQ(*r.read_varlong(), v);
  }
  writer w;
  w.write_varint(-1);
  w.write_varint(1);
  EXPECT_EQ(w.bytes(), from_hex("01 02"));
}

TEST(KafkaWire, VarintsThatOverflowAreRejected) {
  EXPECT_FALSE(reader(from_hex("ffffffff10")).read_unsigned_varint());
  EXPECT_FALSE(reader(from_hex("ffffffffff01")).read_unsigned_varint());
  EXPECT_FALSE(reader(from_hex("ffffffffffffffffff02")).read_varlong());
  EXPECT_FALSE(reader(from_hex("8080")).read_unsigned_varint());  // truncated
}

TEST(KafkaWire, ClassicAndCompactStrings) {
  writer w;
  w.write_string("kafka", false);
  w.write_string("kafka", true);
  w.write_nullable_string(std::nullopt, false);
  w.write_nullable_string(std::nullopt, true);
  w.write_nullable_string(std::string(), true);
  EXPECT_EQ(w.bytes(), from_hex("0005 6b61666b61  06 6b61666b61  ffff  00  01"));
  reader r(w.bytes());
  EXPECT_EQ(*r.read_string(false), "kafka");
  EXPECT_EQ(*r.read_string(true), "kafka");
  EXPECT_EQ(*r.read_nullable_string(false), std::nullopt);
  EXPECT_EQ(*r.read_nullable_string(true), std::nullopt);
  EXPECT_EQ(*r.read_nullable_string(true), std::string());
}

TEST(KafkaWire, NullWhereNotNullableIsAnError) {
  EXPECT_FALSE(reader(from_hex("ffff")).read_string(false));
  EXPECT_FALSE(reader(from_hex("00")).read_string(true));
  EXPECT_FALSE(reader(from_hex("ffffffff")).read_bytes(false));
  EXPECT_FALSE(reader(from_hex("ffffffff")).read_array_length(false, 1));
  EXPECT_EQ(*reader(from_hex("ffffffff")).read_nullable_array_length(false, 1), -1);
  EXPECT_EQ(*reader(from_hex("00")).read_nullable_array_length(true, 1), -1);
}

TEST(KafkaWire, NegativeLengthsBelowMinusOneAreErrors) {
  EXPECT_FALSE(reader(from_hex("fffe")).read_nullable_string(false));
  EXPECT_FALSE(reader(from_hex("fffffffe")).read_nullable_bytes(false));
  EXPECT_FALSE(reader(from_hex("80000000")).read_nullable_array_length(false, 1));
}

TEST(KafkaWire, BytesAndRecords) {
  const std::vector<std::byte> payload = from_hex("010203");
  const record_set records(payload);
  const std::optional<record_set> none;
  writer w;
  w.write_bytes(payload, false);
  w.write_bytes(payload, true);
  w.write_records(records, false);
  w.write_records(none, true);
  EXPECT_EQ(w.bytes(), from_hex("00000003 010203  04 010203  00000003 010203  00"));
  reader r(w.bytes());
  EXPECT_EQ(*r.read_bytes(false), payload);
  EXPECT_EQ(*r.read_bytes(true), payload);
  EXPECT_EQ(*r.read_records(false), record_set(payload));
  EXPECT_EQ(*r.read_records(true), std::nullopt);
}

TEST(KafkaWire, RecordsReadFromSharedInputPointIntoIt) {
  const auto frame = shared_bytes::copy_of(from_hex("00000003 010203  0003"));
  reader r(frame);
  auto records = *r.read_records(false);
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->buffers.empty());
  EXPECT_EQ(records->shared.data(), frame.data() + 4);  // the frame's own bytes, not a copy
  EXPECT_EQ(records->shared_owner, frame.owner);
  EXPECT_EQ(*records, record_set(from_hex("010203")));
  EXPECT_EQ(*r.read_int16(), 3);  // and reading goes on after them
}

TEST(KafkaWire, EveryPrimitiveReportsTruncation) {
  const std::vector<std::byte> few = from_hex("0102");
  EXPECT_FALSE(reader(few).read_int32());
  EXPECT_FALSE(reader(few).read_int64());
  EXPECT_FALSE(reader(few).read_uint32());
  EXPECT_FALSE(reader(few).read_float64());
  EXPECT_FALSE(reader(few).read_uuid());
  EXPECT_FALSE(reader(bytes_view()).read_int8());
  EXPECT_FALSE(reader(bytes_view()).read_bool());
  EXPECT_FALSE(reader(from_hex("01")).read_int16());
  EXPECT_FALSE(reader(from_hex("01")).read_uint16());
  EXPECT_FALSE(reader(from_hex("0005 6b61")).read_string(false));
  EXPECT_FALSE(reader(from_hex("06 6b61")).read_string(true));
  EXPECT_FALSE(reader(from_hex("00000003 01")).read_bytes(false));
  EXPECT_FALSE(reader(from_hex("00000003 01")).read_records(false));
  auto error = reader(few).read_int64();
  EXPECT_EQ(error.error().code, errc::invalid_argument);
  EXPECT_NE(error.error().message.find("truncated"), std::string::npos) << error.error().message;
}

TEST(KafkaWire, HostileLengthsFailBeforeAllocating) {
  // Each input claims far more than it holds: 2^31-1 elements or bytes, or 2^32-2 as a compact length.
  const std::vector<std::vector<std::byte>> inputs = {from_hex("7fffffff 000102"),
                                                      from_hex("feffffff0f 000102"), from_hex("7fff 00")};
  for (const auto& input : inputs) {
    const std::size_t before = allocated_bytes();
    EXPECT_FALSE(reader(input).read_array_length(false, 1));
    EXPECT_FALSE(reader(input).read_nullable_array_length(true, 1));
    EXPECT_FALSE(reader(input).read_nullable_bytes(false));
    EXPECT_FALSE(reader(input).read_nullable_bytes(true));
    EXPECT_FALSE(reader(input).read_records(false));
    EXPECT_FALSE(reader(input).read_string(false));
    EXPECT_FALSE(reader(input).read_tag_count());
    // Error messages allocate a little; a decoder that believed the length would allocate gigabytes.
    EXPECT_LT(allocated_bytes() - before, 4096u);
  }
}

TEST(KafkaWire, ArrayLengthMustFitItsSmallestElements) {
  // Three int32 elements need 12 bytes; 11 are there.
  EXPECT_FALSE(reader(from_hex("00000003 0000000000000000000000")).read_array_length(false, 4));
  EXPECT_EQ(*reader(from_hex("00000003 000000000000000000000000")).read_array_length(false, 4), 3);
}

TEST(KafkaWire, HostileArrayLengthInAMessageFailsWithoutAllocating) {
  // A FetchRequest v4 body whose topic array claims 2^31-1 entries.
  const auto body = from_hex("ffffffff 000001f4 00000001 00100000 00 7fffffff 0000");
  const std::size_t before = allocated_bytes();
  fetch_request request;
  reader r(body);
  auto decoded = request.decode(r, 4);
  EXPECT_LT(allocated_bytes() - before, 4096u);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, errc::invalid_argument);
}

TEST(KafkaWire, TaggedFieldsAreSizePrefixed) {
  writer field;
  field.write_int32(7);
  writer w;
  w.write_unsigned_varint(1);
  w.write_tagged_field(5, field);
  EXPECT_EQ(w.bytes(), from_hex("01 05 04 00000007"));
  reader r(w.bytes());
  EXPECT_EQ(*r.read_tag_count(), 1u);
  EXPECT_EQ(*r.read_unsigned_varint(), 5u);
  EXPECT_EQ(r.read_tagged_field()->size(), 4u);
  EXPECT_TRUE(reader(w.bytes()).skip_tagged_fields());
  EXPECT_FALSE(reader(from_hex("01 05 09 0000")).skip_tagged_fields());
}

TEST(KafkaWire, UnencodableValuesFailTheWriter) {
  writer w;
  w.write_string(std::string(40000, 'x'), false);
  EXPECT_TRUE(w.failed());
  EXPECT_FALSE(w.status());
  writer compact;
  compact.write_string(std::string(40000, 'x'), true);
  EXPECT_TRUE(compact.status());
}

TEST(KafkaWire, RecordSetsCompareByContent) {
  record_set a;
  a.buffers = {from_hex("0102"), from_hex("030405")};
  record_set b(from_hex("0102030405"));
  record_set c(from_hex("0102030406"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(record_set(), record_set());
  // Bytes shared with a frame compare with owned ones the same way.
  auto frame = shared_bytes::copy_of(from_hex("ff030405"));
  record_set d(from_hex("0102"));
  d.shared_owner = frame.owner;
  d.shared = frame.span().subspan(1);
  EXPECT_EQ(d, b);
  EXPECT_EQ(d.size(), 5u);
}

TEST(KafkaWire, LargeRecordBuffersAreReferencedNotCopied) {
  record_set records;
  records.buffers = {std::vector<std::byte>(100, std::byte{0xAA}), from_hex("bbbb"),
                     std::vector<std::byte>(200, std::byte{0xCC})};
  writer w(64);
  w.write_int16(1);
  w.write_records(records, false);
  w.write_int16(2);
  EXPECT_EQ(w.size(), 2u + 4u + 302u + 2u);
  auto parts = w.fragments();
  // int16 + length, the first buffer, the small one (copied), the third buffer, the int16.
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[1].data(), records.buffers[0].data());  // the broker's buffer itself
  EXPECT_EQ(parts[2].size(), 2u);
  EXPECT_EQ(parts[3].data(), records.buffers[2].data());
  std::vector<std::byte> joined;
  for (auto p : parts) joined.insert(joined.end(), p.begin(), p.end());
  writer copied;
  copied.write_int16(1);
  copied.write_records(records, false);
  copied.write_int16(2);
  EXPECT_EQ(joined, copied.bytes());
}

TEST(KafkaWire, ReservedPrefixIsPatched) {
  writer w;
  const std::size_t at = w.reserve(4);
  w.write_int16(9);
  w.patch_int32(at, static_cast<std::int32_t>(w.size() - 4));
  EXPECT_EQ(w.bytes(), from_hex("00000002 0009"));
}

}  // namespace
}  // namespace sluice::kafka
