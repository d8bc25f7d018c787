// Moving the log start: retention.bytes and retention.ms (with an explicit
// clock), and DeleteRecords. Whole segments go; the start is persisted.
#include <gtest/gtest.h>

#include "storage/partition_log.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

class RetentionTest : public ::testing::Test {
 protected:
  // Four one-record batches per segment.
  void open(bool clean = false) {
    config_.segment_bytes = static_cast<std::int64_t>(4 * batch_size_);
    log_ = open_log(dir_.path(), config_, clean);
  }

  void append_at(std::int64_t timestamp, int batches = 1) {
    for (int i = 0; i < batches; ++i) append_batch(*log_, make_batch(1, timestamp, value_size_));
  }

  bool segment_exists(std::int64_t base) const {
    return std::filesystem::exists(segment_file(dir_.path(), base, ".log"));
  }

  bool any_file_of_segment(std::int64_t base) const {
    for (const char* ext : {".log", ".index", ".timeindex"})
      if (std::filesystem::exists(segment_file(dir_.path(), base, ext))) return true;
    return false;
  }

  static constexpr std::size_t value_size_ = 50;
  const std::uint64_t batch_size_ = make_batch(1, 0, value_size_).size();
  temp_dir dir_;
  log_config config_ = test_config();
  std::unique_ptr<partition_log> log_;
};

TEST_F(RetentionTest, NothingIsDeletedWithoutLimits) {
  open();
  append_at(1000, 16);
  EXPECT_EQ(must(log_->enforce_retention(INT64_MAX / 2)), 0u);
  EXPECT_EQ(log_->log_start_offset(), 0);
  EXPECT_EQ(log_->stats().segments, 4u);
}

TEST_F(RetentionTest, RetentionBytesDeletesTheOldestSegments) {
  config_.retention_bytes = static_cast<std::int64_t>(9 * batch_size_);
  open();
  append_at(1000, 16);
  ASSERT_EQ(log_->stats().segments, 4u);
  // 16 batches; dropping the first segment leaves 12 ≥ 9, dropping the next would leave 8 < 9.
  EXPECT_EQ(must(log_->enforce_retention(1000)), 1u);
  EXPECT_EQ(log_->log_start_offset(), 4);
  EXPECT_EQ(log_->stats().size_bytes, 12 * batch_size_);
  EXPECT_FALSE(any_file_of_segment(0));
  EXPECT_TRUE(segment_exists(4));
  EXPECT_EQ(log_->read(3, 100).error().code, errc::offset_out_of_range);
  EXPECT_EQ(base_offsets_of(must(log_->read(4, 1)).batches), std::vector<std::int64_t>{4});
  EXPECT_EQ(must(log_->enforce_retention(1000)), 0u) << "already within the limit";
}

TEST_F(RetentionTest, RetentionBytesNeverDeletesTheActiveSegment) {
  config_.retention_bytes = 0;
  open();
  append_at(1000, 10);
  EXPECT_EQ(must(log_->enforce_retention(1000)), 2u);
  EXPECT_EQ(log_->log_start_offset(), 8);
  EXPECT_EQ(log_->end_offset(), 10);
  EXPECT_EQ(log_->stats().segments, 1u);
}

TEST_F(RetentionTest, RetentionMsDeletesSegmentsWhoseNewestRecordExpired) {
  config_.retention_ms = 1000;
  open();
  append_at(1000, 4);
  append_at(2000, 4);
  append_at(3000, 4);
  append_at(4000, 2);
  EXPECT_EQ(must(log_->enforce_retention(2000)), 0u) << "exactly retention.ms old is kept";
  EXPECT_EQ(must(log_->enforce_retention(3500)), 2u);
  EXPECT_EQ(log_->log_start_offset(), 8);
  EXPECT_FALSE(any_file_of_segment(0));
  EXPECT_FALSE(any_file_of_segment(4));
  EXPECT_TRUE(segment_exists(8));
  EXPECT_EQ(read_all(*log_).size(), 6 * batch_size_);
}

TEST_F(RetentionTest, RetentionMsUsesTheNewestRecordOfASegment) {
  config_.retention_ms = 1000;
  open();
  append_at(1000, 3);
  append_at(5000, 1);  // keeps the first segment alive
  append_at(1000, 4);
  append_at(6000, 1);
  EXPECT_EQ(must(log_->enforce_retention(5500)), 0u);
  EXPECT_EQ(log_->log_start_offset(), 0) << "deletion stops at the first segment that is not expired";
  EXPECT_EQ(must(log_->enforce_retention(6001)), 2u);
}

