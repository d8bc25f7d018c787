// Appending to and reading from one partition log: offset assignment,
// rejection of malformed input without side effects, and the read contract
// (batch-aligned, budgeted, bounded, across segments).
#include "storage/partition_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

class PartitionLogTest : public ::testing::Test {
 protected:
  void open(const log_config& config = test_config()) { log_ = open_log(dir_.path(), config); }
  std::string active_log_file() const { return segment_file(dir_.path(), 0, ".log"); }

  // Appending `input` fails with `code` and changes nothing.
  void expect_rejected(byte_vector input, errc code) {
    auto end = log_->end_offset();
    auto size = file_size(active_log_file());
    auto appended = log_->append(input);
    ASSERT_FALSE(appended);
    EXPECT_EQ(appended.error().code, code) << appended.error().describe();
    EXPECT_EQ(log_->end_offset(), end);
    EXPECT_EQ(file_size(active_log_file()), size);
    EXPECT_EQ(log_->stats().size_bytes, size);
  }

  temp_dir dir_;
  std::unique_ptr<partition_log> log_;
};

TEST_F(PartitionLogTest, OffsetsAreContiguousAcrossAppends) {
  open();
  auto three = make_batch(3);
  auto first = must(log_->append(three));
  EXPECT_EQ(first.base_offset, 0);
  EXPECT_EQ(first.last_offset, 2);
  EXPECT_EQ(first.records, 3u);
  auto batch = make_batch(2);
  auto second = must(log_->append(batch));
  EXPECT_EQ(second.base_offset, 3);
  EXPECT_EQ(second.last_offset, 4);
  EXPECT_EQ(log_->end_offset(), 5);
  EXPECT_EQ(base_offsets_of(read_all(*log_)), (std::vector<std::int64_t>{0, 3}));
}

TEST_F(PartitionLogTest, OffsetsAreAssignedInTheCallersBuffer) {
  open();
  append_batch(*log_, make_batch(4));
  auto batch = make_batch(1);
  must(log_->append(batch));
  EXPECT_EQ(must(model::decode_header(batch)).base_offset, 4);
  EXPECT_TRUE(model::validate_batch(batch)) << "the CRC does not cover the base offset";
}

TEST_F(PartitionLogTest, BackToBackBatchesInOneAppend) {
  open();
  auto input = concat({make_batch(2), make_batch(1), make_batch(5)});
  auto appended = must(log_->append(input));
  EXPECT_EQ(appended.base_offset, 0);
  EXPECT_EQ(appended.last_offset, 7);
  EXPECT_EQ(appended.batches, 3u);
  EXPECT_EQ(appended.records, 8u);
  EXPECT_EQ(base_offsets_of(input), (std::vector<std::int64_t>{0, 2, 3}));
  EXPECT_TRUE(same_bytes(read_all(*log_), input));
}

TEST_F(PartitionLogTest, BytesOnDiskEqualTheBatchesApartFromBaseOffset) {
  open();
  auto a = make_batch(3, 1000, 100);
  auto b = make_batch(1, 2000, 7);
  auto stored_a = append_batch(*log_, a);
  auto stored_b = append_batch(*log_, b);
  must(log_->close());
  auto on_disk = read_file(active_log_file());
  ASSERT_TRUE(same_bytes(on_disk, concat({stored_a, stored_b})));
  // Only the first 8 bytes (base_offset) may differ from what the producer sent.
  EXPECT_TRUE(std::equal(a.begin() + 8, a.end(), on_disk.begin() + 8));
  EXPECT_EQ(load_be<std::int64_t>(on_disk.data() + a.size()), 3);
  EXPECT_TRUE(
      std::equal(b.begin() + 8, b.end(), on_disk.begin() + static_cast<std::ptrdiff_t>(a.size() + 8)));
}

TEST_F(PartitionLogTest, BatchWithBadCrcIsRejected) {
  open();
  append_batch(*log_, make_batch());
  auto batch = make_batch(2);
  batch[batch.size() - 2] ^= std::byte{1};
  expect_rejected(batch, errc::corrupt_batch);
}

TEST_F(PartitionLogTest, BatchWithWrongMagicIsRejected) {
  open();
  auto batch = make_batch();
  batch[16] = std::byte{1};
  expect_rejected(batch, errc::corrupt_batch);
}

TEST_F(PartitionLogTest, TruncatedBatchIsRejected) {
  open();
  append_batch(*log_, make_batch());
  auto batch = make_batch(3);
  expect_rejected(byte_vector(batch.begin(), batch.end() - 5), errc::corrupt_batch);
  expect_rejected(byte_vector(batch.begin(), batch.begin() + 40), errc::corrupt_batch);
}

