// demo/random.h — the demo's randomness: a splitmix64 generator and a Zipf sampler. The standard
// library's distributions differ between implementations, so the demo draws every number through
// these, and one seed gives the same business on every platform.
//
// Invariant: every function here is a pure function of the generator's state and its arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::demo {

class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next();
  // Uniform in [0, 1).
  double unit();
  // Uniform in [lo, hi], both inclusive; requires lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability p.
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

// Ranks 0..n-1 with P(rank k) proportional to 1 / (k + 1)^s: a few products and customers take
// most of the trade, as in real shops.
class zipf {
 public:
  zipf(std::size_t n, double s);
  std::size_t sample(rng& r) const;

 private:
  std::vector<double> cumulative_;  // cumulative_[k] = P(rank <= k); the last is 1
};

}  // namespace sluice::demo
