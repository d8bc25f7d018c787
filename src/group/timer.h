// group/timer.h — a one-shot timer on an io_context, so the group headers need not include Asio.
//
// start() re-arms (cancelling a pending wait); `fn` runs on an io thread when the time is up and is
// not called for a cancelled wait — except a wait that had already expired and was queued: callers
// guard against that with an epoch they check under their own lock. Not thread-safe: the owner
// serializes calls (the group's mutex).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace sluice::group {

class timer {
 public:
  explicit timer(boost::asio::io_context& io);
  ~timer();
  timer(const timer&) = delete;
  timer& operator=(const timer&) = delete;

  void start(std::chrono::milliseconds after, std::function<void()> fn);
  void cancel();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::group
