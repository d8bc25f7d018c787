// bench/report.h — what storage_bench measured, and how it is printed and
// written out. The bulk phases run several rounds; the figure reported is
// the round with the median MB/s, so all of its fields come from one run.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fs_baseline.h"
#include "json.h"
#include "log_bench.h"
#include "machine_info.h"

namespace sluice::bench {

// The targets the storage design was sized against (docs/benchmarks.md).
inline constexpr double target_append_vs_raw = 0.85;
inline constexpr double target_batches_per_sync = 8;
inline constexpr double target_clean_open_ms = 200;

struct bench_results {
  machine_info machine;
  std::string git_commit;
  json parameters;
  json conditions;
  std::vector<sequential_write_result> raw_mib_writes;    // per round
  std::vector<sequential_write_result> raw_batch_writes;  // per round, one write per batch-sized block
  std::optional<synced_write_result> raw_synced;
  std::vector<append_summary> a;  // per round
  std::vector<append_summary> b;  // per round
  std::optional<append_summary> c;
  std::optional<append_summary> d;
  std::vector<read_summary> read_warm;               // per round, of that round's (a) log
  std::vector<read_summary> read_warm_malloc_keeps;  // the same, with malloc keeping freed memory
  std::vector<read_summary> read_cold;
  std::optional<restart_summary> restart;
};

// The run with the median MB/s (the lower middle for an even count); nullptr when none.
template <typename T>
const T* median_run(const std::vector<T>& runs) {
  if (runs.empty()) return nullptr;
  std::vector<const T*> sorted;
  for (const auto& r : runs) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const T* x, const T* y) { return x->mb_per_s < y->mb_per_s; });
  return sorted[(sorted.size() - 1) / 2];
}

void print_summary(const bench_results& r);
void print_targets(const bench_results& r);
json to_json(const bench_results& r);

}  // namespace sluice::bench
