// What survives a power loss: flush.messages and flush.ms, group commit
// across concurrent appenders, and a full disk, using the fault-injecting
// file system to drop unsynced data and refuse writes.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "io/fault_injection_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;
using std::chrono::hours;
using std::chrono::steady_clock;

class DurabilityTest : public ::testing::Test {
 protected:
  void open(bool clean = false) { log_ = open_log(dir_.path(), config_, clean, fs_); }

  // A crash followed by the loss of everything the disk had not been told to keep.
  void power_loss() {
    log_.reset();
    must(fs_.drop_unsynced_data());
  }

  io::fault_injection_file_system fs_;
  temp_dir dir_;
  log_config config_ = test_config();
  std::unique_ptr<partition_log> log_;
};

TEST_F(DurabilityTest, FlushMessagesOneMakesEveryAppendDurable) {
  config_.flush_messages = 1;
  open();
  for (int i = 0; i < 5; ++i) {
    append_batch(*log_, make_batch(1 + i));
    EXPECT_EQ(log_->durable_offset(), log_->end_offset());
  }
  EXPECT_GE(log_->stats().syncs, 1u);
  EXPECT_EQ(log_->stats().batches_synced, 5u);
}

TEST_F(DurabilityTest, FlushMessagesCountsRecords) {
  config_.flush_messages = 5;
  open();
  append_batch(*log_, make_batch(2));
  append_batch(*log_, make_batch(2));
  EXPECT_EQ(log_->durable_offset(), 0);
  append_batch(*log_, make_batch(2));
  EXPECT_EQ(log_->durable_offset(), 6);
  append_batch(*log_, make_batch(2));
  EXPECT_EQ(log_->durable_offset(), 6);
}

TEST_F(DurabilityTest, WithoutAFlushPolicyDurableLagsUntilFlush) {
  open();
  append_batch(*log_, make_batch(3));
  append_batch(*log_, make_batch(1));
  EXPECT_EQ(log_->durable_offset(), 0);
  EXPECT_EQ(log_->end_offset(), 4);
  EXPECT_EQ(log_->stats().syncs, 0u);
  must(log_->flush());
  EXPECT_EQ(log_->durable_offset(), 4);
  EXPECT_EQ(log_->stats().syncs, 1u);
  EXPECT_EQ(log_->stats().batches_synced, 2u);
  must(log_->flush());
  EXPECT_EQ(log_->stats().syncs, 1u) << "nothing new to sync";
}

TEST_F(DurabilityTest, FlushIfDueSyncsOnceFlushMsHasElapsed) {
  config_.flush_ms = 3600 * 1000;
  open();
  append_batch(*log_, make_batch(2));
  must(log_->flush_if_due(steady_clock::now()));
  EXPECT_EQ(log_->durable_offset(), 0);
  must(log_->flush_if_due(steady_clock::now() + hours(2)));
  EXPECT_EQ(log_->durable_offset(), 2);
  EXPECT_EQ(log_->stats().syncs, 1u);
}

TEST_F(DurabilityTest, FlushMsWithoutLimitNeverFlushes) {
  config_.flush_ms = no_limit;  // Kafka's default flush.ms: leave it to the OS
  open();
  append_batch(*log_, make_batch(2));
  must(log_->flush_if_due(steady_clock::now() + hours(24 * 365)));
  EXPECT_EQ(log_->durable_offset(), 0);
}

TEST_F(DurabilityTest, CloseMakesEverythingDurable) {
  open();
  append_batch(*log_, make_batch(2));
  must(log_->close());
  EXPECT_EQ(log_->durable_offset(), 2);
  power_loss();
  open(/*clean=*/true);
  EXPECT_EQ(log_->end_offset(), 2);
}

TEST_F(DurabilityTest, AcknowledgedAppendsSurvivePowerLoss) {
  config_.flush_messages = 1;
  config_.segment_bytes = 500;
  config_.index_interval_bytes = 0;
  open();
  byte_vector acknowledged;
  for (int i = 0; i < 12; ++i) {
    auto batch = append_batch(*log_, make_batch(2, 1000 + i, 60));
    acknowledged.insert(acknowledged.end(), batch.begin(), batch.end());
  }
  ASSERT_GT(log_->stats().segments, 2u);
  power_loss();
  open();
  EXPECT_EQ(log_->end_offset(), 24);
  EXPECT_TRUE(same_bytes(read_all(*log_), acknowledged));
  EXPECT_EQ(must(log_->offset_for_timestamp(1011)), 22);
}

