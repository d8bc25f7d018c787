// sql/subquery.h — subqueries in expressions: (SELECT …), EXISTS (SELECT …), x IN (SELECT …),
// x <op> ANY/ALL (SELECT …) and ARRAY(SELECT …). Pull queries only: a materialized view or sink refuses them
// at bind time.
//
// A subquery may read columns of the query blocks around it. The binder turns each such outer column
// into a parameter, as Postgres does: the subquery expression's args are its outer values, bound in
// the enclosing block like any other expression (so they follow the rows when a predicate is pushed
// into a join), and inside the subquery a `param` expression reads values[i]. A column from two
// blocks out is passed down through the block between, which takes it as a parameter of its own.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sql/execute.h"
#include "sql/plan.h"

namespace sluice::sql {

enum class subquery_kind : std::uint8_t {
  scalar,  // (SELECT one column): its value, NULL when there is no row, 21000 for more than one
  exists,  // EXISTS (SELECT …)
  any,    // x <op> ANY (SELECT …), x IN (SELECT …): true if a row matches, else NULL if one compared NULL
  all,    // x <op> ALL (SELECT …): false if a row fails, else NULL if one compared NULL, else true
  array,  // ARRAY(SELECT one column): its values in the subquery's order ({} when there is no row)
  rows,   // a LATERAL subquery in FROM: its rows, read through subquery_rows by an expand node
};

struct subquery {
  subquery_kind kind = subquery_kind::scalar;
  plan query;
  // The subquery expression's args are its `params` outer values, then (any, all) the left operand.
  std::size_t params = 0;
  // any, all: the comparison over the row [left operand, the subquery's column].
  expr test;
  // any with = between two values of one type whose equality is the value's own (integers, text,
  // booleans, dates and timestamps): an uncorrelated one is answered from a hash set of its values.
  bool hashed = false;
};

// An uncorrelated hashed subquery's values.
struct subquery_values {
  std::unordered_set<row, row_hash, row_equal> values;  // one-value rows
  bool has_null = false;
};

// Evaluates a subquery expression over the enclosing block's row. Requires a running execute_batch
// (which gives the relations and keeps an uncorrelated subquery's rows for the whole statement);
// elsewhere it throws eval_error 0A000.
value evaluate_subquery(const expr& e, const row& input);
// The rows of a LATERAL subquery (subquery_kind::rows) for the FROM row `input` before it.
std::vector<row> subquery_rows(const expr& e, const row& input);
// The innermost running subquery's outer value `index` (expr_kind::param).
value subquery_param(int index);

// The running statement's subquery state: execute_batch makes one for each run, and evaluate_subquery
// finds the innermost (one per thread; a subquery's plan runs inside its statement's run).
struct subquery_execution {
  subquery_execution(const relation_rows& rows, execute_limits statement_limits);
  ~subquery_execution();
  subquery_execution(const subquery_execution&) = delete;
  subquery_execution& operator=(const subquery_execution&) = delete;

  const relation_rows& relations;
  execute_limits limits;
  std::vector<row> params;  // outer values of the running subqueries, innermost last
  std::unordered_map<const subquery*, std::vector<row>> uncorrelated;  // rows of each, once run
  std::unordered_map<const subquery*, subquery_values> hashed;
  // Each correlated subquery's answers by outer values (then the left operand, for any and all).
  std::unordered_map<const subquery*, std::unordered_map<row, value, row_hash, row_equal>> correlated;
  subquery_execution* previous;
};

// The running statement's limits (the defaults outside a statement).
execute_limits running_limits();

// The batch executor's plan runner (execute.cc), for a subquery's plan. Throws eval_error.
std::vector<row> run_plan(const plan& p, const relation_rows& relations);

}  // namespace sluice::sql
