#include "stream/expand.h"

#include "sql/set_functions.h"

namespace sluice::stream {

expand_operator::expand_operator(const sql::plan& node, diagnostics* diag) : diag_(diag) {
  node_.kind = node.kind;
  node_.set_calls = node.set_calls;
  node_.exprs = node.exprs;
}

void expand_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  std::vector<sql::row> rows;
  for (sql::change& c : in) {
    rows.clear();
    bool ok = run_guarded(diag_, "expand", c.values, [&] { sql::expand_row(node_, c.values, rows); });
    if (!ok) continue;
    for (sql::row& r : rows) out.push_back({std::move(r), c.weight});
  }
}

}  // namespace sluice::stream
