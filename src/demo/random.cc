#include "demo/random.h"

#include <algorithm>
#include <cmath>

namespace sluice::demo {

std::uint64_t rng::next() {
  // splitmix64 (Steele, Lea, Flood 2014): full period, good enough for simulated shoppers.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double rng::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::int64_t rng::between(std::int64_t lo, std::int64_t hi) {
  auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(next() % span);
}

zipf::zipf(std::size_t n, double s) {
  cumulative_.reserve(n);
  double total = 0;
  for (std::size_t k = 0; k < n; ++k) {
    total += 1.0 / std::pow(static_cast<double>(k + 1), s);
    cumulative_.push_back(total);
  }
  for (auto& c : cumulative_) c /= total;
  cumulative_.back() = 1.0;
}

std::size_t zipf::sample(rng& r) const {
  auto at = std::upper_bound(cumulative_.begin(), cumulative_.end(), r.unit());
  return static_cast<std::size_t>(std::min<std::ptrdiff_t>(
      at - cumulative_.begin(), static_cast<std::ptrdiff_t>(cumulative_.size()) - 1));
}

}  // namespace sluice::demo
