// sql/bind_catalog.cc — what the binder does for queries over the system catalogs (see
// pg_catalog.h): COLLATE, and casts to the reg* types, which name catalog objects by oid.
#include <fmt/format.h>

#include <cctype>

#include "sql/bind_internal.h"
#include "sql/pg_catalog.h"

namespace sluice::sql {

// Text compares byte by byte in Sluice, which is the C collation, and the default collation is C
// (pg_database.datcollate): COLLATE "default", "C" and "POSIX" change nothing.
expr binder::bind_collate(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  std::vector<std::string> names = pg::names(body, "collname");
  std::string collation = names.empty() ? "" : names.back();
  if (collation != "default" && collation != "C" && collation != "POSIX") {
    bind_fail(sqlstate::feature_not_supported, fmt::format("collation \"{}\" is not supported", collation),
              static_cast<int>(pg::integer(body, "location", -1)));
  }
  return bind_expr(*pg::field(body, "arg"), s, agg, clause);
}

// ::regclass, ::regnamespace and ::regtype; nullopt for any other cast.
std::optional<expr> binder::bind_reg_cast(pg_node body, const scope& s, agg_context* agg,
                                          const char* clause) {
  pg_node type_name = *pg::field(body, "typeName");
  std::vector<std::string> type_names = pg::names(type_name, "names");
  if (!type_names.empty() && type_names.back() == "regclass") {
    return bind_regclass(bind_expr(*pg::field(body, "arg"), s, agg, clause), pg::location(type_name));
  }
  if (!type_names.empty() && type_names.back() == "regnamespace") {
    expr oid = coerce(bind_expr(*pg::field(body, "arg"), s, agg, clause), data_type::bigint, -1);
    return oid_names(std::move(oid), pg_namespaces(), pg::location(type_name));
  }
  if (!type_names.empty() && type_names.back() == "regtype") {
    // A type's oid as its name (the text form of regtype, the only use clients make of it).
    std::vector<expr> args;
    args.push_back(coerce(bind_expr(*pg::field(body, "arg"), s, agg, clause), data_type::bigint, -1));
    args.push_back(expr::make_constant(value(), data_type::bigint));
    return call_function("format_type", std::move(args), pg::location(type_name), false);
  }
  return std::nullopt;
}

// 'name'::regclass: the oid of the relation a constant names (optionally schema-qualified).
// oid::regclass: the relation's name, as regclass prints (see regclass_names).
expr binder::bind_regclass(expr arg, int at) {
  bool text = arg.type == data_type::text || arg.type == data_type::unknown;
  if (arg.kind != expr_kind::constant || !text)
    return regclass_names(coerce(std::move(arg), data_type::bigint, at), at);
  if (arg.constant.is_null()) return expr::make_constant(value(), data_type::bigint);
  std::string name = arg.constant.as_text();
  std::string schema_name;
  auto unquote = [](std::string part) {
    if (part.size() >= 2 && part.front() == '"' && part.back() == '"') return part.substr(1, part.size() - 2);
    for (char& c : part) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return part;
  };
  if (auto dot = name.find('.'); dot != std::string::npos && name.front() != '"') {
    schema_name = unquote(name.substr(0, dot));
    name = name.substr(dot + 1);
  }
  const relation_info* info = find_relation(schema_name, unquote(name), arg.location);
  return expr::make_constant(value::bigint(oid_of(*info)), data_type::bigint);
}

// The names of the relations a column of oids holds, as regclass's text form: CASE oid WHEN … THEN
// name … ELSE the number END over the catalog as it is now, which a pull query may take (it runs
// right away) and a materialized view may not (relations come and go while it runs).
expr binder::regclass_names(expr oid, int at) {
  if (use_ == query_use::materialized) {
    bind_fail(sqlstate::feature_not_supported, "a materialized view cannot turn oids into relation names",
              at);
  }
  std::vector<std::pair<std::int64_t, std::string>> names;
  for (const relation_info* r : catalog_.list()) {
    if (r->kind != relation_kind::sink) names.emplace_back(oid_of(*r), r->name);
  }
  for (const relation_info* r : system_relation_list()) {
    // Postgres qualifies a name only when its schema is not on the search path.
    names.emplace_back(oid_of(*r), r->name.starts_with("pg_catalog.") ? r->name.substr(11) : r->name);
  }
  return oid_names(std::move(oid), names, at);
}

// CASE oid WHEN … THEN name … ELSE the number END: how regclass and regnamespace print.
expr binder::oid_names(expr oid, const std::vector<std::pair<std::int64_t, std::string>>& names, int at) {
  expr out;
  out.kind = expr_kind::case_when;
  out.type = data_type::text;
  out.location = at;
  for (const auto& [number, name] : names) {
    std::vector<expr> args{oid, expr::make_constant(value::bigint(number), data_type::bigint)};
    out.args.push_back(call_operator("=", std::move(args), at));
    out.args.push_back(expr::make_constant(value::text(name), data_type::text));
  }
  out.args.push_back(coerce(std::move(oid), data_type::text, at));
  return out;
}

}  // namespace sluice::sql
