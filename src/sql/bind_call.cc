// sql/bind_call.cc — function and operator calls: overload resolution by Postgres's rules, the
// functions with their own syntax or semantics (extract, version, current_setting, greatest/least,
// age(t)), and named arguments (make_interval(days => 3)). Aggregate calls are in bind_aggregate.cc.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "sql/bind_internal.h"
#include "sql/civil_time.h"
#include "sql/parse.h"
#include "sql/pg_catalog.h"
#include "sql/set_functions.h"
#include "sql/statement.h"

namespace sluice::sql {

std::string type_list(const std::vector<expr>& args, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += separator;
    out += type_name(args[i].type);
  }
  return out;
}

namespace {

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

expr binder::call_operator(const std::string& op, std::vector<expr> args, int position) {
  bool any_array = std::any_of(args.begin(), args.end(), [](const expr& e) { return is_array(e.type); });
  auto jsonb_or_literal = [](const expr& e) {
    return e.type == data_type::jsonb || e.type == data_type::unknown;
  };
  bool jsonb_concat = args.size() == 2 && jsonb_or_literal(args[0]) && jsonb_or_literal(args[1]) &&
                      (args[0].type == data_type::jsonb || args[1].type == data_type::jsonb);
  if (op == "||" && args.size() == 2 && !any_array && !jsonb_concat) {
    // text || anything: the other side is printed as text (Postgres's textanycat); jsonb || a
    // literal is jsonb || jsonb, as in Postgres.
    bool left_text = args[0].type == data_type::text || args[0].type == data_type::unknown;
    bool right_text = args[1].type == data_type::text || args[1].type == data_type::unknown;
    if (left_text && !right_text) args[1] = coerce(std::move(args[1]), data_type::text, position);
    if (right_text && !left_text) args[0] = coerce(std::move(args[0]), data_type::text, position);
  }
  return call_function(op, std::move(args), position, true);
}

expr binder::call_function(const std::string& name, std::vector<expr> args, int position, bool is_operator) {
  bool any_array = std::any_of(args.begin(), args.end(), [](const expr& e) { return is_array(e.type); });
  if (any_array) {
    if (auto call = call_array_function(name, args, position)) return std::move(*call);
  }
  const function_overload* f = best_overload(find_overloads(name), args);
  if (f == nullptr && !any_array && is_array_function(name)) {
    if (auto call = call_array_function(name, args, position)) return std::move(*call);
  }
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
  if (auto fn = set_function_named(name)) return bind_set_function_call(*fn, body, s, agg, clause);
  if (pg::flag(body, "agg_star") || pg::flag(body, "agg_distinct") || pg::field(body, "agg_filter")) {
    bind_fail(sqlstate::syntax_error,
              fmt::format("{}(*) specified, but {} is not an aggregate function", name, name), at);
  }
  std::vector<expr> args = bind_call_args(name, body, s, agg, clause);
  if (args.empty() && (name == "now" || name == "transaction_timestamp" || name == "statement_timestamp" ||
                       name == "clock_timestamp")) {
    return bind_clock(name + "()", at);
  }
  if ((name == "random" || name == "gen_random_uuid") && use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported,
              name +
                  "() is not supported in materialized views and sinks: their rows must follow from their "
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
  if (name == "current_schema" && args.empty()) {  // the one schema, first on the search path
    return expr::make_constant(value::text("public"), data_type::text);
  }
  if (name == "pg_typeof" && args.size() == 1) {  // a regtype in Postgres, which prints as its name
    return expr::make_constant(value::text(std::string(type_name(args[0].type))), data_type::text);
  }
  if (name == "pg_get_viewdef" && !args.empty() && args[0].kind == expr_kind::constant) {
    return expr::make_constant(view_definition(args[0].constant), data_type::text);
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

// pg_get_viewdef(oid or name): the view's query as written (Postgres prints it reformatted), NULL
// when no view has that oid, as for a relation that is not a view.
value binder::view_definition(const value& relation) const {
  if (relation.is_null()) return value();
  for (const relation_info* r : catalog_.list()) {
    if (r->kind != relation_kind::view) continue;
    bool named = relation.type() == data_type::bigint ? oid_of(*r) == relation.as_bigint()
                                                      : r->name == relation.to_text();
    if (!named) continue;
    // The definition is the CREATE statement; parsing it again gives the query as the user wrote it.
    auto parsed = parse_statement(r->definition);
    const auto* view = parsed ? std::get_if<create_view_stmt>(&*parsed) : nullptr;
    return view != nullptr ? value::text(view->query_sql) : value::text(r->definition);
  }
  return value();
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
  if (type == "A_ArrayExpr") return "array";
  if (type == "A_Indirection") return column_name(*pg::field(body, "arg"));
  return "?column?";
}

}  // namespace sluice::sql
