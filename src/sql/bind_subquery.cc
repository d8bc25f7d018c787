// sql/bind_subquery.cc — subqueries in expressions (SubLink): scalar, EXISTS, IN and ANY/ALL, and the
// outer columns they read (see subquery.h for how those become parameters).
//
// A subquery is bound by a nested binder that sees the enclosing block's WITH queries and has an
// outer_context pointing back to where the subquery stands. A column the subquery's own scopes do not
// have is looked up there, then further out: inner scope first, as Postgres resolves names.
#include <fmt/format.h>

#include "sql/bind_internal.h"
#include "sql/subquery.h"

namespace sluice::sql {
namespace {

subquery_kind kind_of(std::string_view link, int at) {
  if (link == "EXPR_SUBLINK") return subquery_kind::scalar;
  if (link == "EXISTS_SUBLINK") return subquery_kind::exists;
  if (link == "ANY_SUBLINK") return subquery_kind::any;
  if (link == "ALL_SUBLINK") return subquery_kind::all;
  if (link == "ARRAY_SUBLINK") return subquery_kind::array;
  bind_fail(sqlstate::feature_not_supported, fmt::format("{} is not supported", link), at);
}

// Types whose SQL = is their values' equality (not doubles: -0 = 0, and NaN).
bool equality_is_identity(data_type t) {
  switch (t) {
    case data_type::bigint:
    case data_type::text:
    case data_type::boolean:
    case data_type::date:
    case data_type::time:
    case data_type::timestamp:
    case data_type::timestamptz:
      return true;
    default:
      return false;
  }
}

void count_reads(const expr& e, int& own, int& outer) {
  if (e.kind == expr_kind::column) ++own;
  if (e.kind == expr_kind::param) ++outer;
  for (const expr& a : e.args) count_reads(a, own, outer);
}

}  // namespace

bool reads_only_outer(const expr& e) {
  int own = 0, outer = 0;
  count_reads(e, own, outer);
  return outer > 0 && own == 0;
}

bool reads_subquery(const expr& e) {
  if (e.kind == expr_kind::subquery || e.kind == expr_kind::param) return true;
  for (const expr& a : e.args) {
    if (reads_subquery(a)) return true;
  }
  return false;
}

expr binder::bind_sublink(pg_node n, const scope& s, agg_context* agg, const char* clause) {
  pg_node body = pg::node_body(n);
  int at = pg::location(n);
  if (use_ == query_use::materialized) {
    // A view would have to maintain the subquery's answer for every row as both sides change.
    throw bind_failure{
        sql_error{sqlstate::feature_not_supported,
                  "subqueries in expressions are not supported in materialized views and sinks",
                  at,
                  {},
                  // Postgres writes hints as sentences.
                  "Rewrite the subquery as a JOIN: EXISTS and IN as a join on the key, a scalar "
                  "subquery as a join with its aggregate."}};
  }
  auto q = std::make_shared<subquery>();
  q->kind = kind_of(pg::string(body, "subLinkType"), at);
  outer_context ctx{this, &s, agg, {}};
  binder inner = nested();
  inner.outer_ = &ctx;
  inner.hide_worktables();
  q->query = inner.bind_query(pg::node_body(*pg::field(body, "subselect")));
  bool one_value = q->kind == subquery_kind::scalar || q->kind == subquery_kind::array;
  if (one_value && q->query.output.size() != 1) {
    bind_fail(sqlstate::syntax_error, "subquery must return only one column", at);
  }
  if (q->kind == subquery_kind::array && is_array(q->query.output[0].type)) {
    bind_fail(sqlstate::feature_not_supported, "multidimensional arrays are not supported", at);
  }
  q->params = ctx.params.size();
  expr out;
  out.kind = expr_kind::subquery;
  out.type = q->kind == subquery_kind::scalar  ? q->query.output[0].type
             : q->kind == subquery_kind::array ? array_of(q->query.output[0].type)
                                               : data_type::boolean;
  out.location = at;
  out.args = std::move(ctx.params);
  if (q->kind == subquery_kind::any || q->kind == subquery_kind::all)
    bind_quantified(body, s, agg, clause, out, *q);
  out.query = std::move(q);
  return out;
}

void binder::bind_quantified(pg_node body, const scope& s, agg_context* agg, const char* clause, expr& out,
                             subquery& q) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  std::size_t width = q.query.output.size();
  if (width != 1) {
    bind_fail(sqlstate::syntax_error,
              width > 1 ? "subquery has too many columns" : "subquery has too few columns", at);
  }
  pg_node test = *pg::field(body, "testexpr");
  if (pg::is(test, "RowExpr")) {
    bind_fail(sqlstate::feature_not_supported, "a row compared with a subquery is not supported", at);
  }
  data_type column = q.query.output[0].type;
  expr left = bind_expr(test, s, agg, clause);
  if (left.type == data_type::unknown) left = coerce(std::move(left), column, -1);
  // IN has no operator name: it is = ANY.
  std::vector<std::string> op = pg::names(body, "operName");
  std::vector<expr> pair;
  pair.push_back(expr::make_column(0, left.type, to_string(left)));
  pair.push_back(expr::make_column(1, column, q.query.output[0].name));
  q.test = call_operator(op.empty() ? "=" : op.back(), std::move(pair), at);
  if (q.test.type != data_type::boolean) {
    bind_fail(sqlstate::wrong_object_type,
              fmt::format("op {} (subquery) requires operator to yield boolean",
                          q.kind == subquery_kind::any ? "ANY" : "ALL"),
              at);
  }
  out.args.push_back(std::move(left));
  const std::vector<expr>& sides = q.test.args;
  q.hashed = q.kind == subquery_kind::any && q.test.name == "=" && sides.size() == 2 &&
             sides[0].kind == expr_kind::column && sides[1].kind == expr_kind::column &&
             sides[0].type == sides[1].type && equality_is_identity(sides[0].type);
}

