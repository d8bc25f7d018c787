// perf/latency_recorder.h — produce→consume latencies: every sample kept (8 bytes each), so the
// percentiles are exact rather than bucketed.
#pragma once

#include <cstdint>
#include <vector>

namespace sluice::perf {

struct latency_summary {
  std::int64_t samples = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p99_9_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};

// Not thread-safe: one consumer thread records.
class latency_recorder {
 public:
  void record(std::int64_t nanoseconds) { samples_.push_back(nanoseconds); }
  std::int64_t count() const { return static_cast<std::int64_t>(samples_.size()); }
  // Sorts the samples; the nearest-rank percentile (the smallest value with at least p of the
  // samples at or below it).
  latency_summary summarize();

 private:
  std::vector<std::int64_t> samples_;
};

// The nearest-rank percentile of ascending `sorted` (p in [0, 1]); 0 when empty.
std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p);

}  // namespace sluice::perf
