// offset_for_timestamp: the first offset whose record timestamp is ≥ T, as
// Kafka's ListOffsets answers it, checked against a brute-force scan.
#include <gtest/gtest.h>

#include "storage/partition_log.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

// Runs each test with a dense offset/time index (an entry per batch) and
// with the default sparse one, whose entries these small batches never reach.
class TimestampTest : public ::testing::TestWithParam<std::int64_t> {
 protected:
  void open(log_config config = test_config()) {
    config.index_interval_bytes = GetParam();
    log_ = open_log(dir_.path(), config);
  }

  // Appends one batch with these record timestamps and remembers them.
  void append(const std::vector<std::int64_t>& timestamps,
              model::compression codec = model::compression::none) {
    auto batch = make_batch_with_timestamps(timestamps);
    if (codec != model::compression::none) batch = compress_batch(batch, codec);
    auto appended = must(log_->append(batch));
    for (std::size_t i = 0; i < timestamps.size(); ++i)
      records_.push_back({appended.base_offset + static_cast<std::int64_t>(i), timestamps[i]});
  }

  std::optional<std::int64_t> lookup(std::int64_t timestamp) const {
    return must(log_->offset_for_timestamp(timestamp));
  }

  // Every answer in [lowest, highest] is what a scan of every record gives.
  void expect_matches_brute_force(std::int64_t lowest, std::int64_t highest) const {
    for (auto t = lowest; t <= highest; ++t)
      EXPECT_EQ(lookup(t), first_record_at_or_after(records_, t, log_->log_start_offset()))
          << "timestamp " << t;
  }

  temp_dir dir_;
  std::unique_ptr<partition_log> log_;
  std::vector<record_stamp> records_;  // what was appended, compressed or not
};

std::string density_name(const ::testing::TestParamInfo<std::int64_t>& param) {
  return param.param == 0 ? "Dense" : "Sparse";
}

INSTANTIATE_TEST_SUITE_P(IndexDensity, TimestampTest, ::testing::Values(0, 4096), density_name);

TEST_P(TimestampTest, EmptyLogHasNoOffsetForAnyTimestamp) {
  open();
  EXPECT_EQ(lookup(0), std::nullopt);
  EXPECT_EQ(lookup(-1), std::nullopt);
}

TEST_P(TimestampTest, FindsTheFirstRecordAtOrAfterTheTimestampInsideABatch) {
  open();
  append({100, 105, 103, 110});
  EXPECT_EQ(lookup(99), 0);
  EXPECT_EQ(lookup(100), 0);
  EXPECT_EQ(lookup(101), 1);
  EXPECT_EQ(lookup(104), 1);  // 105 comes before 103 in offset order
  EXPECT_EQ(lookup(106), 3);
  EXPECT_EQ(lookup(110), 3);
  EXPECT_EQ(lookup(111), std::nullopt);
}

TEST_P(TimestampTest, NonMonotonicTimestampsAcrossBatches) {
  open();
  append({100, 200});
  append({900});
  append({300, 400});
  append({950});
  append({50});
  EXPECT_EQ(lookup(150), 1);
  EXPECT_EQ(lookup(350), 2);  // the 900 record, not the later 400
  EXPECT_EQ(lookup(901), 5);
  EXPECT_EQ(lookup(951), std::nullopt);
  expect_matches_brute_force(0, 1000);
}

TEST_P(TimestampTest, AcrossSegments) {
  auto config = test_config();
  config.segment_bytes = 400;
  open(config);
  // Timestamps rise and fall, so the newest record of a segment is not the last.
  std::int64_t t = 1000;
  for (int i = 0; i < 30; ++i) {
    append({t, t + 7, t - 3});
    t += (i % 4 == 3) ? -45 : 20;
  }
  ASSERT_GT(log_->stats().segments, 5u);
  expect_matches_brute_force(900, 1500);
}

TEST_P(TimestampTest, NothingBeyondTheMaxTimestamp) {
  auto config = test_config();
  config.segment_bytes = 200;
  open(config);
  for (int i = 0; i < 10; ++i) append({1000 + i});
  ASSERT_GT(log_->stats().segments, 1u);
  EXPECT_EQ(lookup(1009), 9);
  EXPECT_EQ(lookup(1010), std::nullopt);
  EXPECT_EQ(lookup(INT64_MAX), std::nullopt);
}

TEST_P(TimestampTest, CompressedBatches) {
  for (auto codec : {model::compression::gzip, model::compression::snappy, model::compression::lz4,
                     model::compression::zstd}) {
    SCOPED_TRACE(model::compression_name(codec));
    temp_dir dir;
    auto config = test_config();
    config.index_interval_bytes = GetParam();
    log_ = open_log(dir.path(), config);
    records_.clear();
    append({100, 120});
    append({300, 200, 400, 250}, codec);
    append({500});
    EXPECT_EQ(lookup(150), 2);
    EXPECT_EQ(lookup(301), 4);
    EXPECT_EQ(lookup(400), 4);
    EXPECT_EQ(lookup(401), 6);
    expect_matches_brute_force(90, 510);
    // Stored and served exactly as compressed by the producer.
    auto read = must(log_->read(3, 1));
    EXPECT_EQ(must(model::decode_header(read.batches)).codec(), codec);
    log_.reset();
  }
}

TEST_P(TimestampTest, NeverAnswersBelowTheLogStart) {
  open();
  append({100, 200, 300});
  append({150, 400});
  must(log_->delete_records_before(1));
  EXPECT_EQ(lookup(0), 1);
  EXPECT_EQ(lookup(250), 2);
  must(log_->delete_records_before(4));
  EXPECT_EQ(lookup(0), 4);
  EXPECT_EQ(lookup(350), 4);
}

TEST_P(TimestampTest, AnswersAreUnchangedAfterACleanReopen) {
  auto config = test_config();
  config.segment_bytes = 300;
  open(config);
  for (int i = 0; i < 12; ++i) append({2000 - 10 * i, 2000 + 10 * i});
  must(log_->close());
  config.index_interval_bytes = GetParam();
  log_ = open_log(dir_.path(), config, /*clean=*/true);
  expect_matches_brute_force(1880, 2120);
}

}  // namespace
}  // namespace sluice::storage
