// stream/expand.h — set-returning functions (unnest, generate_series) over each change: every row a
// change's input row expands to, with the change's weight (stateless: a deleted row takes back the
// same rows). A row whose arguments raise a data error goes to the dead-letter callback.
#pragma once

#include "sql/plan.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

class expand_operator final : public stream_operator {
 public:
  // `node` is the expand plan node (its function and arguments; its input is not used).
  expand_operator(const sql::plan& node, diagnostics* diag);
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;

 private:
  sql::plan node_;
  diagnostics* diag_;
};

}  // namespace sluice::stream
