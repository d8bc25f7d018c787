#include "stream/grouping_sets.h"

#include "sql/grouping_sets.h"

namespace sluice::stream {

grouping_sets_operator::grouping_sets_operator(std::vector<sql::expr> keys,
                                               std::vector<std::vector<int>> sets, diagnostics* diag)
    : diag_(diag) {
  sets_.kind = sql::plan_kind::grouping_sets;
  sets_.group_by = std::move(keys);
  sets_.grouping_sets = std::move(sets);
}

void grouping_sets_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  out.reserve(out.size() + in.size() * sets_.grouping_sets.size());
  for (sql::change& c : in) {
    sql::row keys;
    if (!run_guarded(diag_, "grouping sets", c.values, [&] { keys = sql::grouping_keys(sets_, c.values); }))
      continue;
    for (std::size_t set = 0; set < sets_.grouping_sets.size(); ++set)
      out.push_back({sql::grouping_set_row(sets_, c.values, keys, set), c.weight});
  }
}

}  // namespace sluice::stream
