// cli/sql_output.h — how `sluice sql` prints results and errors: psql's aligned table, CSV or JSON
// lines, and psql's error report with the offending line and a caret under the error position.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

struct sql_table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt is NULL
  std::vector<bool> numeric;                                  // right-align like psql
};

enum class sql_format { aligned, csv, json };

// psql's aligned format: centered headers, `-+-` rule, "(N rows)".
std::string format_aligned(const sql_table& table);
std::string format_csv(const sql_table& table);
// One JSON object per row; NULL as null, text as strings.
std::string format_json_lines(const sql_table& table);

// "ERROR:  message", then, with a 1-based character position, "LINE n: text" and a caret.
std::string format_error(const std::string& severity, const std::string& message,
                         const std::string& statement, int position);

// True when `text` ends with a `;` outside quotes, identifiers and comments: a statement is complete.
bool ends_statement(const std::string& text);

}  // namespace sluice::cli
