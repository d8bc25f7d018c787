// sql/pg_tree.cc — libpg-query calls and the readers over its JSON tree (see pg_tree.h).
#include "sql/pg_tree.h"

#include <fmt/format.h>
#include <pg_query.h>

#include <map>

#include "sql/cast.h"
#include "sql/numeric.h"

namespace sluice::sql {

sql_result<std::shared_ptr<parse_tree>> pg_parse(std::string sql) {
  auto tree = std::make_shared<parse_tree>();
  tree->sql = std::move(sql);
  PgQueryParseResult result = pg_query_parse(tree->sql.c_str());
  if (result.error != nullptr) {
    sql_error error{sqlstate::syntax_error, result.error->message, result.error->cursorpos - 1, {}, {}};
    pg_query_free_parse_result(result);
    return tl::unexpected(std::move(error));
  }
  tree->json = result.parse_tree;
  pg_query_free_parse_result(result);
  auto doc = tree->parser->parse(tree->json);
  if (doc.error() != simdjson::SUCCESS) return sql_fail(sqlstate::internal_error, "unreadable parse tree");
  auto stmts = doc.value()["stmts"].get_array();
  if (stmts.error() != simdjson::SUCCESS || stmts.value().size() == 0) {
    return sql_fail(sqlstate::syntax_error, "empty statement");
  }
  tree->statement = stmts.value().at(0)["stmt"].value();
  tree->select = tree->statement;
  return tree;
}

namespace pg {

std::string_view node_type(pg_node n) {
  auto obj = n.get_object();
  if (obj.error() != simdjson::SUCCESS) return {};
  simdjson::dom::object fields = obj.value();
  for (auto [key, body] : fields) return key;
  return {};
}

pg_node node_body(pg_node n) {
  simdjson::dom::object fields = n.get_object().value();
  for (auto [key, body] : fields) return body;
  return n;
}

bool is(pg_node n, std::string_view type) { return node_type(n) == type; }

std::optional<pg_node> field(pg_node body, std::string_view key) {
  auto v = body[key];
  if (v.error() != simdjson::SUCCESS) return std::nullopt;
  return v.value();
}

std::vector<pg_node> list(pg_node body, std::string_view key) {
  std::vector<pg_node> out;
  auto v = body[key].get_array();
  if (v.error() != simdjson::SUCCESS) return out;
  simdjson::dom::array items = v.value();
  for (pg_node item : items) out.push_back(item);
  return out;
}

std::string_view string(pg_node body, std::string_view key) {
  auto v = body[key].get_string();
  return v.error() == simdjson::SUCCESS ? v.value() : std::string_view();
}

std::int64_t integer(pg_node body, std::string_view key, std::int64_t otherwise) {
  auto v = body[key].get_int64();
  return v.error() == simdjson::SUCCESS ? v.value() : otherwise;
}

bool flag(pg_node body, std::string_view key) {
  auto v = body[key].get_bool();
  return v.error() == simdjson::SUCCESS && v.value();
}

int location(pg_node n) {
  if (n.type() != simdjson::dom::element_type::OBJECT) return -1;
  return static_cast<int>(integer(node_body(n), "location", -1));
}

std::vector<std::string> names(pg_node body, std::string_view key) {
  std::vector<std::string> out;
  for (pg_node item : list(body, key)) {
    if (is(item, "String")) out.emplace_back(string(node_body(item), "sval"));
  }
  return out;
}

std::optional<data_type> type_from_name(std::string_view name) {
  if (name.ends_with("[]")) {
    name.remove_suffix(2);
    while (name.ends_with(' ')) name.remove_suffix(1);
    auto element = type_from_name(name);
    if (!element || is_array(*element)) return std::nullopt;
    return array_of(*element);
  }
  static const std::map<std::string, data_type, std::less<>> types = {
      {"bool", data_type::boolean},
      {"boolean", data_type::boolean},
      {"int2", data_type::bigint},
      {"int4", data_type::bigint},
      {"int8", data_type::bigint},
      {"smallint", data_type::bigint},
      {"int", data_type::bigint},
      {"integer", data_type::bigint},
      {"bigint", data_type::bigint},
      {"float4", data_type::double_precision},
      {"float8", data_type::double_precision},
      {"real", data_type::double_precision},
      {"float", data_type::double_precision},
      {"double", data_type::double_precision},
      {"double precision", data_type::double_precision},
      {"numeric", data_type::numeric},
      {"decimal", data_type::numeric},
      {"text", data_type::text},
      {"varchar", data_type::text},
      {"character varying", data_type::text},
      {"bpchar", data_type::text},
      {"char", data_type::text},
      {"character", data_type::text},
      {"string", data_type::text},
      {"timestamp", data_type::timestamp},
      {"timestamp without time zone", data_type::timestamp},
      {"timestamptz", data_type::timestamptz},
      {"timestamp with time zone", data_type::timestamptz},
      {"date", data_type::date},
      {"time", data_type::time},
      {"time without time zone", data_type::time},
      {"_time", data_type::time_array},
      {"interval", data_type::interval},
      {"jsonb", data_type::jsonb},
      {"json", data_type::json},
      {"_json", data_type::json_array},
      {"uuid", data_type::text},  // text here, in uuid's canonical form when a function makes one
      // The system catalogs' oid and name columns are bigint and text (see pg_catalog.h).
      {"oid", data_type::bigint},
      {"name", data_type::text},
      // Postgres's internal array types of the catalogs read as arrays (pg_index.indkey, …).
      {"int2vector", data_type::bigint_array},
      {"oidvector", data_type::bigint_array},
      {"_int2", data_type::bigint_array},
      {"_int4", data_type::bigint_array},
      {"_int8", data_type::bigint_array},
      {"_oid", data_type::bigint_array},
      {"_text", data_type::text_array},
      {"_float8", data_type::double_precision_array},
      {"_numeric", data_type::numeric_array},
      {"_bool", data_type::boolean_array},
      {"_char", data_type::text_array},
  };
  auto it = types.find(name);
  if (it == types.end()) return std::nullopt;
  return it->second;
}

sql_result<data_type> type_of(pg_node type_name_body) {
  std::vector<std::string> parts = names(type_name_body, "names");
  std::string name = parts.empty() ? "" : parts.back();
  int at = static_cast<int>(integer(type_name_body, "location", -1));
  if (auto t = type_from_name(name)) {
    // int[], int[3] and int[][] are all one array type in Postgres.
    if (!list(type_name_body, "arrayBounds").empty()) return array_of(*t);
    return *t;
  }
  return sql_fail("42704", fmt::format("type \"{}\" does not exist", name), at);
}

sql_result<std::int32_t> typmod_of(pg_node type_name_body) {
  std::vector<pg_node> mods = list(type_name_body, "typmods");
  auto type = type_of(type_name_body);
  std::vector<std::string> parts = names(type_name_body, "names");
  bool varchar = type && *type == data_type::text && !parts.empty() && parts.back() == "varchar";
  if (mods.empty() || !type || (*type != data_type::numeric && !varchar)) return -1;
  int at = static_cast<int>(integer(type_name_body, "location", -1));
  std::vector<std::int64_t> values;
  for (pg_node m : mods) {
    auto i = is(m, "A_Const") ? field(node_body(m), "ival") : std::nullopt;
    if (!i) return sql_fail(sqlstate::syntax_error, "type modifiers must be simple constants", at);
    values.push_back(integer(*i, "ival"));
  }
  if (varchar) {
    if (values.size() != 1) return sql_fail(sqlstate::syntax_error, "invalid type modifier", at);
    if (values[0] < 1)
      return sql_fail(sqlstate::invalid_parameter_value, "length for type varchar must be at least 1", at);
    if (values[0] > varchar_max_length)
      return sql_fail(sqlstate::invalid_parameter_value,
                      fmt::format("length for type varchar cannot exceed {}", varchar_max_length), at);
    return varchar_typmod(static_cast<std::int32_t>(values[0]));
  }
  if (values.size() > 2)
    return sql_fail(sqlstate::invalid_parameter_value, "invalid NUMERIC type modifier", at);
  std::int64_t precision = values[0], scale = values.size() == 2 ? values[1] : 0;
  if (precision < 1 || precision > 1000) {
    return sql_fail(sqlstate::invalid_parameter_value,
                    fmt::format("NUMERIC precision {} must be between 1 and 1000", precision), at);
  }
  if (scale < -1000 || scale > 1000) {
    return sql_fail(sqlstate::invalid_parameter_value,
                    fmt::format("NUMERIC scale {} must be between -1000 and 1000", scale), at);
  }
  return numeric_typmod(static_cast<int>(precision), static_cast<int>(scale));
}

}  // namespace pg
}  // namespace sluice::sql
