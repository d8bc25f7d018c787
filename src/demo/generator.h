// demo/generator.h — plays the business (business.h) into a Kafka broker through librdkafka, like
// any outside producer: first the catalogue, then `history` of trade at full speed with past event
// times (so windows and fraud signals are there at once), then live trade paced at `rate` events
// per second, shaped by the business's bursts.
//
// Threading: one thread of its own runs the business and the producer; stop() (also the
// destructor) ends it, waiting up to a few seconds for the producer's queue to drain.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"

namespace sluice::demo {

struct generator_options {
  std::string bootstrap = "127.0.0.1:9092";
  double rate = 200;  // events per second on average
  std::uint64_t seed = 42;
  bool opening = true;                // produce the catalogue and opening stock first
  std::int64_t history_ms = 120'000;  // trade replayed with past event times before going live
  std::int64_t first_id = 1;          // see business::business
};

class generator {
 public:
  // Connects a producer (it fails only on a bad configuration; an unreachable broker shows up as
  // delivery failures in the log) and starts the thread.
  static result<std::unique_ptr<generator>> start(const generator_options& options);
  ~generator();
  generator(const generator&) = delete;
  generator& operator=(const generator&) = delete;

  void stop();
  std::int64_t produced() const { return produced_.load(); }
  std::int64_t failed() const { return failed_.load(); }

 private:
  struct impl;
  explicit generator(std::unique_ptr<impl> p);
  void run();

  std::unique_ptr<impl> impl_;
  std::atomic<std::int64_t> produced_{0}, failed_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice::demo
