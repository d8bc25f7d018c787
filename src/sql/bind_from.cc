// sql/bind_from.cc — FROM: relations from the catalog, subqueries and VALUES lists, TUMBLE/HOP
// table functions, and joins (ON conditions split into equality keys and a residual).
#include <fmt/format.h>

#include "sql/bind_internal.h"
#include "sql/pg_catalog.h"
#include "sql/set_functions.h"
#include "sql/subquery.h"

namespace sluice::sql {

scope scope_of(const plan& p, const std::string& qualifier) {
  scope out;
  for (const column& c : p.output) out.push_back({qualifier, c.name, c.type});
  return out;
}

plan make_join(plan left, plan right, join_type type) {
  plan out;
  out.kind = plan_kind::join;
  out.join = type;
  out.output = left.output;
  out.output.insert(out.output.end(), right.output.begin(), right.output.end());
  out.inputs.push_back(std::move(left));
  out.inputs.push_back(std::move(right));
  return out;
}

namespace {

// Marks the column indexes an expression reads.
void columns_used(const expr& e, int& lowest, int& highest) {
  if (e.kind == expr_kind::column) {
    lowest = std::min(lowest, e.column);
    highest = std::max(highest, e.column);
  }
  for (const expr& a : e.args) columns_used(a, lowest, highest);
}

void shift_columns(expr& e, int by) {
  if (e.kind == expr_kind::column) e.column += by;
  for (expr& a : e.args) shift_columns(a, by);
}

// Which side an expression reads: 0 left only, 1 right only, -1 neither or both.
int side_of(const expr& e, int left_width, int width) {
  int lowest = width, highest = -1;
  columns_used(e, lowest, highest);
  if (highest < 0 || highest >= width) return -1;
  if (highest < left_width) return 0;
  return lowest >= left_width ? 1 : -1;
}

void apply_aliases(pg_node alias, plan& p, scope& s, int at) {
  std::vector<std::string> names = pg::names(alias, "colnames");
  if (names.size() > p.output.size()) {
    bind_fail("42P10",
              fmt::format("table \"{}\" has {} columns available but {} columns specified",
                          pg::string(alias, "aliasname"), p.output.size(), names.size()),
              at);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    p.output[i].name = names[i];
    s[i].name = names[i];
  }
}

std::int64_t constant_interval(binder& b, pg_node n, const char* what) {
  expr e = b.coerce(b.bind_expr(n, scope{}, nullptr, "FROM"), data_type::interval, pg::location(n));
  if (e.kind != expr_kind::constant || e.constant.is_null()) {
    bind_fail(sqlstate::invalid_parameter_value,
              fmt::format("the {} of a window must be a constant interval", what), pg::location(n));
  }
  std::int64_t micros = e.constant.as_interval().approximate_micros();
  if (micros <= 0 && std::string_view(what) != "offset") {
    bind_fail(sqlstate::invalid_parameter_value, fmt::format("the {} of a window must be positive", what),
              pg::location(n));
  }
  return micros;
}

std::vector<std::string> common_names(const scope& left, const scope& right) {
  std::vector<std::string> out;
  for (const scope_column& l : left) {
    for (const scope_column& r : right) {
      if (!l.merged && !r.merged && l.name == r.name) out.push_back(l.name);
    }
  }
  return out;
}

int find_unqualified(const scope& s, const std::string& name, const char* side) {
  int found = -1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i].merged || s[i].name != name) continue;
    if (found >= 0) {
      bind_fail(sqlstate::ambiguous_column,
                fmt::format("common column name \"{}\" appears more than once in {} table", name, side), -1);
    }
    found = static_cast<int>(i);
  }
  if (found < 0) {
    bind_fail(sqlstate::undefined_column,
              fmt::format("column \"{}\" specified in USING clause does not exist in {} table", name, side),
              -1);
  }
  return found;
}

}  // namespace

