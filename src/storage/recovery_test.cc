// Reopening a log: after a clean close, after a crash, and after the files
// were damaged — a torn or corrupt active tail is cut back to the last good
// batch, missing or garbage indexes are rebuilt, and bit rot in a sealed
// segment is reported, never served.
#include <gtest/gtest.h>

#include "storage/partition_log.h"
#include "storage/test_util.h"
#include "storage/time_index.h"

namespace sluice::storage {
namespace {

using namespace test;

class RecoveryTest : public ::testing::Test {
 protected:
  void open(bool clean = false) { log_ = open_log(dir_.path(), config_, clean); }

  // Destroys the log without close(): what a crash leaves (page cache kept).
  void crash() { log_.reset(); }

  void close_and_reopen() {
    must(log_->close());
    log_.reset();
    open(/*clean=*/true);
  }

  byte_vector append(int records = 1, std::int64_t timestamp = 1000, std::size_t value_size = 16) {
    auto batch = append_batch(*log_, make_batch(records, timestamp, value_size));
    stored_.push_back(batch);
    return batch;
  }

  byte_vector stored(std::size_t first, std::size_t last) const {
    byte_vector out;
    for (auto i = first; i < last; ++i) out.insert(out.end(), stored_[i].begin(), stored_[i].end());
    return out;
  }

  // The log holds exactly stored_[0, count) and takes new appends after them.
  void expect_holds_first(std::size_t count) {
    EXPECT_TRUE(same_bytes(read_all(*log_), stored(0, count)));
    auto end = count == 0 ? 0 : must(model::decode_header(stored_[count - 1])).next_offset();
    EXPECT_EQ(log_->end_offset(), end);
    stored_.resize(count);
    auto appended = append(2);
    EXPECT_EQ(must(model::decode_header(appended)).base_offset, end);
    EXPECT_TRUE(same_bytes(read_all(*log_), stored(0, count + 1)));
  }

  std::string log_file(std::int64_t base = 0) const { return segment_file(dir_.path(), base, ".log"); }

  // A log of three sealed segments of four batches each and an active one
  // of two, with index entries every few batches.
  void build_segmented_log() {
    auto one = make_batch(2, 0, 40).size();
    config_.segment_bytes = static_cast<std::int64_t>(4 * one);
    config_.index_interval_bytes = static_cast<std::int64_t>(one);
    open();
    for (int i = 0; i < 14; ++i) append(2, 5000 + 10 * i + (i % 3 == 0 ? 100 : 0), 40);
    ASSERT_EQ(log_->stats().segments, 4u);
  }

  void expect_segmented_log_intact() {
    EXPECT_EQ(read_all(*log_), stored(0, stored_.size()));
    for (std::int64_t offset = 0; offset < 28; ++offset)
      EXPECT_TRUE(
          same_bytes(must(log_->read(offset, 1)).batches, stored_[static_cast<std::size_t>(offset / 2)]));
    auto records = records_of(stored(0, stored_.size()));
    for (std::int64_t t = 4990; t <= 5230; ++t)
      EXPECT_EQ(must(log_->offset_for_timestamp(t)), first_record_at_or_after(records, t))
          << "timestamp " << t;
  }

