// sql/bind_aggregate.cc — aggregate calls: which names are aggregates, their arguments (string_agg's
// separator and ORDER BY, an ordered-set aggregate's fraction and WITHIN GROUP value, the (Y, X) of
// corr and regr_*), FILTER, result types, and one entry per distinct call in a query block.
#include <fmt/format.h>

#include <algorithm>

#include "sql/aggregates.h"
#include "sql/bind_internal.h"

namespace sluice::sql {
namespace {

struct aggregate_name {
  const char* name;
  aggregate_fn fn;
};
constexpr aggregate_name aggregate_names[] = {
    {"count", aggregate_fn::count},
    {"sum", aggregate_fn::sum},
    {"avg", aggregate_fn::avg},
    {"min", aggregate_fn::min},
    {"max", aggregate_fn::max},
    {"stddev", aggregate_fn::stddev_samp},
    {"stddev_samp", aggregate_fn::stddev_samp},
    {"stddev_pop", aggregate_fn::stddev_pop},
    {"variance", aggregate_fn::var_samp},
    {"var_samp", aggregate_fn::var_samp},
    {"var_pop", aggregate_fn::var_pop},
    {"bool_and", aggregate_fn::bool_and},
    {"bool_or", aggregate_fn::bool_or},
    {"every", aggregate_fn::bool_and},
    {"string_agg", aggregate_fn::string_agg},
    {"array_agg", aggregate_fn::array_agg},
    // jsonb_agg(x) is to_jsonb(array_agg(x)) (json is jsonb here); bind_aggregate adds the to_jsonb.
    {"jsonb_agg", aggregate_fn::array_agg},
    {"json_agg", aggregate_fn::array_agg},
    // jsonb_object_agg(k, v) is array_agg(jsonb_build_array(k, v)), made one object by
    // jsonb_object_agg_finalfn.
    {"jsonb_object_agg", aggregate_fn::array_agg},
    {"json_object_agg", aggregate_fn::array_agg},
    {"percentile_cont", aggregate_fn::percentile_cont},
    {"percentile_disc", aggregate_fn::percentile_disc},
    {"mode", aggregate_fn::mode},
    {"bit_and", aggregate_fn::bit_and},
    {"bit_or", aggregate_fn::bit_or},
    {"bit_xor", aggregate_fn::bit_xor},
    {"corr", aggregate_fn::corr},
    {"covar_pop", aggregate_fn::covar_pop},
    {"covar_samp", aggregate_fn::covar_samp},
    {"regr_count", aggregate_fn::regr_count},
    {"regr_sxx", aggregate_fn::regr_sxx},
    {"regr_syy", aggregate_fn::regr_syy},
    {"regr_sxy", aggregate_fn::regr_sxy},
    {"regr_avgx", aggregate_fn::regr_avgx},
    {"regr_avgy", aggregate_fn::regr_avgy},
    {"regr_r2", aggregate_fn::regr_r2},
    {"regr_slope", aggregate_fn::regr_slope},
    {"regr_intercept", aggregate_fn::regr_intercept},
};

}  // namespace

bool is_object_agg(std::string_view name) { return name == "jsonb_object_agg" || name == "json_object_agg"; }

bool is_aggregate_name(std::string_view name) {
  return std::any_of(std::begin(aggregate_names), std::end(aggregate_names),
                     [name](const aggregate_name& a) { return name == a.name; });
}

bool contains_aggregate(pg_node n) {
  using simdjson::dom::element_type;
  if (n.type() == element_type::ARRAY) {
    simdjson::dom::array items = n.get_array().value();
    for (pg_node item : items) {
      if (contains_aggregate(item)) return true;
    }
    return false;
  }
  if (n.type() != element_type::OBJECT) return false;
  if (pg::is(n, "SelectStmt")) return false;
  if (pg::is(n, "GroupingFunc")) return true;
  if (pg::is(n, "FuncCall")) {  // an aggregate with OVER is a window call: it does not group the query
    std::vector<std::string> name = pg::names(pg::node_body(n), "funcname");
    if (!name.empty() && is_aggregate_name(name.back()) && !pg::field(pg::node_body(n), "over")) return true;
  }
  simdjson::dom::object fields = n.get_object().value();
  for (auto [key, child] : fields) {
    if (contains_aggregate(child)) return true;
  }
  return false;
}

expr binder::bind_aggregate(pg_node body, agg_context* agg, const char* clause) {
  std::string name = pg::names(body, "funcname").back();
  int at = static_cast<int>(pg::integer(body, "location", -1));
  if (in_aggregate_) bind_fail(sqlstate::grouping_error, "aggregate function calls cannot be nested", at);
  if (agg == nullptr) {
    bind_fail(sqlstate::grouping_error, fmt::format("aggregate functions are not allowed in {}", clause), at);
  }
  aggregate_call call = aggregate_call_of(body, *agg->input, nullptr, clause);
  std::size_t index = register_call(*agg, std::move(call));
  expr out = expr::make_column(static_cast<int>(agg->key_width() + index), agg->calls[index].type, name);
  out.location = at;
  if (name == "jsonb_agg") return call_function("to_jsonb", {std::move(out)}, at, false);
  if (name == "json_agg") {
    const expr& item = agg->calls[index].args.at(0);
    bool rows = item.kind == expr_kind::call && item.name == "json_record";
    return call_function(rows ? "json_agg_rows_finalfn" : "json_agg_finalfn", {std::move(out)}, at, false);
  }
  if (is_object_agg(name)) return call_function(name + "_finalfn", {std::move(out)}, at, false);
  return out;
}

aggregate_call binder::aggregate_call_of(pg_node body, const scope& input, agg_context* args_agg,
                                         const char* clause) {
  std::string name = pg::names(body, "funcname").back();
  int at = static_cast<int>(pg::integer(body, "location", -1));
  aggregate_call call;
  call.name = name;
  call.distinct = pg::flag(body, "agg_distinct");
  call.fn =
      std::find_if(std::begin(aggregate_names), std::end(aggregate_names), [&name](const aggregate_name& a) {
        return name == a.name;
      })->fn;
  // A plain aggregate's arguments may not hold another aggregate; a window aggregate's may, over a
  // grouped query (sum(count(*)) OVER ()).
  bool plain = args_agg == nullptr;
  if (plain) in_aggregate_ = true;
  std::vector<pg_node> args = pg::list(body, "args");
  if (pg::flag(body, "agg_within_group") || is_ordered_set(call.fn)) {
    bind_ordered_set(body, input, call, clause);
  } else if (pg::flag(body, "agg_star")) {
    if (name != "count") bind_fail(sqlstate::syntax_error, fmt::format("{}(*) is not supported", name), at);
    call.fn = aggregate_fn::count_star;
  } else if (args.size() !=
             (call.fn == aggregate_fn::string_agg || is_regression(call.fn) || is_object_agg(name) ? 2u
                                                                                                   : 1u)) {
    in_aggregate_ = false;
    bind_fail(sqlstate::undefined_function,
              fmt::format("function {} with {} arguments does not exist", name, args.size()), at);
  } else {
    call.args.push_back(bind_expr(args[0], input, args_agg, clause));
    if (is_regression(call.fn)) call.args.push_back(bind_expr(args[1], input, args_agg, clause));
    if (is_object_agg(name)) {
      expr pair =
          call_function("jsonb_build_array",
                        {std::move(call.args[0]), bind_expr(args[1], input, args_agg, clause)}, at, false);
      call.args = {std::move(pair)};
    }
    // Postgres would aggregate over the outer block's rows (the aggregate belongs to the block its
    // columns come from); computing it over the subquery's rows would give another answer.
    if (reads_only_outer(call.args[0])) {
      bind_fail(sqlstate::feature_not_supported,
                "an aggregate over only outer columns is not supported in a subquery", at);
    }
  }
  if (call.fn == aggregate_fn::string_agg) bind_string_agg_extras(body, args[1], input, call, clause);
  if (call.fn == aggregate_fn::array_agg) bind_aggregate_order(body, input, call, clause);
  if (auto filter = pg::field(body, "agg_filter")) {
    call.has_filter = true;
    call.filter = bind_predicate(*filter, input, args_agg, "FILTER");
  }
  if (plain) in_aggregate_ = false;
  type_aggregate(call, at);
  if (is_regression(call.fn) && use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("{} is not supported in materialized views and sinks yet", name), at);
  }
  return call;
}

