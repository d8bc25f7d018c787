// sql/bind_expr.cc — expressions: column references, literals, casts, operators, boolean logic,
// CASE and the expression forms of the grammar. Calls and aggregates are in bind_call.cc.
//
// Literals: a quoted string is of type unknown until its context decides (Postgres's rule: compared
// with a timestamp it becomes a timestamp); coerce() converts it at bind time, so data errors in
// literals are reported with the literal's position.
#include <fmt/format.h>

#include <charconv>

#include "sql/bind_internal.h"
#include "sql/cast.h"
#include "sql/pg_catalog.h"

namespace sluice::sql {

void bind_fail(const char* code, std::string message, int position) {
  throw bind_failure{sql_error{code, std::move(message), position, {}, {}}};
}

namespace {

std::string type_text(data_type t) { return std::string(type_name(t)); }

bool castable(data_type from, data_type to) {
  if (is_array(from) && is_array(to)) return castable(element_type(from), element_type(to));
  if (is_array(from) || is_array(to)) return to == data_type::text || from == data_type::text;
  if (from == to || from == data_type::unknown || to == data_type::text || from == data_type::text)
    return true;
  if (is_numeric(from) && (is_numeric(to) || to == data_type::boolean || to == data_type::jsonb)) return true;
  if (from == data_type::boolean && (to == data_type::bigint || to == data_type::jsonb)) return true;
  if ((from == data_type::json && to == data_type::jsonb) ||
      (from == data_type::jsonb && to == data_type::json))
    return true;
  if (from == data_type::jsonb) return to == data_type::boolean || is_numeric(to);
  if (to == data_type::time)
    return from == data_type::timestamp || from == data_type::timestamptz || from == data_type::interval;
  if (from == data_type::time) return to == data_type::interval;
  return is_temporal(from) && is_temporal(to);
}

// INTERVAL '5' MINUTE: the typmod is a mask of fields; a bare number counts the smallest one.
std::string interval_literal(const std::string& text, pg_node type_name) {
  auto mods = pg::list(type_name, "typmods");
  if (mods.empty() || text.find_first_not_of("+-0123456789. ") != std::string::npos) return text;
  std::int64_t mask = pg::integer(*pg::field(pg::node_body(mods[0]), "ival"), "ival");
  static const std::pair<int, const char*> fields[] = {{12, "seconds"}, {11, "minutes"}, {10, "hours"},
                                                       {3, "days"},     {1, "months"},   {2, "years"}};
  for (auto [bit, unit] : fields) {
    if (mask & (std::int64_t{1} << bit)) return text + " " + unit;
  }
  return text;
}

}  // namespace

expr binder::coerce(expr e, data_type target, int position) {
  if (e.type == target || target == data_type::unknown) return e;
  if (position < 0) position = e.location;
  if (e.kind == expr_kind::constant) {
    try {
      value v = e.type == data_type::unknown && !e.constant.is_null()
                    ? cast_from_text(e.constant.as_text(), target)
                    : cast_value(e.constant, target);
      expr out = expr::make_constant(std::move(v), target);
      out.location = e.location;
      return out;
    } catch (const eval_error& error) {
      throw bind_failure{to_sql_error(error, position)};
    }
  }
  if (!castable(e.type, target)) {
    bind_fail("42846", fmt::format("cannot cast type {} to {}", type_text(e.type), type_text(target)),
              position);
  }
  expr out;
  out.kind = expr_kind::call;
  out.type = target;
  out.fn = cast_function(target);
  out.name = "::" + type_text(target);
  out.location = e.location;
  out.args.push_back(std::move(e));
  return out;
}

namespace {

// The type two different number types meet in, as Postgres's implicit casts go: bigint → numeric →
// double precision.
data_type wider_number(data_type a, data_type b) {
  if (a == data_type::double_precision || b == data_type::double_precision)
    return data_type::double_precision;
  return data_type::numeric;
}

}  // namespace

data_type binder::unify(const std::vector<expr*>& exprs, const char* what, int position) {
  data_type result = data_type::unknown;
  for (expr* e : exprs) {
    data_type t = e->type;
    if (t == data_type::unknown || t == result) continue;
    if (result == data_type::unknown) {
      result = t;
    } else if (is_numeric(result) && is_numeric(t)) {
      result = wider_number(result, t);
    } else if (is_array(result) && is_array(t) && is_numeric(element_type(result)) &&
               is_numeric(element_type(t))) {
      result = array_of(wider_number(element_type(result), element_type(t)));
    } else if (is_temporal(result) && is_temporal(t)) {
      if (result == data_type::timestamptz || t == data_type::timestamptz) {
        result = data_type::timestamptz;
      } else {
        result = data_type::timestamp;
      }
    } else {
      bind_fail(sqlstate::datatype_mismatch,
                fmt::format("{} types {} and {} cannot be matched", what, type_text(result), type_text(t)),
                e->location >= 0 ? e->location : position);
    }
  }
  if (result == data_type::unknown) result = data_type::text;
  for (expr* e : exprs) *e = coerce(std::move(*e), result, -1);
  return result;
}

expr binder::bind_expr(pg_node n, const scope& s, agg_context* agg, const char* clause) {
  if (agg != nullptr && !in_aggregate_) {
    bool is_call = pg::is(n, "FuncCall");
    if (!(is_call && is_aggregate_name(pg::names(pg::node_body(n), "funcname").back())) &&
        !contains_aggregate(n)) {
      // Not an aggregate: it must be (or be built from) a GROUP BY expression.
      expr plain = bind_node(n, *agg->input, nullptr, clause);
      for (std::size_t i = 0; i < agg->groups.size(); ++i) {
        if (same_expr(plain, agg->groups[i])) {
          expr out = expr::make_column(static_cast<int>(i), plain.type, to_string(plain));
          out.location = plain.location;
          return out;
        }
      }
      if (plain.kind == expr_kind::column) {
        bind_fail(sqlstate::grouping_error,
                  fmt::format(
                      "column \"{}\" must appear in the GROUP BY clause or be used in an aggregate function",
                      plain.name),
                  plain.location);
      }
      if (plain.kind == expr_kind::constant) return plain;
    }
  }
  expr out = bind_node(n, s, agg, clause);
  if (out.location < 0) out.location = pg::location(n);
  return out;
}

expr binder::bind_predicate(pg_node n, const scope& s, agg_context* agg, const char* clause) {
  expr e = bind_expr(n, s, agg, clause);
  if (e.type == data_type::unknown) e = coerce(std::move(e), data_type::boolean, -1);
  if (e.type != data_type::boolean) {
    bind_fail(sqlstate::datatype_mismatch,
              fmt::format("argument of {} must be type boolean, not type {}", clause, type_text(e.type)),
              e.location);
  }
  return e;
}

expr binder::bind_node(pg_node n, const scope& s, agg_context* agg, const char* clause) {
  std::string_view type = pg::node_type(n);
  pg_node body = pg::node_body(n);
  if (type == "ColumnRef") return bind_column_ref(body, s);
  if (type == "A_Const") return bind_const(body);
  if (type == "TypeCast") return bind_type_cast(body, s, agg, clause);
  if (type == "A_Expr") return bind_a_expr(body, s, agg, clause);
  if (type == "BoolExpr") return bind_bool_expr(body, s, agg, clause);
  if (type == "CaseExpr") return bind_case(body, s, agg, clause);
  if (type == "FuncCall") return bind_func_call(body, s, agg, clause);
  if (type == "GroupingFunc") return bind_grouping_func(body, agg, clause);
  if (type == "CollateClause") return bind_collate(body, s, agg, clause);
  if (type == "SQLValueFunction") {  // current_timestamp, current_date, localtimestamp, localtime
    std::string_view op = pg::string(body, "op");
    int at = pg::location(n);
    if (op.starts_with("SVFOP_CURRENT_TIMESTAMP")) return bind_clock("current_timestamp", at);
    if (op == "SVFOP_CURRENT_DATE") return bind_clock("current_date", at);
    if (op.starts_with("SVFOP_LOCALTIMESTAMP")) return bind_clock("localtimestamp", at);
    if (op.starts_with("SVFOP_LOCALTIME"))
      return coerce(bind_clock("localtimestamp", at), data_type::time, at);
    auto text = [](const char* v) { return expr::make_constant(value::text(v), data_type::text); };
    if (op == "SVFOP_CURRENT_CATALOG") return text(database_name);
    if (op == "SVFOP_CURRENT_SCHEMA") return text("public");
    if (op == "SVFOP_CURRENT_USER" || op == "SVFOP_SESSION_USER" || op == "SVFOP_USER" ||
        op == "SVFOP_CURRENT_ROLE") {
      return text(bootstrap_role_name);
    }
    bind_fail(sqlstate::feature_not_supported, fmt::format("{} is not supported", op.substr(6)), at);
  }
  if (type == "MinMaxExpr") return bind_min_max(body, s, agg, clause);
  if (type == "NullTest" || type == "BooleanTest") return bind_test(n, s, agg, clause);
  if (type == "CoalesceExpr") {
    expr out;
    out.kind = expr_kind::coalesce;
    for (pg_node a : pg::list(body, "args")) out.args.push_back(bind_expr(a, s, agg, clause));
    std::vector<expr*> parts;
    for (expr& a : out.args) parts.push_back(&a);
    out.type = unify(parts, "COALESCE", pg::location(n));
    return out;
  }
  if (type == "SubLink") return bind_sublink(n, s, agg, clause);
  if (type == "RowExpr") return bind_row(n, s, agg, clause);
  if (type == "A_ArrayExpr") return bind_array_expr(body, s, agg, clause, data_type::unknown);
  if (type == "A_Indirection") return bind_indirection(body, s, agg, clause);
  bind_fail(sqlstate::feature_not_supported, fmt::format("expression {} is not supported", type),
            pg::location(n));
}

// IS [NOT] NULL, IS [NOT] TRUE/FALSE/UNKNOWN.
expr binder::bind_test(pg_node n, const scope& s, agg_context* agg, const char* clause) {
  pg_node body = pg::node_body(n);
  int at = pg::location(n);
  std::string test(pg::is(n, "NullTest") ? pg::string(body, "nulltesttype")
                                         : pg::string(body, "booltesttype"));
  if (pg::is(n, "NullTest")) {
    if (auto fields = bind_row_null_test(*pg::field(body, "arg"), test == "IS_NULL", s, agg, clause, at))
      return std::move(*fields);
  }
  expr arg = bind_expr(*pg::field(body, "arg"), s, agg, clause);
  if (test == "IS_NULL" || test == "IS_NOT_NULL" || test == "IS_UNKNOWN" || test == "IS_NOT_UNKNOWN") {
    expr out;
    out.kind = test == "IS_NULL" || test == "IS_UNKNOWN" ? expr_kind::is_null : expr_kind::is_not_null;
    out.type = data_type::boolean;
    out.location = at;
    out.args.push_back(pg::is(n, "NullTest") ? std::move(arg)
                                             : coerce(std::move(arg), data_type::boolean, at));
    return out;
  }
  std::string name = test == "IS_TRUE"       ? "is true"
                     : test == "IS_FALSE"    ? "is false"
                     : test == "IS_NOT_TRUE" ? "is not true"
                                             : "is not false";
  std::vector<expr> args;
  args.push_back(std::move(arg));
  return call_function(name, std::move(args), at, true);
}

expr binder::bind_column_ref(pg_node body, const scope& s) {
  std::vector<pg_node> fields = pg::list(body, "fields");
  int at = static_cast<int>(pg::integer(body, "location", -1));
  std::vector<std::string> parts = pg::names(body, "fields");
  if (parts.size() != fields.size()) bind_fail(sqlstate::syntax_error, "* is not allowed here", at);
  if (parts.size() > 2) parts.erase(parts.begin(), parts.end() - 2);  // schema.table.column
  std::string qualifier = parts.size() == 2 ? parts[0] : "";
  const std::string& name = parts.back();
  int found = -1;
  bool qualifier_seen = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!qualifier.empty() && s[i].qualifier != qualifier) continue;
    qualifier_seen = true;
    if (s[i].name != name || (qualifier.empty() && s[i].merged)) continue;
    if (found >= 0)
      bind_fail(sqlstate::ambiguous_column, fmt::format("column reference \"{}\" is ambiguous", name), at);
    found = static_cast<int>(i);
  }
  if (found < 0 && qualifier.empty()) {
    if (std::optional<expr> whole = bind_whole_row(name, s, at)) return std::move(*whole);
  }
  // Not this block's: an enclosing block's, when this is a subquery (Postgres looks outward the same
  // way, and a qualifier names the first block that has that table).
  if (found < 0 && outer_ != nullptr && (qualifier.empty() || !qualifier_seen))
    return bind_outer_column(body, at);
  if (found < 0 && !qualifier.empty() && !qualifier_seen) {
    bind_fail(sqlstate::undefined_table, fmt::format("missing FROM-clause entry for table \"{}\"", qualifier),
              at);
  }
  if (found < 0 && !qualifier.empty()) {
    bind_fail(sqlstate::undefined_column, fmt::format("column {}.{} does not exist", qualifier, name), at);
  }
  if (found < 0) bind_fail(sqlstate::undefined_column, fmt::format("column \"{}\" does not exist", name), at);
  const scope_column& c = s[static_cast<std::size_t>(found)];
  expr out = expr::make_column(found, c.type, c.qualifier.empty() ? c.name : c.qualifier + "." + c.name);
  out.location = at;
  return out;
}

