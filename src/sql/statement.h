// sql/statement.h — what one SQL statement asks for, after parsing and before binding. The engine
// executes statements; queries inside them (views, sinks, SELECT, EXPLAIN) stay parse trees until the
// engine binds them against its catalog with bind_select (sql/bind.h).
//
// Positions in errors refer to the text given to parse_statements (the whole multi-statement string).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sql/catalog.h"
#include "sql/pg_tree.h"

namespace sluice::sql {

using query_tree = std::shared_ptr<const parse_tree>;

// SELECT … (a pull query), also VALUES ….
struct select_stmt {
  query_tree query;
  std::string sql;
};

// CREATE SOURCE: an append-only relation over a topic. `relation.kind` is source; `relation.watermark`
// is set by a WATERMARK FOR clause; options are WITH (…) with lower-cased keys.
struct create_source_stmt {
  relation_info relation;
  bool if_not_exists = false;
};

// CREATE TABLE … (…, PRIMARY KEY (k)) WITH (…): an upsert relation over a keyed topic
// (relation.kind is table, relation.primary_key holds column indexes).
struct create_table_stmt {
  relation_info relation;
  bool if_not_exists = false;
};

struct create_view_stmt {
  std::string name;
  bool if_not_exists = false;
  query_tree query;
  std::string query_sql;   // the SELECT as the user wrote it
  std::string definition;  // the whole CREATE statement
};

// CREATE SINK s FROM v WITH (…) (from is set) or CREATE SINK s AS SELECT … WITH (…) (query is set).
struct create_sink_stmt {
  std::string name;
  bool if_not_exists = false;
  std::string from;
  query_tree query;
  std::string query_sql;
  std::map<std::string, std::string> options;
  std::string definition;
};

struct drop_stmt {
  relation_kind kind = relation_kind::source;
  std::string name;
  bool if_exists = false;
  bool cascade = false;
};

// SHOW SOURCES | TABLES | MATERIALIZED VIEWS | SINKS.
struct show_relations_stmt {
  relation_kind kind = relation_kind::source;
};

// SHOW name (a run-time setting; name lower-cased, "all" for SHOW ALL).
struct show_variable_stmt {
  std::string name;
};

// SET name = value | TO value; RESET name (value empty, reset = true).
struct set_stmt {
  std::string name;
  std::string value;
  bool reset = false;
};

// BEGIN, COMMIT, ROLLBACK: accepted and ignored (every statement is its own transaction).
struct transaction_stmt {
  enum class action : std::uint8_t { begin, commit, rollback };
  action what = action::begin;
};

struct describe_stmt {
  std::string name;
  int position = -1;
};

// EXPLAIN SELECT … or EXPLAIN CREATE MATERIALIZED VIEW … (view is set).
struct explain_stmt {
  query_tree query;
  std::optional<create_view_stmt> view;
};

// INSERT INTO table [(cols)] VALUES … | SELECT …: rows for a table without a topic (tests, and tables
// the engine lets users write to).
struct insert_stmt {
  std::string table;
  std::string alias;  // INSERT INTO table AS alias; the table's name without one
  std::vector<std::string> columns;
  query_tree query;
  std::string returning;  // RETURNING's ResTarget nodes as JSON, joined by commas; empty: none
  int position = -1;
};

// DELETE FROM table [WHERE …] and UPDATE table SET column = value, … [WHERE …]. `query` is the SELECT
// the parser makes of them: the rows the WHERE keeps (`*`), each followed, for UPDATE, by the SET
// values in order. No USING or FROM. TRUNCATE table is a DELETE of every row.
struct modify_stmt {
  bool update = false;
  bool truncate = false;
  std::string table;
  std::string alias;                     // UPDATE table AS alias; the table's name without one
  std::vector<std::string> set_columns;  // UPDATE: the column each SET value goes to
  query_tree query;
  std::string returning;  // as in insert_stmt
  int position = -1;
};

// CREATE [UNIQUE] INDEX [name] ON relation (column, …): checked, then kept by nothing. Every relation
// is read whole by the views over it, so an index would change no result; a unique one is taken only
// when it is the primary key, the one uniqueness a table keeps.
struct create_index_stmt {
  std::string relation;
  std::vector<std::string> columns;
  bool unique = false;
  int position = -1;
};

using statement =
    std::variant<select_stmt, create_source_stmt, create_table_stmt, create_view_stmt, create_sink_stmt,
                 drop_stmt, show_relations_stmt, show_variable_stmt, set_stmt, transaction_stmt,
                 describe_stmt, explain_stmt, insert_stmt, modify_stmt, create_index_stmt>;

// The value of a run-time setting before any SET (what psql and drivers read on connect):
// server_version, TimeZone, DateStyle, transaction_isolation, standard_conforming_strings, ...
// Names are case-insensitive. nullopt for an unknown name (42704 unrecognized configuration parameter).
std::optional<std::string> default_setting(std::string_view name);
std::string server_version_string();  // what SELECT version() returns

}  // namespace sluice::sql