// string_agg's separator (a constant: a view computes each group's text from its values, with no row
// to read a separator from) and its ORDER BY.
void binder::bind_string_agg_extras(pg_node body, pg_node separator, const scope& input, aggregate_call& call,
                                    const char* clause) {
  expr sep = coerce(bind_expr(separator, input, nullptr, clause), data_type::text, pg::location(separator));
  if (sep.kind != expr_kind::constant) {
    in_aggregate_ = false;
    bind_fail(sqlstate::feature_not_supported, "the separator of string_agg must be a constant",
              pg::location(separator));
  }
  call.separator = sep.constant.is_null() ? "" : sep.constant.as_text();
  bind_aggregate_order(body, input, call, clause);
}

// The ORDER BY of string_agg and array_agg. Sorting by the value itself works everywhere; by other
// expressions only in pull queries (a view keeps each group's values as a multiset of values, with
// no input order or other columns to sort by).
void binder::bind_aggregate_order(pg_node body, const scope& input, aggregate_call& call,
                                  const char* clause) {
  std::vector<pg_node> order = pg::list(body, "agg_order");
  if (order.empty()) {
    // Postgres finds the distinct values by sorting them, so string_agg(DISTINCT x, …) and
    // array_agg(DISTINCT x) come out in x's order.
    if (call.distinct && (call.fn == aggregate_fn::string_agg || call.fn == aggregate_fn::array_agg))
      call.ordered = true;
    return;
  }
  std::vector<sort_key> keys;
  for (pg_node item : order) {
    pg_node sort = pg::node_body(item);
    sort_key key;
    key.key = bind_expr(*pg::field(sort, "node"), input, nullptr, clause);
    key.descending = pg::string(sort, "sortby_dir") == "SORTBY_DESC";
    std::string_view nulls = pg::string(sort, "sortby_nulls");
    key.nulls_first = nulls == "SORTBY_NULLS_FIRST" || (nulls != "SORTBY_NULLS_LAST" && key.descending);
    keys.push_back(std::move(key));
  }
  // By the value, NULLs where compare() puts them (last, or first when descending): Postgres's default.
  const sort_key& first = keys[0];
  if (keys.size() == 1 && same_expr(first.key, call.args[0]) && first.nulls_first == first.descending) {
    call.ordered = true;
    call.descending = first.descending;
    return;
  }
  pg_node at = *pg::field(pg::node_body(order[0]), "node");
  in_aggregate_ = false;
  bool only_the_value = std::all_of(keys.begin(), keys.end(),
                                    [&](const sort_key& k) { return same_expr(k.key, call.args[0]); });
  if (call.distinct && !only_the_value) {
    bind_fail("42P10", "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
              pg::location(at));
  }
  if (use_ == query_use::materialized) {
    bind_fail(
        sqlstate::feature_not_supported,
        fmt::format("{} in a materialized view may be ordered only by the value it aggregates", call.name),
        pg::location(at));
  }
  in_aggregate_ = true;
  call.order_by = std::move(keys);
}

