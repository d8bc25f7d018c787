// sql/bind_select.cc — one SELECT block in Postgres's order: FROM, WHERE, GROUP BY and aggregates,
// HAVING, the select list, DISTINCT, ORDER BY, LIMIT/OFFSET. VALUES lists are bound here too.
//
// The plan it builds: from → filter → [aggregate → filter(having)] → project(select list + hidden
// ORDER BY columns) → [distinct] → [sort] → [project without the hidden columns] → [limit].
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "sql/bind_internal.h"

namespace sluice::sql {
namespace {

// One entry of the select list after `*` expansion.
struct target {
  std::optional<pg_node> node;  // absent for columns expanded from *
  int star_column = -1;         // index in the FROM scope for expanded columns
  std::string name;
  bool named = false;  // AS alias given
};

std::vector<target> expand_targets(pg_node select, const scope& s) {
  std::vector<target> out;
  for (pg_node item : pg::list(select, "targetList")) {
    pg_node rt = pg::node_body(item);
    pg_node val = *pg::field(rt, "val");
    std::vector<pg_node> fields =
        pg::is(val, "ColumnRef") ? pg::list(pg::node_body(val), "fields") : std::vector<pg_node>{};
    if (!fields.empty() && pg::is(fields.back(), "A_Star")) {
      std::vector<std::string> names = pg::names(pg::node_body(val), "fields");
      bool any = false;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (!names.empty() ? s[i].qualifier != names.back() : s[i].merged) continue;
        out.push_back({std::nullopt, static_cast<int>(i), s[i].name, false});
        any = true;
      }
      if (!any && !names.empty()) {
        bind_fail(sqlstate::undefined_table,
                  fmt::format("missing FROM-clause entry for table \"{}\"", names.back()), pg::location(val));
      }
      if (!any && names.empty())
        bind_fail(sqlstate::syntax_error, "SELECT * with no tables specified is not valid",
                  pg::location(val));
      continue;
    }
    std::string alias(pg::string(rt, "name"));
    out.push_back({val, -1, alias.empty() ? binder::column_name(val) : alias, !alias.empty()});
  }
  return out;
}

std::optional<std::string> single_name(pg_node n) {
  if (!pg::is(n, "ColumnRef")) return std::nullopt;
  std::vector<std::string> names = pg::names(pg::node_body(n), "fields");
  if (names.size() != 1 || pg::list(pg::node_body(n), "fields").size() != 1) return std::nullopt;
  return names[0];
}

bool resolves(const scope& s, const std::string& name) {
  for (const scope_column& c : s) {
    if (c.name == name) return true;
  }
  return false;
}

plan wrap(plan input, plan_kind kind) {
  plan out;
  out.kind = kind;
  out.output = input.output;
  out.inputs.push_back(std::move(input));
  return out;
}

std::int64_t limit_value(const binder& b, pg_node n, const char* what, const char* code) {
  if (pg::is(n, "A_Const") && pg::flag(pg::node_body(n), "isnull")) return -1;
  auto v = b.integer_constant(n);
  if (!v)
    bind_fail(sqlstate::feature_not_supported, fmt::format("{} must be an integer constant", what),
              pg::location(n));
  if (*v < 0) bind_fail(code, fmt::format("{} must not be negative", what), pg::location(n));
  return *v;
}

// A block's state while it is bound.
struct block {
  plan current;
  scope from;
  bool aggregated = false;
  agg_context agg;
  std::vector<target> targets;
  std::vector<expr> exprs;  // select list, then hidden ORDER BY columns
  std::size_t visible = 0;
  std::vector<sort_key> order;
};

}  // namespace

