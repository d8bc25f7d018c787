// Idempotent producers: duplicates answered with their original offsets and not stored twice,
// sequence gaps and fenced epochs refused, and the table surviving restarts (clean, crash, lost or
// damaged snapshot) so a retry after a restart is still recognised.
#include "storage/producer_state.h"

#include <gtest/gtest.h>

#include "storage/partition_log.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

constexpr std::int64_t producer_id = 4242;

// Producers idle for a day are forgotten, so batches carry the current time.
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

byte_vector idempotent_batch(std::int32_t sequence, int records = 1, std::int16_t epoch = 0,
                             std::int64_t id = producer_id) {
  model::record_batch_builder builder({id, epoch, sequence});
  for (int i = 0; i < records; ++i) builder.add("k", "seq-" + std::to_string(sequence + i), now_ms());
  return builder.build();
}

class ProducerStateTest : public ::testing::Test {
 protected:
  void open(bool clean = false) { log_ = open_log(dir_.path(), config_, clean, fs_); }
  void close_cleanly() {
    must(log_->close());
    log_.reset();
  }
  void crash() { log_.reset(); }
  append_result append(byte_vector batch) { return must(log_->append(batch)); }
  errc refused(byte_vector batch) {
    auto end = log_->end_offset();
    auto appended = log_->append(batch);
    EXPECT_FALSE(appended);
    EXPECT_EQ(log_->end_offset(), end) << "a refused batch must not be stored";
    return appended ? errc::invalid_argument : appended.error().code;
  }
  // A retry of `batch` is answered with `original`'s offsets and stores nothing.
  void expect_duplicate(byte_vector batch, const append_result& original) {
    auto end = log_->end_offset();
    auto retried = append(std::move(batch));
    EXPECT_TRUE(retried.duplicate);
    EXPECT_EQ(retried.base_offset, original.base_offset);
    EXPECT_EQ(retried.last_offset, original.last_offset);
    EXPECT_EQ(log_->end_offset(), end);
  }

  io::fault_injection_file_system fs_;
  temp_dir dir_;
  log_config config_ = test_config();
  std::unique_ptr<partition_log> log_;
};

TEST_F(ProducerStateTest, RetriedBatchGetsItsOriginalOffsets) {
  open();
  append(make_batch(2));
  auto first = append(idempotent_batch(0, 3));
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(first.base_offset, 2);
  expect_duplicate(idempotent_batch(0, 3), first);
  EXPECT_EQ(headers_of(read_all(*log_)).size(), 2u);
}

TEST_F(ProducerStateTest, AnyOfTheLastFiveBatchesIsRecognised) {
  open();
  std::vector<append_result> originals;
  for (int i = 0; i < 6; ++i) originals.push_back(append(idempotent_batch(i * 2, 2)));
  for (int i = 1; i < 6; ++i) expect_duplicate(idempotent_batch(i * 2, 2), originals[i]);
  // The oldest fell out of the window: it no longer matches and is out of sequence.
  EXPECT_EQ(refused(idempotent_batch(0, 2)), errc::out_of_order_sequence);
}

TEST_F(ProducerStateTest, GapInSequenceIsRefused) {
  open();
  append(idempotent_batch(0, 2));
  EXPECT_EQ(refused(idempotent_batch(3)), errc::out_of_order_sequence);
  EXPECT_EQ(refused(idempotent_batch(1)), errc::out_of_order_sequence) << "overlaps without matching";
  append(idempotent_batch(2));
}

TEST_F(ProducerStateTest, UnknownProducerMayStartAtAnySequence) {
  open();
  auto appended = append(idempotent_batch(17));
  EXPECT_FALSE(appended.duplicate);
  append(idempotent_batch(18));
}

TEST_F(ProducerStateTest, OlderEpochIsFencedAndNewEpochStartsAtZero) {
  open();
  append(idempotent_batch(0, 1, /*epoch=*/1));
  EXPECT_EQ(refused(idempotent_batch(1, 1, /*epoch=*/0)), errc::invalid_producer_epoch);
  EXPECT_EQ(refused(idempotent_batch(5, 1, /*epoch=*/2)), errc::out_of_order_sequence);
  append(idempotent_batch(0, 1, /*epoch=*/2));
  EXPECT_EQ(log_->producer(producer_id)->epoch, 2);
}

TEST_F(ProducerStateTest, SequenceWrapsAfterIntMax) {
  open();
  append(idempotent_batch(INT32_MAX - 1, 2));  // sequences INT32_MAX-1, INT32_MAX
  EXPECT_EQ(log_->producer(producer_id)->batches.back().last_sequence, INT32_MAX);
  append(idempotent_batch(0, 1));
}

