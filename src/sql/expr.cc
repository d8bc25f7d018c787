#include "sql/expr.h"

#include <fmt/format.h>

#include <cctype>

#include "sql/error.h"
#include "sql/subquery.h"

namespace sluice::sql {

expr expr::make_constant(value v, data_type type) {
  expr e;
  e.kind = expr_kind::constant;
  e.type = type;
  e.constant = std::move(v);
  return e;
}

expr expr::make_column(int index, data_type type, std::string name) {
  expr e;
  e.kind = expr_kind::column;
  e.type = type;
  e.column = index;
  e.name = std::move(name);
  return e;
}

namespace {

// Three-valued AND/OR: `dominant` (false for AND, true for OR) wins over NULL; NULL wins over the other.
value logical(const expr& e, const row& input, bool dominant) {
  bool saw_null = false;
  for (const expr& arg : e.args) {
    value v = evaluate(arg, input);
    if (v.is_null()) {
      saw_null = true;
    } else if (v.as_bool() == dominant) {
      return value::boolean(dominant);
    }
  }
  return saw_null ? value() : value::boolean(!dominant);
}

value call(const expr& e, const row& input) {
  // Most functions take one to three arguments; avoid a heap allocation for them.
  constexpr std::size_t inline_args = 4;
  value small[inline_args];
  std::vector<value> large;
  value* args = small;
  if (e.args.size() > inline_args) {
    large.resize(e.args.size());
    args = large.data();
  }
  for (std::size_t i = 0; i < e.args.size(); ++i) {
    args[i] = evaluate(e.args[i], input);
    if (e.strict && args[i].is_null()) return value();
  }
  value out = e.fn(args, e.args.size());
  // A polymorphic array function cannot always tell its result type from its arguments (NULLs and
  // empty arrays carry none): the binder's is the one.
  if (is_array(e.type) && !out.is_null() && out.type() != e.type) return out.with_array_type(e.type);
  return out;
}

value case_when(const expr& e, const row& input) {
  std::size_t pairs = (e.args.size() - 1) / 2;
  for (std::size_t i = 0; i < pairs; ++i) {
    if (evaluate_predicate(e.args[2 * i], input)) return evaluate(e.args[2 * i + 1], input);
  }
  return evaluate(e.args.back(), input);
}

}  // namespace

value evaluate(const expr& e, const row& input) {
  switch (e.kind) {
    case expr_kind::constant:
      return e.constant;
    case expr_kind::column:
      return input[static_cast<std::size_t>(e.column)];
    case expr_kind::call:
      return call(e, input);
    case expr_kind::and_op:
      return logical(e, input, false);
    case expr_kind::or_op:
      return logical(e, input, true);
    case expr_kind::not_op: {
      value v = evaluate(e.args[0], input);
      return v.is_null() ? v : value::boolean(!v.as_bool());
    }
    case expr_kind::is_null:
      return value::boolean(evaluate(e.args[0], input).is_null());
    case expr_kind::is_not_null:
      return value::boolean(!evaluate(e.args[0], input).is_null());
    case expr_kind::case_when:
      return case_when(e, input);
    case expr_kind::coalesce:
      for (const expr& arg : e.args) {
        if (value v = evaluate(arg, input); !v.is_null()) return v;
      }
      return value();
    case expr_kind::param:
      return subquery_param(e.column);
    case expr_kind::subquery:
      return evaluate_subquery(e, input);
  }
  throw eval_error(sqlstate::internal_error, "unknown expression kind");
}

bool evaluate_predicate(const expr& e, const row& input) {
  value v = evaluate(e, input);
  return !v.is_null() && v.as_bool();
}

namespace {

std::string join_args(const expr& e, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < e.args.size(); ++i) {
    if (i > 0) out += separator;
    out += to_string(e.args[i]);
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Operators print infix ("(a + b)", "(a IS DISTINCT FROM b)"), casts as "x::type", functions as calls.
std::string call_text(const expr& e) {
  const std::string& name = e.name;
  bool symbol = !name.empty() && !std::isalnum(static_cast<unsigned char>(name[0])) && name[0] != '_';
  if (name.starts_with("::") && e.args.size() == 1) return to_string(e.args[0]) + name;
  if (symbol && e.args.size() == 1) return "(" + name + to_string(e.args[0]) + ")";
  if (symbol && e.args.size() >= 2) return "(" + join_args(e, (" " + name + " ").c_str()) + ")";
  if (name.starts_with("is ") && e.args.size() == 2)
    return "(" + join_args(e, (" " + upper(name) + " ").c_str()) + ")";
  if (name.starts_with("is ") && e.args.size() == 1)
    return "(" + to_string(e.args[0]) + " " + upper(name) + ")";
  return fmt::format("{}({})", name, join_args(e, ", "));
}

// "(SubPlan)", "EXISTS(SubPlan)", "(a = ANY(SubPlan))"; an outer value prints as $column.
std::string subquery_text(const expr& e) {
  const subquery& q = *e.query;
  switch (q.kind) {
    case subquery_kind::scalar:
      return "(SubPlan)";
    case subquery_kind::exists:
      return "EXISTS(SubPlan)";
    case subquery_kind::array:
      return "ARRAY(SubPlan)";
    case subquery_kind::rows:
      return "LATERAL(SubPlan)";
    case subquery_kind::any:
    case subquery_kind::all:
      return fmt::format("({} {} {}(SubPlan))", to_string(e.args[q.params]), q.test.name,
                         q.kind == subquery_kind::any ? "ANY" : "ALL");
  }
  return "(SubPlan)";
}

}  // namespace

std::string to_string(const expr& e) {
  switch (e.kind) {
    case expr_kind::constant:
      if (e.constant.is_null()) return "NULL";
      return e.type == data_type::text ? "'" + e.constant.to_text() + "'" : e.constant.to_text();
    case expr_kind::column:
      return e.name.empty() ? fmt::format("#{}", e.column) : e.name;
    case expr_kind::call:
      return call_text(e);
    case expr_kind::and_op:
      return "(" + join_args(e, " AND ") + ")";
    case expr_kind::or_op:
      return "(" + join_args(e, " OR ") + ")";
    case expr_kind::not_op:
      return "(NOT " + to_string(e.args[0]) + ")";
    case expr_kind::is_null:
      return "(" + to_string(e.args[0]) + " IS NULL)";
    case expr_kind::is_not_null:
      return "(" + to_string(e.args[0]) + " IS NOT NULL)";
    case expr_kind::case_when:
      return "CASE(" + join_args(e, ", ") + ")";
    case expr_kind::coalesce:
      return "COALESCE(" + join_args(e, ", ") + ")";
    case expr_kind::param:
      return "$" + e.name;
    case expr_kind::subquery:
      return subquery_text(e);
  }
  return "?";
}

}  // namespace sluice::sql
