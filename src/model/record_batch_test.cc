#include "model/record_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "model/record_batch_builder.h"
#include "model/varint.h"

namespace sluice::model {
namespace {

std::string text(std::optional<bytes_view> b) {
  return b ? std::string(reinterpret_cast<const char*>(b->data()), b->size()) : "<null>";
}

std::vector<std::byte> sample_batch() {
  record_batch_builder builder({.producer_id = 7, .producer_epoch = 1, .base_sequence = 3});
  builder.add("k1", "v1", 1000, {{"trace", "abc"}});
  builder.add(std::nullopt, "v2", 1005);
  builder.add("k3", std::nullopt, 1002);
  return builder.build();
}

TEST(RecordBatch, BuiltBatchValidatesAndDecodes) {
  auto batch = sample_batch();
  auto header = validate_batch(batch);
  ASSERT_TRUE(header) << header.error().describe();
  EXPECT_EQ(header->magic, 2);
  EXPECT_EQ(header->records_count, 3);
  EXPECT_EQ(header->last_offset_delta, 2);
  EXPECT_EQ(header->base_timestamp, 1000);
  EXPECT_EQ(header->max_timestamp, 1005);
  EXPECT_EQ(header->producer_id, 7);
  EXPECT_EQ(header->producer_epoch, 1);
  EXPECT_EQ(header->base_sequence, 3);
  EXPECT_EQ(header->size_bytes(), batch.size());
  EXPECT_EQ(header->codec(), compression::none);
}

TEST(RecordBatch, RecordsDecodeWithAbsoluteOffsetsAndTimestamps) {
  auto batch = sample_batch();
  set_base_offset(batch, 100);
  auto header = validate_batch(batch);  // the base offset is outside the CRC
  ASSERT_TRUE(header);
  std::vector<std::string> seen;
  auto ok = for_each_record(*header, bytes_view(batch).subspan(batch_header_size), [&](const record_view& r) {
    seen.push_back(std::to_string(r.offset) + "@" + std::to_string(r.timestamp) + ":" + text(r.key) + "=" +
                   text(r.value) + "/" + std::to_string(r.headers.size()));
    return true;
  });
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(seen,
            (std::vector<std::string>{"100@1000:k1=v1/1", "101@1005:<null>=v2/0", "102@1002:k3=<null>/0"}));
}

TEST(RecordBatch, FlippedByteFailsCrc) {
  auto batch = sample_batch();
  batch[batch.size() - 3] ^= std::byte{0x40};
  auto header = validate_batch(batch);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, errc::corrupt_batch);
}

TEST(RecordBatch, WrongMagicIsRejected) {
  auto batch = sample_batch();
  batch[16] = std::byte{1};
  EXPECT_EQ(validate_batch(batch).error().code, errc::corrupt_batch);
}

TEST(RecordBatch, LengthMismatchIsRejected) {
  auto batch = sample_batch();
  batch.push_back(std::byte{0});
  EXPECT_EQ(validate_batch(batch).error().code, errc::corrupt_batch);
  EXPECT_EQ(validate_batch(bytes_view(batch).first(30)).error().code, errc::corrupt_batch);
}

TEST(RecordBatch, SplitsBackToBackBatches) {
  auto a = sample_batch();
  auto b = sample_batch();
  std::vector<std::byte> both(a);
  both.insert(both.end(), b.begin(), b.end());
  auto split = split_batches(both);
  ASSERT_TRUE(split);
  EXPECT_EQ(split->size(), 2u);
  both.pop_back();
  EXPECT_FALSE(split_batches(both));
}

TEST(RecordBatch, MalformedRecordsAreInvalidNotCrashes) {
  auto batch = sample_batch();
  auto header = decode_header(batch).value();
  auto records = bytes_view(batch).subspan(batch_header_size);
  for (std::size_t cut = 0; cut < records.size(); ++cut) {
    auto r = for_each_record(header, records.first(cut), [](const record_view&) { return true; });
    EXPECT_FALSE(r) << "cut at " << cut;
  }
}

TEST(Varint, RoundTripsExtremes) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, std::int64_t{63},
                         std::int64_t{-64}, std::int64_t{300}, INT64_MAX, INT64_MIN}) {
    std::vector<std::byte> out;
    append_varlong(out, v);
    EXPECT_EQ(out.size(), varlong_size(v));
    const std::byte* p = out.data();
    EXPECT_EQ(read_varlong(&p, out.data() + out.size()), v);
    EXPECT_EQ(p, out.data() + out.size());
  }
}

// One- and two-byte varlongs take an inline path when more bytes follow; every length must read the
// same with and without bytes after it, and a cut one must fail.
TEST(Varint, ShortAndLongEncodingsReadAlikeWhateverFollows) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-64}, std::int64_t{63}, std::int64_t{64},
                         std::int64_t{-65}, std::int64_t{8191}, std::int64_t{-8192}, std::int64_t{8192},
                         std::int64_t{-8193}, std::int64_t{1} << 40, INT64_MIN}) {
    std::vector<std::byte> out;
    append_varlong(out, v);
    std::size_t size = out.size();
    out.resize(size + 3, std::byte{0xff});  // whatever comes next
    const std::byte* p = out.data();
    EXPECT_EQ(read_varlong(&p, out.data() + out.size()), v) << v;
    EXPECT_EQ(p, out.data() + size) << v;
    if (size > 1) {
      p = out.data();
      EXPECT_FALSE(read_varlong(&p, out.data() + size - 1)) << v;
    }
  }
}

}  // namespace
}  // namespace sluice::model
