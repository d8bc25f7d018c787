// sql/grouping_sets.h — GROUP BY GROUPING SETS / ROLLUP / CUBE at run time. The binder plans them as
// a `grouping_sets` node, which repeats each input row once per grouping set with the keys outside the set
// NULL and the set's index appended, under a plain aggregate that groups by those keys and the index:
// each set's groups stay apart (GROUPING SETS ((a), (a)) gives every group twice, as in Postgres),
// and the stream engine maintains it with its ordinary aggregate, exactly under deletes.
#pragma once

#include <cstddef>
#include <vector>

#include "sql/plan.h"

namespace sluice::sql {

// The group keys of input row `in` of grouping_sets node `p`.
row grouping_keys(const plan& p, const row& in);

// Row `in` (whose keys are `keys`) as grouping set `set` of grouping_sets node `p` sees it.
row grouping_set_row(const plan& p, const row& in, const row& keys, std::size_t set);

// The groups aggregate node `p` has even over no rows: the one group of an aggregate without GROUP
// BY, and one per empty grouping set (ROLLUP's grand total).
std::vector<row> permanent_groups(const plan& p);

// choose(i, v0, v1, …) = v_i: GROUPING(…) as a function of the grouping set's index.
value choose_fn(const value* args, std::size_t count);

}  // namespace sluice::sql
