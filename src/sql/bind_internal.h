// sql/bind_internal.h — the binder's private state, shared by bind_select.cc (query blocks),
// bind_from.cc (FROM items and joins) and bind_expr.cc (expressions). Inside the binder a failure
// is thrown as bind_failure and bind_select returns it as a value: binding is all-or-nothing, and
// threading results through every recursive call would hide the logic.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sql/bind.h"
#include "sql/functions.h"

namespace sluice::sql {

struct bind_failure {
  sql_error error;
};
[[noreturn]] void bind_fail(const char* code, std::string message, int position);

// A column visible to name resolution: `qualifier.name` (qualifier is the table name or alias).
struct scope_column {
  std::string qualifier;
  std::string name;
  data_type type = data_type::unknown;
  // A copy of a USING/NATURAL join column that the merged column stands for (the other side's, or
  // both when the merged column is one of its own): reachable only qualified, and left out of an
  // unqualified `*`, so the join column appears once as in Postgres.
  bool merged = false;
};
using scope = std::vector<scope_column>;

scope scope_of(const plan& p, const std::string& qualifier);

// Aggregation state while binding a query block's select list, HAVING and ORDER BY: expressions
// there see group keys (matched structurally) and aggregate results, never raw input columns.
// With two or more grouping sets the aggregation's output has the set's index after the keys.
using grouping_set = std::vector<int>;  // indexes into agg_context::groups
struct agg_context {
  const scope* input = nullptr;
  std::vector<expr> groups;        // over the input scope
  std::vector<grouping_set> sets;  // GROUPING SETS, ROLLUP, CUBE; empty for a plain GROUP BY
  std::vector<aggregate_call> calls;
  // The aggregation's output columns before the aggregates.
  std::size_t key_width() const { return groups.size() + (sets.empty() ? 0 : 1); }
};

// GROUP BY's items as grouping sets (bind_grouping.cc); `key` binds an item that is a group key and
// gives its index. `has_sets` is set when an item is a grouping set construct.
using group_key_fn = std::function<int(pg_node)>;
std::vector<grouping_set> expand_group_by(const std::vector<pg_node>& items, bool distinct,
                                          const group_key_fn& key, bool& has_sets);

// Window calls of a query block's select list and ORDER BY (bind_window.cc), and its WINDOW clause.
// A call's value is a column after the block's base columns (the FROM row, or the aggregation's
// output); until that width is known it is numbered from window_placeholder.
struct window_context {
  std::vector<window_call> calls;
  std::vector<pg_node> named;  // WindowDef nodes of WINDOW w AS (…)
};
inline constexpr int window_placeholder = 1 << 24;
// Set-returning functions in a select list (bind_array.cc): their values are columns of an expand node
// after the block's columns (and window calls), numbered from srf_placeholder until that width is
// known. The calls are zipped, as Postgres's ProjectSet runs them.
struct set_function_context {
  std::vector<set_function_call> calls;
  std::vector<expr> args;  // the calls' arguments, in order
  std::vector<column> columns;
  bool grouped = false;
};
inline constexpr int srf_placeholder = 1 << 28;
void resolve_set_function_columns(expr& e, int base_width);
// Renumbers the placeholder columns in `e` once the base width is known.
void resolve_window_columns(expr& e, int base_width);
bool reads_window_column(const expr& e);  // before they are renumbered

bool same_expr(const expr& a, const expr& b);
// "bigint, text": argument types for a "function f(…) does not exist" message.
std::string type_list(const std::vector<expr>& args, const char* separator);
std::size_t register_call(agg_context& agg, aggregate_call call);
// A syntactic search for aggregate calls (outside subqueries).
bool contains_aggregate(pg_node n);
bool is_aggregate_name(std::string_view name);
// jsonb_object_agg and json_object_agg: two arguments, a key and a value.
bool is_object_agg(std::string_view name);
// Whether `e` reads outer columns (params) and none of its own block's (bind_subquery.cc).
bool reads_only_outer(const expr& e);
// Whether `e` holds a subquery or reads an outer column (bind_subquery.cc).
bool reads_subquery(const expr& e);
// Splits a predicate into its AND-ed parts, and joins parts back (true for none).
std::vector<expr> conjuncts(expr e);
expr conjunction(std::vector<expr> parts);
// A numeric expression rounded to a numeric(p, s) type modifier (bind_expr.cc).
expr with_typmod(expr e, std::int32_t typmod);

// Where a subquery in an expression stands in its enclosing block, for resolving the outer columns it
// reads; `params` collects them (bound in the enclosing block) as the subquery's outer values.
struct outer_context {
  class binder* parent = nullptr;
  const scope* columns = nullptr;
  agg_context* agg = nullptr;
  std::vector<expr> params;
};

class binder {
 public:
  // `sql` is the statement text the tree was parsed from.
  binder(const catalog_reader& catalog, const std::string& sql, query_use use, std::int64_t statement_micros)
      : catalog_(catalog), sql_(sql), use_(use), statement_micros_(statement_micros) {}

