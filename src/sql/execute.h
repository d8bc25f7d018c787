// sql/execute.h — the batch executor: runs a bound plan once over the current rows of the relations
// it scans (pull queries, and the reference the streaming engine's results are tested against).
// Semantics are Postgres's: SQL NULLs never join, GROUP BY and DISTINCT treat NULLs as one value,
// sorts are stable with NULLS FIRST/LAST, and a data error (division by zero, a bad cast) ends the
// query with its SQLSTATE.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sql/error.h"
#include "sql/plan.h"

namespace sluice::sql {

// The current rows of each relation a plan may scan.
class relation_rows {
 public:
  virtual ~relation_rows() = default;
  // nullptr when the relation has no rows to offer (it is then treated as empty).
  virtual const std::vector<row>* find(std::string_view relation) const = 0;
};

// relation_rows over a map, for tests and simple callers.
class map_relation_rows : public relation_rows {
 public:
  std::map<std::string, std::vector<row>, std::less<>> rows;
  const std::vector<row>* find(std::string_view relation) const override {
    auto it = rows.find(relation);
    return it == rows.end() ? nullptr : &it->second;
  }
};

// Bounds on one statement where Postgres would run until cancelled.
struct execute_limits {
  // The rows a recursive query may return before it fails with 54000: low enough that a runaway
  // costs a second, not a gigabyte of rows.
  std::size_t max_recursive_rows = 1'000'000;
};

sql_result<std::vector<row>> execute_batch(const plan& p, const relation_rows& relations,
                                           execute_limits limits = {});

// How ORDER BY compares two values of one sort key (direction, NULLS FIRST/LAST).
int compare_key(const sort_key& k, const value& a, const value& b);

// Window assignment shared with the streaming engine: the [start, end) windows holding `micros`.
std::vector<std::pair<std::int64_t, std::int64_t>> assign_windows(const window_spec& w, std::int64_t micros);

}  // namespace sluice::sql
