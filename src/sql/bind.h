// sql/bind.h — the binder: a parsed query and the catalog in, a bound logical plan out, with
// Postgres's name resolution, type resolution and error messages (SQLSTATE and byte position).
#pragma once

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/pg_tree.h"
#include "sql/plan.h"

namespace sluice::sql {

// Binds tree.select (a SelectStmt body) against `catalog`. The plan's output schema carries the
// result column names as Postgres names them (alias, column name, function name or ?column?).
sql_result<plan> bind_select(const parse_tree& tree, const catalog_reader& catalog);

}  // namespace sluice::sql