// A relation's name where a value goes (to_jsonb(t), row_to_json(t), jsonb_agg(t)): its row. There is
// no record type here, so the row is a json object of its columns in order, which is what those
// functions make of a record in Postgres. None when no relation in scope has that name.
std::optional<expr> binder::bind_whole_row(const std::string& name, const scope& s, int at) {
  std::vector<expr> fields;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i].qualifier != name) continue;
    fields.push_back(expr::make_constant(value::text(s[i].name), data_type::text));
    fields.push_back(expr::make_column(static_cast<int>(i), s[i].type, name + "." + s[i].name));
  }
  if (fields.empty()) return std::nullopt;
  return call_function("json_record", std::move(fields), at, false);
}

// libpg-query's JSON leaves out negative integer constants (they print as {}), so a missing value
// is read back from the statement text at the constant's position.
std::int64_t binder::integer_literal(pg_node ival, int at) const {
  if (pg::field(ival, "ival") || at < 0) return pg::integer(ival, "ival");
  std::size_t pos = static_cast<std::size_t>(at);
  bool negative = false;
  while (pos < sql_.size() && (sql_[pos] == '-' || sql_[pos] == ' ')) negative ^= sql_[pos++] == '-';
  std::int64_t out = 0;
  std::from_chars(sql_.data() + pos, sql_.data() + sql_.size(), out);
  return negative ? -out : out;
}

