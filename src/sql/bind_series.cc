// sql/bind_series.cc — set-returning functions in FROM: generate_series(start, stop [, step]),
// unnest(array …) and the jsonb ones (set_functions.h). A series of constants is computed while
// binding into constant rows (a VALUES plan); otherwise the function becomes an expand node over the
// FROM items to its left, whose columns its arguments may read (Postgres's implicit LATERAL for
// functions). bind_set_call checks one call's arguments for FROM and select lists alike.
#include <fmt/format.h>

#include "sql/bind_internal.h"
#include "sql/numeric.h"
#include "sql/pg_tree.h"
#include "sql/set_functions.h"

namespace sluice::sql {
namespace {

bool is_timestamp_type(data_type t) { return t == data_type::timestamp || t == data_type::timestamptz; }

plan one_empty_row() {
  plan p;
  p.kind = plan_kind::values;
  p.rows.push_back(row{});
  return p;
}

bool has_out_parameters(set_function fn) {
  return fn != set_function::unnest && fn != set_function::generate_series &&
         fn != set_function::jsonb_object_keys;
}

// The names of a call's columns: its OUT parameters' (value; key and value), else the function's.
std::vector<std::string> default_names(set_function fn, const std::string& function) {
  if (set_function_width(fn) == 2) return {"key", "value"};
  return {has_out_parameters(fn) ? "value" : function};
}

// The column names: AS alias (c1, c2, …) names the columns; AS alias alone names the one column of a
// function without OUT parameters (unnest(a) AS x is x; jsonb_array_elements(j) AS e is still value).
// `names` ends with `ordinality` when the call is WITH ORDINALITY: a one-column function's alias still
// names its column (`unnest(a) WITH ORDINALITY AS t` gives t and ordinality, as in Postgres).
std::vector<std::string> result_names(pg_node range, std::vector<std::string> names, bool alias_names_one,
                                      bool ordinality) {
  auto alias = pg::field(range, "alias");
  if (!alias) return names;
  std::vector<std::string> columns = pg::names(*alias, "colnames");
  if (columns.empty() && names.size() == (ordinality ? 2 : 1) && alias_names_one)
    names[0] = pg::string(*alias, "aliasname");
  for (std::size_t i = 0; i < columns.size() && i < names.size(); ++i) names[i] = columns[i];
  return names;
}

}  // namespace

bool binder::is_set_function(pg_node from_item) {
  if (!pg::is(from_item, "RangeFunction")) return false;
  std::vector<pg_node> functions = pg::list(pg::node_body(from_item), "functions");
  if (functions.empty()) return false;
  std::vector<pg_node> items = pg::list(pg::node_body(functions[0]), "items");
  if (items.empty() || !pg::is(items[0], "FuncCall")) return false;
  std::vector<std::string> name = pg::names(pg::node_body(items[0]), "funcname");
  return !name.empty() && set_function_named(name.back()).has_value();
}

std::vector<data_type> binder::bind_set_call(set_function fn, const std::string& name,
                                             std::vector<expr>& args, int at) {
  if (fn == set_function::generate_series) return {series_types(args, at)};
  if (fn == set_function::unnest) {
    const expr& e = args[0];
    if (e.type == data_type::unknown) {
      bind_fail(sqlstate::datatype_mismatch,
                "could not determine polymorphic type because input has type unknown", e.location);
    }
    if (!is_array(e.type)) {
      bind_fail(sqlstate::undefined_function,
                fmt::format("function unnest({}) does not exist", type_name(e.type)), at);
    }
    return {element_type(e.type)};
  }
  if (fn == set_function::regexp_matches || fn == set_function::regexp_split_to_table) {
    if (args.size() < 2 || args.size() > 3) {
      bind_fail(sqlstate::undefined_function,
                fmt::format("function {}({}) does not exist", name, type_list(args, ", ")), at);
    }
    for (expr& e : args) e = coerce(std::move(e), data_type::text, e.location);
    return {fn == set_function::regexp_matches ? data_type::text_array : data_type::text};
  }
  if (args.size() != 1 || (args[0].type != data_type::jsonb && args[0].type != data_type::unknown)) {
    bind_fail(sqlstate::undefined_function,
              fmt::format("function {}({}) does not exist", name, type_list(args, ", ")), at);
  }
  args[0] = coerce(std::move(args[0]), data_type::jsonb, args[0].location);
  bool as_text = fn == set_function::jsonb_array_elements_text || fn == set_function::jsonb_each_text;
  data_type v = as_text ? data_type::text : data_type::jsonb;
  if (fn == set_function::jsonb_object_keys) return {data_type::text};
  if (set_function_width(fn) == 2) return {data_type::text, v};
  return {v};
}

plan binder::bind_set_function(pg_node range, plan* left, scope& s) {
  pg_node call = pg::list(pg::node_body(pg::list(range, "functions")[0]), "items")[0];
  pg_node function = pg::node_body(call);
  std::string name = pg::names(function, "funcname").back();
  set_function fn = *set_function_named(name);
  int at = pg::location(call);
  bool ordinality = pg::flag(range, "ordinality");
  std::vector<expr> args;
  for (pg_node n : pg::list(function, "args")) args.push_back(bind_expr(n, s, nullptr, "FROM"));
  bool constant =
      std::all_of(args.begin(), args.end(), [](const expr& e) { return e.kind == expr_kind::constant; });
  std::string qualifier = name;
  if (auto alias = pg::field(range, "alias")) qualifier = pg::string(*alias, "aliasname");
  if (fn == set_function::generate_series && constant && left == nullptr && !ordinality)
    return bind_generate_series(function, range, s);
  plan p;
  p.kind = plan_kind::expand;
  p.inputs.push_back(left != nullptr ? std::move(*left) : one_empty_row());
  p.output = p.inputs[0].output;
  std::vector<data_type> types;
  std::vector<std::string> names;
  if (fn == set_function::unnest) {
    // unnest(a, b, …) in FROM zips its arrays: one call per array.
    if (args.empty()) bind_fail(sqlstate::undefined_function, "function unnest() does not exist", at);
    for (expr& e : args) {
      std::vector<expr> one{e};
      types.push_back(bind_set_call(fn, name, one, at)[0]);
      p.set_calls.push_back({fn, 1, set_function_width(fn)});
      names.push_back(name);
    }
  } else {
    types = bind_set_call(fn, name, args, at);
    p.set_calls.push_back({fn, static_cast<int>(args.size()), set_function_width(fn)});
    names = default_names(fn, name);
  }
  if (ordinality) {
    p.set_calls.push_back({set_function::ordinality, 0, 1});
    names.push_back("ordinality");
    types.push_back(data_type::bigint);
  }
  names = result_names(range, std::move(names), !has_out_parameters(fn), ordinality);
  for (std::size_t i = 0; i < types.size(); ++i) {
    p.output.push_back({names[i], types[i]});
    s.push_back({qualifier, names[i], types[i]});
  }
  p.exprs = std::move(args);
  return p;
}

// generate_series's argument types: integers (unknown literals read as bigint), numerics (when an
// argument is numeric or double precision, as Postgres resolves it), or timestamps stepped by an
// interval. Coerces `args` and returns the series' type.
data_type binder::series_types(std::vector<expr>& args, int at) {
  if (args.size() < 2 || args.size() > 3) {
    bind_fail(sqlstate::undefined_function,
              fmt::format("function generate_series with {} arguments does not exist", args.size()), at);
  }
  bool timestamps = is_timestamp_type(args[0].type) || is_timestamp_type(args[1].type);
  data_type type = timestamps
                       ? (args[0].type == data_type::timestamptz || args[1].type == data_type::timestamptz
                              ? data_type::timestamptz
                              : data_type::timestamp)
                       : data_type::bigint;
  if (!timestamps && std::any_of(args.begin(), args.end(), [](const expr& e) {
        return e.type == data_type::numeric || e.type == data_type::double_precision;
      }))
    type = data_type::numeric;
  for (std::size_t i = 0; i < 2; ++i) args[i] = coerce(std::move(args[i]), type, args[i].location);
  if (timestamps && args.size() != 3) {
    bind_fail(
        sqlstate::undefined_function,
        fmt::format("function generate_series({}, {}) does not exist", type_name(type), type_name(type)), at);
  }
  if (args.size() == 3) {
    args[2] = coerce(std::move(args[2]), timestamps ? data_type::interval : type, args[2].location);
  }
  return type;
}

plan binder::bind_generate_series(pg_node function, pg_node range, scope& out) {
  int at = static_cast<int>(pg::integer(function, "location", -1));
  std::vector<expr> args;
  scope none;
  for (pg_node n : pg::list(function, "args")) {
    expr e = bind_expr(n, none, nullptr, "FROM");
    if (e.kind != expr_kind::constant) {
      bind_fail(sqlstate::feature_not_supported, "the arguments of generate_series must be constants",
                pg::location(n));
    }
    args.push_back(std::move(e));
  }
  data_type type = series_types(args, at);
  bool timestamps = is_timestamp_type(type);
  plan p;
  p.kind = plan_kind::values;
  // FROM generate_series(…) AS q(x): the relation is q, its column x; AS q alone names both.
  std::string qualifier = "generate_series";
  std::string name = qualifier;
  if (auto alias = pg::field(range, "alias")) {
    qualifier = name = std::string(pg::string(*alias, "aliasname"));
    std::vector<std::string> columns = pg::names(*alias, "colnames");
    if (!columns.empty()) name = columns[0];
  }
  p.output.push_back({name, type});
  const value &start = args[0].constant, &stop = args[1].constant;
  value step = args.size() == 3             ? args[2].constant
               : type == data_type::numeric ? value::numeric_of(numeric_from_bigint(1))
                                            : value::bigint(1);
  if (start.is_null() || stop.is_null() || step.is_null()) {
    out = scope_of(p, qualifier);
    return p;
  }
  bool zero = timestamps ? step.as_interval().months == 0 && step.as_interval().days == 0 &&
                               step.as_interval().micros == 0
                         : compare(step, value::bigint(0)) == 0;
  if (zero) bind_fail(sqlstate::invalid_parameter_value, "step size cannot equal zero", at);
  // Each next value is the previous one plus the step, through the + operator (so intervals with
  // months step by calendar months, as in Postgres).
  expr next = call_operator(
      "+", {expr::make_constant(start, type), args.size() == 3 ? args[2] : expr::make_constant(step, type)},
      at);
  bool ascending = timestamps ? compare(evaluate(next, {}), start) > 0 : compare(step, value::bigint(0)) > 0;
  if (!timestamps) {
    try {
      check_series_length(start, stop, step);
    } catch (const eval_error& e) {
      bind_fail(e.code(), e.what(), at);
    }
  }
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
  out = scope_of(p, qualifier);
  return p;
}

}  // namespace sluice::sql