  temp_dir dir_;
  log_config config_ = test_config();
  std::unique_ptr<partition_log> log_;
  std::vector<byte_vector> stored_;
};

TEST_F(RecoveryTest, CleanReopenPreservesEverything) {
  build_segmented_log();
  must(log_->delete_records_before(1));
  auto before = log_->stats();
  close_and_reopen();
  auto after = log_->stats();
  EXPECT_EQ(after.log_start_offset, 1);
  EXPECT_EQ(after.end_offset, before.end_offset);
  EXPECT_EQ(after.durable_offset, before.end_offset);
  EXPECT_EQ(after.segments, before.segments);
  EXPECT_EQ(after.size_bytes, before.size_bytes);
  must(log_->delete_records_before(0));  // a no-op: the start only moves forward
  EXPECT_EQ(read_all(*log_), stored(0, stored_.size()));
}

TEST_F(RecoveryTest, CrashKeepsEveryWrittenBatch) {
  build_segmented_log();
  crash();
  open(/*clean=*/false);
  expect_segmented_log_intact();
  expect_holds_first(stored_.size());
}

TEST_F(RecoveryTest, TruncatedTrailingBatchIsRemovedOnRecovery) {
  open();
  for (int i = 0; i < 3; ++i) append(2);
  append(3, 1000, 200);
  crash();
  truncate_file(log_file(), file_size(log_file()) - 100);
  open();
  expect_holds_first(3);
}

TEST_F(RecoveryTest, TruncatedBatchHeaderIsRemovedOnRecovery) {
  open();
  for (int i = 0; i < 3; ++i) append(2);
  auto size = file_size(log_file());
  append(1);
  crash();
  truncate_file(log_file(), size + 30);
  open();
  expect_holds_first(3);
}

TEST_F(RecoveryTest, CorruptTrailingBatchIsRemovedOnRecovery) {
  open();
  for (int i = 0; i < 3; ++i) append(2);
  append(2, 1000, 100);
  crash();
  flip_byte(log_file(), file_size(log_file()) - 50);
  open();
  expect_holds_first(3);
}

TEST_F(RecoveryTest, GarbageAfterTheLastBatchIsRemovedOnRecovery) {
  open();
  for (int i = 0; i < 4; ++i) append(2);
  crash();
  auto size = file_size(log_file());
  write_file(log_file(), garbage(300), /*append=*/true);
  open();
  EXPECT_EQ(file_size(log_file()), size);
  expect_holds_first(4);
}

TEST_F(RecoveryTest, ZeroFilledTailIsRemovedOnRecovery) {
  open();
  for (int i = 0; i < 4; ++i) append(2);
  crash();
  write_file(log_file(), byte_vector(4096), /*append=*/true);
  open();
  expect_holds_first(4);
}

TEST_F(RecoveryTest, BatchWhoseOffsetsDoNotContinueIsRemovedOnRecovery) {
  // base_offset is outside the CRC: only the offsets continuing can vouch for it.
  for (bool clean : {false, true}) {
    for (std::int64_t bad_base : {7, 5, 100}) {
      SCOPED_TRACE(std::to_string(bad_base) + (clean ? " after a clean close" : " after a crash"));
      std::filesystem::remove_all(dir_.path());
      stored_.clear();
      open();
      for (int i = 0; i < 4; ++i) append(2);
      if (clean) must(log_->close());
      crash();
      auto contents = read_file(log_file());
      store_be<std::int64_t>(contents.data() + contents.size() - stored_[3].size(), bad_base);
      write_file(log_file(), contents);
      open(clean);
      expect_holds_first(3);
    }
  }
}

TEST_F(RecoveryTest, DamagedTailIsFoundEvenAfterAShutdownThatClaimedToBeClean) {
  config_.index_interval_bytes = 0;
  open();
  for (int i = 0; i < 5; ++i) append(2);
  must(log_->close());
  log_.reset();
  flip_byte(log_file(), file_size(log_file()) - 10);
  open(/*clean=*/true);
  expect_holds_first(4);
}

TEST_F(RecoveryTest, MissingIndexesOfASealedSegmentAreRebuilt) {
  build_segmented_log();
  close_and_reopen();
  log_.reset();
  std::filesystem::remove(segment_file(dir_.path(), 8, ".index"));
  std::filesystem::remove(segment_file(dir_.path(), 8, ".timeindex"));
  open(/*clean=*/true);
  {
    SCOPED_TRACE("rebuilt");
    expect_segmented_log_intact();
  }
  // What the rebuild wrote must serve the next start as well.
  close_and_reopen();
  SCOPED_TRACE("reopened after the rebuild");
  expect_segmented_log_intact();
}

TEST_F(RecoveryTest, MissingIndexesOfTheActiveSegmentAreRebuilt) {
  for (bool clean : {true, false}) {
    SCOPED_TRACE(clean ? "clean" : "crash");
    stored_.clear();
    std::filesystem::remove_all(dir_.path());
    build_segmented_log();
    must(log_->close());
    log_.reset();
    std::filesystem::remove(segment_file(dir_.path(), 24, ".index"));
    std::filesystem::remove(segment_file(dir_.path(), 24, ".timeindex"));
    open(clean);
    expect_segmented_log_intact();
    close_and_reopen();
    expect_segmented_log_intact();
  }
}

TEST_F(RecoveryTest, GarbageIndexesAreRebuilt) {
  build_segmented_log();
  must(log_->close());
  log_.reset();
  for (std::int64_t base : {8, 24}) {
    // One entry's worth and several: a single garbage entry has no order to break.
    write_file(segment_file(dir_.path(), base, ".index"), garbage(8, 3));
    write_file(segment_file(dir_.path(), base, ".timeindex"), garbage(12, 5));
  }
  write_file(segment_file(dir_.path(), 0, ".index"), garbage(40, 11));
  write_file(segment_file(dir_.path(), 0, ".timeindex"), garbage(60, 13));
  open(/*clean=*/true);
  expect_segmented_log_intact();
  close_and_reopen();
  expect_segmented_log_intact();
}

TEST_F(RecoveryTest, GarbageTimeIndexBesideAGoodOffsetIndexIsRebuilt) {
  build_segmented_log();
  must(log_->close());
  log_.reset();
  for (std::int64_t base : {8, 24}) write_file(segment_file(dir_.path(), base, ".timeindex"), garbage(12, 5));
  open(/*clean=*/true);
  expect_segmented_log_intact();
  close_and_reopen();
  expect_segmented_log_intact();
}

TEST_F(RecoveryTest, StaleTimeIndexEntryPastTheActiveSegmentIsRebuilt) {
  build_segmented_log();
  must(log_->close());
  log_.reset();
  // Well formed, but naming an offset the segment never reached — as a
  // leftover of an earlier segment with the same base would.
  byte_vector entry(time_index::entry_size);
  store_be<std::int64_t>(entry.data(), 1);
  store_be<std::uint32_t>(entry.data() + 8, 1000);
  write_file(segment_file(dir_.path(), 24, ".timeindex"), entry);
  open(/*clean=*/true);
  expect_segmented_log_intact();
}

TEST_F(RecoveryTest, CorruptBatchInASealedSegmentIsNeverServed) {
  build_segmented_log();
  must(log_->close());
  log_.reset();
  // Batch 6 (offsets 12-13) is the third of the segment at offset 8.
  auto position = stored_[4].size() + stored_[5].size() + 70;
  flip_byte(log_file(8), position);
  open(/*clean=*/true);
  for (std::int64_t offset : {12, 13}) {
    auto read = log_->read(offset, 1 << 20);
    ASSERT_FALSE(read) << "offset " << offset;
    EXPECT_EQ(read.error().code, errc::corruption);
  }
  // Batches before it are served; a read that reaches it stops short of it.
  EXPECT_TRUE(same_bytes(must(log_->read(8, 1 << 20)).batches, stored(4, 6)));
  EXPECT_TRUE(same_bytes(must(log_->read(10, 1 << 20)).batches, stored(5, 6)));
  EXPECT_TRUE(same_bytes(must(log_->read(0, 1 << 20)).batches, stored(0, 4)));
  EXPECT_TRUE(same_bytes(must(log_->read(14, 1 << 20)).batches, stored(7, 8)));
}

TEST_F(RecoveryTest, WrongBaseOffsetInASealedSegmentIsNeverServed) {
  build_segmented_log();
  must(log_->close());
  log_.reset();
  // The base offset is outside the CRC: batch 6 (offsets 12-13) claims to start at 40.
  byte_vector file = read_file(log_file(8));
  store_be<std::int64_t>(file.data() + stored_[4].size() + stored_[5].size(), 40);
  write_file(log_file(8), file);
  open(/*clean=*/true);
  EXPECT_EQ(log_->read(12, 1 << 20).error().code, errc::corruption);
  EXPECT_TRUE(same_bytes(must(log_->read(8, 1 << 20)).batches, stored(4, 6)));
}

TEST_F(RecoveryTest, CorruptBatchInASealedSegmentIsNeverServedWhenItsIndexIsRebuilt) {
  build_segmented_log();
  must(log_->close());
  log_.reset();
  flip_byte(log_file(8), stored_[4].size() + 70);
  std::filesystem::remove(segment_file(dir_.path(), 8, ".index"));
  open(/*clean=*/false);
  EXPECT_EQ(log_->read(10, 1 << 20).error().code, errc::corruption);
  EXPECT_TRUE(same_bytes(must(log_->read(8, 1 << 20)).batches, stored(4, 5)));
  EXPECT_EQ(log_->end_offset(), 28) << "sealed segments are never truncated";
}

TEST_F(RecoveryTest, RecoveryOfAnEmptyActiveSegment) {
  config_.segment_bytes = 100;
  open();
  append(1, 1000, 200);
  append(1, 1000, 200);
  crash();
  truncate_file(log_file(1), 0);
  open();
  expect_holds_first(1);
}

TEST_F(RecoveryTest, LeftoverTemporaryAndOrphanIndexFilesAreRemoved) {
  open();
  append(2);
  crash();
  write_file(dir_ / "partition.properties.tmp", garbage(10));
  write_file(segment_file(dir_.path(), 77, ".index"), garbage(8));
  open();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "partition.properties.tmp"));
  EXPECT_FALSE(std::filesystem::exists(segment_file(dir_.path(), 77, ".index")));
  expect_holds_first(1);
}

}  // namespace
}  // namespace sluice::storage
