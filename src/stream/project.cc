#include "stream/project.h"

namespace sluice::stream {

project_operator::project_operator(std::vector<sql::expr> exprs, diagnostics* diag)
    : exprs_(std::move(exprs)), diag_(diag) {
  std::vector<bool> used;
  for (const sql::expr& e : exprs_) {
    if (e.kind != sql::expr_kind::column) {
      all_columns_ = false;
      continue;
    }
    // A column used twice cannot be moved twice.
    auto col = static_cast<std::size_t>(e.column);
    if (used.size() <= col) used.resize(col + 1, false);
    if (used[col]) all_columns_ = false;
    used[col] = true;
  }
}

void project_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  out.reserve(out.size() + in.size());
  for (sql::change& c : in) {
    sql::row projected;
    projected.reserve(exprs_.size());
    if (all_columns_) {
      for (const sql::expr& e : exprs_)
        projected.push_back(std::move(c.values[static_cast<std::size_t>(e.column)]));
      out.push_back({std::move(projected), c.weight});
      continue;
    }
    bool ok = run_guarded(diag_, "project", c.values, [&] {
      for (const sql::expr& e : exprs_) projected.push_back(sql::evaluate(e, c.values));
    });
    if (ok) out.push_back({std::move(projected), c.weight});
  }
}

}  // namespace sluice::stream