// `fn(direct args) WITHIN GROUP (ORDER BY value)`: the value is the call's argument, the direct
// argument of percentile_cont/percentile_disc its fraction, a constant (a view computes each group's
// result from its values, with no row to read a fraction from).
void binder::bind_ordered_set(pg_node body, const scope& input, aggregate_call& call, const char* clause) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  std::vector<pg_node> direct = pg::list(body, "args");
  std::vector<pg_node> order = pg::list(body, "agg_order");
  std::vector<expr> all;
  for (pg_node d : direct) all.push_back(bind_expr(d, input, nullptr, clause));
  for (pg_node o : order)
    all.push_back(bind_expr(*pg::field(pg::node_body(o), "node"), input, nullptr, clause));
  std::size_t want = call.fn == aggregate_fn::mode ? 0 : 1;
  if (!pg::flag(body, "agg_within_group") || !is_ordered_set(call.fn) || direct.size() != want ||
      order.size() != 1) {
    in_aggregate_ = false;
    bind_fail(sqlstate::undefined_function,
              fmt::format("function {}({}) does not exist", call.name, type_list(all, ", ")), at);
  }
  if (want == 1) {
    expr f = coerce(std::move(all[0]), data_type::double_precision, pg::location(direct[0]));
    if (f.kind != expr_kind::constant) {
      in_aggregate_ = false;
      bind_fail(sqlstate::feature_not_supported,
                fmt::format("the fraction of {} must be a constant", call.name), pg::location(direct[0]));
    }
    if (!f.constant.is_null()) call.fraction = f.constant.as_double();
    // A pull query fails when it computes a group, as Postgres does; a view, which could only fail
    // later on some change, refuses the fraction up front.
    if (call.fraction && use_ == query_use::materialized) {
      aggregate_call probe = call;
      try {
        ordered_set_result(probe, {});
      } catch (const eval_error& error) {
        in_aggregate_ = false;
        throw bind_failure{to_sql_error(error, pg::location(direct[0]))};
      }
    }
  }
  pg_node sort = pg::node_body(order[0]);
  call.args.push_back(std::move(all.back()));
  call.ordered = true;
  call.descending = pg::string(sort, "sortby_dir") == "SORTBY_DESC";
}