std::optional<std::int64_t> binder::integer_constant(pg_node n) const {
  if (!pg::is(n, "A_Const")) return std::nullopt;
  auto i = pg::field(pg::node_body(n), "ival");
  if (!i) return std::nullopt;
  return integer_literal(*i, pg::location(n));
}

expr binder::bind_const(pg_node body) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  expr out;
  if (pg::flag(body, "isnull")) {
    out = expr::make_constant(value(), data_type::unknown);
  } else if (auto i = pg::field(body, "ival")) {
    out = expr::make_constant(value::bigint(integer_literal(*i, at)), data_type::bigint);
  } else if (auto f = pg::field(body, "fval")) {
    std::string text(pg::string(*f, "fval"));
    // Integers too large for int4 arrive as fval: bigint when they fit, numeric otherwise (Postgres's
    // int8 and numeric), like every literal with a point or an exponent.
    bool integral = text.find_first_of(".eE") == std::string::npos;
    try {
      out = expr::make_constant(cast_from_text(text, data_type::bigint), data_type::bigint);
    } catch (const eval_error&) {
      integral = false;
    }
    if (!integral) {
      try {
        out = expr::make_constant(cast_from_text(text, data_type::numeric), data_type::numeric);
      } catch (const eval_error& error) {
        // Past numeric's 38 digits (1e100): the nearest double, where Postgres keeps every digit.
        if (std::string_view(error.code()) != sqlstate::numeric_value_out_of_range) {
          throw bind_failure{to_sql_error(error, at)};
        }
        out = expr::make_constant(cast_from_text(text, data_type::double_precision),
                                  data_type::double_precision);
      }
    }
  } else if (auto b = pg::field(body, "boolval")) {
    out = expr::make_constant(value::boolean(pg::flag(*b, "boolval")), data_type::boolean);
  } else if (auto sv = pg::field(body, "sval")) {
    out = expr::make_constant(value::text(std::string(pg::string(*sv, "sval"))), data_type::unknown);
  } else {
    bind_fail(sqlstate::feature_not_supported, "unsupported constant", at);
  }
  out.location = at;
  return out;
}

