// The pieces under the partition log: the offset and time indexes, one
// segment's files, and the rules that roll the active segment.
#include "storage/segment.h"

#include <gtest/gtest.h>

#include <chrono>

#include "storage/offset_index.h"
#include "storage/test_util.h"
#include "storage/time_index.h"

namespace sluice::storage {
namespace {

using namespace test;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(OffsetIndexTest, LookupFindsTheLastEntryAtOrBelowAnOffset) {
  offset_index index(100);
  EXPECT_EQ(index.lookup(150).position, 0u);
  EXPECT_EQ(index.lookup(150).offset, 100);
  index.append(110, 400);
  index.append(120, 800);
  EXPECT_EQ(index.lookup(109).position, 0u);
  EXPECT_EQ(index.lookup(110).position, 400u);
  EXPECT_EQ(index.lookup(119).position, 400u);
  EXPECT_EQ(index.lookup(500).position, 800u);
}

TEST(OffsetIndexTest, EntriesRoundTripThroughTheFile) {
  temp_dir dir;
  auto f = must(io::file_system::posix().open(dir / "x.index", io::open_mode::read_write));
  offset_index index(1000);
  index.append(1005, 100);
  index.append(1010, 200);
  must(index.write_pending(*f));
  index.append(1020, 300);
  must(index.write_pending(*f));
  EXPECT_EQ(must(f->size()), 3 * offset_index::entry_size);
  auto loaded = must(offset_index::load(*f, 1000, 400));
  EXPECT_EQ(loaded.size_bytes(), 3 * offset_index::entry_size);
  EXPECT_EQ(loaded.lookup(1015).offset, 1010);
  EXPECT_EQ(loaded.lookup(1015).position, 200u);
  EXPECT_EQ(loaded.last().offset, 1020);
}

TEST(OffsetIndexTest, LoadRejectsEntriesOutOfOrderOrPastTheLog) {
  temp_dir dir;
  auto f = must(io::file_system::posix().open(dir / "x.index", io::open_mode::read_write));
  offset_index index(0);
  index.append(5, 100);
  index.append(9, 300);
  must(index.write_pending(*f));
  EXPECT_EQ(offset_index::load(*f, 0, 300).error().code, errc::corruption);  // position 300 is past the log
  byte_vector swapped(16);
  store_be<std::uint32_t>(swapped.data(), 9);
  store_be<std::uint32_t>(swapped.data() + 4, 300);
  store_be<std::uint32_t>(swapped.data() + 8, 5);
  store_be<std::uint32_t>(swapped.data() + 12, 100);
  must(f->write_at(swapped, 0));
  EXPECT_EQ(offset_index::load(*f, 0, 1000).error().code, errc::corruption);
  must(f->truncate(13));
  EXPECT_EQ(offset_index::load(*f, 0, 1000).error().code, errc::corruption);
}

TEST(TimeIndexTest, LastBeforeFindsTheNewestEntryOlderThanATimestamp) {
  time_index index(0);
  EXPECT_FALSE(index.last_before(100));
  index.maybe_append(100, 3);
  index.maybe_append(100, 5);  // not newer: ignored
  index.maybe_append(90, 6);   // older: ignored
  index.maybe_append(200, 8);
  EXPECT_EQ(index.last()->offset, 8);
  EXPECT_FALSE(index.last_before(100));
  EXPECT_EQ(index.last_before(101)->offset, 3);
  EXPECT_EQ(index.last_before(200)->offset, 3);
  EXPECT_EQ(index.last_before(201)->offset, 8);
}

TEST(TimeIndexTest, LoadRejectsEntriesPastTheSegmentEnd) {
  temp_dir dir;
  auto f = must(io::file_system::posix().open(dir / "x.timeindex", io::open_mode::read_write));
  time_index index(50);
  index.maybe_append(1000, 52);
  index.maybe_append(2000, 60);
  must(index.write_pending(*f));
  auto loaded = must(time_index::load(*f, 50, 61));
  EXPECT_EQ(loaded.last()->timestamp, 2000);
  EXPECT_EQ(loaded.last()->offset, 60);
  EXPECT_EQ(time_index::load(*f, 50, 60).error().code, errc::corruption);
}

// A segment built directly, without a partition log around it.
class SegmentTest : public ::testing::Test {
 protected:
  // Appends `batch` at the segment's end; returns it with its offsets assigned.
  byte_vector append_to(segment& s, byte_vector batch, std::int64_t index_interval = 0) {
    model::set_base_offset(batch, s.next_offset());
    must(s.append(batch, headers_of(batch), index_interval));
    return batch;
  }