TEST_F(ProducerStateTest, ProducersAreIndependent) {
  open();
  auto a = append(idempotent_batch(0, 1, 0, 1));
  append(idempotent_batch(0, 1, 0, 2));
  expect_duplicate(idempotent_batch(0, 1, 0, 1), a);
  append(idempotent_batch(1, 1, 0, 2));
}

TEST_F(ProducerStateTest, BatchesWithoutProducerAreNeverDeduplicated) {
  open();
  auto batch = make_batch(1);
  append(batch);
  EXPECT_FALSE(append(batch).duplicate);
  EXPECT_EQ(log_->end_offset(), 2);
}

TEST_F(ProducerStateTest, RetryAfterCleanRestartIsStillADuplicate) {
  open();
  auto original = append(idempotent_batch(0, 2));
  close_cleanly();
  open(/*clean=*/true);
  expect_duplicate(idempotent_batch(0, 2), original);
  append(idempotent_batch(2));
}

TEST_F(ProducerStateTest, RetryAfterCrashIsRebuiltFromTheLog) {
  config_.flush_messages = 1;
  open();
  auto original = append(idempotent_batch(0, 2));
  crash();
  open();
  expect_duplicate(idempotent_batch(0, 2), original);
  EXPECT_EQ(refused(idempotent_batch(5)), errc::out_of_order_sequence);
}

TEST_F(ProducerStateTest, CrashAfterRollsReplaysOnlyAfterTheSnapshot) {
  config_.segment_bytes = 400;  // a few batches per segment
  config_.flush_messages = 1;
  open();
  std::vector<append_result> appended;
  for (int i = 0; i < 12; ++i) appended.push_back(append(idempotent_batch(i)));
  ASSERT_GT(log_->stats().segments, 2u);
  crash();
  open();
  for (int i = 7; i < 12; ++i) expect_duplicate(idempotent_batch(i), appended[static_cast<std::size_t>(i)]);
  append(idempotent_batch(12));
}

TEST_F(ProducerStateTest, DamagedSnapshotIsRebuiltFromTheWholeLog) {
  open();
  auto original = append(idempotent_batch(0, 2));
  close_cleanly();
  flip_byte(dir_ / "producer.snapshot", 10);
  open(/*clean=*/true);
  expect_duplicate(idempotent_batch(0, 2), original);
}

TEST_F(ProducerStateTest, MissingSnapshotIsRebuiltFromTheWholeLog) {
  open();
  auto original = append(idempotent_batch(0, 2));
  close_cleanly();
  std::filesystem::remove(dir_ / "producer.snapshot");
  open(/*clean=*/true);
  expect_duplicate(idempotent_batch(0, 2), original);
}

TEST_F(ProducerStateTest, UnsyncedBatchesLostInAPowerLossAreNotRemembered) {
  open();
  append(idempotent_batch(0));
  must(log_->flush());
  append(idempotent_batch(1));  // never synced
  log_.reset();
  must(fs_.drop_unsynced_data());
  open();
  EXPECT_EQ(log_->end_offset(), 1);
  // The producer's retry of the lost batch is appended, not taken for a duplicate.
  auto retried = append(idempotent_batch(1));
  EXPECT_FALSE(retried.duplicate);
  EXPECT_EQ(retried.base_offset, 1);
}

TEST(ProducerSnapshot, EncodesAndDecodes) {
  producer_state state;
  auto h = must(model::decode_header(idempotent_batch(5, 3, 7)));
  h.base_offset = 100;
  state.record(h);
  auto decoded = must(producer_state::decode(state.encode(103)));
  EXPECT_EQ(decoded.offset, 103);
  const auto* entry = decoded.state.find(producer_id);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->epoch, 7);
  ASSERT_EQ(entry->batches.size(), 1u);
  EXPECT_EQ(entry->batches[0].first_sequence, 5);
  EXPECT_EQ(entry->batches[0].last_sequence, 7);
  EXPECT_EQ(entry->batches[0].first_offset, 100);
  EXPECT_EQ(entry->batches[0].last_offset, 102);
}

TEST(ProducerSnapshot, EveryTruncationIsDetected) {
  producer_state state;
  state.record(must(model::decode_header(idempotent_batch(0, 2))));
  auto bytes = state.encode(2);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(producer_state::decode(bytes_view(bytes).first(n))) << "length " << n;
}

TEST(ProducerState, ExpiresSilentProducers) {
  producer_state state;
  auto h = must(model::decode_header(idempotent_batch(0)));
  h.max_timestamp = 1000;
  state.record(h);
  state.expire(2000, 5000);
  EXPECT_EQ(state.size(), 1u);
  state.expire(7000, 5000);
  EXPECT_EQ(state.size(), 0u);
}

}  // namespace
}  // namespace sluice::storage
