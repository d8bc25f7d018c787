// sql/copy.h — COPY … FROM STDIN and COPY … TO STDOUT, as Postgres reads and writes their data: the
// statement's options, and rows in COPY's text format (tab-separated, \N for NULL, backslash escapes)
// or CSV (RFC 4180 quoting, an unquoted empty field for NULL, an optional header line). Binary COPY and
// files on the server are refused (0A000). The wire protocol's part is pgwire's; moving the rows into
// or out of a relation is the session's (app/pg_sessions.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/error.h"
#include "sql/value.h"

namespace sluice::sql {

struct copy_statement {
  std::string table;                 // COPY table …; empty for COPY (query) TO
  std::vector<std::string> columns;  // COPY table (a, b) …; empty: every column
  std::string query;                 // COPY (query) TO STDOUT: the query's text
  bool from_client = false;          // FROM STDIN (else TO STDOUT)
  bool csv = false;
  bool header = false;
  char delimiter = '\t';
  std::string null_text = "\\N";
  char quote = '"';
};

// True when `sql` is a COPY statement (its first word), which a session handles itself.
bool is_copy_statement(std::string_view sql);
// Reads a COPY statement: 42601 for bad syntax, 0A000 for files, programs and binary format, 22023
// for an option Postgres refuses (a delimiter of more than one character, …).
sql_result<copy_statement> parse_copy(std::string_view sql);

// The fields of each data row the client sent (NULL as nullopt); 22P04 (bad_copy_file_format) for a
// malformed line, with its line number in the message.
using copy_fields = std::vector<std::optional<std::string>>;
sql_result<std::vector<copy_fields>> read_copy_data(std::string_view data, const copy_statement& copy);
// One row as a line of COPY's output, ending in '\n'.
std::string copy_line(const row& r, const copy_statement& copy);
// The header line of CSV output naming `columns`.
std::string copy_header(const schema& columns, const copy_statement& copy);

}  // namespace sluice::sql