void split_join_condition(plan& join, std::vector<expr>& parts, int left_width, int width) {
  std::vector<expr> rest;
  for (expr& part : parts) {
    bool equality = part.kind == expr_kind::call && part.name == "=" && part.args.size() == 2;
    int a = equality ? side_of(part.args[0], left_width, width) : -1;
    int b = equality ? side_of(part.args[1], left_width, width) : -1;
    if (a >= 0 && b >= 0 && a != b) {
      expr left = std::move(part.args[a == 0 ? 0 : 1]);
      expr right = std::move(part.args[a == 0 ? 1 : 0]);
      shift_columns(right, -left_width);
      join.left_keys.push_back(std::move(left));
      join.right_keys.push_back(std::move(right));
    } else {
      rest.push_back(std::move(part));
    }
  }
  parts = std::move(rest);
}

void add_predicates(plan& p, std::vector<expr> parts) {
  if (parts.empty()) return;
  if (p.kind == plan_kind::join && p.join == join_type::inner) {
    int left_width = static_cast<int>(p.inputs[0].output.size());
    int width = static_cast<int>(p.output.size());
    split_join_condition(p, parts, left_width, width);
    std::vector<expr> left, right, both;
    for (expr& part : parts) {
      int side = side_of(part, left_width, width);
      if (side == 1) shift_columns(part, -left_width);
      (side == 0 ? left : side == 1 ? right : both).push_back(std::move(part));
    }
    add_predicates(p.inputs[0], std::move(left));
    add_predicates(p.inputs[1], std::move(right));
    for (expr& e : conjuncts(std::move(p.residual))) both.push_back(std::move(e));
    p.residual = conjunction(std::move(both));
    return;
  }
  if (p.kind == plan_kind::filter) {
    for (expr& e : conjuncts(std::move(p.predicate))) parts.push_back(std::move(e));
    p.predicate = conjunction(std::move(parts));
    return;
  }
  plan filter;
  filter.kind = plan_kind::filter;
  filter.output = p.output;
  filter.predicate = conjunction(std::move(parts));
  filter.inputs.push_back(std::move(p));
  p = std::move(filter);
}

namespace {

bool is_lateral_subquery(pg_node n) {
  return pg::is(n, "RangeSubselect") && pg::flag(pg::node_body(n), "lateral");
}

// Where a recursive term finds its working table among the relations: a name no CREATE can give.
std::string worktable_name(const std::string& query) { return "\x01" + query; }

}  // namespace

// As Postgres plans a LATERAL subquery that reads the FROM items before it: a nested loop that runs
// the subquery once per row of the left side, here an expand node whose one call is the subquery (its
// outer columns passed as parameters, as for a correlated subquery in an expression).
plan binder::bind_lateral_subquery(pg_node body, plan left, scope& s, join_type type, const pg_node* quals) {
  pg_node query = *pg::field(body, "subquery");
  int at = pg::location(query);
  if (use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported, "LATERAL subqueries are not supported in materialized views",
              at);
  }
  if (type != join_type::inner && type != join_type::left) {
    bind_fail("42P10", "the combining JOIN type must be INNER or LEFT for a LATERAL reference", at);
  }
  auto alias = pg::field(body, "alias");
  if (!alias) bind_fail(sqlstate::syntax_error, "subquery in FROM must have an alias", at);
  auto q = std::make_shared<subquery>();
  q->kind = subquery_kind::rows;
  outer_context ctx{this, &s, nullptr, {}};
  binder inner = nested();
  inner.outer_ = &ctx;
  inner.hide_worktables();
  q->query = inner.bind_query(pg::node_body(query));
  q->params = ctx.params.size();
  scope columns = scope_of(q->query, std::string(pg::string(*alias, "aliasname")));
  apply_aliases(*alias, q->query, columns, at);
  plan p;
  p.kind = plan_kind::expand;
  p.join = type;
  p.output = left.output;
  p.output.insert(p.output.end(), q->query.output.begin(), q->query.output.end());
  p.set_calls.push_back({set_function::subquery, 1, static_cast<int>(q->query.output.size())});
  expr call;
  call.kind = expr_kind::subquery;
  call.location = at;
  call.args = std::move(ctx.params);
  call.query = std::move(q);
  p.exprs.push_back(std::move(call));
  p.inputs.push_back(std::move(left));
  s.insert(s.end(), columns.begin(), columns.end());
  p.predicate = quals ? bind_predicate(*quals, s, nullptr, "JOIN/ON")
                      : expr::make_constant(value::boolean(true), data_type::boolean);
  return p;
}

