#include "stream/filter.h"

namespace sluice::stream {

void filter_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  out.reserve(out.size() + in.size());
  for (sql::change& c : in) {
    bool keep = false;
    run_guarded(diag_, "filter", c.values, [&] { keep = sql::evaluate_predicate(predicate_, c.values); });
    if (keep) out.push_back(std::move(c));
  }
}

}  // namespace sluice::stream
