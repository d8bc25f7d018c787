// stream/project.h — computes the select list over each change, keeping its weight (stateless). The
// output is not consolidated: two inputs may project to one row; stateful operators and the view
// consolidate. A row whose expressions raise a data error goes to the dead-letter callback.
#pragma once

#include <vector>

#include "sql/expr.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

class project_operator final : public stream_operator {
 public:
  project_operator(std::vector<sql::expr> exprs, diagnostics* diag);
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;

 private:
  std::vector<sql::expr> exprs_;
  diagnostics* diag_;
  // A bare column that no other expression reads is moved out of the input row, not copied (a
  // text column copied would allocate); the others are evaluated first, while the row is whole.
  std::vector<bool> moved_;
  bool any_moved_ = false;
  // Moved columns come in their input order, each at or before its input position (a projection
  // that keeps some columns of a source, in order): the output is built inside the input row, which
  // saves allocating a row per change.
  bool in_place_ = false;
  std::vector<sql::value> computed_;  // in place: the evaluated values, until the moves are done

  void project_in_place(sql::change_batch& in, sql::change_batch& out);
};

}  // namespace sluice::stream