  // bind_select.cc: one SELECT (or VALUES) block, or a UNION/INTERSECT/EXCEPT of them.
  plan bind_query(pg_node select);

  // bind_from.cc
  plan bind_from(pg_node select, scope& out);

  // bind_expr.cc. `agg` is set while binding over an aggregation's output; `clause` names where
  // the expression stands, for errors ("WHERE", "GROUP BY", "JOIN/ON").
  expr bind_expr(pg_node n, const scope& s, agg_context* agg, const char* clause);
  expr bind_predicate(pg_node n, const scope& s, agg_context* agg, const char* clause);
  expr coerce(expr e, data_type target, int position);
  // Unifies the types of `exprs` as CASE/COALESCE/VALUES do; `what` names the construct for errors.
  data_type unify(const std::vector<expr*>& exprs, const char* what, int position);
  // The result column name Postgres gives an expression (FigureColname).
  static std::string column_name(pg_node n);
  static std::string sublink_column_name(pg_node body);  // bind_subquery.cc
  // An integer constant node's value (see bind_const); nullopt for other nodes.
  std::optional<std::int64_t> integer_constant(pg_node n) const;

 private:
  expr bind_node(pg_node n, const scope& s, agg_context* agg, const char* clause);
  expr bind_column_ref(pg_node body, const scope& s);
  value view_definition(const value& relation) const;
  std::optional<expr> bind_whole_row(const std::string& name, const scope& s, int at);
  expr bind_test(pg_node n, const scope& s, agg_context* agg, const char* clause);
  // Row constructors (bind_row.cc); the optional ones are none when no row is involved.
  std::vector<expr> bind_row_fields(pg_node constructor, const scope& s, agg_context* agg,
                                    const char* clause);
  expr bind_row(pg_node constructor, const scope& s, agg_context* agg, const char* clause);
  std::optional<expr> bind_row_comparison(const std::string& op, pg_node left, pg_node right, const scope& s,
                                          agg_context* agg, const char* clause, int at);
  std::optional<expr> bind_row_null_test(pg_node arg, bool is_null, const scope& s, agg_context* agg,
                                         const char* clause, int at);
  expr bind_const(pg_node body);
  std::int64_t integer_literal(pg_node ival, int at) const;
  expr bind_type_cast(pg_node body, const scope& s, agg_context* agg, const char* clause);
  // bind_catalog.cc
  expr bind_collate(pg_node body, const scope& s, agg_context* agg, const char* clause);
  std::optional<expr> bind_reg_cast(pg_node body, const scope& s, agg_context* agg, const char* clause);
  expr bind_regclass(expr arg, int at);
  expr regclass_names(expr oid, int at);
  expr oid_names(expr oid, const std::vector<std::pair<std::int64_t, std::string>>& names, int at);
  expr bind_a_expr(pg_node body, const scope& s, agg_context* agg, const char* clause);
  expr bind_bool_expr(pg_node body, const scope& s, agg_context* agg, const char* clause);
  expr bind_case(pg_node body, const scope& s, agg_context* agg, const char* clause);
  expr bind_func_call(pg_node body, const scope& s, agg_context* agg, const char* clause);
  std::vector<expr> bind_call_args(const std::string& name, pg_node body, const scope& s, agg_context* agg,
                                   const char* clause);
  expr bind_aggregate(pg_node body, agg_context* agg, const char* clause);
  expr bind_grouping_func(pg_node body, agg_context* agg, const char* clause);  // bind_grouping.cc
  // An aggregate call whose arguments are bound over `input` (with `args_agg` when they are read
  // from an aggregation's output: a window aggregate over a grouped query).
  aggregate_call aggregate_call_of(pg_node body, const scope& input, agg_context* args_agg,
                                   const char* clause);
  // bind_window.cc
  expr bind_window_call(pg_node body, const scope& s, agg_context* agg, const char* clause);
  void bind_window_function(pg_node body, const scope& s, agg_context* agg, const char* clause,
                            window_call& call);
  window_frame bind_frame(std::int64_t options, std::optional<pg_node> start, std::optional<pg_node> end,
                          const std::vector<sort_key>& order_by, int at);
  // A RANGE frame's bound for one row: the ORDER BY key (column 0) ∓ the offset `offset_node`.
  expr range_bound(pg_node offset_node, const sort_key& key, bool preceding, const char* which,
                   window_frame& f);
  std::int64_t frame_offset(std::optional<pg_node> node, const char* which);
  void type_aggregate(aggregate_call& call, int at);
  void type_regression(aggregate_call& call, int at);
  void bind_ordered_set(pg_node body, const scope& input, aggregate_call& call, const char* clause);
  void bind_string_agg_extras(pg_node body, pg_node separator, const scope& input, aggregate_call& call,
                              const char* clause);
  void bind_aggregate_order(pg_node body, const scope& input, aggregate_call& call, const char* clause);
  expr bind_min_max(pg_node body, const scope& s, agg_context* agg, const char* clause);
  // bind_subquery.cc
  expr bind_sublink(pg_node n, const scope& s, agg_context* agg, const char* clause);
  // x <op> ANY/ALL (SELECT …) and x IN (SELECT …): the left operand and the comparison.
  void bind_quantified(pg_node body, const scope& s, agg_context* agg, const char* clause, expr& out,
                       subquery& q);
  // A column this block does not have: the enclosing block's, as an outer value (a `param`).
  expr bind_outer_column(pg_node column_ref, int at);
  // In the enclosing block: the column a subquery reads from it (or from further out).
  expr outer_column_here(pg_node column_ref, const outer_context& ctx);
  // bind_array.cc. `wanted`: the element type a cast around ARRAY[…] asks for (unknown if none).
  expr bind_array_expr(pg_node body, const scope& s, agg_context* agg, const char* clause, data_type wanted);
  expr bind_indirection(pg_node body, const scope& s, agg_context* agg, const char* clause);
  expr bind_array_quantified(pg_node body, const scope& s, agg_context* agg, const char* clause);
  // A call of a polymorphic array function or operator; nullopt when none takes `args`.
  std::optional<expr> call_array_function(const std::string& name, std::vector<expr>& args, int position);
  static bool is_array_function(const std::string& name);
  // unnest(array), generate_series(…) or a one-column jsonb set-returning function in a select list.
  expr bind_set_function_call(set_function fn, pg_node body, const scope& s, agg_context* agg,
                              const char* clause);
  expr call_operator(const std::string& op, std::vector<expr> args, int position);
  expr call_function(const std::string& name, std::vector<expr> args, int position, bool is_operator);

