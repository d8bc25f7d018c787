// sql/plan.h — the bound logical plan of a query: a tree of relational operators with resolved
// columns and types. The stream engine compiles it into a dataflow that maintains the result
// incrementally; a pull query runs it once over a view's current rows.
//
// Column references inside a node's expressions index the concatenated output of its inputs
// (for a join: left columns, then right columns).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sql/catalog.h"
#include "sql/expr.h"

namespace sluice::sql {

enum class plan_kind : std::uint8_t {
  scan,             // a source, table or view: output = its columns
  values,           // constant rows (SELECT without FROM)
  filter,           // rows of input[0] where predicate holds
  project,          // exprs over input[0]
  window,           // TUMBLE/HOP over input[0]: its columns, then window_start and window_end
  aggregate,        // GROUP BY: output = group keys, then aggregates
  join,             // input[0] ⋈ input[1]
  distinct,         // SELECT DISTINCT
  sort,             // ORDER BY (pull queries; a view's rows have no order)
  limit,            // LIMIT / OFFSET (pull queries)
  set_op,           // input[0] UNION ALL / INTERSECT / EXCEPT input[1] (same column types); UNION is
                    // DISTINCT over UNION ALL
  over,             // window functions (… OVER (…)): input[0]'s columns, then one per window call
  expand,           // set-returning functions over each row of input[0]: its columns, then the functions'
                    // columns, one output row per row the functions return
  grouping_sets,    // GROUPING SETS: each row of input[0] once per set: its columns, then the group
                    // keys (NULL where the set leaves them out), then the set's index (bigint)
  recursive_union,  // WITH RECURSIVE (pull queries): the rows of input[0], the non-recursive term,
                    // then of input[1], the recursive term, run again over the rows the round before
                    // added until a round adds none; `relation` names the working table input[1]
                    // reads them from (worktable nodes), `recursive_distinct` is UNION (a row
                    // already produced is dropped) rather than UNION ALL
  worktable,        // inside a recursive term: the rows its recursive_union's last round added
};

// The set-returning functions an expand node calls over each input row.
enum class set_function : std::uint8_t {
  unnest,                     // (array): a row per element
  generate_series,            // (start, stop [, step]): bigint, or timestamps stepped by an interval
  jsonb_array_elements,       // (jsonb array): a row per element, as jsonb
  jsonb_array_elements_text,  // … as text (a JSON string unquoted, null as NULL)
  jsonb_object_keys,          // (jsonb object): a row per key
  jsonb_each,                 // (jsonb object): a row per field, key and value (jsonb)
  jsonb_each_text,            // … key and value as text
  subquery,                   // (a subquery expression, subquery_kind::rows): a LATERAL subquery's rows
  ordinality,                 // (): WITH ORDINALITY, the output row's number (from 1) for its input row
  regexp_matches,             // (text, pattern [, flags]): a row per match (one without 'g'), its groups
  regexp_split_to_table,      // (text, pattern [, flags]): a row per piece between matches
};

// One call of an expand node: its function and how many of the node's `exprs` are its arguments
// (each call's arguments follow the previous call's).
struct set_function_call {
  set_function fn = set_function::unnest;
  int args = 1;
  int width = 1;  // its columns
};

// Row multiplicities: UNION ALL adds them; INTERSECT ALL takes the smaller, EXCEPT ALL the difference
// (at least 0); INTERSECT and EXCEPT give each row once when that is positive.
enum class set_operation : std::uint8_t { union_all, intersect, intersect_all, except, except_all };

// How many times a row is in the result, given how many times it is in each input.
inline std::int64_t set_multiplicity(set_operation op, std::int64_t left, std::int64_t right) {
  switch (op) {
    case set_operation::union_all:
      return left + right;
    case set_operation::intersect:
      return left > 0 && right > 0 ? 1 : 0;
    case set_operation::intersect_all:
      return std::max<std::int64_t>(std::min(left, right), 0);
    case set_operation::except:
      return left > 0 && right <= 0 ? 1 : 0;
    case set_operation::except_all:
      return std::max<std::int64_t>(left - right, 0);
  }
  return 0;
}

enum class window_kind : std::uint8_t { tumble, hop };

struct window_spec {
  window_kind kind = window_kind::tumble;
  int time_column = -1;  // in input[0]
  std::int64_t size_micros = 0;
  std::int64_t slide_micros = 0;   // == size for tumble
  std::int64_t offset_micros = 0;  // windows start at offset + k * slide
};

enum class aggregate_fn : std::uint8_t {
  count_star,
  count,
  sum,
  avg,
  min,
  max,
  stddev_samp,
  stddev_pop,
  var_samp,
  var_pop,
  bool_and,
  bool_or,
  string_agg,
  array_agg,
  // Ordered-set aggregates (… WITHIN GROUP (ORDER BY value)): `fraction` and the value's order.
  percentile_cont,
  percentile_disc,
  mode,
  bit_and,
  bit_or,
  bit_xor,
  // Two arguments (Y, X); pull queries only.
  corr,
  covar_pop,
  covar_samp,
  regr_count,
  regr_sxx,
  regr_syy,
  regr_sxy,
  regr_avgx,
  regr_avgy,
  regr_r2,
  regr_slope,
  regr_intercept,
};

// corr, covar_* and regr_*: aggregates of (Y, X) pairs.
inline bool is_regression(aggregate_fn fn) {
  return fn >= aggregate_fn::corr && fn <= aggregate_fn::regr_intercept;
}

// Whether `fn` is written with WITHIN GROUP (ORDER BY …).
inline bool is_ordered_set(aggregate_fn fn) {
  return fn == aggregate_fn::percentile_cont || fn == aggregate_fn::percentile_disc ||
         fn == aggregate_fn::mode;
}

struct sort_key {
  expr key;
  bool descending = false;
  bool nulls_first = false;  // Postgres default: NULLS LAST for ASC, NULLS FIRST for DESC
};

struct aggregate_call {
  aggregate_fn fn = aggregate_fn::count_star;
  std::vector<expr> args;  // none for count(*), else one
  bool distinct = false;
  // string_agg: the separator (a constant); string_agg and array_agg: their ORDER BY. ORDER BY the
  // value is `ordered` (and `descending`); by anything else, `order_by` (pull queries only: a view
  // keeps each group's values as a multiset of values). Without one a pull query keeps the input
  // order and a view (which has none) sorts ascending.
  std::string separator;
  bool ordered = false;
  bool descending = false;
  std::vector<sort_key> order_by;  // over the aggregate's input
  // percentile_cont/percentile_disc: the fraction (a constant; nullopt for NULL).
  std::optional<double> fraction;
  data_type type = data_type::bigint;  // result type
  std::string name;                    // "count", "sum", ... for EXPLAIN
  // FILTER (WHERE …): only input rows where `filter` holds are aggregated (when has_filter).
  bool has_filter = false;
  expr filter;
};

enum class join_type : std::uint8_t { inner, left, right, full };

// Window functions: the ranking and offset functions, or an aggregate over the row's frame.
enum class window_fn : std::uint8_t {
  aggregate,
  row_number,
  rank,
  dense_rank,
  percent_rank,
  cume_dist,
  ntile,
  lag,
  lead,
  first_value,
  last_value,
  nth_value,
};

// A frame bound: UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING, UNBOUNDED FOLLOWING.
enum class frame_bound : std::uint8_t {
  unbounded_preceding,
  preceding,
  current_row,
  following,
  unbounded_following
};

// ROWS counts rows from the current one; GROUPS counts peer groups (rows equal in ORDER BY); RANGE
// reaches the rows whose ORDER BY key is within an offset of the current row's, and CURRENT ROW
// reaches the current row's peers in RANGE and GROUPS. The default is RANGE UNBOUNDED PRECEDING to
// CURRENT ROW.
enum class frame_units : std::uint8_t { rows, range, groups };
// EXCLUDE CURRENT ROW | GROUP (the row and its peers) | TIES (its peers, not the row) | NO OTHERS.
enum class frame_exclusion : std::uint8_t { no_others, current_row, group, ties };

struct window_frame {
  frame_units units = frame_units::range;
  frame_bound start = frame_bound::unbounded_preceding;
  frame_bound end = frame_bound::current_row;
  std::int64_t start_offset = 0;  // ROWS and GROUPS, for preceding/following
  std::int64_t end_offset = 0;
  // RANGE with an offset (one ORDER BY key): `range_key` turns the key (column 0) into what the bounds
  // compare with (a date becomes a timestamp); `start_value` and `end_value` compute a row's bound from
  // that (column 0 ± the offset, args[1], as PRECEDING and FOLLOWING mean in the key's direction).
  expr range_key, start_value, end_value;
  frame_exclusion exclude = frame_exclusion::no_others;
};

struct window_call {
  window_fn fn = window_fn::row_number;
  aggregate_call aggregate;  // fn == aggregate: the call, its argument over the over node's input
  std::vector<expr> args;    // the other functions' arguments, over the over node's input
  std::vector<expr> partition_by;
  std::vector<sort_key> order_by;
  window_frame frame;
  data_type type = data_type::bigint;
  std::string name;  // for EXPLAIN
};

struct plan {
  plan_kind kind = plan_kind::values;
  sql::schema output;
  std::vector<plan> inputs;

