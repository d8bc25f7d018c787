// An append's write to the log file may block in the kernel (the file system's allocation lock,
// taken by writeback too). Readers — fetches on the event loops — must not wait for it: the write
// runs under the append lock only, never under the lock readers take. The test holds a write
// inside write_at and reads meanwhile; were readers to wait for the write, it would never finish.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "io/forwarding_file_system.h"
#include "storage/partition_log.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

// Passes everything through, except that once hold_next_log_write() is called, the next write to a
// `.log` file waits (after saying so) until release().
class gate_file_system final : public io::forwarding_file_system {
 public:
  explicit gate_file_system(io::file_system& base) : forwarding_file_system(base) {}

  void hold_next_log_write() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  void wait_until_held() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

  result<std::unique_ptr<io::file>> open(const std::string& path, io::open_mode mode) override {
    SLUICE_ASSIGN_OR_RETURN(auto file, base_.open(path, mode));
    if (!path.ends_with(".log")) return file;
    return std::unique_ptr<io::file>(new gated_file(*this, std::move(file)));
  }

 private:
  // Called by a write: waits while this write is the held one.
  void gate() {
    std::unique_lock lock(mu_);
    if (!armed_) return;
    armed_ = false;
    held_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_; });
  }

  class gated_file final : public io::file {
   public:
    gated_file(gate_file_system& fs, std::unique_ptr<io::file> base) : fs_(fs), base_(std::move(base)) {}
    result<std::size_t> read_at(mutable_bytes dst, std::uint64_t offset) const override {
      return base_->read_at(dst, offset);
    }
    result<void> write_at(bytes_view src, std::uint64_t offset) override {
      fs_.gate();
      return base_->write_at(src, offset);
    }
    result<void> sync() override { return base_->sync(); }
    result<void> truncate(std::uint64_t size) override { return base_->truncate(size); }
    result<std::uint64_t> size() const override { return base_->size(); }
    int native_handle() const override { return base_->native_handle(); }

   private:
    gate_file_system& fs_;
    std::unique_ptr<io::file> base_;
  };

  std::mutex mu_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool held_ = false;
  bool released_ = false;
};

TEST(AppendLockTest, ReadersDoNotWaitForAnAppendsWrite) {
  temp_dir dir;
  gate_file_system fs(io::file_system::posix());
  auto log = open_log(dir.path(), test_config(), false, fs);
  auto first = append_batch(*log, make_batch(3));

  fs.hold_next_log_write();
  result<append_result> second = fail(errc::io_error, "not appended yet");
  std::thread appender([&] {
    auto batch = make_batch(2);
    second = log->append(batch);
  });
  fs.wait_until_held();
  // The second batch is being written: everything a fetch asks answers, without it.
  EXPECT_EQ(log->end_offset(), 3);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->stats().end_offset, 3);
  auto read = must(log->read(0, 1 << 20));
  EXPECT_TRUE(same_bytes(read.batches, first));
  fs.release();
  appender.join();

  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->base_offset, 3);
  EXPECT_EQ(log->end_offset(), 5);
  EXPECT_EQ(base_offsets_of(read_all(*log)), (std::vector<std::int64_t>{0, 3}));
}

}  // namespace
}  // namespace sluice::storage