  temp_dir dir_;
  io::file_system& fs_ = io::file_system::posix();
};

TEST_F(SegmentTest, FilesAreNamedByTheirTwentyDigitBaseOffset) {
  auto s = must(segment::create(fs_, dir_.path(), 42));
  append_to(*s, make_batch(2));
  must(s->seal());
  EXPECT_EQ(s->log_path(), dir_ / "00000000000000000042.log");
  EXPECT_TRUE(fs_.exists(dir_ / "00000000000000000042.index"));
  EXPECT_TRUE(fs_.exists(dir_ / "00000000000000000042.timeindex"));
  EXPECT_EQ(s->next_offset(), 44);
}

TEST_F(SegmentTest, CreateRefusesAFileThatHoldsData) {
  auto s = must(segment::create(fs_, dir_.path(), 0));
  append_to(*s, make_batch());
  EXPECT_EQ(segment::create(fs_, dir_.path(), 0).error().code, errc::already_exists);
}

TEST_F(SegmentTest, SealedSegmentServesReadsAndLookupsFromItsIndexes) {
  std::vector<byte_vector> stored;
  {
    auto s = must(segment::create(fs_, dir_.path(), 10));
    for (int i = 0; i < 8; ++i) stored.push_back(append_to(*s, make_batch(2, 1000 + 10 * i)));
    must(s->seal());
  }
  // Interval 0 indexes every batch; the final time entry records the max.
  EXPECT_EQ(file_size(segment_file(dir_.path(), 10, ".index")), 8 * offset_index::entry_size);
  auto s = must(segment::open_sealed(fs_, dir_.path(), 10, 26));
  EXPECT_EQ(must(s->max_timestamp()), 1070);
  for (int i = 0; i < 8; ++i) {
    auto read = must(s->read(11 + 2 * i, 1, INT64_MAX, s->size()));
    EXPECT_TRUE(same_bytes(read, stored[static_cast<std::size_t>(i)]));
    EXPECT_EQ(must(s->offset_for_timestamp(1000 + 10 * i, 0)), 10 + 2 * i);
    EXPECT_EQ(must(s->offset_for_timestamp(995 + 10 * i, 0)), 10 + 2 * i);
  }
  EXPECT_EQ(must(s->offset_for_timestamp(1071, 0)), std::nullopt);
  EXPECT_EQ(must(s->offset_for_timestamp(0, 15)), 15);  // never below min_offset
}

TEST_F(SegmentTest, FailedWriteLeavesTheSegmentAsItWas) {
  io::fault_injection_file_system faulty;
  auto s = must(segment::create(faulty, dir_.path(), 0));
  auto first = append_to(*s, make_batch());
  faulty.fill_disk(true);
  auto batch = make_batch(3);
  model::set_base_offset(batch, 1);
  EXPECT_EQ(s->append(batch, headers_of(batch), 0).error().code, errc::no_space);
  EXPECT_EQ(s->size(), first.size());
  EXPECT_EQ(s->next_offset(), 1);
  EXPECT_EQ(file_size(s->log_path()), first.size());
}

class RollTest : public ::testing::Test {
 protected:
  std::size_t segments() const { return log_->stats().segments; }

