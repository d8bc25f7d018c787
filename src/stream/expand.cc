#include "stream/expand.h"

#include "sql/grouping_sets.h"

namespace sluice::stream {

expand_operator::expand_operator(std::vector<sql::expr> keys, std::vector<std::vector<int>> sets,
                                 diagnostics* diag)
    : diag_(diag) {
  expand_.kind = sql::plan_kind::expand;
  expand_.group_by = std::move(keys);
  expand_.grouping_sets = std::move(sets);
}

void expand_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  out.reserve(out.size() + in.size() * expand_.grouping_sets.size());
  for (sql::change& c : in) {
    sql::row keys;
    if (!run_guarded(diag_, "expand", c.values, [&] { keys = sql::grouping_keys(expand_, c.values); }))
      continue;
    for (std::size_t set = 0; set < expand_.grouping_sets.size(); ++set)
      out.push_back({sql::grouping_set_row(expand_, c.values, keys, set), c.weight});
  }
}

}  // namespace sluice::stream