namespace {

plan bind_values(binder& b, pg_node select) {
  plan p;
  p.kind = plan_kind::values;
  std::vector<std::vector<expr>> rows;
  for (pg_node list : pg::list(select, "valuesLists")) {
    rows.emplace_back();
    for (pg_node item : pg::list(pg::node_body(list), "items"))
      rows.back().push_back(b.bind_expr(item, scope{}, nullptr, "VALUES"));
    if (rows.back().size() != rows.front().size()) {
      bind_fail(sqlstate::syntax_error, "VALUES lists must all be the same length", pg::location(list));
    }
  }
  for (std::size_t c = 0; c < rows.front().size(); ++c) {
    std::vector<expr*> column;
    column.reserve(rows.size());
    for (auto& r : rows) column.push_back(&r[c]);
    data_type type = b.unify(column, "VALUES", -1);
    p.output.push_back({fmt::format("column{}", c + 1), type});
  }
  for (auto& r : rows) {
    row values;
    for (expr& e : r) {
      if (e.kind != expr_kind::constant) {
        // VALUES rows are computed here, while binding, where no query runs yet.
        if (reads_subquery(e)) {
          bind_fail(sqlstate::feature_not_supported,
                    "subqueries and outer columns in a VALUES list are not supported", e.location);
        }
        try {
          values.push_back(evaluate(e, row{}));
        } catch (const eval_error& error) {
          throw bind_failure{to_sql_error(error, e.location)};
        }
        continue;
      }
      values.push_back(e.constant);
    }
    p.rows.push_back(std::move(values));
  }
  return p;
}

// One GROUP BY key: an output column's position or name (as in SQL-92), or an expression over the
// FROM rows. Its index among the block's keys; a key given twice is one key.
int bind_group_key(binder& b, pg_node item, block& q) {
  std::optional<pg_node> node = item;
  int star = -1;
  if (auto position = b.integer_constant(item)) {
    if (*position < 1 || *position > static_cast<std::int64_t>(q.targets.size())) {
      bind_fail("42P10", fmt::format("GROUP BY position {} is not in select list", *position),
                pg::location(item));
    }
    const target& t = q.targets[static_cast<std::size_t>(*position - 1)];
    node = t.node;
    star = t.star_column;
  } else if (auto name = single_name(item); name && !resolves(q.from, *name)) {
    for (const target& t : q.targets) {
      if (t.name == *name && t.node) node = t.node;
    }
  }
  expr e = node ? b.bind_expr(*node, q.from, nullptr, "GROUP BY")
                : expr::make_column(star, q.from[static_cast<std::size_t>(star)].type,
                                    q.from[static_cast<std::size_t>(star)].name);
  std::vector<expr>& keys = q.agg.groups;
  auto it = std::find_if(keys.begin(), keys.end(), [&e](const expr& k) { return same_expr(e, k); });
  if (it != keys.end()) return static_cast<int>(it - keys.begin());
  keys.push_back(std::move(e));
  return static_cast<int>(keys.size()) - 1;
}

// A single grouping set (GROUP BY a, b; GROUP BY (); GROUP BY a, ()) holds every key: a plain GROUP BY.
void bind_group_by(binder& b, pg_node select, block& q) {
  bool has_sets = false;
  std::vector<grouping_set> sets = expand_group_by(
      pg::list(select, "groupClause"), pg::flag(select, "groupDistinct"),
      [&](pg_node item) { return bind_group_key(b, item, q); }, has_sets);
  if (sets.size() > 1) q.agg.sets = std::move(sets);
}

expr bind_target(binder& b, const target& t, block& q) {
  if (t.node) return b.bind_expr(*t.node, q.from, q.aggregated ? &q.agg : nullptr, "SELECT");
  const scope_column& c = q.from[static_cast<std::size_t>(t.star_column)];
  expr column =
      expr::make_column(t.star_column, c.type, c.qualifier.empty() ? c.name : c.qualifier + "." + c.name);
  if (!q.aggregated) return column;
  for (std::size_t i = 0; i < q.agg.groups.size(); ++i) {
    if (same_expr(column, q.agg.groups[i]))
      return expr::make_column(static_cast<int>(i), c.type, column.name);
  }
  bind_fail(
      sqlstate::grouping_error,
      fmt::format("column \"{}\" must appear in the GROUP BY clause or be used in an aggregate function",
                  column.name),
      -1);
}

void bind_order_by(binder& b, pg_node select, block& q, bool distinct) {
  for (pg_node item : pg::list(select, "sortClause")) {
    pg_node sort = pg::node_body(item);
    pg_node node = *pg::field(sort, "node");
    int column = -1;
    if (auto position = b.integer_constant(node)) {
      if (*position < 1 || *position > static_cast<std::int64_t>(q.visible)) {
        bind_fail("42P10", fmt::format("ORDER BY position {} is not in select list", *position),
                  pg::location(node));
      }
      column = static_cast<int>(*position - 1);
    } else if (auto name = single_name(node)) {
      for (std::size_t i = 0; i < q.visible; ++i) {
        if (q.targets[i].name != *name) continue;
        if (column >= 0)
          bind_fail(sqlstate::ambiguous_column, fmt::format("ORDER BY \"{}\" is ambiguous", *name),
                    pg::location(node));
        column = static_cast<int>(i);
      }
    }
    if (column < 0) {
      expr e = b.bind_expr(node, q.from, q.aggregated ? &q.agg : nullptr, "ORDER BY");
      for (std::size_t i = 0; i < q.exprs.size() && column < 0; ++i) {
        if (same_expr(e, q.exprs[i])) column = static_cast<int>(i);
      }
      if (column < 0) {
        if (distinct) {
          bind_fail("42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                    pg::location(node));
        }
        column = static_cast<int>(q.exprs.size());
        q.exprs.push_back(std::move(e));
      }
    }
    sort_key key;
    key.descending = pg::string(sort, "sortby_dir") == "SORTBY_DESC";
    std::string_view nulls = pg::string(sort, "sortby_nulls");
    key.nulls_first = nulls == "SORTBY_NULLS_FIRST" || (nulls != "SORTBY_NULLS_LAST" && key.descending);
    key.key = expr::make_column(column, q.exprs[static_cast<std::size_t>(column)].type, "");
    q.order.push_back(std::move(key));
  }
}

// GROUPING SETS: each row once per set (keys outside it NULL, the set's index after them), grouped by
// those keys and the index (see grouping_sets.h).
plan expand_grouping_sets(plan input, const agg_context& agg) {
  plan e = wrap(std::move(input), plan_kind::grouping_sets);
  for (const expr& g : agg.groups) e.output.push_back({to_string(g), g.type});
  e.output.push_back({"grouping_set", data_type::bigint});
  e.group_by = agg.groups;
  e.grouping_sets = agg.sets;
  return e;
}

plan build_aggregate(block& q) {
  std::vector<expr> keys = q.agg.groups;
  sql::schema key_columns;
  for (const expr& g : keys) key_columns.push_back({to_string(g), g.type});
  if (!q.agg.sets.empty()) {
    std::size_t width = q.current.output.size();
    q.current = expand_grouping_sets(std::move(q.current), q.agg);
    key_columns.assign(q.current.output.begin() + static_cast<std::ptrdiff_t>(width), q.current.output.end());
    keys.clear();
    for (std::size_t i = 0; i < key_columns.size(); ++i) {
      keys.push_back(
          expr::make_column(static_cast<int>(width + i), key_columns[i].type, key_columns[i].name));
    }
  }
  plan a = wrap(std::move(q.current), plan_kind::aggregate);
  a.output = std::move(key_columns);
  for (const aggregate_call& c : q.agg.calls) a.output.push_back({c.name, c.type});
  a.group_by = std::move(keys);
  a.aggregates = q.agg.calls;
  return a;
}

}  // namespace

namespace {

// WHERE: through inner (and comma) joins, equalities across the sides become join keys and
// single-side conditions filter that side before the join (less join state for the stream engine).
void bind_where(binder& b, pg_node select, block& q) {
  auto where = pg::field(select, "whereClause");
  if (!where) return;
  add_predicates(q.current, conjuncts(b.bind_predicate(*where, q.from, nullptr, "WHERE")));
}

bool is_aggregated(pg_node select) {
  auto targets = pg::field(select, "targetList");
  auto sort = pg::field(select, "sortClause");
  return !pg::list(select, "groupClause").empty() || pg::field(select, "havingClause").has_value() ||
         (targets && contains_aggregate(*targets)) || (sort && contains_aggregate(*sort));
}

// Plain DISTINCT: one empty node. DISTINCT ON (…): its expressions.
bool is_distinct(pg_node select) {
  std::vector<pg_node> clause = pg::list(select, "distinctClause");
  return !clause.empty() && pg::node_type(clause[0]).empty();
}

std::vector<pg_node> distinct_on(pg_node select) {
  std::vector<pg_node> clause = pg::list(select, "distinctClause");
  if (clause.empty() || pg::node_type(clause[0]).empty()) return {};
  return clause;
}

// A DISTINCT ON item, read as ORDER BY reads its items: an output position, an output column's name,
// or an expression over the FROM rows (or the groups).
expr bind_distinct_on_key(binder& b, pg_node node, block& q) {
  if (auto position = b.integer_constant(node)) {
    if (*position < 1 || *position > static_cast<std::int64_t>(q.visible)) {
      bind_fail("42P10", fmt::format("SELECT DISTINCT ON position {} is not in select list", *position),
                pg::location(node));
    }
    return q.exprs[static_cast<std::size_t>(*position - 1)];
  }
  if (auto name = single_name(node); name && !resolves(q.from, *name)) {
    for (std::size_t i = 0; i < q.visible; ++i) {
      if (q.targets[i].name == *name) return q.exprs[i];
    }
  }
  return b.bind_expr(node, q.from, q.aggregated ? &q.agg : nullptr, "DISTINCT ON");
}

// DISTINCT ON (keys) keeps the first row of each key in ORDER BY's order: row_number() over the keys,
// ordered by the ORDER BY, equal to 1. Postgres requires ORDER BY to start with the keys.
void add_distinct_on(binder& b, pg_node select, block& q, window_context& windows) {
  std::vector<pg_node> items = distinct_on(select);
  if (items.empty()) return;
  window_call first;
  first.fn = window_fn::row_number;
  first.type = data_type::bigint;
  first.name = "row_number";
  for (pg_node n : items) first.partition_by.push_back(bind_distinct_on_key(b, n, q));
  for (std::size_t i = 0; i < q.order.size(); ++i) {
    sort_key key = q.order[i];
    key.key = q.exprs[static_cast<std::size_t>(key.key.column)];
    if (reads_window_column(key.key)) {
      bind_fail(sqlstate::feature_not_supported,
                "SELECT DISTINCT ON with ORDER BY a window function is not supported",
                pg::location(items[0]));
    }
    bool is_key = std::any_of(first.partition_by.begin(), first.partition_by.end(),
                              [&](const expr& e) { return same_expr(e, key.key); });
    if (i < first.partition_by.size() && !is_key) {
      bind_fail("42P10", "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                pg::location(items[0]));
    }
    first.order_by.push_back(std::move(key));
  }
  windows.calls.push_back(std::move(first));
}

// The select list (and hidden ORDER BY columns) over the FROM rows or the aggregation's output.
void add_projection(binder& b, block& q) {
  plan project = wrap(std::move(q.current), plan_kind::project);
  project.output.clear();
  for (std::size_t i = 0; i < q.exprs.size(); ++i) {
    expr& e = q.exprs[i];
    if (e.type == data_type::unknown) e = b.coerce(std::move(e), data_type::text, -1);
    project.output.push_back({i < q.visible ? q.targets[i].name : "?order?", e.type});
  }
  project.exprs = std::move(q.exprs);
  q.current = std::move(project);
}

// Window calls run after grouping and HAVING, before DISTINCT, ORDER BY and LIMIT: their values are
// columns after the rows they are computed over.
void add_over(block& q, window_context& windows) {
  if (windows.calls.empty()) return;
  int base = static_cast<int>(q.current.output.size());
  for (expr& e : q.exprs) resolve_window_columns(e, base);
  plan over = wrap(std::move(q.current), plan_kind::over);
  for (const window_call& c : windows.calls) over.output.push_back({c.name, c.type});
  over.window_calls = std::move(windows.calls);
  q.current = std::move(over);
}

// unnest(…) in the select list: an expand node under the projection, its columns after the rows'.
void add_set_functions(block& q, set_function_context& set_functions) {
  if (set_functions.calls.empty()) return;
  int base = static_cast<int>(q.current.output.size());
  for (expr& e : q.exprs) resolve_set_function_columns(e, base);
  plan expand = wrap(std::move(q.current), plan_kind::expand);
  for (column& c : set_functions.columns) expand.output.push_back(std::move(c));
  expand.exprs = std::move(set_functions.args);
  expand.set_calls = std::move(set_functions.calls);
  q.current = std::move(expand);
}

// `sort` false: drop the ORDER BY (and its hidden columns) without sorting.
void add_sort(block& q, bool sort = true) {
  if (q.order.empty()) return;
  if (sort) {
    q.current = wrap(std::move(q.current), plan_kind::sort);
    q.current.order = std::move(q.order);
  }
  if (q.current.output.size() == q.visible) return;
  plan trim = wrap(std::move(q.current), plan_kind::project);  // drop the hidden ORDER BY columns
  trim.output.resize(q.visible);
  for (std::size_t i = 0; i < q.visible; ++i) {
    trim.exprs.push_back(expr::make_column(static_cast<int>(i), trim.output[i].type, trim.output[i].name));
  }
  q.current = std::move(trim);
}

void add_limit(const binder& b, pg_node select, block& q) {
  auto count = pg::field(select, "limitCount");
  auto offset = pg::field(select, "limitOffset");
  if (!count && !offset) return;
  q.current = wrap(std::move(q.current), plan_kind::limit);
  if (count) q.current.limit = limit_value(b, *count, "LIMIT", "2201W");
  if (offset) q.current.offset = std::max<std::int64_t>(limit_value(b, *offset, "OFFSET", "2201X"), 0);
}

}  // namespace

plan binder::bind_query(pg_node select) {
  if (!pg::list(select, "valuesLists").empty()) return bind_values(*this, select);
  if (auto with_clause = pg::field(select, "withClause")) add_with_queries(*with_clause);
  if (pg::string(select, "op") != "SETOP_NONE" && !pg::string(select, "op").empty()) {
    return bind_set_operation(select);
  }
  block q;
  if (pg::list(select, "fromClause").empty()) {
    q.current.kind = plan_kind::values;
    q.current.rows.push_back(row{});
  } else {
    q.current = bind_from(select, q.from);
  }
  bind_where(*this, select, q);
  q.targets = expand_targets(select, q.from);
  q.aggregated = is_aggregated(select);
  q.agg.input = &q.from;
  if (q.aggregated) bind_group_by(*this, select, q);
  // Window calls are allowed in the select list and ORDER BY only.
  window_context windows;
  windows.named = pg::list(select, "windowClause");
  windows_ = &windows;
  set_function_context set_functions;
  set_functions.grouped = q.aggregated;
  set_functions_ = &set_functions;
  for (const target& t : q.targets) q.exprs.push_back(bind_target(*this, t, q));
  q.visible = q.exprs.size();
  windows_ = nullptr;
  set_functions_ = nullptr;
  std::optional<expr> having;
  if (auto clause = pg::field(select, "havingClause"))
    having = bind_predicate(*clause, q.from, &q.agg, "HAVING");
  bool distinct = is_distinct(select);
  windows_ = &windows;
  bind_order_by(*this, select, q, distinct);
  windows_ = nullptr;
  add_distinct_on(*this, select, q, windows);
  if (q.aggregated) q.current = build_aggregate(q);
  if (having) {
    q.current = wrap(std::move(q.current), plan_kind::filter);
    q.current.predicate = std::move(*having);
  }
  bool first_of_each = !distinct_on(select).empty();
  add_over(q, windows);
  if (first_of_each) {  // the DISTINCT ON row_number is the last window column
    int column = static_cast<int>(q.current.output.size()) - 1;
    expr first = call_operator("=",
                               {expr::make_column(column, data_type::bigint, "row_number"),
                                expr::make_constant(value::bigint(1), data_type::bigint)},
                               -1);
    q.current = wrap(std::move(q.current), plan_kind::filter);
    q.current.predicate = std::move(first);
  }
  add_set_functions(q, set_functions);
  add_projection(*this, q);
  if (distinct) q.current = wrap(std::move(q.current), plan_kind::distinct);
  // In a view, DISTINCT ON's ORDER BY only picks each key's row: the view itself has no order.
  add_sort(q, !(first_of_each && use_ == query_use::materialized));
  add_limit(*this, select, q);
  return std::move(q.current);
}

// Both sides are bound as subqueries; their columns take common types as Postgres's UNION resolves
// them (42804 when there is none), named after the left side's. ORDER BY and LIMIT apply to the result.
plan binder::bind_set_operation(pg_node select) {
  std::string_view op = pg::string(select, "op");
  bool all = pg::flag(select, "all");
  const char* name = op == "SETOP_UNION" ? "UNION" : op == "SETOP_INTERSECT" ? "INTERSECT" : "EXCEPT";
  plan sides[2] = {nested().bind_query(*pg::field(select, "larg")),
                   nested().bind_query(*pg::field(select, "rarg"))};
  std::size_t width = sides[0].output.size();
  if (sides[1].output.size() != width) {
    bind_fail(sqlstate::syntax_error, fmt::format("each {} query must have the same number of columns", name),
              -1);
  }
  std::vector<expr> columns[2];
  for (int side = 0; side < 2; ++side) {
    for (std::size_t i = 0; i < width; ++i) {
      const column& c = sides[side].output[i];
      columns[side].push_back(expr::make_column(static_cast<int>(i), c.type, c.name));
    }
  }
  // A NULL or a quoted literal in a select list has no type of its own in Postgres: it takes the
  // other side's (SELECT a, NULL FROM t UNION ALL SELECT a, b FROM u).
  auto untyped = [&](int side, std::size_t i) {
    const plan& s = sides[side];
    if (s.kind != plan_kind::project || s.exprs[i].kind != expr_kind::constant) return false;
    const value& v = s.exprs[i].constant;
    return v.is_null() || s.exprs[i].type == data_type::text;
  };
  bool coerced[2] = {false, false};
  for (std::size_t i = 0; i < width; ++i) {
    expr probe[2] = {columns[0][i], columns[1][i]};
    for (int side = 0; side < 2; ++side) {
      if (untyped(side, i)) probe[side].type = data_type::unknown;
    }
    data_type type = unify({&probe[0], &probe[1]}, name, -1);
    for (int side = 0; side < 2; ++side) {
      columns[side][i] = coerce(std::move(columns[side][i]), type, -1);
      coerced[side] |= columns[side][i].kind != expr_kind::column;
    }
  }
  plan p;
  p.kind = plan_kind::set_op;
  for (int side = 0; side < 2; ++side) {
    if (coerced[side]) {
      plan cast = wrap(std::move(sides[side]), plan_kind::project);
      for (std::size_t i = 0; i < width; ++i) cast.output[i].type = columns[side][i].type;
      cast.exprs = std::move(columns[side]);
      sides[side] = std::move(cast);
    }
  }
  p.output = sides[0].output;
  p.inputs.push_back(std::move(sides[0]));
  p.inputs.push_back(std::move(sides[1]));
  if (op == "SETOP_INTERSECT") {
    p.set_op = all ? set_operation::intersect_all : set_operation::intersect;
  } else if (op == "SETOP_EXCEPT") {
    p.set_op = all ? set_operation::except_all : set_operation::except;
  }
  block q;
  q.current = op == "SETOP_UNION" && !all ? wrap(std::move(p), plan_kind::distinct) : std::move(p);
  q.from = scope_of(q.current, "");
  for (std::size_t i = 0; i < width; ++i) {
    const column& c = q.current.output[i];
    q.targets.push_back({std::nullopt, static_cast<int>(i), c.name, true});
    q.exprs.push_back(expr::make_column(static_cast<int>(i), c.type, c.name));
  }
  q.visible = width;
  // Only output columns may be sorted by: a set operation's rows have no other columns.
  bind_order_by(*this, select, q, false);
  if (q.exprs.size() > width) {
    bind_fail(sqlstate::feature_not_supported, fmt::format("invalid {} ORDER BY clause", name), -1);
  }
  add_sort(q);
  add_limit(*this, select, q);
  return std::move(q.current);
}

sql_result<plan> bind_select(const parse_tree& tree, const catalog_reader& catalog, query_use use) {
  try {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    binder b(catalog, tree.sql, use, std::chrono::duration_cast<std::chrono::microseconds>(now).count());
    return b.bind_query(tree.select);
  } catch (const bind_failure& failure) {
    return tl::unexpected(failure.error);
  } catch (const eval_error& error) {  // a constant that does not fit, met where no position was at hand
    return sql_fail(error);
  }
}

}  // namespace sluice::sql