// EXISTS is named "exists"; a scalar subquery after its column, as Postgres's FigureColname does.
std::string binder::sublink_column_name(pg_node body) {
  std::string_view link = pg::string(body, "subLinkType");
  if (link == "EXISTS_SUBLINK") return "exists";
  if (link == "ARRAY_SUBLINK") return "array";
  if (link != "EXPR_SUBLINK") return "?column?";
  pg_node select = pg::node_body(*pg::field(body, "subselect"));
  while (pg::list(select, "targetList").empty()) {  // a set operation: its left side names the columns
    auto left = pg::field(select, "larg");
    if (!left) return "?column?";
    select = *left;
  }
  pg_node first = pg::node_body(pg::list(select, "targetList")[0]);
  std::string alias(pg::string(first, "name"));
  return alias.empty() ? column_name(*pg::field(first, "val")) : alias;
}

expr binder::bind_outer_column(pg_node column_ref, int at) {
  outer_context& ctx = *outer_;
  expr outer = ctx.parent->outer_column_here(column_ref, ctx);
  std::size_t index = 0;
  while (index < ctx.params.size() && !same_expr(ctx.params[index], outer)) ++index;
  if (index == ctx.params.size()) ctx.params.push_back(outer);
  expr out;
  out.kind = expr_kind::param;
  out.type = outer.type;
  out.column = static_cast<int>(index);
  out.name = outer.name;
  out.location = at;
  return out;
}

expr binder::outer_column_here(pg_node column_ref, const outer_context& ctx) {
  expr e = bind_column_ref(column_ref, *ctx.columns);
  if (ctx.agg == nullptr || e.kind != expr_kind::column) return e;
  // Over an aggregation a subquery sees the groups, as the select list does.
  for (std::size_t i = 0; i < ctx.agg->groups.size(); ++i) {
    if (!same_expr(e, ctx.agg->groups[i])) continue;
    expr grouped = expr::make_column(static_cast<int>(i), e.type, e.name);
    grouped.location = e.location;
    return grouped;
  }
  bind_fail(sqlstate::grouping_error,
            fmt::format("subquery uses ungrouped column \"{}\" from outer query", e.name), e.location);
}

}  // namespace sluice::sql
