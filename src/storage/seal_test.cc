// Rolling without syncing on the append path: the old segment is sealed by a
// job off the append lock, flush() still covers it until then, and a crash
// before the seal finished is recovered from the persisted recovery point.
// The jobs are held by the test and run (or never run) when it says, so every
// interleaving here is deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>

#include "io/fault_injection_file_system.h"
#include "io/forwarding_file_system.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"
#include "storage/properties_file.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

// Counts the syncs of each file, over the fault-injecting file system.
class counting_file_system final : public io::forwarding_file_system {
 public:
  explicit counting_file_system(io::file_system& base) : forwarding_file_system(base) {}

  int syncs_of(const std::string& path) const {
    std::lock_guard lock(mu_);
    auto it = syncs_.find(path);
    return it == syncs_.end() ? 0 : it->second;
  }

  result<std::unique_ptr<io::file>> open(const std::string& path, io::open_mode mode) override {
    SLUICE_ASSIGN_OR_RETURN(auto file, base_.open(path, mode));
    return std::unique_ptr<io::file>(new counting_file(*this, path, std::move(file)));
  }

 private:
  class counting_file final : public io::file {
   public:
    counting_file(counting_file_system& fs, std::string path, std::unique_ptr<io::file> base)
        : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
    result<std::size_t> read_at(mutable_bytes dst, std::uint64_t offset) const override {
      return base_->read_at(dst, offset);
    }
    result<void> write_at(bytes_view src, std::uint64_t offset) override {
      return base_->write_at(src, offset);
    }
    result<void> sync() override {
      {
        std::lock_guard lock(fs_.mu_);
        ++fs_.syncs_[path_];
      }
      return base_->sync();
    }
    result<void> truncate(std::uint64_t size) override { return base_->truncate(size); }
    result<std::uint64_t> size() const override { return base_->size(); }
    int native_handle() const override { return base_->native_handle(); }

   private:
    counting_file_system& fs_;
    std::string path_;
    std::unique_ptr<io::file> base_;
  };

  mutable std::mutex mu_;
  std::map<std::string, int> syncs_;
};

class SealTest : public ::testing::Test {
 protected:
  SealTest() {
    config_.segment_bytes = static_cast<std::int64_t>(3 * make_batch(2, 1000, 100).size());
    config_.index_interval_bytes = 0;
  }

  // A log whose seal jobs wait in held_ until the test runs them.
  void open(bool clean = false) {
    log_ = must(partition_log::open(fs_, dir_.path(), config_, clean));
    log_->set_seal_executor([this](std::function<void()> job) { held_.push_back(std::move(job)); });
  }

  void run_held_jobs() {
    auto jobs = std::move(held_);
    held_.clear();
    for (auto& job : jobs) job();
  }

  // A crash that loses what was never synced; the seals that were held never run.
  void power_loss() {
    log_.reset();
    held_.clear();
    must(faults_.drop_unsynced_data());
  }

  std::optional<std::int64_t> recovery_point() const {
    auto path = dir_ / "recovery-point";
    if (!std::filesystem::exists(path)) return std::nullopt;
    return must(get_int(must(read_properties(io::file_system::posix(), path)), "recovery.point"));
  }

  byte_vector append(std::int64_t timestamp = 1000) {
    return append_batch(*log_, make_batch(2, timestamp, 100));
  }

  io::fault_injection_file_system faults_;
  counting_file_system fs_{faults_};
  temp_dir dir_;
  log_config config_ = test_config();
  std::unique_ptr<partition_log> log_;
  std::vector<std::function<void()>> held_;
};

TEST_F(SealTest, ARollDoesNotSyncOnTheAppendPath) {
  open();
  auto first = concat({append(), append(), append()});
  ASSERT_EQ(log_->stats().segments, 1u);
  auto fourth = append();  // rolls
  ASSERT_EQ(log_->stats().segments, 2u);
  EXPECT_EQ(fs_.syncs_of(segment_file(dir_.path(), 0, ".log")), 0) << "the roll synced the old segment";
  EXPECT_EQ(held_.size(), 1u);
  EXPECT_EQ(log_->seals_pending(), 1u);
  // The log goes on while the seal waits: appends, and reads from both segments.
  auto fifth = append();
  EXPECT_TRUE(same_bytes(read_all(*log_), concat({first, fourth, fifth})));
  EXPECT_FALSE(recovery_point());

  run_held_jobs();
  EXPECT_EQ(fs_.syncs_of(segment_file(dir_.path(), 0, ".log")), 1);
  EXPECT_EQ(log_->seals_pending(), 0u);
  EXPECT_EQ(recovery_point(), 6) << "the sealed segment is below the recovery point";
  EXPECT_TRUE(std::filesystem::exists(segment_file(dir_.path(), 0, ".index")));
}

