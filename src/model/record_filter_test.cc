// filter_batch: Kafka's filterTo rules for what survives a record's removal.
#include "model/record_filter.h"

#include <gtest/gtest.h>

#include <string>

#include "model/record_batch_builder.h"

namespace sluice::model {
namespace {

std::string text(std::optional<bytes_view> b) {
  return b ? std::string(reinterpret_cast<const char*>(b->data()), b->size()) : "<null>";
}

std::vector<std::byte> sample_batch(std::int64_t base_offset = 100) {
  record_batch_builder builder({.producer_id = 7, .producer_epoch = 1, .base_sequence = 3});
  builder.add("k1", "v1", 1000, {{"trace", "abc"}});
  builder.add("k2", "v2", 1005);
  builder.add("k3", std::nullopt, 1002);
  auto batch = builder.build();
  set_base_offset(batch, base_offset);
  return batch;
}

bool keep_all(const record_view&) { return true; }
bool keep_none(const record_view&) { return false; }

TEST(RecordFilter, KeepingEveryRecordLeavesTheBatchAlone) {
  auto filtered = filter_batch(sample_batch(), keep_all, false);
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->outcome, filter_outcome::unchanged);
}

TEST(RecordFilter, ARewrittenBatchKeepsOffsetsIdentityAndHeaders) {
  auto filtered = filter_batch(
      sample_batch(), [](const record_view& r) { return text(r.key) != "k2"; }, false);
  ASSERT_TRUE(filtered);
  ASSERT_EQ(filtered->outcome, filter_outcome::rewritten);
  auto h = validate_batch(filtered->bytes);
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_EQ(h->base_offset, 100);
  EXPECT_EQ(h->last_offset_delta, 2);
  EXPECT_EQ(h->records_count, 2);
  EXPECT_EQ(h->producer_id, 7);
  EXPECT_EQ(h->producer_epoch, 1);
  EXPECT_EQ(h->base_sequence, 3);
  EXPECT_EQ(h->max_timestamp, 1002);
  std::vector<std::string> seen;
  ASSERT_TRUE(
      for_each_record(*h, bytes_view(filtered->bytes).subspan(batch_header_size), [&](const record_view& r) {
        seen.push_back(std::to_string(r.offset) + ":" + text(r.key) + "=" + text(r.value) + "@" +
                       std::to_string(r.timestamp) +
                       (r.headers.empty() ? "" : "+" + std::string(r.headers[0].key)));
        return true;
      }));
  EXPECT_EQ(seen, (std::vector<std::string>{"100:k1=v1@1000+trace", "102:k3=<null>@1002"}));
}

TEST(RecordFilter, AnEmptiedBatchIsRemovedUnlessItsHeaderIsWanted) {
  auto removed = filter_batch(sample_batch(), keep_none, false);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->outcome, filter_outcome::removed);
  auto kept = filter_batch(sample_batch(), keep_none, true);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->outcome, filter_outcome::emptied);
  auto h = validate_batch(kept->bytes);
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_EQ(h->records_count, 0);
  EXPECT_EQ(h->base_offset, 100);
  EXPECT_EQ(h->last_offset(), 102) << "the producer's sequence range survives";
  EXPECT_EQ(h->base_sequence, 3);
  EXPECT_EQ(kept->bytes.size(), batch_header_size);
}

TEST(RecordFilter, ControlBatchesPassUnchanged) {
  auto batch = sample_batch();
  store_be<std::int16_t>(batch.data() + batch_attributes_offset, 0x20);
  store_be<std::uint32_t>(batch.data() + batch_crc_offset, compute_crc(batch));
  auto filtered = filter_batch(batch, keep_none, false);
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->outcome, filter_outcome::unchanged);
}

}  // namespace
}  // namespace sluice::model