  // bind_select.cc
  plan bind_set_operation(pg_node select);

  // bind_from.cc
  plan bind_from_item(pg_node n, scope& out);
  plan bind_range_var(pg_node body, scope& out);
  // The relation `schema_name.name` names (schema_name may be empty); fails with 42P01 if none.
  const relation_info* find_relation(const std::string& schema_name, const std::string& name, int at) const;
  plan bind_subselect(pg_node body, scope& out);
  plan bind_window(pg_node body, scope& out);
  // bind_series.cc: generate_series(…) in FROM (`function` the FuncCall body, `range` the RangeFunction)
  plan bind_generate_series(pg_node function, pg_node range, scope& out);
  // A set-returning function in FROM (`range` the RangeFunction body) over `left`, the FROM items
  // before it (nullptr: none), whose columns `s` holds and its arguments may read; the function's
  // columns are appended to `s`.
  plan bind_set_function(pg_node range, plan* left, scope& s);
  // A LATERAL subquery joined (inner or left, on `quals` when given) to `left`, whose scope is `s`;
  // its columns are appended to `s`.
  plan bind_lateral_subquery(pg_node body, plan left, scope& s, join_type type, const pg_node* quals);
  static bool is_set_function(pg_node from_item);
  // Checks one call's arguments (coercing unknown literals) and returns the types of its columns.
  std::vector<data_type> bind_set_call(set_function fn, const std::string& name, std::vector<expr>& args,
                                       int at);
  data_type series_types(std::vector<expr>& args, int at);
  plan bind_join(pg_node body, scope& out);
  // A USING/NATURAL join column: its name and its two copies' indexes in the join's scope.
  struct merged_column {
    std::string name;
    int left = 0;
    int right = 0;
  };
  plan merge_join_columns(plan join, scope& s, const std::vector<merged_column>& merged, join_type type);

