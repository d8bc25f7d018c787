// sql/functions_catalog.cc — the functions clients call over the system catalogs
// (pg_table_is_visible, format_type, pg_get_userbyid, …).
#include <fmt/format.h>

#include <cctype>
#include <iterator>
#include <map>
#include <memory>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/pg_catalog.h"

namespace sluice::sql {
namespace {

using dt = data_type;

// Every relation is in public or pg_catalog, which are on the search path; information_schema's
// are not.
value table_is_visible_fn(const value* a, std::size_t) {
  std::int64_t oid = a[0].as_bigint();
  return value::boolean(oid < information_schema_first_oid || oid >= information_schema_end_oid);
}

value userbyid_fn(const value* a, std::size_t) {
  std::int64_t oid = a[0].as_bigint();
  if (oid == bootstrap_role_oid) return value::text(bootstrap_role_name);
  return value::text(fmt::format("unknown (OID={})", oid));
}

value format_type_fn(const value* a, std::size_t) {
  if (a[0].is_null()) return value();
  for (const pg_type_info& type : pg_types()) {
    if (type.oid != a[0].as_bigint()) continue;
    auto typmod = a[1].is_null() ? -1 : static_cast<std::int32_t>(a[1].as_bigint());
    if (typmod < 0) return value::text(type.formatted);
    return value::text(column_type_text({"", type.type, typmod}));
  }
  return value::text("???");
}

value encoding_to_char_fn(const value* a, std::size_t) {
  return value::text(a[0].as_bigint() == 6 ? "UTF8" : "");
}

// Sluice stores no expressions (defaults, check constraints, partition bounds): the columns this
// reads are always NULL, and a stored text would already be the expression's text.
value get_expr_fn(const value* a, std::size_t) { return a[0]; }

// pg_description is empty: no object has a comment.
value no_description_fn(const value*, std::size_t) { return value(); }

bool needs_quotes(const std::string& s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_' || c == '$')) return true;
  }
  return false;
}

value quote_ident_fn(const value* a, std::size_t) { return value::text(quote_identifier(a[0].as_text())); }

// Postgres 15's pg_size_pretty: bytes below 10 kB, then the largest unit that keeps the number below
// 20 × 1024 - 1, rounded half away from zero.
value size_pretty_fn(const value* a, std::size_t) {
  struct unit {
    const char* name;
    std::int64_t limit;
    bool round;
    int bits;
  };
  static constexpr unit units[] = {{"bytes", 10 * 1024, false, 0},  {"kB", 20 * 1024 - 1, true, 10},
                                   {"MB", 20 * 1024 - 1, true, 20}, {"GB", 20 * 1024 - 1, true, 30},
                                   {"TB", 20 * 1024 - 1, true, 40}, {"PB", 20 * 1024 - 1, true, 50}};
  constexpr std::size_t count = std::size(units);
  std::int64_t size = a[0].as_bigint();
  for (std::size_t u = 0;; ++u) {
    // The magnitude as unsigned: -size overflows for the smallest bigint.
    std::uint64_t magnitude =
        size < 0 ? 0 - static_cast<std::uint64_t>(size) : static_cast<std::uint64_t>(size);
    if (u + 1 == count || magnitude < static_cast<std::uint64_t>(units[u].limit)) {
      if (units[u].round) size = (size + (size < 0 ? -1 : 1)) / 2;
      return value::text(fmt::format("{} {}", size, units[u].name));
    }
    int bits = units[u + 1].bits - units[u].bits - (units[u + 1].round ? 1 : 0) + (units[u].round ? 1 : 0);
    size /= std::int64_t{1} << bits;
  }
}

// What Sluice cannot answer from an oid alone (sizes on disk, function signatures) is NULL, as
// Postgres answers for an oid it does not know.
value unknown_fn(const value*, std::size_t) { return value(); }

// Sluice has no logical replication: nothing is in a publication.
value not_publishable_fn(const value*, std::size_t) { return value::boolean(false); }

// The one role is a superuser: every privilege check passes.
value granted_fn(const value*, std::size_t) { return value::boolean(true); }

}  // namespace

std::string quote_identifier(const std::string& s) {
  if (!needs_quotes(s)) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void add_catalog_functions(std::vector<function_overload>& out) {
  const dt x = dt::text, i = dt::bigint, b = dt::boolean;
  out.push_back({"pg_table_is_visible", {i}, b, table_is_visible_fn});
  out.push_back({"pg_get_userbyid", {i}, x, userbyid_fn});
  out.push_back({"format_type", {i, i}, x, format_type_fn, false});
  out.push_back({"pg_encoding_to_char", {i}, x, encoding_to_char_fn});
  out.push_back({"pg_get_expr", {x, i}, x, get_expr_fn});
  out.push_back({"pg_get_expr", {x, i, b}, x, get_expr_fn});
  out.push_back({"obj_description", {i}, x, no_description_fn, false});
  out.push_back({"obj_description", {i, x}, x, no_description_fn, false});
  out.push_back({"col_description", {i, i}, x, no_description_fn, false});
  out.push_back({"shobj_description", {i, x}, x, no_description_fn, false});
  out.push_back({"quote_ident", {x}, x, quote_ident_fn});
  out.push_back({"pg_size_pretty", {i}, x, size_pretty_fn});
  for (const char* name : {"pg_table_size", "pg_relation_size", "pg_total_relation_size", "pg_indexes_size"})
    out.push_back({name, {i}, i, unknown_fn, false});
  out.push_back({"pg_database_size", {x}, i, unknown_fn, false});
  out.push_back({"pg_database_size", {i}, i, unknown_fn, false});
  out.push_back({"pg_get_function_result", {i}, x, unknown_fn, false});
  out.push_back({"pg_get_statisticsobjdef_columns", {i}, x, unknown_fn, false});
  out.push_back({"pg_relation_is_publishable", {i}, b, not_publishable_fn});
  out.push_back({"pg_get_function_arguments", {i}, x, unknown_fn, false});
  for (const char* name : {"pg_function_is_visible", "pg_type_is_visible"})
    out.push_back({name, {i}, b, granted_fn});
  for (const char* name :
       {"has_database_privilege", "pg_has_role", "has_table_privilege", "has_schema_privilege"})
    out.push_back({name, {x, x}, b, granted_fn});
}

}  // namespace sluice::sql