TEST_F(PartitionLogTest, BatchLengthMismatchIsRejected) {
  open();
  auto longer = make_batch(2);
  store_be<std::int32_t>(longer.data() + 8, load_be<std::int32_t>(longer.data() + 8) + 4);
  expect_rejected(longer, errc::corrupt_batch);
  auto shorter = make_batch(2);
  store_be<std::int32_t>(shorter.data() + 8, load_be<std::int32_t>(shorter.data() + 8) - 4);
  expect_rejected(shorter, errc::corrupt_batch);
  expect_rejected(concat({make_batch(), byte_vector(3)}), errc::corrupt_batch);
}

TEST_F(PartitionLogTest, EmptyAppendIsRejected) {
  open();
  append_batch(*log_, make_batch());
  expect_rejected({}, errc::invalid_argument);
}

TEST_F(PartitionLogTest, OneBadBatchRejectsTheWholeAppend) {
  open();
  auto bad = make_batch();
  bad.back() ^= std::byte{1};
  expect_rejected(concat({make_batch(2), bad, make_batch()}), errc::corrupt_batch);
  EXPECT_EQ(log_->end_offset(), 0);
}

TEST_F(PartitionLogTest, BatchLargerThanMaxMessageBytesIsRejected) {
  auto config = test_config();
  auto fits = make_batch(1, 1000, 100);
  config.max_message_bytes = static_cast<std::int64_t>(fits.size());
  open(config);
  append_batch(*log_, fits);  // exactly the limit is accepted
  expect_rejected(make_batch(1, 1000, 101), errc::message_too_large);
  expect_rejected(concat({make_batch(1, 1000, 10), make_batch(1, 1000, 500)}), errc::message_too_large);
  EXPECT_EQ(log_->end_offset(), 1);
}

TEST_F(PartitionLogTest, ReadFromTheFirstOffset) {
  open();
  auto a = append_batch(*log_, make_batch(2));
  auto b = append_batch(*log_, make_batch(3));
  auto read = must(log_->read(0, 1 << 20));
  EXPECT_TRUE(same_bytes(read.batches, concat({a, b})));
  EXPECT_EQ(read.log_start_offset, 0);
  EXPECT_EQ(read.end_offset, 5);
}

TEST_F(PartitionLogTest, ReadFromTheMiddleOfABatchReturnsTheBatchHoldingIt) {
  open();
  append_batch(*log_, make_batch(2));
  auto b = append_batch(*log_, make_batch(5));
  auto c = append_batch(*log_, make_batch(1));
  EXPECT_TRUE(same_bytes(must(log_->read(4, 1 << 20)).batches, concat({b, c})));
  EXPECT_TRUE(same_bytes(must(log_->read(6, 1 << 20)).batches, concat({b, c})));
  EXPECT_TRUE(same_bytes(must(log_->read(7, 1 << 20)).batches, c));
}

TEST_F(PartitionLogTest, ReadStopsAtTheByteBudgetOnABatchBoundary) {
  open();
  std::vector<byte_vector> stored;
  for (int i = 0; i < 5; ++i) stored.push_back(append_batch(*log_, make_batch(1, 1000, 100)));
  auto one = stored[0].size();
  EXPECT_TRUE(same_bytes(must(log_->read(0, 2 * one)).batches, concat({stored[0], stored[1]})));
  EXPECT_TRUE(same_bytes(must(log_->read(0, 2 * one + one / 2)).batches, concat({stored[0], stored[1]})));
  EXPECT_TRUE(same_bytes(must(log_->read(1, 3 * one - 1)).batches, concat({stored[1], stored[2]})));
}

TEST_F(PartitionLogTest, ReadReturnsOneWholeBatchLargerThanTheBudget) {
  open();
  auto big = append_batch(*log_, make_batch(3, 1000, 500));
  append_batch(*log_, make_batch());
  EXPECT_TRUE(same_bytes(must(log_->read(0, 10)).batches, big));
  EXPECT_TRUE(same_bytes(must(log_->read(1, 0)).batches, big));
}

TEST_F(PartitionLogTest, ReadStopsBeforeMaxOffset) {
  open();
  auto a = append_batch(*log_, make_batch(2));
  auto b = append_batch(*log_, make_batch(2));
  append_batch(*log_, make_batch(2));
  EXPECT_TRUE(same_bytes(must(log_->read(0, 1 << 20, 4)).batches, concat({a, b})));
  EXPECT_TRUE(same_bytes(must(log_->read(0, 1 << 20, 3)).batches, concat({a, b})));
  EXPECT_TRUE(same_bytes(must(log_->read(0, 1 << 20, 2)).batches, a));
  EXPECT_TRUE(must(log_->read(2, 1 << 20, 2)).batches.empty());
  // At or past max_offset nothing is wanted, not even the batch that straddles it.
  EXPECT_TRUE(must(log_->read(3, 1 << 20, 3)).batches.empty());
  EXPECT_TRUE(must(log_->read(5, 1 << 20, 3)).batches.empty());
  EXPECT_TRUE(same_bytes(must(log_->read(1, 1 << 20, 2)).batches, a));
}

