// sql/session_statements.h — the statements every session answers the same way, whatever runs its
// queries (the batch reference session or the streaming engine): SET/SHOW settings, transaction
// no-ops, SHOW SOURCES|TABLES|…, DESCRIBE, EXPLAIN, and laying out INSERT's rows.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/plan.h"
#include "sql/query_result.h"
#include "sql/statement.h"

namespace sluice::sql {

// A session's run-time settings: SET overrides default_setting() until RESET.
class session_settings {
 public:
  sql_result<query_result> show(const show_variable_stmt& stmt) const;
  query_result set(const set_stmt& stmt);

 private:
  std::map<std::string, std::string> values_;
};

query_result transaction_result(const transaction_stmt& stmt);
// SHOW SOURCES | TABLES | MATERIALIZED VIEWS | SINKS: one "Name" row per name, in the order given.
query_result show_relations_result(const std::vector<std::string>& names);
// DESCRIBE: one row per column (Name, Type), then a "primary key" row naming its columns, if any.
query_result describe_result(const relation_info& info);
// EXPLAIN: the plan, one line per row under "QUERY PLAN".
query_result explain_result(const plan& p);

// INSERT INTO table [(columns)] query: runs the query with `run_query` and lays its rows out in the
// table's columns (unnamed ones NULL), cast to the columns' types as Postgres's assignment casts do.
sql_result<std::vector<row>> rows_for_insert(
    const insert_stmt& stmt, const relation_info& table,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query);

// CREATE INDEX: 42P01 for a relation that does not exist, 42703 for a column it lacks, 0A000 for a
// unique index that is not the primary key; otherwise the tag, and nothing is kept.
sql_result<query_result> create_index_result(const create_index_stmt& stmt, const catalog_reader& catalog);

// The rows of a table whose primary key is one of `keys` (each the key's values in key order).
using rows_by_key_fn = std::function<sql_result<std::vector<row>>(const std::vector<row>& keys)>;

// The rows an INSERT into `table` writes, in order, given the rows it proposes (from rows_for_insert):
// a proposed primary key already in the table (looked up with `rows_by_key`) or proposed twice is
// 23505, unless ON CONFLICT DO NOTHING skips that row or DO UPDATE writes the old row changed by its
// SET list instead (evaluated with `run_query`; 21000 when one statement would change a row twice).
// Writing a row whose key is in the table replaces that row. 42P10 for a conflict target that is not
// the primary key.
sql_result<std::vector<row>> resolve_insert_conflicts(
    const insert_stmt& stmt, const relation_info& table, std::vector<row> proposed,
    const rows_by_key_fn& rows_by_key,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query);
// The values of `r`'s primary key columns, in key order.
row primary_key_of(const relation_info& table, const row& r);

// 23502 when a NOT NULL column of `r` is NULL.
sql_result<void> check_not_null(const relation_info& table, const row& r);

// DELETE and UPDATE: each row of `table` the statement changes, and (UPDATE) the row it becomes, with
// the SET values cast to their columns' types as for INSERT. Runs the statement's SELECT with
// `run_query`. 42703 for a SET column the table lacks, 42601 for one set twice.
struct row_update {
  row before;
  row after;  // UPDATE only
};
sql_result<std::vector<row_update>> rows_to_modify(
    const modify_stmt& stmt, const relation_info& table,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query);
// What RETURNING reads: the rows as updated, or as they were before DELETE removed them.
std::vector<row> modified_rows(const modify_stmt& stmt, const std::vector<row_update>& changes);
// "DELETE 3", "UPDATE 1".
std::string modify_tag(const modify_stmt& stmt, std::size_t rows);

}  // namespace sluice::sql