plan binder::bind_from(pg_node select, scope& out) {
  std::vector<pg_node> items = pg::list(select, "fromClause");
  plan result = is_set_function(items[0]) ? bind_set_function(pg::node_body(items[0]), nullptr, out)
                                          : bind_from_item(items[0], out);
  for (std::size_t i = 1; i < items.size(); ++i) {
    if (is_set_function(items[i])) {
      result = bind_set_function(pg::node_body(items[i]), &result, out);
      continue;
    }
    if (is_lateral_subquery(items[i])) {
      result =
          bind_lateral_subquery(pg::node_body(items[i]), std::move(result), out, join_type::inner, nullptr);
      continue;
    }
    scope right_scope;
    plan right = bind_from_item(items[i], right_scope);
    result = make_join(std::move(result), std::move(right), join_type::inner);
    out.insert(out.end(), right_scope.begin(), right_scope.end());
  }
  return result;
}

plan binder::bind_from_item(pg_node n, scope& out) {
  std::string_view type = pg::node_type(n);
  pg_node body = pg::node_body(n);
  if (type == "RangeVar") return bind_range_var(body, out);
  if (type == "RangeSubselect") return bind_subselect(body, out);
  if (type == "RangeFunction") return bind_window(body, out);
  if (type == "JoinExpr") return bind_join(body, out);
  bind_fail(sqlstate::feature_not_supported, fmt::format("FROM item {} is not supported", type),
            pg::location(n));
}

void binder::add_with_queries(pg_node with_clause) {
  bool recursive = pg::flag(with_clause, "recursive");
  if (recursive && use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported, "WITH RECURSIVE is not supported in materialized views",
              pg::location(with_clause));
  }
  std::size_t outer = ctes_.size();
  for (pg_node item : pg::list(with_clause, "ctes")) {
    pg_node body = pg::node_body(item);
    std::string name(pg::string(body, "ctename"));
    int at = static_cast<int>(pg::integer(body, "location", -1));
    for (std::size_t i = outer; i < ctes_.size(); ++i) {
      if (ctes_[i].name == name) {
        bind_fail("42712", fmt::format("WITH query name \"{}\" specified more than once", name), at);
      }
    }
    pg_node query = *pg::field(body, "ctequery");
    if (!pg::is(query, "SelectStmt")) {
      bind_fail(sqlstate::feature_not_supported, "only SELECT is supported in WITH", at);
    }
    ctes_.push_back({name,
                     pg::node_body(query),
                     pg::names(body, "aliascolnames"),
                     ctes_.size(),
                     outer_,
                     recursive,
                     nullptr,
                     nullptr,
                     {}});
  }
}

const binder::with_query* binder::find_with_query(const std::string& name) const {
  for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {  // the innermost of a name hides the others
    if (it->name == name) return &*it;
  }
  return nullptr;
}

binder binder::nested() const {
  binder inner(catalog_, sql_, use_, statement_micros_);
  inner.ctes_ = ctes_;
  inner.outer_ = outer_;
  return inner;
}

