// perf/latency_recorder.cc — percentiles over the kept samples.
#include "perf/latency_recorder.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sluice::perf {

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

latency_summary latency_recorder::summarize() {
  std::sort(samples_.begin(), samples_.end());
  auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  latency_summary s;
  s.samples = count();
  if (samples_.empty()) return s;
  s.p50_ms = ms(percentile(samples_, 0.50));
  s.p99_ms = ms(percentile(samples_, 0.99));
  s.p99_9_ms = ms(percentile(samples_, 0.999));
  s.max_ms = ms(samples_.back());
  auto total = std::accumulate(samples_.begin(), samples_.end(), 0.0,
                               [](double sum, std::int64_t v) { return sum + static_cast<double>(v); });
  s.mean_ms = ms(static_cast<std::int64_t>(total / static_cast<double>(samples_.size())));
  return s;
}

}  // namespace sluice::perf
