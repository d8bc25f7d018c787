// stream/over.h — window functions (f(…) OVER (PARTITION BY …)) in a view.
//
// Each partition's rows are kept. When a batch changes a partition, its window values are computed
// over its rows before and after the batch (sql/window_functions.h), and the difference is emitted:
// −old, +new, consolidated, so only rows whose values changed leave the operator. A top-N view (a
// filter on rank or row_number above it) thus passes on only what enters or leaves its top N. The
// cost of a change is the size of its partition, as in DBSP's window operator before it indexes
// partitions by ORDER BY. Every call shares one PARTITION BY (the compiler checks); without one
// the whole input is one partition. State: [partition key][row] → multiplicity.
//
// Top-N: when the input only inserts and every call ranks (row_number, rank, dense_rank), a consumer
// that keeps only ranks up to N (`WHERE rn <= N`) lets the operator forget each partition's rows
// ranked past N: a later row can only push them further down. State then stays N rows a partition.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sql/plan.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

// Keep only the rows whose value of call `call` (a ranking function) is at most `limit`.
struct top_n {
  int call = 0;
  std::int64_t limit = 0;
};

class over_operator final : public stream_operator {
 public:
  over_operator(std::vector<sql::window_call> calls, std::string prefix, diagnostics* diag,
                std::optional<top_n> keep = std::nullopt);
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;

 private:
  struct row_less {
    bool operator()(const sql::row& a, const sql::row& b) const { return sql::compare_rows(a, b) < 0; }
  };
  using partition = std::map<sql::row, std::int64_t, row_less>;  // row → multiplicity
  struct entry_less {
    bool operator()(const std::pair<sql::row, sql::row>& a, const std::pair<sql::row, sql::row>& b) const {
      int c = sql::compare_rows(a.first, b.first);
      return c != 0 ? c < 0 : sql::compare_rows(a.second, b.second) < 0;
    }
  };

  bool key_of(const sql::row& r, sql::row& key);
  // Every row of `rows` (as often as it is there) with its window values appended; empty when they
  // could not be computed (reported as a dead letter).
  std::vector<sql::row> evaluate(const partition& rows);
  // Notes that (key, row) changes; `present` says whether the partition holds it before the change.
  void touch(const sql::row& key, const sql::row& r, bool present);
  // Forgets the rows of partition `key` ranked past the top-N limit; `valued` is evaluate()'s result.
  void trim(const sql::row& key, partition& rows, const std::vector<sql::row>& valued);

  std::vector<sql::window_call> calls_;
  std::string prefix_;
  diagnostics* diag_;
  std::optional<top_n> keep_;
  std::unordered_map<sql::row, partition, sql::row_hash, sql::row_equal> partitions_;
  // (partition key, row) → whether the store held it after the last flush: the entries to write at the
  // next one. A row that came and went in between (most rows a top-N view forgets) writes nothing.
  std::map<std::pair<sql::row, sql::row>, bool, entry_less> dirty_;
};

}  // namespace sluice::stream
