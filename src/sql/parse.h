// sql/parse.h — SQL text to statements: the PostgreSQL grammar (libpg-query) plus a thin front for
// the streaming statements it does not know (CREATE SOURCE/SINK, WATERMARK, SHOW SOURCES, …).
#pragma once

#include <string_view>
#include <vector>

#include "sql/error.h"
#include "sql/statement.h"

namespace sluice::sql {

// Splits `sql` into statements (a simple-query string may hold several) and parses each one.
// The first error ends parsing; its position is a byte offset into `sql`.
sql_result<std::vector<statement>> parse_statements(std::string_view sql);

// Exactly one statement (a trailing semicolon is fine).
sql_result<statement> parse_statement(std::string_view sql);

}  // namespace sluice::sql
