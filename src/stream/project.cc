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
  in_place_ = true;
  int last = -1;
  for (std::size_t i = 0; i < exprs_.size(); ++i) {
    if (!moved_[i]) continue;
    int column = exprs_[i].column;
    in_place_ = in_place_ && column > last && static_cast<std::size_t>(column) >= i;
    last = column;
  }
}

void project_operator::project_in_place(sql::change_batch& in, sql::change_batch& out) {
  const std::size_t width = exprs_.size();
  computed_.resize(width);
  for (sql::change& c : in) {
    sql::row& r = c.values;
    bool ok = run_guarded(diag_, "project", r, [&] {
      for (std::size_t i = 0; i < width; ++i) {
        if (!moved_[i]) computed_[i] = sql::evaluate(exprs_[i], r);
      }
    });
    if (!ok) continue;
    if (r.size() < width) r.resize(width);
    // Output i takes input column c_i ≥ i, with c_i increasing: the columns a later move reads lie
    // past every position written so far.
    for (std::size_t i = 0; i < width; ++i) {
      auto column = static_cast<std::size_t>(exprs_[i].column);
      if (moved_[i] && column != i) r[i] = std::move(r[column]);
    }
    for (std::size_t i = 0; i < width; ++i) {
      if (!moved_[i]) r[i] = std::move(computed_[i]);
    }
    r.resize(width);
    out.push_back(std::move(c));
  }
}

void project_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  out.reserve(out.size() + in.size());
  if (in_place_) return project_in_place(in, out);
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
