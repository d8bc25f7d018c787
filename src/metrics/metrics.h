// metrics/metrics.h — the instruments components update on their hot paths: counters, gauges and
// fixed-bucket histograms. Each is one object the caller keeps (per topic, per API, ...) and updates
// with relaxed atomics: no lock, no lookup, no allocation per update.
//
// Invariants: a counter never decreases; a histogram's bucket bounds are strictly increasing and fixed
// at construction, and its count is the sum of its buckets (so a rendering's +Inf bucket always equals
// its _count). Values read while others update are each exact, not a consistent cut across objects.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace sluice::metrics {

class counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Prometheus' default latency buckets (5 ms .. 10 s) extended down to 50 µs, for fdatasync and request
// latency, which are often below a millisecond. In seconds.
std::span<const double> latency_buckets();

struct histogram_counts {
  std::vector<double> bounds;          // upper bounds, without +Inf
  std::vector<std::uint64_t> buckets;  // cumulative: buckets[i] counts observations ≤ bounds[i]
  std::uint64_t count = 0;             // the +Inf bucket
  double sum = 0;
};

class histogram {
 public:
  explicit histogram(std::span<const double> bounds = latency_buckets());

  void observe(double value) {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;  // ≤ 20 bounds: a scan beats a search
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }
  histogram_counts counts() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, the last is +Inf
  std::atomic<double> sum_{0};
};

}  // namespace sluice::metrics