expr binder::bind_type_cast(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  pg_node type_name = *pg::field(body, "typeName");
  if (auto reg = bind_reg_cast(body, s, agg, clause)) return std::move(*reg);
  auto target = pg::type_of(type_name);
  if (!target) throw bind_failure{target.error()};
  pg_node arg_node = *pg::field(body, "arg");
  // ARRAY[…]::T[] makes its elements T (so ARRAY[]::bigint[] has a type).
  if (is_array(*target) && pg::is(arg_node, "A_ArrayExpr")) {
    return bind_array_expr(pg::node_body(arg_node), s, agg, clause, element_type(*target));
  }
  expr arg = bind_expr(arg_node, s, agg, clause);
  if (*target == data_type::interval && arg.kind == expr_kind::constant && arg.type == data_type::unknown &&
      !arg.constant.is_null()) {
    arg.constant = value::text(interval_literal(arg.constant.as_text(), type_name));
  }
  int at = arg.location >= 0 ? arg.location : static_cast<int>(pg::integer(type_name, "location", -1));
  auto typmod = pg::typmod_of(type_name);
  if (!typmod) throw bind_failure{typmod.error()};
  expr cast = coerce(std::move(arg), *target, at);
  return *typmod < 0 ? cast : with_typmod(std::move(cast), *typmod);
}

