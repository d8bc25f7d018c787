// stream/grouping_sets.h — GROUPING SETS: each change once per grouping set, its row followed by the group
// keys (NULL where the set leaves them out) and the set's index, keeping its weight (stateless). The
// aggregate above groups by those keys and the index. A row whose keys raise a data error goes to the
// dead-letter callback.
#pragma once

#include "sql/plan.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

class grouping_sets_operator final : public stream_operator {
 public:
  // A plan_kind::grouping_sets node's keys and sets.
  grouping_sets_operator(std::vector<sql::expr> keys, std::vector<std::vector<int>> sets, diagnostics* diag);
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;

 private:
  sql::plan sets_;  // just the keys and sets
  diagnostics* diag_;
};

}  // namespace sluice::stream