  // A WITH query in scope. A reference binds its query again where it stands (inlined, as Postgres
  // does with a WITH query that is not MATERIALIZED), seeing the WITH queries named before it.
  struct with_query {
    std::string name;
    pg_node query;                     // the SelectStmt body
    std::vector<std::string> columns;  // WITH name (a, b) AS …
    std::size_t visible = 0;           // how many of ctes_ it may read: the ones before it
    outer_context* outer = nullptr;    // of the block it is defined in
    bool recursive = false;            // under WITH RECURSIVE: it may read itself
    // Set on the copy a recursive term sees of its own query: a reference reads the working table
    // (these columns) and is noted in `referenced`.
    const schema* worktable = nullptr;
    bool* referenced = nullptr;
    // Set on the copy a recursive query's other parts see: why they may not read it (42P19).
    std::string misplaced_reference;
  };
  void add_with_queries(pg_node with_clause);
  const with_query* find_with_query(const std::string& name) const;
  // Binds a WITH query's plan for one reference; `out` gets its columns under `qualifier`.
  plan bind_with_query(const with_query& w, const std::string& qualifier, scope& out);
  // A WITH RECURSIVE query of the form `non-recursive term UNION [ALL] recursive term` whose recursive
  // term reads itself, as a recursive_union; any other query as bind_query does.
  plan bind_recursive_query(const with_query& w);
  // For a subquery's binder: a subquery runs over the statement's relations, never a recursive
  // term's working table, so a reference to one fails (42P19) as in Postgres.
  void hide_worktables();
  // For a subquery in FROM, a set operation's side or a WITH query: sees this binder's WITH queries
  // and the same enclosing blocks (a subquery in FROM may not read its siblings, but may read those).
  binder nested() const;
  // now(), current_timestamp, current_date, localtimestamp, …: the statement's time as a constant.
  // `function` is as written (for errors): "current_date" and "localtimestamp" take its date and
  // timestamp, the rest a timestamptz.
  expr bind_clock(std::string_view function, int at);

  const catalog_reader& catalog_;
  const std::string& sql_;
  query_use use_;
  std::int64_t statement_micros_;  // the clock when the statement was bound (UTC microseconds)
  bool in_aggregate_ = false;
  bool in_window_ = false;
  window_context* windows_ = nullptr;              // set while binding a select list or ORDER BY
  set_function_context* set_functions_ = nullptr;  // set while binding a select list

  std::vector<with_query> ctes_;  // outer blocks' first, then this block's
  // Set when this block is (inside) a subquery in an expression: where outer columns are found.
  outer_context* outer_ = nullptr;
};

// Splits `predicate` (over left columns [0, left_width) then right ones) into equality keys across
// the two sides and a residual; used for JOIN … ON and for comma joins with WHERE.
void split_join_condition(plan& join, std::vector<expr>& parts, int left_width, int width);
plan make_join(plan left, plan right, join_type type);
// Applies AND-ed predicates (over p's output) to p: pushed through inner joins to the side they read,
// equalities across a join's sides becoming its keys; a filter where they stop.
void add_predicates(plan& p, std::vector<expr> parts);

}  // namespace sluice::sql
