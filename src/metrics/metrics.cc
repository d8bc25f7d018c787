#include "metrics/metrics.h"

#include <array>

#include "base/assert.h"

namespace sluice::metrics {

std::span<const double> latency_buckets() {
  static constexpr std::array<double, 17> bounds{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                 0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                                 0.5,     1,      2.5,     5,      10};
  return bounds;
}

histogram::histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i)
    SLUICE_ASSERT(bounds_[i - 1] < bounds_[i], "histogram bounds must increase");
}

histogram_counts histogram::counts() const {
  histogram_counts out{
      .bounds = bounds_, .buckets = {}, .count = 0, .sum = sum_.load(std::memory_order_relaxed)};
  out.buckets.reserve(bounds_.size());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    out.count += buckets_[i].load(std::memory_order_relaxed);
    if (i < bounds_.size()) out.buckets.push_back(out.count);
  }
  return out;
}

}  // namespace sluice::metrics
