// sql/bind_call.cc — function and operator calls: overload resolution by Postgres's rules, the
// functions with their own syntax or semantics (extract, version, current_setting, greatest/least),
// and aggregate calls.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "sql/aggregates.h"
#include "sql/bind_internal.h"
#include "sql/civil_time.h"
#include "sql/pg_catalog.h"
#include "sql/statement.h"

namespace sluice::sql {
namespace {

std::string type_list(const std::vector<expr>& args, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += separator;
    out += type_name(args[i].type);
  }
  return out;
}

// The cost of passing an argument of type `have` where `want` is declared; -1 if impossible.
int argument_cost(const expr& have, data_type want, data_type hint) {
  if (want == data_type::unknown || have.type == want) return 0;
  if (have.type == data_type::unknown) {
    if (want == hint) return 0;  // the other operand's type, Postgres's first guess for a literal
    return want == data_type::text ? 1 : 2;
  }
  return implicitly_castable(have.type, want) ? 3 : -1;
}

const function_overload* best_overload(const std::vector<function_overload>& candidates,
                                       const std::vector<expr>& args) {
  const function_overload* best = nullptr;
  int best_cost = std::numeric_limits<int>::max();
  for (const function_overload& f : candidates) {
    bool arity = f.variadic ? args.size() + 1 >= f.args.size() : args.size() == f.args.size();
    if (!arity) continue;
    int cost = 0;
    for (std::size_t i = 0; i < args.size() && cost >= 0; ++i) {
      data_type want = f.args[std::min(i, f.args.size() - 1)];
      data_type hint = args.size() == 2 ? args[1 - i].type : data_type::unknown;
      int c = argument_cost(args[i], want, hint);
      cost = c < 0 ? -1 : cost + c;
    }
    if (cost >= 0 && cost < best_cost) {
      best = &f;
      best_cost = cost;
    }
  }
  return best;
}

value greatest_fn(const value* a, std::size_t n) {
  value out;
  for (std::size_t i = 0; i < n; ++i) {
    if (!a[i].is_null() && (out.is_null() || compare(a[i], out) > 0)) out = a[i];
  }
  return out;
}
value least_fn(const value* a, std::size_t n) {
  value out;
  for (std::size_t i = 0; i < n; ++i) {
    if (!a[i].is_null() && (out.is_null() || compare(a[i], out) < 0)) out = a[i];
  }
  return out;
}

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

// Functions that take arguments by name (make_interval(days => 3)): their parameters in order, and
// whether a parameter left out is 0 (make_interval's all are).
struct named_parameters {
  const char* function;
  std::vector<const char*> names;
  bool defaults;
};
const named_parameters* find_named_parameters(std::string_view function) {
  static const named_parameters known[] = {
      {"make_interval", {"years", "months", "weeks", "days", "hours", "mins", "secs"}, true},
      {"make_date", {"year", "month", "day"}, false},
      {"make_timestamp", {"year", "month", "mday", "hour", "min", "sec"}, false},
  };
  for (const named_parameters& p : known) {
    if (function == p.function) return &p;
  }
  return nullptr;
}

}  // namespace