expr with_typmod(expr e, std::int32_t typmod) {
  expr out;
  out.kind = expr_kind::call;
  out.type = e.type;
  out.fn = e.type == data_type::numeric ? apply_numeric_typmod : apply_varchar_typmod;
  out.name = e.type == data_type::numeric ? "numeric typmod" : "varchar typmod";
  out.location = e.location;
  out.args.push_back(std::move(e));
  out.args.push_back(expr::make_constant(value::bigint(typmod), data_type::bigint));
  return out;
}

expr binder::bind_bool_expr(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  std::string_view op = pg::string(body, "boolop");
  const char* what = op == "AND_EXPR" ? "AND" : op == "OR_EXPR" ? "OR" : "NOT";
  expr out;
  out.kind = op == "AND_EXPR" ? expr_kind::and_op : op == "OR_EXPR" ? expr_kind::or_op : expr_kind::not_op;
  out.type = data_type::boolean;
  out.location = static_cast<int>(pg::integer(body, "location", -1));
  for (pg_node a : pg::list(body, "args")) {
    expr arg = bind_expr(a, s, agg, clause);
    if (arg.type == data_type::unknown) arg = coerce(std::move(arg), data_type::boolean, -1);
    if (arg.type != data_type::boolean) {
      bind_fail(sqlstate::datatype_mismatch,
                fmt::format("argument of {} must be type boolean, not type {}", what, type_text(arg.type)),
                arg.location);
    }
    out.args.push_back(std::move(arg));
  }
  return out;
}

expr binder::bind_case(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  std::optional<pg_node> subject = pg::field(body, "arg");
  expr out;
  out.kind = expr_kind::case_when;
  out.location = at;
  std::vector<std::size_t> results;
  for (pg_node w : pg::list(body, "args")) {
    pg_node when = pg::node_body(w);
    expr condition;
    if (subject) {
      std::vector<expr> args;
      args.push_back(bind_expr(*subject, s, agg, clause));
      args.push_back(bind_expr(*pg::field(when, "expr"), s, agg, clause));
      condition = call_operator("=", std::move(args), pg::location(w));
    } else {
      condition = bind_predicate(*pg::field(when, "expr"), s, agg, "CASE/WHEN");
    }
    out.args.push_back(std::move(condition));
    results.push_back(out.args.size());
    out.args.push_back(bind_expr(*pg::field(when, "result"), s, agg, clause));
  }
  if (auto otherwise = pg::field(body, "defresult")) {
    out.args.push_back(bind_expr(*otherwise, s, agg, clause));
  } else {
    out.args.push_back(expr::make_constant(value(), data_type::unknown));
  }
  results.push_back(out.args.size() - 1);
  std::vector<expr*> parts;
  for (std::size_t i : results) parts.push_back(&out.args[i]);
  out.type = unify(parts, "CASE", at);
  return out;
}

