// sql/bind_array.cc — array expressions: ARRAY[…] constructors, subscripts and slices, x op ANY/ALL
// (array), and calls of the polymorphic array functions (anyarray/anyelement arguments: their
// element type is the common type of what is passed, as Postgres resolves anycompatible).
#include <fmt/format.h>

#include <limits>

#include "sql/bind_internal.h"
#include "sql/set_functions.h"

namespace sluice::sql {
namespace {

std::string type_text(data_type t) { return std::string(type_name(t)); }

value make_array_fn(const value* a, std::size_t n) {
  return value::array(data_type::text_array, std::vector<value>(a, a + n));  // typed by the evaluator
}

// The common type of two element types, or unknown when there is none.
data_type common_element(data_type a, data_type b) {
  if (a == data_type::unknown || a == b) return b;
  if (b == data_type::unknown) return a;
  if (is_numeric(a) && is_numeric(b)) {
    return a == data_type::double_precision || b == data_type::double_precision ? data_type::double_precision
                                                                                : data_type::numeric;
  }
  if (is_temporal(a) && is_temporal(b)) {
    if (a == data_type::date) return b;
    if (b == data_type::date) return a;
    return data_type::timestamptz;
  }
  return data_type::unknown;
}

struct resolution {
  const array_function* f = nullptr;
  data_type element = data_type::unknown;
  int cost = 0;
};

// Whether `f` takes `args`, with the element type it resolves to and how far the arguments are from
// its types (an unknown literal read as an element rather than an array costs one).
std::optional<resolution> try_resolve(const array_function& f, const std::vector<expr>& args,
                                      bool& undetermined) {
  std::string_view codes = f.args;
  if (codes.size() != args.size()) return std::nullopt;
  resolution r{&f, data_type::unknown, 0};
  bool known = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    data_type t = args[i].type;
    char code = codes[i];
    if (t == data_type::unknown) {
      r.cost += code == 'E' ? 1 : 0;
      continue;
    }
    if (code == 'I' || code == 'T') {
      data_type want = code == 'I' ? data_type::bigint : data_type::text;
      if (!implicitly_castable(t, want)) return std::nullopt;
      continue;
    }
    if ((code == 'A') != is_array(t)) return std::nullopt;
    data_type element = code == 'A' ? element_type(t) : t;
    data_type common = common_element(known ? r.element : data_type::unknown, element);
    if (common == data_type::unknown) return std::nullopt;
    if (known && common != r.element) ++r.cost;
    r.element = common;
    known = true;
  }
  if (!known) {
    undetermined = true;
    return std::nullopt;
  }
  return r;
}

data_type result_type(char code, data_type element) {
  switch (code) {
    case 'A':
      return array_of(element);
    case 'E':
      return element;
    case 'I':
      return data_type::bigint;
    case 'T':
      return data_type::text;
    case 'B':
      return data_type::boolean;
    default:
      return data_type::bigint_array;
  }
}

}  // namespace

std::optional<expr> binder::call_array_function(const std::string& name, std::vector<expr>& args,
                                                int position) {
  std::optional<resolution> best;
  bool undetermined = false;
  for (const array_function& f : array_functions()) {
    if (name != f.name) continue;
    auto r = try_resolve(f, args, undetermined);
    if (r && (!best || r->cost < best->cost)) best = r;
  }
  if (!best) {
    if (undetermined) {
      bind_fail(sqlstate::datatype_mismatch,
                "could not determine polymorphic type because input has type unknown", position);
    }
    return std::nullopt;
  }
  expr out;
  out.kind = expr_kind::call;
  out.type = result_type(best->f->result, best->element);
  out.fn = best->f->fn;
  out.strict = best->f->strict;
  out.name = name;
  out.location = position;
  std::string_view codes = best->f->args;
  for (std::size_t i = 0; i < args.size(); ++i) {
    out.args.push_back(coerce(std::move(args[i]), result_type(codes[i], best->element), -1));
  }
  return out;
}

bool binder::is_array_function(const std::string& name) {
  for (const array_function& f : array_functions()) {
    if (name == f.name) return true;
  }
  return false;
}

expr binder::bind_array_expr(pg_node body, const scope& s, agg_context* agg, const char* clause,
                             data_type wanted) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  expr out;
  out.kind = expr_kind::call;
  out.fn = make_array_fn;
  out.strict = false;
  out.name = "array";
  out.location = at;
  for (pg_node element : pg::list(body, "elements")) {
    if (pg::is(element, "A_ArrayExpr")) {
      bind_fail(sqlstate::feature_not_supported, "multidimensional arrays are not supported",
                pg::location(element));
    }
    expr e = bind_expr(element, s, agg, clause);
    if (is_array(e.type)) {
      bind_fail(sqlstate::feature_not_supported, "multidimensional arrays are not supported", e.location);
    }
    out.args.push_back(std::move(e));
  }
  data_type element = wanted;
  if (element != data_type::unknown) {
    for (expr& e : out.args) e = coerce(std::move(e), element, -1);
  } else if (out.args.empty()) {
    throw bind_failure{sql_error{"42P18",
                                 "cannot determine type of empty array",
                                 at,
                                 {},
                                 "Explicitly cast to the desired type, for example ARRAY[]::integer[]."}};
  } else {
    std::vector<expr*> parts;
    for (expr& e : out.args) parts.push_back(&e);
    element = unify(parts, "ARRAY", at);
  }
  out.type = array_of(element);
  bool constant = true;
  for (const expr& e : out.args) constant = constant && e.kind == expr_kind::constant;
  if (!constant) return out;
  std::vector<value> items;
  for (const expr& e : out.args) items.push_back(e.constant);
  expr folded = expr::make_constant(value::array(out.type, std::move(items)), out.type);
  folded.location = at;
  return folded;
}