// Positional arguments, then named ones (name => value) put in their parameter's place.
std::vector<expr> binder::bind_call_args(const std::string& name, pg_node body, const scope& s,
                                         agg_context* agg, const char* clause) {
  std::vector<expr> args;
  std::vector<pg_node> nodes = pg::list(body, "args");
  const named_parameters* params = find_named_parameters(name);
  std::vector<std::optional<expr>> placed;
  for (pg_node a : nodes) {
    if (!pg::is(a, "NamedArgExpr")) {
      if (!placed.empty())
        bind_fail(sqlstate::syntax_error, "positional argument cannot follow named argument",
                  pg::location(a));
      args.push_back(bind_expr(a, s, agg, clause));
      continue;
    }
    pg_node named = pg::node_body(a);
    std::string param(pg::string(named, "name"));
    std::size_t index = params ? params->names.size() : 0;
    for (std::size_t i = 0; params && i < params->names.size(); ++i) {
      if (param == params->names[i]) index = i;
    }
    if (params == nullptr || index == params->names.size() || index < args.size()) {
      bind_fail(sqlstate::undefined_function, fmt::format("function {}({} => …) does not exist", name, param),
                pg::location(a));
    }
    placed.resize(std::max(placed.size(), index + 1));
    placed[index] = bind_expr(*pg::field(named, "arg"), s, agg, clause);
  }
  for (std::size_t i = args.size(); i < placed.size(); ++i) {
    if (placed[i]) {
      args.push_back(std::move(*placed[i]));
    } else if (params->defaults) {
      args.push_back(expr::make_constant(value::bigint(0), data_type::bigint));
    } else {
      bind_fail(sqlstate::undefined_function,
                fmt::format("function {} needs argument {}", name, params->names[i]),
                static_cast<int>(pg::integer(body, "location", -1)));
    }
  }
  return args;
}

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

expr binder::call_operator(const std::string& op, std::vector<expr> args, int position) {
  if (op == "||" && args.size() == 2) {
    // text || anything: the other side is printed as text (Postgres's textanycat).
    bool left_text = args[0].type == data_type::text || args[0].type == data_type::unknown;
    bool right_text = args[1].type == data_type::text || args[1].type == data_type::unknown;
    if (left_text && !right_text) args[1] = coerce(std::move(args[1]), data_type::text, position);
    if (right_text && !left_text) args[0] = coerce(std::move(args[0]), data_type::text, position);
  }
  return call_function(op, std::move(args), position, true);
}

expr binder::call_function(const std::string& name, std::vector<expr> args, int position, bool is_operator) {
  const function_overload* f = best_overload(find_overloads(name), args);
  if (f == nullptr) {
    if (!is_operator) {
      bind_fail(sqlstate::undefined_function,
                fmt::format("function {}({}) does not exist", name, type_list(args, ", ")), position);
    }
    if (args.size() == 1) {
      bind_fail(sqlstate::undefined_function,
                fmt::format("operator does not exist: {} {}", name, type_name(args[0].type)), position);
    }
    bind_fail(sqlstate::undefined_function,
              fmt::format("operator does not exist: {} {} {}", type_name(args[0].type), name,
                          type_name(args[1].type)),
              position);
  }
  expr out;
  out.kind = expr_kind::call;
  out.type = f->result;
  out.fn = f->fn;
  out.strict = f->strict;
  out.name = name;
  out.location = position;
  for (std::size_t i = 0; i < args.size(); ++i) {
    data_type want = f->args[std::min(i, f->args.size() - 1)];
    if (want == data_type::unknown && args[i].type == data_type::unknown) want = data_type::text;
    out.args.push_back(coerce(std::move(args[i]), want, -1));
  }
  return out;
}

expr binder::bind_min_max(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  bool greatest = pg::string(body, "op") == "IS_GREATEST";
  expr out;
  out.kind = expr_kind::call;
  out.fn = greatest ? greatest_fn : least_fn;
  out.strict = false;
  out.name = greatest ? "greatest" : "least";
  out.location = at;
  for (pg_node a : pg::list(body, "args")) out.args.push_back(bind_expr(a, s, agg, clause));
  std::vector<expr*> parts;
  for (expr& a : out.args) parts.push_back(&a);
  out.type = unify(parts, greatest ? "GREATEST" : "LEAST", at);
  return out;
}

