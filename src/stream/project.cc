#include "stream/project.h"

namespace sluice::stream {

namespace {

void count_column_reads(const sql::expr& e, std::vector<int>& reads) {
  if (e.kind == sql::expr_kind::column) {
    auto col = static_cast<std::size_t>(e.column);
    if (reads.size() <= col) reads.resize(col + 1, 0);
    ++reads[col];
  }
  for (const sql::expr& arg : e.args) count_column_reads(arg, reads);
}

}  // namespace

project_operator::project_operator(std::vector<sql::expr> exprs, diagnostics* diag)
    : exprs_(std::move(exprs)), diag_(diag), moved_(exprs_.size(), false) {
  std::vector<int> reads;
  for (const sql::expr& e : exprs_) count_column_reads(e, reads);
  for (std::size_t i = 0; i < exprs_.size(); ++i) {
    const sql::expr& e = exprs_[i];
    moved_[i] = e.kind == sql::expr_kind::column && reads[static_cast<std::size_t>(e.column)] == 1;
    any_moved_ = any_moved_ || moved_[i];
  }
}

void project_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  out.reserve(out.size() + in.size());
  for (sql::change& c : in) {
    sql::row projected(exprs_.size());
    bool ok = run_guarded(diag_, "project", c.values, [&] {
      for (std::size_t i = 0; i < exprs_.size(); ++i) {
        if (!moved_[i]) projected[i] = sql::evaluate(exprs_[i], c.values);
      }
    });
    if (!ok) continue;
    if (any_moved_) {
      for (std::size_t i = 0; i < exprs_.size(); ++i) {
        if (moved_[i]) projected[i] = std::move(c.values[static_cast<std::size_t>(exprs_[i].column)]);
      }
    }
    out.push_back({std::move(projected), c.weight});
  }
}

}  // namespace sluice::stream
