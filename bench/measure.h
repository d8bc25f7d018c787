// bench/measure.h — timing, rates and progress lines shared by the phases.
//
// Units: MB is 10^6 bytes (as dd and fio print), MiB is 2^20; sizes given on
// the command line are in MiB.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "base/result.h"

namespace sluice::bench {

using bench_clock = std::chrono::steady_clock;

inline constexpr std::uint64_t mib = 1024 * 1024;

inline double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

inline double mb_per_s(std::uint64_t bytes, double seconds) {
  return static_cast<double>(bytes) / 1e6 / seconds;
}

inline double per_s(std::uint64_t count, double seconds) { return static_cast<double>(count) / seconds; }

// The q-quantile (0..1) of `samples`, nearest rank; 0 when empty.
inline double quantile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(rank, samples.size() - 1)];
}

inline double median(std::vector<double> samples) { return quantile(std::move(samples), 0.5); }

// A benchmark that cannot set up its own data has nothing to report: stop.
template <typename T>
T must(result<T> r, const std::string& what) {
  if (!r) {
    fmt::print(stderr, "storage_bench: {}: {}\n", what, r.error().describe());
    std::exit(1);
  }
  if constexpr (!std::is_void_v<T>) return std::move(r).value();
}

// Prints "<label> <done>/<total> MiB" at most once a second, so long phases
// show they are alive without the printing costing anything measurable.
class progress {
 public:
  progress(std::string label, std::uint64_t total_bytes) : label_(std::move(label)), total_(total_bytes) {}

  void update(std::uint64_t done_bytes) {
    auto now = bench_clock::now();
    if (now < next_) return;
    next_ = now + std::chrono::seconds(1);
    fmt::print("  {} {}/{} MiB ({:.1f} s)\n", label_, done_bytes / mib, total_ / mib, seconds_since(start_));
    std::fflush(stdout);
  }

 private:
  std::string label_;
  std::uint64_t total_;
  bench_clock::time_point start_ = bench_clock::now();
  bench_clock::time_point next_ = start_ + std::chrono::seconds(1);
};

}  // namespace sluice::bench
