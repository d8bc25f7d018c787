// sql/bind_row.cc — row constructors, ROW(a, b) or (a, b): compared field by field (=, <>, <, <=, >,
// >=, IS [NOT] DISTINCT FROM, IN), tested with IS [NOT] NULL, and otherwise written as a record's
// text, (1,a). There is no record type: each use becomes expressions over the fields.
#include <fmt/format.h>

#include "sql/bind_internal.h"
#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

bool is_row(pg_node n) { return pg::is(n, "RowExpr"); }

expr combined(expr_kind kind, std::vector<expr> parts, int at) {
  if (parts.size() == 1) return std::move(parts[0]);
  expr out;
  out.kind = kind;
  out.type = data_type::boolean;
  out.location = at;
  out.args = std::move(parts);
  return out;
}

// A record's text as Postgres writes it: fields between parentheses, NULL as nothing, a field quoted
// when it is empty or holds a quote, backslash, parenthesis, comma or blank.
value row_text_fn(const value* a, std::size_t count) {
  std::string out = "(";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    if (a[i].is_null()) continue;
    std::string text = a[i].to_text();
    bool quote = text.empty() || text.find_first_of("\"\\(),; \t\n\r") != std::string::npos;
    if (!quote) {
      out += text;
      continue;
    }
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += c;
      out += c;
    }
    out += '"';
  }
  return value::text(out + ")");
}

}  // namespace

std::vector<expr> binder::bind_row_fields(pg_node constructor, const scope& s, agg_context* agg,
                                          const char* clause) {
  std::vector<expr> fields;
  for (pg_node n : pg::list(pg::node_body(constructor), "args"))
    fields.push_back(bind_expr(n, s, agg, clause));
  return fields;
}

expr binder::bind_row(pg_node constructor, const scope& s, agg_context* agg, const char* clause) {
  return call_function("row", bind_row_fields(constructor, s, agg, clause), pg::location(constructor), false);
}

std::optional<expr> binder::bind_row_comparison(const std::string& op, pg_node left, pg_node right,
                                                const scope& s, agg_context* agg, const char* clause,
                                                int at) {
  if (!is_row(left) && !is_row(right)) return std::nullopt;
  if (!is_row(left) || !is_row(right)) {
    bind_fail(sqlstate::feature_not_supported, "a row can only be compared with another row constructor", at);
  }
  std::vector<expr> a = bind_row_fields(left, s, agg, clause), b = bind_row_fields(right, s, agg, clause);
  if (a.size() != b.size())
    bind_fail(sqlstate::syntax_error, "unequal number of entries in row expressions", at);
  if (a.empty()) bind_fail(sqlstate::feature_not_supported, "cannot compare rows of zero length", at);
  auto pairwise = [&](const std::string& each, expr_kind kind) {
    std::vector<expr> parts;
    for (std::size_t i = 0; i < a.size(); ++i) parts.push_back(call_operator(each, {a[i], b[i]}, at));
    return combined(kind, std::move(parts), at);
  };
  if (op == "=" || op == "is not distinct from") return pairwise(op, expr_kind::and_op);
  if (op == "<>" || op == "is distinct from") return pairwise(op, expr_kind::or_op);
  if (op != "<" && op != "<=" && op != ">" && op != ">=") {
    bind_fail(sqlstate::undefined_function,
              fmt::format("could not determine interpretation of row comparison operator {}", op), at);
  }
  // Ordered: the first pair that differs decides (a NULL before it makes the answer NULL). From the
  // last pair back: a_i < b_i OR (a_i = b_i AND the rest), the last pair compared with op itself.
  std::string strict = op.substr(0, 1);
  expr rest = call_operator(op, {a.back(), b.back()}, at);
  for (std::size_t i = a.size() - 1; i-- > 0;) {
    expr tie = combined(expr_kind::and_op, {call_operator("=", {a[i], b[i]}, at), std::move(rest)}, at);
    rest = combined(expr_kind::or_op, {call_operator(strict, {a[i], b[i]}, at), std::move(tie)}, at);
  }
  return rest;
}

std::optional<expr> binder::bind_row_null_test(pg_node arg, bool is_null, const scope& s, agg_context* agg,
                                               const char* clause, int at) {
  if (!is_row(arg)) return std::nullopt;
  // (a, b) IS NULL: every field is; IS NOT NULL: none is. So a row can be neither.
  std::vector<expr> parts;
  for (expr& field : bind_row_fields(arg, s, agg, clause)) {
    expr test;
    test.kind = is_null ? expr_kind::is_null : expr_kind::is_not_null;
    test.type = data_type::boolean;
    test.location = at;
    test.args.push_back(std::move(field));
    parts.push_back(std::move(test));
  }
  return combined(expr_kind::and_op, std::move(parts), at);
}

void add_row_functions(std::vector<function_overload>& out) {
  out.push_back({"row", {data_type::unknown}, data_type::text, row_text_fn, false, true});
}

}  // namespace sluice::sql
