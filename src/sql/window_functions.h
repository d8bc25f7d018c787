// sql/window_functions.h — evaluating window function calls (f(…) OVER (…)) over a set of rows.
//
// Shared by the batch executor (a pull query's over node) and the streaming engine, which keeps each
// partition's rows and evaluates a partition again when it changes. Within a partition, rows are
// ordered by the call's ORDER BY and then by the whole row, so peers (rows equal in ORDER BY) always
// come in the same order: row_number and ROWS frames give the same answer every time they are
// evaluated over the same rows, which lets a view retract exactly what it emitted.
#pragma once

#include <vector>

#include "sql/plan.h"

namespace sluice::sql {

// Appends to each row of `rows` the value of every call, in call order, and puts the rows in the
// last call's window order (partition, then ORDER BY), the order Postgres returns them in when the
// query has no ORDER BY of its own. Throws eval_error on data errors (ntile(0), a bigint sum
// overflowing).
void append_window_values(const std::vector<window_call>& calls, std::vector<row>& rows);

}  // namespace sluice::sql