expr binder::bind_func_call(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  std::string name = pg::names(body, "funcname").back();
  int at = static_cast<int>(pg::integer(body, "location", -1));
  if (pg::field(body, "over")) return bind_window_call(body, s, agg, clause);
  if (is_aggregate_name(name)) return bind_aggregate(body, agg, clause);
  if (pg::flag(body, "agg_star") || pg::flag(body, "agg_distinct") || pg::field(body, "agg_filter")) {
    bind_fail(sqlstate::syntax_error,
              fmt::format("{}(*) specified, but {} is not an aggregate function", name, name), at);
  }
  std::vector<expr> args = bind_call_args(name, body, s, agg, clause);
  if (name == "extract") name = "date_part";
  if (args.empty() && (name == "now" || name == "transaction_timestamp" || name == "statement_timestamp" ||
                       name == "clock_timestamp")) {
    return bind_clock(name + "()", at);
  }
  if (name == "random" && use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported,
              "random() is not supported in materialized views and sinks: their rows must follow from their "
              "inputs",
              at);
  }
  if (name == "age" && args.size() == 1) {  // age(t) is age(today at midnight, t): it reads the clock
    if (use_ == query_use::materialized) bind_clock("age(timestamp)", at);  // refused there, with why
    data_type type = args[0].type == data_type::timestamptz ? data_type::timestamptz : data_type::timestamp;
    args.insert(args.begin(), coerce(bind_clock("current_date", at), type, at));
  }
  if (name == "current_database" && args.empty()) {
    return expr::make_constant(value::text(database_name), data_type::text);
  }
  if (name == "version" && args.empty()) {
    return expr::make_constant(value::text(server_version_string()), data_type::text);
  }
  if (name == "current_setting" && args.size() == 1 && args[0].kind == expr_kind::constant &&
      !args[0].constant.is_null()) {
    std::string setting = args[0].constant.to_text();
    auto v = default_setting(setting);
    if (!v) bind_fail("42704", fmt::format("unrecognized configuration parameter \"{}\"", setting), at);
    return expr::make_constant(value::text(*v), data_type::text);
  }
  return call_function(name, std::move(args), at, false);
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
  } else if (args.size() != (call.fn == aggregate_fn::string_agg || is_regression(call.fn) ? 2u : 1u)) {
    in_aggregate_ = false;
    bind_fail(sqlstate::undefined_function,
              fmt::format("function {} with {} arguments does not exist", name, args.size()), at);
  } else {
    call.args.push_back(bind_expr(args[0], input, args_agg, clause));
    if (is_regression(call.fn)) call.args.push_back(bind_expr(args[1], input, args_agg, clause));
    // Postgres would aggregate over the outer block's rows (the aggregate belongs to the block its
    // columns come from); computing it over the subquery's rows would give another answer.
    if (reads_only_outer(call.args[0])) {
      bind_fail(sqlstate::feature_not_supported,
                "an aggregate over only outer columns is not supported in a subquery", at);
    }
  }
  if (call.fn == aggregate_fn::string_agg) bind_string_agg_extras(body, args[1], input, call, clause);
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