plan binder::bind_with_query(const with_query& w, const std::string& qualifier, scope& out) {
  if (!w.misplaced_reference.empty()) bind_fail("42P19", w.misplaced_reference, -1);
  if (w.worktable) {
    *w.referenced = true;
    plan p;
    p.kind = plan_kind::worktable;
    p.relation = worktable_name(w.name);
    p.output = *w.worktable;
    out = scope_of(p, qualifier);
    return p;
  }
  binder inner(catalog_, sql_, use_, statement_micros_);
  inner.ctes_.assign(ctes_.begin(), ctes_.begin() + static_cast<std::ptrdiff_t>(w.visible));
  inner.outer_ = w.outer;
  plan p = w.recursive ? inner.bind_recursive_query(w) : inner.bind_query(w.query);
  if (w.columns.size() > p.output.size()) {
    bind_fail("42P10",
              fmt::format("WITH query \"{}\" has {} columns available but {} columns specified", w.name,
                          p.output.size(), w.columns.size()),
              -1);
  }
  for (std::size_t i = 0; i < w.columns.size(); ++i) p.output[i].name = w.columns[i];
  out = scope_of(p, qualifier);
  return p;
}

plan binder::bind_range_var(pg_node body, scope& out) {
  std::string name(pg::string(body, "relname"));
  int at = static_cast<int>(pg::integer(body, "location", -1));
  auto alias = pg::field(body, "alias");
  if (const with_query* w = pg::string(body, "schemaname").empty() ? find_with_query(name) : nullptr) {
    plan p = bind_with_query(*w, alias ? std::string(pg::string(*alias, "aliasname")) : name, out);
    if (alias) apply_aliases(*alias, p, out, at);
    return p;
  }
  const relation_info* info = find_relation(std::string(pg::string(body, "schemaname")), name, at);
  plan p;
  p.kind = plan_kind::scan;
  p.relation = info->name;
  p.scanned = info->kind;
  p.output = info->columns;
  std::string qualifier = info->kind == relation_kind::system ? name : info->name;  // pg_class.oid
  out = scope_of(p, alias ? std::string(pg::string(*alias, "aliasname")) : qualifier);
  if (alias) apply_aliases(*alias, p, out, at);
  return p;
}

// User relations live in schema public; pg_catalog and information_schema hold the system catalog
// relations. An unqualified name is the user's relation if there is one, else pg_catalog's (Postgres
// searches pg_catalog first; Sluice lets a user's relation keep its name).
const relation_info* binder::find_relation(const std::string& schema_name, const std::string& name,
                                           int at) const {
  const relation_info* info = nullptr;
  if (schema_name == "pg_catalog" || schema_name == "information_schema") {
    info = find_system_relation(schema_name, name);
  } else {
    info = catalog_.find(name);
    if (info == nullptr && schema_name.empty()) info = find_system_relation("", name);
  }
  if (info == nullptr || info->kind == relation_kind::sink) {
    bind_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", name), at);
  }
  if (info->kind == relation_kind::system && use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("a materialized view cannot read the system catalog {}", info->name), at);
  }
  return info;
}

plan binder::bind_subselect(pg_node body, scope& out) {
  pg_node subquery = *pg::field(body, "subquery");
  auto alias = pg::field(body, "alias");
  if (!alias)
    bind_fail(sqlstate::syntax_error, "subquery in FROM must have an alias", pg::location(subquery));
  binder inner = nested();
  plan p = inner.bind_query(pg::node_body(subquery));
  out = scope_of(p, std::string(pg::string(*alias, "aliasname")));
  apply_aliases(*alias, p, out, pg::location(subquery));
  return p;
}

