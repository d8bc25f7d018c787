// sql/bind_series.cc — generate_series(start, stop [, step]) in FROM: bigint or timestamp series from
// constant arguments, computed while binding into constant rows (a VALUES plan), so pull queries and
// views read it alike.
#include <fmt/format.h>

#include "sql/bind_internal.h"
#include "sql/pg_tree.h"

namespace sluice::sql {
namespace {

constexpr std::int64_t max_series_rows = 10'000'000;

bool is_timestamp_type(data_type t) { return t == data_type::timestamp || t == data_type::timestamptz; }

}  // namespace

plan binder::bind_generate_series(pg_node function, pg_node range, scope& out) {
  int at = static_cast<int>(pg::integer(function, "location", -1));
  std::vector<pg_node> nodes = pg::list(function, "args");
  if (nodes.size() < 2 || nodes.size() > 3) {
    bind_fail(sqlstate::undefined_function,
              fmt::format("function generate_series with {} arguments does not exist", nodes.size()), at);
  }
  std::vector<expr> args;
  scope none;
  for (pg_node n : nodes) {
    expr e = bind_expr(n, none, nullptr, "FROM");
    if (e.kind != expr_kind::constant) {
      bind_fail(sqlstate::feature_not_supported, "the arguments of generate_series must be constants",
                pg::location(n));
    }
    args.push_back(std::move(e));
  }
  // Integers (unknown literals read as bigint), or timestamps stepped by an interval.
  bool timestamps = is_timestamp_type(args[0].type) || is_timestamp_type(args[1].type);
  data_type type = timestamps
                       ? (args[0].type == data_type::timestamptz || args[1].type == data_type::timestamptz
                              ? data_type::timestamptz
                              : data_type::timestamp)
                       : data_type::bigint;
  for (std::size_t i = 0; i < 2; ++i) args[i] = coerce(std::move(args[i]), type, pg::location(nodes[i]));
  if (timestamps && args.size() != 3) {
    bind_fail(
        sqlstate::undefined_function,
        fmt::format("function generate_series({}, {}) does not exist", type_name(type), type_name(type)), at);
  }
  if (args.size() == 3) {
    args[2] = coerce(std::move(args[2]), timestamps ? data_type::interval : data_type::bigint,
                     pg::location(nodes[2]));
  }
  plan p;
  p.kind = plan_kind::values;
  std::string name = "generate_series";
  if (auto alias = pg::field(range, "alias")) {
    name = std::string(pg::string(*alias, "aliasname"));
    std::vector<std::string> columns = pg::names(*alias, "colnames");
    if (!columns.empty()) name = columns[0];
  }
  p.output.push_back({name, type});
  const value &start = args[0].constant, &stop = args[1].constant;
  value step = args.size() == 3 ? args[2].constant : value::bigint(1);
  if (start.is_null() || stop.is_null() || step.is_null()) {
    out = scope_of(p, name);
    return p;
  }
  bool zero = timestamps ? step.as_interval().months == 0 && step.as_interval().days == 0 &&
                               step.as_interval().micros == 0
                         : step.as_bigint() == 0;
  if (zero) bind_fail(sqlstate::invalid_parameter_value, "step size cannot equal zero", at);
  // Each next value is the previous one plus the step, through the + operator (so intervals with
  // months step by calendar months, as in Postgres).
  expr next = call_operator(
      "+", {expr::make_constant(start, type), args.size() == 3 ? args[2] : expr::make_constant(step, type)},
      at);
  bool ascending = timestamps ? compare(evaluate(next, {}), start) > 0 : step.as_bigint() > 0;
  value current = start;
  try {
    while (ascending ? compare(current, stop) <= 0 : compare(current, stop) >= 0) {
      if (static_cast<std::int64_t>(p.rows.size()) >= max_series_rows) {
        bind_fail("54000", fmt::format("generate_series would return more than {} rows", max_series_rows),
                  at);
      }
      p.rows.push_back(row{current});
      next.args[0].constant = current;
      current = evaluate(next, {});
    }
  } catch (const eval_error&) {
    // Past the type's range: the series ends where Postgres's would.
  }
  out = scope_of(p, name);
  return p;
}

}  // namespace sluice::sql