// a[i] and a[i:j] (either bound may be left out); a subscript out of range is NULL.
expr binder::bind_indirection(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  expr array = bind_expr(*pg::field(body, "arg"), s, agg, clause);
  std::vector<pg_node> steps = pg::list(body, "indirection");
  int at = array.location;
  if (steps.size() != 1 || !pg::is(steps[0], "A_Indices")) {
    bind_fail(
        sqlstate::feature_not_supported,
        steps.size() > 1 ? "multidimensional arrays are not supported" : "field selection is not supported",
        at);
  }
  if (!is_array(array.type)) {
    bind_fail(sqlstate::datatype_mismatch,
              fmt::format("cannot subscript type {} because it does not support subscripting",
                          type_text(array.type)),
              at);
  }
  pg_node indices = pg::node_body(steps[0]);
  auto bound = [&](const char* key, std::int64_t otherwise) {
    auto node = pg::field(indices, key);
    if (!node) return expr::make_constant(value::bigint(otherwise), data_type::bigint);
    expr e = bind_expr(*node, s, agg, clause);
    if (e.type != data_type::unknown && !implicitly_castable(e.type, data_type::bigint)) {
      bind_fail(sqlstate::datatype_mismatch, "array subscript must have type integer", e.location);
    }
    return coerce(std::move(e), data_type::bigint, -1);
  };
  expr out;
  out.kind = expr_kind::call;
  out.location = at;
  out.args.push_back(std::move(array));
  if (pg::flag(indices, "is_slice")) {
    out.args.push_back(bound("lidx", std::numeric_limits<std::int64_t>::min()));
    out.args.push_back(bound("uidx", std::numeric_limits<std::int64_t>::max()));
    out.type = out.args[0].type;
    out.fn = array_slice_fn();
    out.name = "slice";
  } else {
    out.args.push_back(bound("uidx", 0));
    out.type = element_type(out.args[0].type);
    out.fn = array_subscript_fn();
    out.name = "subscript";
  }
  return out;
}

// x op ANY (array), x op ALL (array): x and the elements take their common type.
expr binder::bind_array_quantified(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  bool any = pg::string(body, "kind") == "AEXPR_OP_ANY";
  std::string op = pg::names(body, "name").back();
  int at = static_cast<int>(pg::integer(body, "location", -1));
  expr left = bind_expr(*pg::field(body, "lexpr"), s, agg, clause);
  expr right = bind_expr(*pg::field(body, "rexpr"), s, agg, clause);
  if (right.type == data_type::unknown) {
    data_type element = left.type == data_type::unknown ? data_type::text : left.type;
    right = coerce(std::move(right), array_of(element), -1);
  }
  if (!is_array(right.type)) {
    bind_fail("42809", fmt::format("op {} (array) requires array on right side", any ? "ANY" : "ALL"), at);
  }
  data_type element = common_element(left.type, element_type(right.type));
  if (element == data_type::unknown) {
    bind_fail(sqlstate::undefined_function,
              fmt::format("operator does not exist: {} {} {}", type_text(left.type), op,
                          type_text(element_type(right.type))),
              at);
  }
  scalar_fn fn = array_quantified_fn(op, any);
  if (fn == nullptr) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("operator {} with {} (array) is not supported", op, any ? "ANY" : "ALL"), at);
  }
  expr out;
  out.kind = expr_kind::call;
  out.type = data_type::boolean;
  out.fn = fn;
  out.strict = false;
  out.name = op + (any ? " any" : " all");
  out.location = at;
  out.args.push_back(coerce(std::move(left), element, -1));
  out.args.push_back(coerce(std::move(right), array_of(element), -1));
  return out;
}

// A set-returning function in a select list: a column of the expand node add_set_functions puts
// under the projection, one row per value (Postgres's ProjectSet; several calls are zipped).
expr binder::bind_set_function_call(set_function fn, pg_node body, const scope& s, agg_context* agg,
                                    const char* clause) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  std::string name = pg::names(body, "funcname").back();
  if (set_functions_ == nullptr || in_aggregate_ || in_window_) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("set-returning functions are not allowed in {}",
                          in_aggregate_ ? "aggregate arguments" : clause),
              at);
  }
  if (set_functions_->grouped) {
    bind_fail(sqlstate::feature_not_supported,
              "set-returning functions in the select list of a grouped query are not supported", at);
  }
  std::vector<pg_node> nodes = pg::list(body, "args");
  if (fn == set_function::unnest && nodes.size() != 1) {
    bind_fail(sqlstate::feature_not_supported, "unnest with several arrays is supported only in FROM", at);
  }
  if (set_function_width(fn) != 1) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("{} returns records; call it in FROM (SELECT * FROM {}(…))", name, name), at);
  }
  std::vector<expr> args;
  for (pg_node n : nodes) args.push_back(bind_expr(n, s, agg, clause));
  data_type type = bind_set_call(fn, name, args, at)[0];
  set_functions_->calls.push_back({fn, static_cast<int>(args.size()), set_function_width(fn)});
  for (expr& a : args) set_functions_->args.push_back(std::move(a));
  int index = static_cast<int>(set_functions_->columns.size());
  set_functions_->columns.push_back({name, type});
  expr out = expr::make_column(srf_placeholder + index, type, name);
  out.location = at;
  return out;
}

void resolve_set_function_columns(expr& e, int base_width) {
  if (e.kind == expr_kind::column && e.column >= srf_placeholder)
    e.column = e.column - srf_placeholder + base_width;
  for (expr& a : e.args) resolve_set_function_columns(a, base_width);
}

}  // namespace sluice::sql
