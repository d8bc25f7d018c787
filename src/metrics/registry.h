// metrics/registry.h — the metric families a process exposes: instruments created once and updated on
// hot paths (metrics.h), plus collectors that report, at scrape time, numbers components already keep
// (log sizes, end offsets, consumer lag) so nothing is counted twice. collect() takes one snapshot of
// both; text_format.h renders it for Prometheus.
//
// Ownership: the registry and its callers share each instrument (shared_ptr), so a caller may keep
// updating one the registry has dropped (remove(): a deleted topic) without harm.
// Invariants: a family has one type, one help text and one set of label names for its lifetime (a
// conflicting declaration is a programming error and aborts); names follow Prometheus' grammar.
// Threads: everything may be called from any thread. Collectors run one collect() at a time, under a
// lock that add/remove of collectors also take — a collector must not add or remove collectors.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/metrics.h"

namespace sluice::metrics {

enum class metric_type { counter, gauge, histogram };

using labels = std::vector<std::pair<std::string, std::string>>;  // name, value; in declaration order

struct family_info {
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
};

struct sample {
  labels label_set;
  double value = 0;
};

struct histogram_sample {
  labels label_set;
  histogram_counts counts;
};

// One family at one instant: counter and gauge families have samples, histogram families histograms.
struct family_snapshot {
  std::string name;
  std::string help;
  metric_type type = metric_type::counter;
  std::vector<sample> samples;
  std::vector<histogram_sample> histograms;
};

// What collectors write into. Declaring a family twice (here or also in the registry) is fine as long
// as the type agrees: its samples are merged.
class sample_writer {
 public:
  void counter(std::string_view name, std::string_view help, labels label_set, double value);
  void gauge(std::string_view name, std::string_view help, labels label_set, double value);
  void histogram(std::string_view name, std::string_view help, labels label_set, histogram_counts counts);

  // The families written so far, by name.
  std::vector<family_snapshot> take();

 private:
  family_snapshot& family(std::string_view name, std::string_view help, metric_type type);
  std::map<std::string, family_snapshot, std::less<>> families_;
};

using collector = std::function<void(sample_writer&)>;

class registry;

// Removes its collector when destroyed (or reset()): after that the collector never runs again.
class collector_handle {
 public:
  collector_handle() = default;
  collector_handle(registry* owner, std::uint64_t id) : owner_(owner), id_(id) {}
  collector_handle(collector_handle&& other) noexcept;
  collector_handle& operator=(collector_handle&& other) noexcept;
  ~collector_handle() { reset(); }
  void reset();

 private:
  registry* owner_ = nullptr;
  std::uint64_t id_ = 0;
};

class registry {
 public:
  // The instrument of `family` with these label values (one per label name), created on first use.
  // Callers keep the pointer: these lock and look up, the instruments' updates do not.
  std::shared_ptr<metrics::counter> counter(const family_info& family, std::vector<std::string> values = {});
  std::shared_ptr<metrics::gauge> gauge(const family_info& family, std::vector<std::string> values = {});
  std::shared_ptr<metrics::histogram> histogram(const family_info& family,
                                                std::vector<std::string> values = {},
                                                std::span<const double> bounds = latency_buckets());
  // Drops the instrument with these label values from the family (its series disappears).
  void remove(std::string_view family, const std::vector<std::string>& values);

  [[nodiscard]] collector_handle add_collector(collector fn);

  // Every family, instruments and collectors together, sorted by name.
  std::vector<family_snapshot> collect() const;

 private:
  friend class collector_handle;
  struct family_entry;
  family_entry& family(const family_info& info, metric_type type);  // REQUIRES: mu_ held
  void remove_collector(std::uint64_t id);

  mutable std::mutex mu_;  // guards families_
  std::map<std::string, std::shared_ptr<family_entry>, std::less<>> families_;
  mutable std::mutex collectors_mu_;  // guards collectors_; held while they run
  std::map<std::uint64_t, collector> collectors_;
  std::uint64_t next_collector_ = 1;
};

// The process-wide registry that the server's components use.
registry& default_registry();

// The sum of a family's sample values in a snapshot (0 when absent): totals for overviews.
double total(const std::vector<family_snapshot>& families, std::string_view name);

}  // namespace sluice::metrics
