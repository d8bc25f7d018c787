#include "storage/seal_queue.h"

#include "base/thread_name.h"

namespace sluice::storage {

seal_queue::seal_queue()
    : thread_([this] {
        name_this_thread("log-seal");
        run();
      }) {}

seal_queue::~seal_queue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void seal_queue::post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void seal_queue::wait_idle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return jobs_.empty() && !running_; });
}

void seal_queue::run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, with nothing left to run
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    running_ = true;
    lock.unlock();
    job();
    lock.lock();
    running_ = false;
    if (jobs_.empty()) idle_.notify_all();
  }
}

partition_log::seal_executor seal_queue::executor_of(const std::shared_ptr<seal_queue>& queue) {
  return [weak = std::weak_ptr<seal_queue>(queue)](std::function<void()> job) {
    if (auto q = weak.lock())
      q->post(std::move(job));
    else
      job();
  };
}

}  // namespace sluice::storage