// TUMBLE(relation, time_column, size [, offset]) and HOP(relation, time_column, slide, size [, offset]).
plan binder::bind_window(pg_node body, scope& out) {
  std::vector<pg_node> functions = pg::list(body, "functions");
  std::vector<pg_node> items =
      functions.empty() ? std::vector<pg_node>{} : pg::list(pg::node_body(functions[0]), "items");
  if (items.empty() || !pg::is(items[0], "FuncCall")) {
    bind_fail(sqlstate::feature_not_supported,
              "only TUMBLE, HOP and set-returning functions may be called in FROM", pg::location(body));
  }
  pg_node call = items[0];
  pg_node fn = pg::node_body(call);
  std::vector<std::string> function_name = pg::names(fn, "funcname");
  int at = pg::location(call);
  if (function_name.empty()) bind_fail(sqlstate::syntax_error, "a function in FROM needs a name", at);
  std::string name = function_name.back();
  if (set_function_named(name)) {
    out.clear();
    return bind_set_function(body, nullptr, out);
  }
  std::vector<pg_node> args = pg::list(fn, "args");
  bool hop = name == "hop";
  std::size_t needed = hop ? 4 : 3;
  if ((name != "tumble" && !hop) || args.size() < needed || args.size() > needed + 1) {
    bind_fail(sqlstate::undefined_function,
              fmt::format("table function {} with {} arguments does not exist", name, args.size()), at);
  }
  if (!pg::is(args[0], "ColumnRef")) {
    bind_fail(sqlstate::feature_not_supported, "the first argument of a window must name a relation",
              pg::location(args[0]));
  }
  std::vector<std::string> relation = pg::names(pg::node_body(args[0]), "fields");
  int relation_at = pg::location(args[0]);
  if (relation.empty()) {
    bind_fail(sqlstate::feature_not_supported, "the first argument of a window must name a relation",
              relation_at);
  }
  plan scan;
  scope input;
  std::string relation_name = relation.back();
  if (const with_query* w = relation.size() == 1 ? find_with_query(relation_name) : nullptr) {
    scan = bind_with_query(*w, relation_name, input);
  } else {
    const relation_info* info = catalog_.find(relation_name);
    if (info == nullptr || info->kind == relation_kind::sink) {
      bind_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", relation_name),
                relation_at);
    }
    scan.kind = plan_kind::scan;
    scan.relation = info->name;
    scan.scanned = info->kind;
    scan.output = info->columns;
    relation_name = info->name;
    input = scope_of(scan, relation_name);
  }
  expr time = bind_expr(args[1], input, nullptr, "FROM");
  if (time.kind != expr_kind::column ||
      (time.type != data_type::timestamp && time.type != data_type::timestamptz)) {
    bind_fail(sqlstate::datatype_mismatch, "the time column of a window must be a timestamp column",
              time.location);
  }
  plan p;
  p.kind = plan_kind::window;
  p.window.kind = hop ? window_kind::hop : window_kind::tumble;
  p.window.time_column = time.column;
  p.window.slide_micros = constant_interval(*this, args[2], hop ? "slide" : "size");
  p.window.size_micros = hop ? constant_interval(*this, args[3], "size") : p.window.slide_micros;
  if (args.size() > needed) p.window.offset_micros = constant_interval(*this, args[needed], "offset");
  p.output = scan.output;
  p.output.push_back({"window_start", time.type});
  p.output.push_back({"window_end", time.type});
  p.inputs.push_back(std::move(scan));
  auto alias = pg::field(body, "alias");
  out = scope_of(p, alias ? std::string(pg::string(*alias, "aliasname")) : relation_name);
  if (alias) apply_aliases(*alias, p, out, at);
  return p;
}

void binder::hide_worktables() {
  for (with_query& w : ctes_) {
    if (!w.worktable) continue;
    w.worktable = nullptr;
    w.misplaced_reference =
        fmt::format("recursive reference to query \"{}\" must not appear within a subquery", w.name);
  }
}

