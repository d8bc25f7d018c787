// pgwire/test_handler.h — TEST FIXTURE ONLY: a stand-in for the SQL engine that answers a few fixed
// statements, so pgwire's tests can drive every protocol path without the real engine.
//
//   SELECT <n>          one bigint column "?column?" holding n
//   SELECT series <n>   one bigint column "n" with the rows 1..n
//   SELECT types        one row with a value of every engine type, and a NULL
//   CREATE SOURCE ...   no rows, tag "CREATE SOURCE" (with IF NOT EXISTS: and a NOTICE 42P07)
//   SELECT boom         throws (an engine bug), to test the per-connection catch-all
//   ECHO $1, $2, ...    (extended flow only) returns its parameters, typed as declared or as text
// Anything else fails with 42703 at the statement's position in the query string. Simple queries are
// split at every ';' (no quoting): enough for a fixture.
#pragma once

#include <memory>

#include "pgwire/query_handler.h"

namespace sluice::pgwire::testing {

std::shared_ptr<session_factory> canned_sessions();

}  // namespace sluice::pgwire::testing