  temp_dir dir_;
  std::unique_ptr<partition_log> log_;
};

TEST_F(RollTest, RollsBeforeABatchWouldExceedSegmentBytes) {
  auto config = test_config();
  auto one = make_batch(1, 1000, 100).size();
  config.segment_bytes = static_cast<std::int64_t>(2 * one + one / 2);
  log_ = open_log(dir_.path(), config);
  for (int i = 0; i < 5; ++i) append_batch(*log_, make_batch(1, 1000, 100));
  EXPECT_EQ(segments(), 3u);
  for (std::int64_t base : {0, 2, 4})
    EXPECT_TRUE(std::filesystem::exists(segment_file(dir_.path(), base, ".log")));
  EXPECT_EQ(file_size(segment_file(dir_.path(), 0, ".log")), 2 * one);
  EXPECT_EQ(file_size(segment_file(dir_.path(), 4, ".log")), one);
}

TEST_F(RollTest, ABatchLargerThanSegmentBytesGetsASegmentOfItsOwn) {
  auto config = test_config();
  config.segment_bytes = 100;
  log_ = open_log(dir_.path(), config);
  for (int i = 0; i < 3; ++i) append_batch(*log_, make_batch(1, 1000, 200));
  EXPECT_EQ(segments(), 3u);
  EXPECT_EQ(log_->end_offset(), 3);
}

TEST_F(RollTest, RollsWhenTheFirstBatchIsOlderThanSegmentMs) {
  auto config = test_config();
  config.segment_ms = 3600 * 1000;
  log_ = open_log(dir_.path(), config);
  append_batch(*log_, make_batch(1, 1000));  // stamped in 1970
  append_batch(*log_, make_batch(1, 1000));
  append_batch(*log_, make_batch(1, now_ms()));
  EXPECT_EQ(segments(), 3u);
  EXPECT_TRUE(std::filesystem::exists(segment_file(dir_.path(), 2, ".log")));
}

TEST_F(RollTest, DoesNotRollASegmentYoungerThanSegmentMs) {
  auto config = test_config();
  config.segment_ms = 3600 * 1000;
  log_ = open_log(dir_.path(), config);
  for (int i = 0; i < 4; ++i) append_batch(*log_, make_batch(1, now_ms()));
  EXPECT_EQ(segments(), 1u);
}

TEST_F(RollTest, SegmentAgeSurvivesACleanReopen) {
  auto config = test_config();
  config.segment_ms = 3600 * 1000;
  log_ = open_log(dir_.path(), config);
  append_batch(*log_, make_batch(1, 1000));
  must(log_->close());
  log_ = open_log(dir_.path(), config, /*clean=*/true);
  append_batch(*log_, make_batch(1, now_ms()));
  EXPECT_EQ(segments(), 2u);
}

TEST_F(RollTest, SegmentAgeIsTheFirstBatchsAfterRecoveringADamagedTail) {
  auto config = test_config();
  auto one = make_batch(1, now_ms()).size();
  config.index_interval_bytes = static_cast<std::int64_t>(2 * one);  // indexes the third batch only
  log_ = open_log(dir_.path(), config);
  append_batch(*log_, make_batch(1, 1000));  // stamped in 1970
  for (int i = 0; i < 3; ++i) append_batch(*log_, make_batch(1, now_ms()));
  must(log_->close());
  log_.reset();
  auto file = segment_file(dir_.path(), 0, ".log");
  flip_byte(file, file_size(file) - 5);  // the fourth batch: found after the scan passed the third
  config.segment_ms = 3600 * 1000;
  log_ = open_log(dir_.path(), config, /*clean=*/true);
  ASSERT_EQ(log_->end_offset(), 3);
  append_batch(*log_, make_batch(1, now_ms()));
  EXPECT_EQ(segments(), 2u) << "the segment's first batch is from 1970";
}

TEST_F(RollTest, RollsWhenTheOffsetIndexIsFull) {
  auto config = test_config();
  config.index_interval_bytes = 0;                            // an entry per batch
  config.segment_index_bytes = 2 * offset_index::entry_size;  // room for two
  log_ = open_log(dir_.path(), config);
  for (int i = 0; i < 6; ++i) append_batch(*log_, make_batch(1));
  EXPECT_EQ(segments(), 3u);
  must(log_->close());
  for (std::int64_t base : {0, 2, 4})
    EXPECT_EQ(file_size(segment_file(dir_.path(), base, ".index")), 2 * offset_index::entry_size);
}

TEST_F(RollTest, RolledSegmentsAreSealedWithDurableIndexes) {
  auto config = test_config();
  config.segment_bytes = 200;
  config.index_interval_bytes = 0;
  log_ = open_log(dir_.path(), config);
  for (int i = 0; i < 4; ++i) append_batch(*log_, make_batch(1, 1000 + i, 150));
  ASSERT_EQ(segments(), 4u);
  // Sealed at the roll, not at close: the index and time index are on disk already.
  EXPECT_EQ(file_size(segment_file(dir_.path(), 0, ".index")), offset_index::entry_size);
  EXPECT_EQ(file_size(segment_file(dir_.path(), 2, ".timeindex")), time_index::entry_size);
}

}  // namespace
}  // namespace sluice::storage