plan binder::bind_recursive_query(const with_query& w) {
  // Where the query may not read itself, a reference finds this copy and fails.
  auto forbidding = [&](std::string why) {
    binder b = nested();
    with_query self = w;
    self.misplaced_reference = std::move(why);
    b.ctes_.push_back(std::move(self));
    return b;
  };
  if (pg::string(w.query, "op") != "SETOP_UNION" || pg::field(w.query, "withClause") ||
      pg::field(w.query, "limitCount") || !pg::list(w.query, "sortClause").empty()) {
    return forbidding(fmt::format("recursive query \"{}\" does not have the form non-recursive-term UNION "
                                  "[ALL] recursive-term",
                                  w.name))
        .bind_query(w.query);
  }
  plan anchor =
      forbidding(
          fmt::format("recursive reference to query \"{}\" must not appear within its non-recursive term",
                      w.name))
          .bind_query(*pg::field(w.query, "larg"));
  schema columns = anchor.output;
  for (std::size_t i = 0; i < w.columns.size() && i < columns.size(); ++i) columns[i].name = w.columns[i];
  with_query self = w;
  bool referenced = false;
  self.worktable = &columns;
  self.referenced = &referenced;
  binder term = nested();
  term.ctes_.push_back(self);
  plan recursive = term.bind_query(*pg::field(w.query, "rarg"));
  if (!referenced) return nested().bind_query(w.query);  // RECURSIVE, but this query does not read itself
  std::size_t width = columns.size();
  if (recursive.output.size() != width) {
    bind_fail(sqlstate::syntax_error, "each UNION query must have the same number of columns", -1);
  }
  // The working table's types are the non-recursive term's; the recursive term's rows must fit them.
  bool cast = false;
  std::vector<expr> fitted;
  for (std::size_t i = 0; i < width; ++i) {
    const column& c = recursive.output[i];
    expr probe[2] = {expr::make_column(static_cast<int>(i), columns[i].type, c.name),
                     expr::make_column(static_cast<int>(i), c.type, c.name)};
    data_type overall = unify({&probe[0], &probe[1]}, "UNION", -1);
    if (overall != columns[i].type) {
      bind_fail(sqlstate::datatype_mismatch,
                fmt::format("recursive query \"{}\" column {} has type {} in non-recursive term but type {} "
                            "overall",
                            w.name, i + 1, type_name(columns[i].type), type_name(overall)),
                -1);
    }
    fitted.push_back(coerce(std::move(probe[1]), overall, -1));
    cast |= fitted.back().kind != expr_kind::column;
  }
  if (cast) {
    plan p;
    p.kind = plan_kind::project;
    p.output = columns;
    p.exprs = std::move(fitted);
    p.inputs.push_back(std::move(recursive));
    recursive = std::move(p);
  }
  plan p;
  p.kind = plan_kind::recursive_union;
  p.relation = worktable_name(w.name);
  p.recursive_distinct = !pg::flag(w.query, "all");
  p.output = anchor.output;
  p.inputs.push_back(std::move(anchor));
  p.inputs.push_back(std::move(recursive));
  return p;
}

