// stream/filter.h — keeps the changes whose row satisfies the predicate (stateless). A row whose
// predicate raises a data error goes to the dead-letter callback instead.
#pragma once

#include "sql/expr.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

class filter_operator final : public stream_operator {
 public:
  filter_operator(sql::expr predicate, diagnostics* diag) : predicate_(std::move(predicate)), diag_(diag) {}
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;

 private:
  sql::expr predicate_;
  diagnostics* diag_;
};

}  // namespace sluice::stream