TEST_F(PartitionLogTest, ReadAtTheEndOffsetIsEmpty) {
  open();
  EXPECT_TRUE(must(log_->read(0, 1 << 20)).batches.empty());
  append_batch(*log_, make_batch(3));
  auto read = must(log_->read(3, 1 << 20));
  EXPECT_TRUE(read.batches.empty());
  EXPECT_EQ(read.end_offset, 3);
}

TEST_F(PartitionLogTest, ReadOutsideTheLogIsOutOfRange) {
  open();
  append_batch(*log_, make_batch(3));
  append_batch(*log_, make_batch(3));
  EXPECT_EQ(log_->read(7, 1 << 20).error().code, errc::offset_out_of_range);
  EXPECT_EQ(log_->read(-1, 1 << 20).error().code, errc::offset_out_of_range);
  must(log_->delete_records_before(4));
  EXPECT_EQ(log_->read(3, 1 << 20).error().code, errc::offset_out_of_range);
  EXPECT_TRUE(log_->read(4, 1 << 20));
}

TEST_F(PartitionLogTest, ReadsAcrossSegmentsAfterRolls) {
  auto config = test_config();
  config.segment_bytes = 300;
  open(config);
  std::vector<byte_vector> stored;
  for (int i = 0; i < 12; ++i) stored.push_back(append_batch(*log_, make_batch(2, 1000, 60)));
  ASSERT_GT(log_->stats().segments, 3u);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    auto offset = static_cast<std::int64_t>(2 * i + 1);
    auto read = must(log_->read(offset, 1));
    EXPECT_TRUE(same_bytes(read.batches, stored[i])) << "offset " << offset;
  }
  byte_vector all;
  for (const auto& b : stored) all.insert(all.end(), b.begin(), b.end());
  EXPECT_TRUE(same_bytes(read_all(*log_), all));
}

TEST_F(PartitionLogTest, ReadsThroughADenseOffsetIndex) {
  auto config = test_config();
  config.index_interval_bytes = 0;  // an index entry for every batch
  open(config);
  std::vector<byte_vector> stored;
  for (int i = 0; i < 50; ++i) stored.push_back(append_batch(*log_, make_batch(1 + i % 3)));
  std::int64_t offset = 0;
  for (const auto& batch : stored) {
    auto h = must(model::decode_header(batch));
    for (; offset < h.next_offset(); ++offset)
      EXPECT_TRUE(same_bytes(must(log_->read(offset, 1)).batches, batch));
  }
}

TEST_F(PartitionLogTest, ReadsRunConcurrentlyWithAppendsRollsAndDeletes) {
  auto config = test_config();
  config.segment_bytes = 2000;
  config.index_interval_bytes = 300;
  open(config);
  constexpr int batches = 300;
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::thread writer([&] {
    for (int i = 0; i < batches; ++i) {
      auto batch = make_batch(2, 1000 + i);
      if (!log_->append(batch)) break;
      if (i % 40 == 39 && !log_->delete_records_before(log_->end_offset() - 30)) break;
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      while (!done) {
        auto start = log_->log_start_offset();
        auto offset = start + (log_->end_offset() - start) * r / 3;
        auto read = log_->read(offset, 1024);
        if (!read) {
          // Deleted between the two calls is the only acceptable failure.
          if (read.error().code != errc::offset_out_of_range) ++bad_reads;
          continue;
        }
        if (read->batches.empty()) continue;  // at the end
        auto first = model::split_batches(read->batches);
        if (!first || first->empty() || model::decode_header(first->front())->next_offset() <= offset ||
            model::decode_header(first->front())->base_offset > offset)
          ++bad_reads;
        if (!log_->offset_for_timestamp(1000 + offset / 2)) ++bad_reads;
      }
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_EQ(log_->end_offset(), 2 * batches);
  EXPECT_EQ(base_offsets_of(read_all(*log_)).front(), log_->log_start_offset());
}

TEST_F(PartitionLogTest, AppendAfterCloseFails) {
  open();
  append_batch(*log_, make_batch());
  must(log_->close());
  auto batch = make_batch();
  EXPECT_EQ(log_->append(batch).error().code, errc::closed);
  EXPECT_FALSE(must(log_->read(0, 100)).batches.empty());
}

TEST_F(PartitionLogTest, AppendListenersRunAfterEachAppendUntilUnsubscribed) {
  open();
  int calls = 0;
  std::int64_t end_seen = -1;
  auto id = log_->subscribe_appends([&] {
    ++calls;
    end_seen = log_->end_offset();  // the batches are readable when the listener runs
  });
  append_batch(*log_, make_batch(3));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(end_seen, 3);
  auto bad = make_batch(1);
  bad[20] ^= std::byte{1};  // breaks the CRC: a rejected append notifies nobody
  EXPECT_FALSE(log_->append(bad));
  EXPECT_EQ(calls, 1);
  log_->unsubscribe_appends(id);
  append_batch(*log_, make_batch(1));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace sluice::storage