TEST_F(DurabilityTest, PowerLossKeepsExactlyWhatWasFlushed) {
  open();
  auto kept = concat({append_batch(*log_, make_batch(2)), append_batch(*log_, make_batch(3))});
  must(log_->flush());
  append_batch(*log_, make_batch(4));
  power_loss();
  open();
  EXPECT_EQ(log_->end_offset(), 5);
  EXPECT_TRUE(same_bytes(read_all(*log_), kept));
  auto next = append_batch(*log_, make_batch());
  EXPECT_EQ(must(model::decode_header(next)).base_offset, 5);
}

TEST_F(DurabilityTest, ConcurrentAppendersShareSyncs) {
  config_.flush_messages = 1;
  open();
  constexpr int threads = 8;
  constexpr int per_thread = 40;
  std::vector<std::vector<std::int64_t>> offsets(threads);
  std::vector<std::thread> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto batch = make_batch(1, 1000 + t);
        auto appended = log_->append(batch);
        if (!appended) return;
        offsets[static_cast<std::size_t>(t)].push_back(appended->base_offset);
        // Acknowledged means durable: no later check may see it otherwise.
        if (log_->durable_offset() <= appended->base_offset) return;
      }
    });
  }
  for (auto& a : appenders) a.join();
  std::set<std::int64_t> all;
  for (const auto& per : offsets) {
    EXPECT_EQ(per.size(), static_cast<std::size_t>(per_thread));
    all.insert(per.begin(), per.end());
  }
  constexpr std::uint64_t batches = threads * per_thread;
  EXPECT_EQ(all.size(), batches);
  EXPECT_EQ(*all.rbegin(), static_cast<std::int64_t>(batches) - 1);
  auto stats = log_->stats();
  EXPECT_EQ(stats.durable_offset, stats.end_offset);
  EXPECT_EQ(stats.batches_synced, batches);
  EXPECT_LE(stats.syncs, batches);
  EXPECT_GE(stats.syncs, 1u);
}

TEST_F(DurabilityTest, FullDiskRejectsAppendsAndLeavesTheLogUnchanged) {
  open();
  auto before = concat({append_batch(*log_, make_batch(2)), append_batch(*log_, make_batch(1))});
  auto file = segment_file(dir_.path(), 0, ".log");
  auto size = file_size(file);
  fs_.fill_disk(true);
  auto batch = make_batch(3, 1000, 200);
  auto appended = log_->append(batch);
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code, errc::no_space);
  EXPECT_EQ(log_->end_offset(), 3);
  EXPECT_EQ(file_size(file), size);
  EXPECT_TRUE(same_bytes(must(log_->read(0, 1 << 20)).batches, before));
  EXPECT_EQ(must(log_->offset_for_timestamp(0)), 0);

  fs_.fill_disk(false);
  auto after = append_batch(*log_, make_batch(3, 1000, 200));
  EXPECT_EQ(must(model::decode_header(after)).base_offset, 3);
  EXPECT_TRUE(same_bytes(read_all(*log_), concat({before, after})));
  must(log_->close());
  open(/*clean=*/true);
  EXPECT_TRUE(same_bytes(read_all(*log_), concat({before, after})));
}

TEST_F(DurabilityTest, FullDiskDuringARollLeavesTheLogUsable) {
  config_.segment_bytes = 300;
  config_.index_interval_bytes = 0;
  open();
  auto first = append_batch(*log_, make_batch(2, 1000, 150));
  fs_.fill_disk(true);
  auto batch = make_batch(2, 2000, 150);  // needs a roll, whose seal writes indexes
  EXPECT_EQ(log_->append(batch).error().code, errc::no_space);
  EXPECT_EQ(log_->end_offset(), 2);
  EXPECT_TRUE(same_bytes(must(log_->read(0, 1 << 20)).batches, first));
  fs_.fill_disk(false);
  auto second = append_batch(*log_, make_batch(2, 2000, 150));
  EXPECT_EQ(must(model::decode_header(second)).base_offset, 2);
  must(log_->close());
  open(/*clean=*/true);
  EXPECT_TRUE(same_bytes(read_all(*log_), concat({first, second})));
  EXPECT_EQ(must(log_->offset_for_timestamp(1500)), 2);
  EXPECT_EQ(must(log_->offset_for_timestamp(1000)), 0);
}

}  // namespace
}  // namespace sluice::storage