TEST_F(RetentionTest, ActiveSegmentIsRolledWhenAllItsDataExpired) {
  config_.retention_ms = 1000;
  open();
  append_at(1000, 2);
  EXPECT_EQ(must(log_->enforce_retention(1500)), 0u);
  EXPECT_EQ(log_->stats().segments, 1u);
  EXPECT_EQ(must(log_->enforce_retention(5000)), 1u);
  EXPECT_EQ(log_->log_start_offset(), 2);
  EXPECT_EQ(log_->end_offset(), 2);
  EXPECT_EQ(log_->stats().segments, 1u);
  EXPECT_FALSE(any_file_of_segment(0));
  EXPECT_TRUE(segment_exists(2));
  EXPECT_TRUE(must(log_->read(2, 100)).batches.empty());
  EXPECT_EQ(must(log_->offset_for_timestamp(0)), std::nullopt);
  append_at(5000);
  EXPECT_EQ(base_offsets_of(read_all(*log_)), std::vector<std::int64_t>{2});
  EXPECT_EQ(must(log_->enforce_retention(5000)), 0u) << "the new data is fresh";
}

TEST_F(RetentionTest, ActiveSegmentWithUnexpiredDataIsKept) {
  config_.retention_ms = 1000;
  open();
  append_at(1000);
  append_at(4800);
  EXPECT_EQ(must(log_->enforce_retention(5000)), 0u);
  EXPECT_EQ(log_->log_start_offset(), 0);
  EXPECT_EQ(log_->stats().segments, 1u);
}

TEST_F(RetentionTest, LogStartAfterRetentionSurvivesReopen) {
  config_.retention_ms = 1000;
  open();
  append_at(1000, 6);
  append_at(9000, 1);
  EXPECT_EQ(must(log_->enforce_retention(5000)), 1u);
  log_.reset();  // a crash
  open(/*clean=*/false);
  EXPECT_EQ(log_->log_start_offset(), 4);
  EXPECT_EQ(log_->end_offset(), 7);
  EXPECT_EQ(log_->read(0, 100).error().code, errc::offset_out_of_range);
}

TEST_F(RetentionTest, DeleteRecordsMovesTheLogStartInsideABatch) {
  open();
  auto a = append_batch(*log_, make_batch(3));
  auto b = append_batch(*log_, make_batch(3));
  must(log_->delete_records_before(4));
  EXPECT_EQ(log_->log_start_offset(), 4);
  EXPECT_EQ(log_->read(3, 100).error().code, errc::offset_out_of_range);
  auto read = must(log_->read(4, 1 << 20));
  EXPECT_TRUE(same_bytes(read.batches, b)) << "the batch holding the start is served whole";
  EXPECT_EQ(read.log_start_offset, 4);
  must(log_->delete_records_before(2));  // below the start: nothing to do
  EXPECT_EQ(log_->log_start_offset(), 4);
}

TEST_F(RetentionTest, DeleteRecordsPersistsAcrossReopen) {
  for (bool clean : {true, false}) {
    SCOPED_TRACE(clean ? "clean" : "crash");
    std::filesystem::remove_all(dir_.path());
    open();
    append_at(1000, 6);
    must(log_->delete_records_before(5));
    if (clean) must(log_->close());
    log_.reset();
    open(clean);
    EXPECT_EQ(log_->log_start_offset(), 5);
    EXPECT_EQ(log_->read(4, 100).error().code, errc::offset_out_of_range);
    EXPECT_EQ(base_offsets_of(read_all(*log_)), std::vector<std::int64_t>{5});
  }
}

TEST_F(RetentionTest, DeleteRecordsDeletesWholeSegmentsBelowTheNewStart) {
  open();
  append_at(1000, 14);
  ASSERT_EQ(log_->stats().segments, 4u);
  must(log_->delete_records_before(9));
  EXPECT_EQ(log_->stats().segments, 2u);
  EXPECT_FALSE(any_file_of_segment(0));
  EXPECT_FALSE(any_file_of_segment(4));
  EXPECT_TRUE(segment_exists(8)) << "it still holds offsets 9 to 11";
  EXPECT_EQ(base_offsets_of(read_all(*log_)), (std::vector<std::int64_t>{9, 10, 11, 12, 13}));
}

TEST_F(RetentionTest, DeleteRecordsUpToTheEndEmptiesTheLog) {
  open();
  append_at(1000, 6);
  must(log_->delete_records_before(6));
  EXPECT_EQ(log_->log_start_offset(), 6);
  EXPECT_EQ(log_->end_offset(), 6);
  EXPECT_EQ(log_->stats().segments, 1u);
  EXPECT_EQ(log_->stats().size_bytes, 0u);
  EXPECT_FALSE(any_file_of_segment(0));
  EXPECT_FALSE(any_file_of_segment(4));
  append_at(1000);
  EXPECT_EQ(base_offsets_of(read_all(*log_)), std::vector<std::int64_t>{6});
  log_.reset();
  open();
  EXPECT_EQ(log_->log_start_offset(), 6);
  EXPECT_EQ(log_->end_offset(), 7);
}

TEST_F(RetentionTest, DeleteRecordsBeyondTheEndIsAnError) {
  open();
  append_at(1000, 3);
  EXPECT_EQ(log_->delete_records_before(4).error().code, errc::offset_out_of_range);
  EXPECT_EQ(log_->delete_records_before(-1).error().code, errc::offset_out_of_range);
  EXPECT_EQ(log_->log_start_offset(), 0);
  EXPECT_EQ(read_all(*log_).size(), 3 * batch_size_);
}

}  // namespace
}  // namespace sluice::storage
