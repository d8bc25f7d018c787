// sql/query_result.h — what running one statement gives a client: columns, rows and the command tag.
#pragma once

#include <string>
#include <vector>

#include "sql/value.h"

namespace sluice::sql {

struct query_result {
  sql::schema columns;  // empty for statements without rows
  std::vector<row> rows;
  std::string tag;  // the command tag pgwire sends: "SELECT 3", "CREATE SOURCE", "SET", …
};

}  // namespace sluice::sql