expr binder::bind_clock(std::string_view function, int at) {
  if (use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("{} is not supported in materialized views and sinks: their rows would not "
                          "change as time passes (filter on event time instead)",
                          function),
              at);
  }
  if (function == "current_date") {
    return expr::make_constant(
        value::date(static_cast<std::int32_t>(floor_div(statement_micros_, 86'400'000'000))),
        data_type::date);
  }
  if (function == "localtimestamp") {
    return expr::make_constant(value::timestamp(statement_micros_), data_type::timestamp);
  }
  return expr::make_constant(value::timestamptz(statement_micros_), data_type::timestamptz);
}

// string_agg's separator (a constant: a view computes each group's text from its values, with no row
// to read a separator from) and its ORDER BY, which may sort only by the value itself.
void binder::bind_string_agg_extras(pg_node body, pg_node separator, const scope& input, aggregate_call& call,
                                    const char* clause) {
  expr sep = coerce(bind_expr(separator, input, nullptr, clause), data_type::text, pg::location(separator));
  if (sep.kind != expr_kind::constant) {
    in_aggregate_ = false;
    bind_fail(sqlstate::feature_not_supported, "the separator of string_agg must be a constant",
              pg::location(separator));
  }
  call.separator = sep.constant.is_null() ? "" : sep.constant.as_text();
  std::vector<pg_node> order = pg::list(body, "agg_order");
  if (order.empty()) return;
  pg_node sort = pg::node_body(order[0]);
  pg_node key = *pg::field(sort, "node");
  if (order.size() > 1 || !same_expr(bind_expr(key, input, nullptr, clause), call.args[0])) {
    in_aggregate_ = false;
    bind_fail(sqlstate::feature_not_supported, "string_agg may be ordered only by the value it aggregates",
              pg::location(key));
  }
  call.ordered = true;
  call.descending = pg::string(sort, "sortby_dir") == "SORTBY_DESC";
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
        bind_fail(error.code(), error.what(), pg::location(direct[0]));
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
      call.type = data_type::double_precision;
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
    bool same_order = c.separator == call.separator && c.ordered == call.ordered &&
                      c.descending == call.descending && c.fraction == call.fraction;
    if (c.fn == call.fn && c.distinct == call.distinct && same_args && same_filter && same_order) return i;
  }
  agg.calls.push_back(std::move(call));
  return agg.calls.size() - 1;
}

bool same_expr(const expr& a, const expr& b) {
  if (a.kind != b.kind || a.type != b.type || a.args.size() != b.args.size()) return false;
  if (a.kind == expr_kind::constant && !(a.constant == b.constant)) return false;
  if ((a.kind == expr_kind::column || a.kind == expr_kind::param) && a.column != b.column) return false;
  if (a.kind == expr_kind::subquery && a.query != b.query) return false;
  if (a.kind == expr_kind::call && (a.fn != b.fn || a.name != b.name)) return false;
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    if (!same_expr(a.args[i], b.args[i])) return false;
  }
  return true;
}

std::vector<expr> conjuncts(expr e) {
  std::vector<expr> out;
  if (e.kind == expr_kind::and_op) {
    for (expr& part : e.args) {
      for (expr& sub : conjuncts(std::move(part))) out.push_back(std::move(sub));
    }
  } else if (!(e.kind == expr_kind::constant && e.type == data_type::boolean && !e.constant.is_null() &&
               e.constant.as_bool())) {
    out.push_back(std::move(e));
  }
  return out;
}

expr conjunction(std::vector<expr> parts) {
  if (parts.empty()) return expr::make_constant(value::boolean(true), data_type::boolean);
  if (parts.size() == 1) return std::move(parts[0]);
  expr out;
  out.kind = expr_kind::and_op;
  out.type = data_type::boolean;
  out.args = std::move(parts);
  return out;
}

std::string binder::column_name(pg_node n) {
  std::string_view type = pg::node_type(n);
  pg_node body = pg::node_body(n);
  if (type == "ColumnRef") {
    std::vector<std::string> parts = pg::names(body, "fields");
    return parts.empty() ? "?column?" : parts.back();
  }
  if (type == "FuncCall") {
    std::string name = pg::names(body, "funcname").back();
    if (name == "btrim" && pg::string(body, "funcformat") == "COERCE_SQL_SYNTAX") return "btrim";
    return name;
  }
  if (type == "TypeCast") {
    std::string inner = column_name(*pg::field(body, "arg"));
    if (inner != "?column?") return inner;
    std::vector<std::string> names = pg::names(*pg::field(body, "typeName"), "names");
    return names.empty() ? "?column?" : names.back();
  }
  if (type == "CaseExpr") return "case";
  if (type == "CoalesceExpr") return "coalesce";
  if (type == "MinMaxExpr") return pg::string(body, "op") == "IS_GREATEST" ? "greatest" : "least";
  if (type == "A_Expr" && pg::string(body, "kind") == "AEXPR_NULLIF") return "nullif";
  if (type == "SubLink") return sublink_column_name(body);
  return "?column?";
}

}  // namespace sluice::sql
