// sql/rows_query.h — a query over rows a statement is writing: its RETURNING list, or INSERT … ON
// CONFLICT DO UPDATE's SET values. The rows become typed VALUES lists in FROM, and the statement's own
// parse nodes become the target list and WHERE, so they bind and evaluate as in any query and their
// error positions still point into the statement's text.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/pg_tree.h"
#include "sql/query_result.h"
#include "sql/statement.h"

namespace sluice::sql {

// Rows of `table`'s columns, read under `alias`.
struct rows_relation {
  std::string alias;
  const relation_info* table = nullptr;
  std::vector<const row*> rows;
};

// The column holding each row's number (0, 1, …) in a numbered query.
inline constexpr const char* row_number_column = "sluice_row_number";

// SELECT <targets> FROM <first> [JOIN <second> ON their row numbers] [WHERE <where>]. `targets` is
// ResTarget nodes as JSON, joined by commas; `where` a node's JSON or empty. `numbered`: each relation
// gets row_number_column first, and the first output column is the first relation's. The statement's
// text is `statement_text`, which the JSON's locations point into.
sql_result<query_tree> query_over_rows(const std::string& statement_text,
                                       const std::vector<rows_relation>& from, bool numbered,
                                       const std::string& targets, const std::string& where = {});

// One `column = value` of a SET list (UPDATE, INSERT … ON CONFLICT DO UPDATE).
struct set_item {
  std::string column;
  std::string target;  // the value as a ResTarget node's JSON, for query_over_rows and the like
  int position = -1;
};
// The SET list in `owner`'s "targetList": 0A000 for (a, b) = …, a subscripted column and DEFAULT.
sql_result<std::vector<set_item>> read_set_list(pg_node owner);
// The column of `table` each name sets, in order: 42703 for one it lacks, 42601 for one set twice.
sql_result<std::vector<std::size_t>> set_columns(const std::vector<std::string>& names,
                                                 const relation_info& table);

// INSERT, UPDATE or DELETE … RETURNING: the statement's RETURNING list over the rows it wrote (or
// deleted), under its tag. Without RETURNING, just the tag. `rows` empty: only the columns, which
// is what describing the statement needs.
sql_result<query_result> returning_result(
    const std::string& statement_text, const std::string& returning, const relation_info& table,
    const std::string& alias, const std::vector<row>& rows, std::string tag,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query);

}  // namespace sluice::sql