  // scan
  std::string relation;
  relation_kind scanned = relation_kind::source;
  // values
  std::vector<row> rows;
  // filter
  expr predicate;
  // project; expand: the set functions' arguments
  std::vector<expr> exprs;
  // expand: the calls, zipped — as many rows as the longest returns, NULL past a shorter one's end
  std::vector<set_function_call> set_calls;
  // window
  window_spec window;
  // aggregate: group keys over input[0] (possibly including window_start/window_end), then calls.
  // grouping_sets: the keys of every grouping set, and each set as indexes into them.
  std::vector<expr> group_by;
  std::vector<std::vector<int>> grouping_sets;
  std::vector<aggregate_call> aggregates;
  // join: equality keys (left_keys[i] over the left input = right_keys[i] over the right input),
  // and a residual condition over the concatenated row
  join_type join = join_type::inner;
  std::vector<expr> left_keys;
  std::vector<expr> right_keys;
  expr residual = expr::make_constant(value::boolean(true), data_type::boolean);
  // sort
  std::vector<sort_key> order;
  // set_op
  set_operation set_op = set_operation::union_all;
  // recursive_union
  bool recursive_distinct = false;
  // over
  std::vector<window_call> window_calls;
  // limit (-1: none)
  std::int64_t limit = -1;
  std::int64_t offset = 0;
};

// An indented tree for EXPLAIN, one operator per line.
std::string explain(const plan& p);

// One plan node on one line, as EXPLAIN prints it ("Filter: …", "Aggregate: …").
std::string explain_node(const plan& p);

// The relations `p` scans, in plan order (a relation scanned twice appears twice).
std::vector<std::string> scanned_relations(const plan& p);

}  // namespace sluice::sql
