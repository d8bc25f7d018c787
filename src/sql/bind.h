// sql/bind.h — the binder: a parsed query and the catalog in, a bound logical plan out, with
// Postgres's name resolution, type resolution and error messages (SQLSTATE and byte position).
#pragma once

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/pg_tree.h"
#include "sql/plan.h"

namespace sluice::sql {

// What a bound query is for. A pull query reads the clock once, when it is bound (now(),
// current_timestamp, current_date: Postgres's statement time); a materialized view or sink may not,
// since its rows would not change as time passes (0A000).
enum class query_use : std::uint8_t { pull, materialized };

// Binds tree.select (a SelectStmt body) against `catalog`. The plan's output schema carries the
// result column names as Postgres names them (alias, column name, function name or ?column?).
sql_result<plan> bind_select(const parse_tree& tree, const catalog_reader& catalog,
                             query_use use = query_use::pull);

}  // namespace sluice::sql
