// storage/seal_queue.h — one background thread that runs the seals of rolled
// segments (partition_log::set_seal_executor), so no append waits for the
// fdatasync of a segment it no longer writes.
//
// Jobs run one at a time, in the order posted: a partition's seals finish
// oldest first, which is what lets each one advance its recovery point.
// Destruction runs every job already posted, then joins the thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/partition_log.h"

namespace sluice::storage {

class seal_queue {
 public:
  seal_queue();
  ~seal_queue();
  seal_queue(const seal_queue&) = delete;
  seal_queue& operator=(const seal_queue&) = delete;

  void post(std::function<void()> job);
  // Returns once every job posted before the call has run.
  void wait_idle();
  // An executor for partition_log::set_seal_executor. Once the queue is gone (a partition
  // outliving its log_manager), it runs jobs inline.
  static partition_log::seal_executor executor_of(const std::shared_ptr<seal_queue>& queue);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  bool running_ = false;  // a job is out of jobs_ but not done
  bool stopping_ = false;
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace sluice::storage