expr binder::bind_a_expr(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  std::string_view kind = pg::string(body, "kind");
  std::string op = pg::names(body, "name").empty() ? "" : pg::names(body, "name").back();
  int at = static_cast<int>(pg::integer(body, "location", -1));
  auto side = [&](const char* key) { return bind_expr(*pg::field(body, key), s, agg, clause); };
  auto both = [&]() {
    std::vector<expr> args;
    args.push_back(side("lexpr"));
    args.push_back(side("rexpr"));
    return args;
  };
  auto row_comparison = [&](const std::string& name, pg_node right) {
    return bind_row_comparison(name, *pg::field(body, "lexpr"), right, s, agg, clause, at);
  };
  if ((kind == "AEXPR_OP" || kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") &&
      pg::field(body, "lexpr")) {
    std::string name = kind == "AEXPR_OP"         ? op
                       : kind == "AEXPR_DISTINCT" ? "is distinct from"
                                                  : "is not distinct from";
    if (auto compared = row_comparison(name, *pg::field(body, "rexpr"))) return std::move(*compared);
  }
  if (kind == "AEXPR_OP") {
    if (!pg::field(body, "lexpr")) {
      std::vector<expr> args;
      args.push_back(side("rexpr"));
      return call_operator(op, std::move(args), at);
    }
    return call_operator(op, both(), at);
  }
  if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") return bind_array_quantified(body, s, agg, clause);
  // x SIMILAR TO p arrives as x ~ similar_to_escape(p), NOT SIMILAR TO as !~.
  if (kind == "AEXPR_SIMILAR") return call_operator(op, both(), at);
  if (kind == "AEXPR_DISTINCT") return call_operator("is distinct from", both(), at);
  if (kind == "AEXPR_NOT_DISTINCT") return call_operator("is not distinct from", both(), at);
  if (kind == "AEXPR_NULLIF") {
    std::vector<expr> args = both();
    expr equal = call_operator("=", {args[0], args[1]}, at);
    // NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END
    expr out;
    out.kind = expr_kind::case_when;
    out.type = equal.args[0].type;
    out.location = at;
    out.args.push_back(equal);
    out.args.push_back(expr::make_constant(value(), out.type));
    out.args.push_back(equal.args[0]);
    return out;
  }
  if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
    std::vector<expr> args;
    args.push_back(side("lexpr"));
    pg_node pattern = *pg::field(body, "rexpr");
    if (pg::is(pattern, "FuncCall") &&
        pg::names(pg::node_body(pattern), "funcname").back() == "like_escape") {
      for (pg_node a : pg::list(pg::node_body(pattern), "args")) args.push_back(bind_expr(a, s, agg, clause));
    } else {
      args.push_back(bind_expr(pattern, s, agg, clause));
    }
    return call_operator(op, std::move(args), at);
  }
  if (kind == "AEXPR_IN") {  // x IN (a, b) is x = a OR x = b; (x, y) IN ((1, 2), …) compares rows
    bool rows = pg::is(*pg::field(body, "lexpr"), "RowExpr");
    std::optional<expr> subject;
    if (!rows) subject = side("lexpr");
    expr out;
    out.kind = op == "=" ? expr_kind::or_op : expr_kind::and_op;
    out.type = data_type::boolean;
    out.location = at;
    for (pg_node item : pg::list(pg::node_body(*pg::field(body, "rexpr")), "items")) {
      out.args.push_back(rows ? *row_comparison(op, item)
                              : call_operator(op, {*subject, bind_expr(item, s, agg, clause)}, at));
    }
    return out;
  }
  if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN" || kind == "AEXPR_BETWEEN_SYM" ||
      kind == "AEXPR_NOT_BETWEEN_SYM") {
    expr subject = side("lexpr");
    std::vector<pg_node> bounds = pg::list(pg::node_body(*pg::field(body, "rexpr")), "items");
    bool negated = kind == "AEXPR_NOT_BETWEEN" || kind == "AEXPR_NOT_BETWEEN_SYM";
    auto between = [&](const pg_node& low, const pg_node& high) {
      expr out;
      out.kind = negated ? expr_kind::or_op : expr_kind::and_op;
      out.type = data_type::boolean;
      out.location = at;
      out.args.push_back(call_operator(negated ? "<" : ">=", {subject, bind_expr(low, s, agg, clause)}, at));
      out.args.push_back(call_operator(negated ? ">" : "<=", {subject, bind_expr(high, s, agg, clause)}, at));
      return out;
    };
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") return between(bounds[0], bounds[1]);
    // SYMMETRIC: between the bounds in either order (NOT: outside both orders).
    expr out;
    out.kind = negated ? expr_kind::and_op : expr_kind::or_op;
    out.type = data_type::boolean;
    out.location = at;
    out.args.push_back(between(bounds[0], bounds[1]));
    out.args.push_back(between(bounds[1], bounds[0]));
    return out;
  }
  bind_fail(sqlstate::feature_not_supported, fmt::format("operator form {} is not supported", kind), at);
}

}  // namespace sluice::sql
