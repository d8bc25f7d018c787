// sql/set_functions.h — the set-returning functions an expand node runs (plan.h): unnest(array …)
// and generate_series(start, stop [, step]) over each input row, for the batch executor and the
// stream engine alike.
#pragma once

#include <vector>

#include "sql/plan.h"

namespace sluice::sql {

// Appends to `out` each row the expand node `p` makes of `input`: the input's values, then the
// functions' values. Throws eval_error (a zero step, more than ten million rows from one call).
void expand_row(const plan& p, const row& input, std::vector<row>& out);

}  // namespace sluice::sql
