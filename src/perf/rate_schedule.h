// perf/rate_schedule.h — fixed-rate pacing by a schedule: record n is due at start + n / rate.
// A sender that wakes late sends everything already due at once, so sleep overshoot never
// lowers the achieved rate, and no sleep happens per record.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace sluice::perf {

class rate_schedule {
 public:
  using clock = std::chrono::steady_clock;

  // rate <= 0: unpaced, every record is due at once.
  rate_schedule(double records_per_s, clock::time_point start) : rate_(records_per_s), start_(start) {}

  bool paced() const { return rate_ > 0; }

  // How many records (counting from 0) are due by `now`.
  std::int64_t due_by(clock::time_point now) const {
    if (!paced()) return std::numeric_limits<std::int64_t>::max();
    std::chrono::duration<double> since = now - start_;
    if (since.count() < 0) return 0;
    return static_cast<std::int64_t>(since.count() * rate_) + 1;
  }

  // When record n is due.
  clock::time_point due_at(std::int64_t n) const {
    if (!paced()) return start_;
    return start_ + std::chrono::duration_cast<clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(n) / rate_));
  }

 private:
  double rate_;
  clock::time_point start_;
};

}  // namespace sluice::perf
