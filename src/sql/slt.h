// sql/slt.h — a sqllogictest runner over any sql_session. The format (as in DuckDB and RisingWave):
//
//   statement ok                    the next lines (up to a blank line) run without error
//   statement error <pattern>       they fail; <pattern> is a SQLSTATE or a substring of the message
//   query <types> [rowsort]         they return rows: one line per row, values separated by a space,
//   ----                            NULL as NULL, the empty string as (empty); rowsort compares the
//   <rows>                          lines sorted; <types> (I, R, T, B, …) gives the column count
//   query error <pattern>           a query that fails
//   # comment                       ignored, as are blank lines between records
#pragma once

#include <string>
#include <vector>

#include "sql/session.h"

namespace sluice::sql {

struct slt_failure {
  int line = 0;  // of the record's first line
  std::string sql;
  std::string message;
};

struct slt_outcome {
  int records = 0;
  std::vector<slt_failure> failures;
};

slt_outcome run_slt(const std::string& text, sql_session& session);

// The names (without .slt) of the sqllogictest files in `dir`, sorted.
std::vector<std::string> slt_file_names(const std::string& dir);
// The text of `dir`/`name`.slt.
std::string read_slt_file(const std::string& dir, const std::string& name);

// One value as the runner prints it.
std::string slt_text(const value& v);

}  // namespace sluice::sql
