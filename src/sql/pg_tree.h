// sql/pg_tree.h — the PostgreSQL parse tree that libpg-query produces, as simdjson DOM nodes, and
// small readers over it. libpg-query prints its protobuf tree as JSON and leaves out fields that
// hold their default (0, false, ""), so every reader here has a default for a missing field.
//
// A node is an object with one key naming its type ({"ColumnRef": {...}}); `node_type` returns the
// key and `node_body` its object. Locations are byte offsets into parse_tree::sql.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/error.h"
#include "sql/value.h"

namespace sluice::sql {

using pg_node = simdjson::dom::element;

// One parsed statement. Invariant: `parser` owns the memory every pg_node here points into, so a
// parse_tree is never copied or moved (statements share it through a shared_ptr).
class parse_tree {
 public:
  parse_tree() = default;
  parse_tree(const parse_tree&) = delete;
  parse_tree& operator=(const parse_tree&) = delete;

  std::string sql;    // the statement text locations refer to (other statements blanked out)
  std::string json;   // libpg-query's output, kept for debugging
  pg_node statement;  // the body of the statement node (e.g. the SelectStmt object)
  pg_node select;     // the body of the SelectStmt this tree is about (for SELECT, views, sinks)
  std::unique_ptr<simdjson::dom::parser> parser = std::make_unique<simdjson::dom::parser>();
};

// Parses `sql` (one statement) with the PostgreSQL grammar. Syntax errors become 42601 with the
// position libpg-query reports.
sql_result<std::shared_ptr<parse_tree>> pg_parse(std::string sql);

namespace pg {

std::string_view node_type(pg_node n);
pg_node node_body(pg_node n);
bool is(pg_node n, std::string_view type);

std::optional<pg_node> field(pg_node body, std::string_view key);
std::vector<pg_node> list(pg_node body, std::string_view key);
std::string_view string(pg_node body, std::string_view key);  // "" when absent
std::int64_t integer(pg_node body, std::string_view key, std::int64_t otherwise = 0);
bool flag(pg_node body, std::string_view key);
int location(pg_node n);  // of a node (wrapped), -1 when it has none

// The strings of a list of String nodes: ["pg_catalog", "int8"].
std::vector<std::string> names(pg_node body, std::string_view key);

// A TypeName node → data_type ("int4", "varchar", "timestamptz", "double precision", ...).
// 42704 `type "x" does not exist` for the rest.
sql_result<data_type> type_of(pg_node type_name_body);
// The type modifier as Postgres packs it in atttypmod: numeric(p[, s]) (numeric_typmod in numeric.h)
// and varchar(n) (n + 4); -1 for any other type or none. 22023 for a modifier Postgres refuses.
sql_result<std::int32_t> typmod_of(pg_node type_name_body);
// The same for a type name as written in SQL text (used by the front for column lists).
std::optional<data_type> type_from_name(std::string_view name);

}  // namespace pg
}  // namespace sluice::sql