plan binder::bind_join(pg_node body, scope& out) {
  std::string_view kind = pg::string(body, "jointype");
  join_type type = kind == "JOIN_LEFT"    ? join_type::left
                   : kind == "JOIN_RIGHT" ? join_type::right
                   : kind == "JOIN_FULL"  ? join_type::full
                                          : join_type::inner;
  scope left_scope, right_scope;
  plan left = bind_from_item(*pg::field(body, "larg"), left_scope);
  if (pg_node rarg = *pg::field(body, "rarg"); is_lateral_subquery(rarg)) {
    if (!pg::names(body, "usingClause").empty() || pg::flag(body, "isNatural")) {
      bind_fail(sqlstate::feature_not_supported, "a LATERAL subquery is joined with ON, not USING or NATURAL",
                pg::location(rarg));
    }
    auto quals = pg::field(body, "quals");
    plan p = bind_lateral_subquery(pg::node_body(rarg), std::move(left), left_scope, type,
                                   quals ? &*quals : nullptr);
    out = std::move(left_scope);
    if (auto alias = pg::field(body, "alias")) {
      for (scope_column& c : out) c.qualifier = pg::string(*alias, "aliasname");
    }
    return p;
  }
  plan right = bind_from_item(*pg::field(body, "rarg"), right_scope);
  int left_width = static_cast<int>(left.output.size());
  plan p = make_join(std::move(left), std::move(right), type);
  out = left_scope;
  out.insert(out.end(), right_scope.begin(), right_scope.end());
  std::vector<std::string> using_columns = pg::names(body, "usingClause");
  if (pg::flag(body, "isNatural")) using_columns = common_names(left_scope, right_scope);
  std::vector<merged_column> merged;
  for (const std::string& name : using_columns) {
    int l = find_unqualified(left_scope, name, "left");
    int r = left_width + find_unqualified(right_scope, name, "right");
    expr key = call_operator("=",
                             {expr::make_column(l, out[static_cast<std::size_t>(l)].type, name),
                              expr::make_column(r, out[static_cast<std::size_t>(r)].type, name)},
                             -1);
    std::vector<expr> parts{std::move(key)};
    split_join_condition(p, parts, left_width, static_cast<int>(out.size()));
    // Postgres keeps the left copy (the right one for RIGHT JOIN) as the merged column.
    out[static_cast<std::size_t>(type == join_type::right ? l : r)].merged = true;
    merged.push_back({name, l, r});
  }
  if (!merged.empty()) p = merge_join_columns(std::move(p), out, merged, type);
  if (auto quals = pg::field(body, "quals")) {
    std::vector<expr> parts = conjuncts(bind_predicate(*quals, out, nullptr, "JOIN/ON"));
    if (type == join_type::inner) {
      add_predicates(p, std::move(parts));
    } else {
      split_join_condition(p, parts, left_width, static_cast<int>(out.size()));
      for (expr& e : conjuncts(std::move(p.residual))) parts.push_back(std::move(e));
      p.residual = conjunction(std::move(parts));
    }
  }
  if (auto alias = pg::field(body, "alias")) {
    // The alias hides the joined tables' names, so a merged copy can no longer be named at all.
    for (scope_column& c : out) c.qualifier = c.merged ? "" : pg::string(*alias, "aliasname");
  }
  return p;
}

// Postgres lists a USING join's columns first (`SELECT *`: k, then the left's other columns, then the
// right's), and a FULL JOIN's k is COALESCE(left.k, right.k). When the kept copies are already the
// first columns and the join is not FULL, the join's own row has that order; otherwise a projection
// puts the merged columns first, followed by every column of the join, both copies of k now reachable
// only qualified.
plan binder::merge_join_columns(plan join, scope& s, const std::vector<merged_column>& merged,
                                join_type type) {
  bool in_place = type != join_type::full;
  for (std::size_t i = 0; i < merged.size() && in_place; ++i) {
    in_place = (type == join_type::right ? merged[i].right : merged[i].left) == static_cast<int>(i);
  }
  if (in_place) return join;
  plan p;
  p.kind = plan_kind::project;
  scope front;
  for (const merged_column& m : merged) {
    expr left = expr::make_column(m.left, s[static_cast<std::size_t>(m.left)].type, m.name);
    expr right = expr::make_column(m.right, s[static_cast<std::size_t>(m.right)].type, m.name);
    expr e;
    if (type == join_type::full) {
      e.kind = expr_kind::coalesce;
      e.args = {std::move(left), std::move(right)};
      e.type = unify({&e.args[0], &e.args[1]}, "JOIN/USING", -1);
    } else {
      e = type == join_type::right ? std::move(right) : std::move(left);
    }
    p.output.push_back({m.name, e.type});
    front.push_back({"", m.name, e.type, false});
    p.exprs.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    p.exprs.push_back(expr::make_column(static_cast<int>(i), s[i].type, s[i].name));
    p.output.push_back(join.output[i]);
  }
  for (const merged_column& m : merged) {
    s[static_cast<std::size_t>(m.left)].merged = true;
    s[static_cast<std::size_t>(m.right)].merged = true;
  }
  front.insert(front.end(), s.begin(), s.end());
  s = std::move(front);
  p.inputs.push_back(std::move(join));
  return p;
}

}  // namespace sluice::sql