// Checks the argument type and sets the result type (unknown literals become the natural type).
void binder::type_aggregate(aggregate_call& call, int at) {
  data_type arg = call.args.empty() ? data_type::bigint : call.args[0].type;
  auto require = [&](bool ok, data_type coerce_to) {
    if (arg == data_type::unknown) {
      call.args[0] = coerce(std::move(call.args[0]), coerce_to, at);
      arg = coerce_to;
    } else if (!ok) {
      bind_fail(sqlstate::undefined_function,
                fmt::format("function {}({}) does not exist", call.name, type_name(arg)), at);
    }
  };
  switch (call.fn) {
    case aggregate_fn::count_star:
    case aggregate_fn::count:
      call.type = data_type::bigint;
      break;
    case aggregate_fn::sum:
      require(is_numeric(arg) || arg == data_type::interval, data_type::double_precision);
      call.type = arg;
      break;
    case aggregate_fn::avg:  // numeric for exact inputs, as Postgres's avg(bigint) and avg(numeric)
      require(is_numeric(arg), data_type::double_precision);
      call.type = arg == data_type::double_precision ? arg : data_type::numeric;
      break;
    case aggregate_fn::min:
    case aggregate_fn::max:
      require(arg != data_type::jsonb, data_type::text);
      call.type = arg;
      break;
    case aggregate_fn::bool_and:
    case aggregate_fn::bool_or:
      require(arg == data_type::boolean, data_type::boolean);
      call.type = data_type::boolean;
      break;
    case aggregate_fn::string_agg:
      require(arg == data_type::text, data_type::text);
      call.type = data_type::text;
      break;
    case aggregate_fn::array_agg:
      require(true, data_type::text);
      if (is_array(arg))
        bind_fail(sqlstate::feature_not_supported, "multidimensional arrays are not supported", at);
      call.type = array_of(arg);
      break;
    case aggregate_fn::percentile_cont:
      if (is_numeric(arg) && arg != data_type::double_precision) {
        call.args[0] = coerce(std::move(call.args[0]), data_type::double_precision, at);
        arg = data_type::double_precision;
      }
      require(arg == data_type::double_precision || arg == data_type::interval, data_type::double_precision);
      call.type = arg;
      break;
    case aggregate_fn::percentile_disc:
    case aggregate_fn::mode:
      require(arg != data_type::jsonb, data_type::text);
      call.type = arg;
      break;
    case aggregate_fn::bit_and:
    case aggregate_fn::bit_or:
    case aggregate_fn::bit_xor:
      require(arg == data_type::bigint, data_type::bigint);
      call.type = data_type::bigint;
      break;
    default:
      if (is_regression(call.fn)) return type_regression(call, at);
      require(is_numeric(arg), data_type::double_precision);
      // The variances: numeric for exact inputs, as Postgres's var_samp(bigint) and var_samp(numeric).
      call.type = arg == data_type::double_precision ? arg : data_type::numeric;
      break;
  }
}

// corr(Y, X) and the like: two double precision arguments.
void binder::type_regression(aggregate_call& call, int at) {
  for (expr& a : call.args) {
    if (a.type == data_type::unknown || a.type == data_type::bigint)
      a = coerce(std::move(a), data_type::double_precision, at);
  }
  if (call.args[0].type != data_type::double_precision || call.args[1].type != data_type::double_precision) {
    bind_fail(sqlstate::undefined_function,
              fmt::format("function {}({}) does not exist", call.name, type_list(call.args, ", ")), at);
  }
  call.type = call.fn == aggregate_fn::regr_count ? data_type::bigint : data_type::double_precision;
}

// The index of `call` among the block's aggregates; identical calls are computed once.
std::size_t register_call(agg_context& agg, aggregate_call call) {
  for (std::size_t i = 0; i < agg.calls.size(); ++i) {
    const aggregate_call& c = agg.calls[i];
    bool same_args = c.args.size() == call.args.size() &&
                     std::equal(c.args.begin(), c.args.end(), call.args.begin(), same_expr);
    bool same_filter = c.has_filter == call.has_filter && (!c.has_filter || same_expr(c.filter, call.filter));
    auto same_key = [](const sort_key& a, const sort_key& b) {
      return a.descending == b.descending && a.nulls_first == b.nulls_first && same_expr(a.key, b.key);
    };
    bool same_order = c.separator == call.separator && c.ordered == call.ordered &&
                      c.descending == call.descending && c.fraction == call.fraction &&
                      c.order_by.size() == call.order_by.size() &&
                      std::equal(c.order_by.begin(), c.order_by.end(), call.order_by.begin(), same_key);
    if (c.fn == call.fn && c.distinct == call.distinct && same_args && same_filter && same_order) return i;
  }
  agg.calls.push_back(std::move(call));
  return agg.calls.size() - 1;
}

}  // namespace sluice::sql
