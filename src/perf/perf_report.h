// perf/perf_report.h — what a `sluice bench` run counts while it runs, the progress lines it prints
// every interval, and the final summary (printed, and optionally written as JSON).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "perf/latency_recorder.h"
#include "perf/perf_options.h"

namespace sluice::perf {

using clock = std::chrono::steady_clock;

// Called often by a running loop, with the current time, to print progress.
using tick_fn = std::function<void(clock::time_point)>;

// Updated by the sending thread, librdkafka's delivery callback and the consuming thread; read by
// the progress printer. Relaxed: each is a counter, read only for display until the run is over.
struct run_counters {
  std::atomic<std::int64_t> sent{0};
  std::atomic<std::int64_t> acked{0};
  std::atomic<std::int64_t> acked_bytes{0};
  std::atomic<std::int64_t> failed{0};
  std::atomic<std::int64_t> consumed{0};
  std::atomic<std::int64_t> consumed_bytes{0};
  std::atomic<std::int64_t> interval_max_latency_ns{0};  // end-to-end; the progress line resets it
};

struct run_result {
  std::int32_t partitions = 0;
  std::int64_t records = 0;  // acknowledged (produce) or consumed (consume, end-to-end)
  std::int64_t bytes = 0;    // record value bytes
  double seconds = 0;
  std::int64_t failed = 0;   // deliveries that failed
  std::int64_t missing = 0;  // end-to-end: acknowledged but never consumed
  std::optional<latency_summary> latency;

  double records_per_s() const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
  double mb_per_s() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0; }
};

// Prints one line per interval with the totals and the rate over the last interval.
class progress_printer {
 public:
  progress_printer(run_counters& counters, bench_mode mode, double interval_s, clock::time_point start);
  // Cheap when the interval has not passed: call it often, from one thread.
  void tick(clock::time_point now);

 private:
  run_counters& counters_;
  bench_mode mode_;
  clock::duration interval_;
  clock::time_point start_;
  clock::time_point last_;
  std::int64_t last_count_ = 0;
  std::int64_t last_bytes_ = 0;
};

void print_summary(const perf_options& options, const run_result& result);

// Throws client_error when the file cannot be written.
void write_json(const std::string& path, const perf_options& options, const run_result& result);

const char* mode_name(bench_mode mode);

}  // namespace sluice::perf