TEST_F(SealTest, FlushCoversASegmentWhoseSealHasNotRun) {
  open();
  byte_vector written;
  for (int i = 0; i < 8; ++i) {
    auto batch = append(1000 + i);  // not synced when written: no flush policy
    written.insert(written.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(log_->stats().segments, 3u);
  ASSERT_EQ(log_->seals_pending(), 2u);
  // What an acks=all append waits for: everything below its end durable, the rolled segments too.
  must(log_->flush(16));
  EXPECT_EQ(log_->durable_offset(), 16);
  power_loss();
  open();
  EXPECT_EQ(log_->end_offset(), 16);
  EXPECT_TRUE(same_bytes(read_all(*log_), written));
  EXPECT_EQ(must(log_->offset_for_timestamp(1004)), 8);
  EXPECT_EQ(recovery_point(), 12) << "recovery seals what it scanned";
}

TEST_F(SealTest, AcksAllAppendsAcrossARollSurvivePowerLoss) {
  config_.flush_messages = 4;  // every second append waits for a sync
  open();
  byte_vector acknowledged;
  for (int i = 0; i < 8; ++i) {
    auto batch = append(1000 + i);
    acknowledged.insert(acknowledged.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(log_->seals_pending(), 2u);
  EXPECT_EQ(log_->durable_offset(), 16);
  power_loss();
  open();
  EXPECT_TRUE(same_bytes(read_all(*log_), acknowledged));
}

TEST_F(SealTest, CrashBeforeTheSealCutsTheTornTailAndDropsTheSegmentsAfterIt) {
  open();
  auto kept = concat({append(), append()});
  must(log_->flush());
  append();  // acks=1: in the page cache only
  append();  // rolls; the seal of segment 0 never runs
  append();
  ASSERT_EQ(log_->stats().segments, 2u);
  power_loss();
  // Segment 0 lost its unsynced batch; a partly written page of it survived.
  auto log0 = segment_file(dir_.path(), 0, ".log");
  ASSERT_EQ(file_size(log0), kept.size());
  write_file(log0, garbage(300), /*append=*/true);
  EXPECT_FALSE(std::filesystem::exists(segment_file(dir_.path(), 0, ".index")));
  EXPECT_FALSE(recovery_point());

  open();
  EXPECT_EQ(log_->stats().segments, 1u);
  EXPECT_FALSE(std::filesystem::exists(segment_file(dir_.path(), 6, ".log")));
  EXPECT_EQ(file_size(log0), kept.size());
  EXPECT_EQ(log_->end_offset(), 4);
  EXPECT_TRUE(same_bytes(read_all(*log_), kept));
  auto next = append();
  EXPECT_EQ(must(model::decode_header(next)).base_offset, 4);
  EXPECT_TRUE(same_bytes(read_all(*log_), concat({kept, next})));
}

TEST_F(SealTest, SegmentsBelowTheRecoveryPointAreTrustedAfterACrash) {
  open();
  for (int i = 0; i < 7; ++i) append();
  run_held_jobs();
  ASSERT_EQ(recovery_point(), 12);
  must(log_->flush());
  power_loss();
  // Damage after the seal is bit rot, not a torn write: reported on read, never cut.
  flip_byte(segment_file(dir_.path(), 0, ".log"), 70);
  open();
  EXPECT_EQ(log_->end_offset(), 14);
  EXPECT_EQ(log_->read(0, 1 << 20).error().code, errc::corruption);
}

TEST_F(SealTest, CloseFinishesPendingSeals) {
  open();
  for (int i = 0; i < 7; ++i) append();
  ASSERT_EQ(log_->seals_pending(), 2u);
  must(log_->close());
  EXPECT_EQ(log_->seals_pending(), 0u);
  EXPECT_EQ(recovery_point(), 12);
  EXPECT_TRUE(std::filesystem::exists(segment_file(dir_.path(), 6, ".timeindex")));
  auto syncs = fs_.syncs_of(segment_file(dir_.path(), 0, ".log"));
  run_held_jobs();  // jobs running after close find nothing to do
  EXPECT_EQ(fs_.syncs_of(segment_file(dir_.path(), 0, ".log")), syncs);
}

TEST_F(SealTest, RetentionRemovesASegmentWhoseSealIsPending) {
  open();
  for (int i = 0; i < 4; ++i) append();
  ASSERT_EQ(log_->seals_pending(), 1u);
  must(log_->delete_records_before(6));
  EXPECT_EQ(log_->stats().segments, 1u);
  EXPECT_EQ(log_->seals_pending(), 0u);
  run_held_jobs();
  EXPECT_FALSE(std::filesystem::exists(segment_file(dir_.path(), 0, ".index")));
}

TEST(SealQueueTest, TheLogManagerSealsInTheBackground) {
  temp_dir dir;
  storage_options options{
      .data_dir = dir.path(), .defaults = test_config(), .background_housekeeping = false};
  byte_vector written;
  {
    auto manager = must(log_manager::open(io::file_system::posix(), options));
    must(manager->create_topic("t", 1, {{"segment.bytes", "1024"}}));
    auto log = manager->partition("t", 0);
    for (int i = 0; i < 10; ++i) {
      auto batch = append_batch(*log, make_batch(2, 1000 + i, 200));
      written.insert(written.end(), batch.begin(), batch.end());
    }
    EXPECT_GE(log->stats().segments, 5u);
    must(manager->close());
    EXPECT_EQ(log->seals_pending(), 0u);
  }
  auto manager = must(log_manager::open(io::file_system::posix(), options));
  EXPECT_TRUE(manager->recovered_cleanly());
  EXPECT_TRUE(same_bytes(read_all(*manager->partition("t", 0)), written));
}

// The cleaner skips partitions whose seal is pending, so a pass first lets the queue run dry;
// wait_idle returns only once every job posted before it has run.
TEST(SealQueueTest, WaitIdleReturnsAfterEveryPostedJobRan) {
  seal_queue queue;
  std::mutex mu;
  std::vector<int> ran;
  for (int i = 0; i < 100; ++i) {
    queue.post([&, i] {
      std::lock_guard lock(mu);
      ran.push_back(i);
    });
  }
  queue.wait_idle();
  std::lock_guard lock(mu);
  ASSERT_EQ(ran.size(), 100u);
  EXPECT_TRUE(std::is_sorted(ran.begin(), ran.end()));
}

}  // namespace
}  // namespace sluice::storage
