// stream/aggregate.h — GROUP BY without windows, maintained under inserts and deletes.
//
// Output rows are the group keys, then the aggregate results. After each input batch every group the
// batch touched emits at most −old, +new (nothing when the result did not change); a group whose
// rows are all deleted emits −old and leaves the state. Without GROUP BY there is exactly one group
// and it always has a row (count(*) = 0 on empty input), as in SQL; so has each of
// `permanent_groups` (the empty grouping sets, see sql/grouping_sets.h). State under the operator's prefix:
// 'g' [group key] → the running fields (and small min/max/DISTINCT multisets), and for a group whose
// multisets grew large, 'v' [group key][call index][value] → weight for each entry. A flush writes the
// touched groups and only the entries whose weight changed, so its cost follows the batch, not the
// number of distinct values.
#pragma once

#include <unordered_map>
#include <vector>

#include "sql/expr.h"
#include "stream/accumulator.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

class aggregate_operator final : public stream_operator {
 public:
  // `input_only_inserts`: the input never retracts (min/max then keep only the extreme; see
  // accumulator.h). A retraction then is a bug and aborts.
  aggregate_operator(std::vector<sql::expr> group_by, std::vector<sql::aggregate_call> calls,
                     std::string prefix, diagnostics* diag, bool input_only_inserts = false,
                     std::vector<sql::row> permanent_groups = {});
  void on_start(sql::change_batch& out) override;
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;

 private:
  sql::row output_row(const sql::row& key, const group_state& state) const;
  bool is_permanent(const sql::row& key) const;

  std::vector<sql::expr> group_by_;
  std::vector<sql::row> permanent_;  // groups that exist without rows
  aggregate_functions functions_;
  bool input_only_inserts_;
  std::string prefix_;
  diagnostics* diag_;
  std::unordered_map<sql::row, group_state, sql::row_hash, sql::row_equal> groups_;
  std::unordered_map<sql::row, dirty_group, sql::row_hash, sql::row_equal> dirty_;  // to write at flush
};

}  // namespace sluice::stream
