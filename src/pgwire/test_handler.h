// pgwire/test_handler.h — TEST FIXTURE ONLY: a stand-in for the SQL engine that answers a few fixed
// statements, so pgwire's tests can drive every protocol path without the real engine.
//
//   SELECT <n>          one bigint column "?column?" holding n
//   SELECT series <n>   one bigint column "n" with the rows 1..n
//   SELECT types        one row with a value of every engine type, and a NULL
//   CREATE SOURCE ...   no rows, tag "CREATE SOURCE" (with IF NOT EXISTS: and a NOTICE 42P07)
//   SELECT boom         throws (an engine bug), to test the per-connection catch-all
//   SELECT wait         signals `entered` and blocks until `open` is set (a slow query), then as
//                       SELECT 1; needs the gate given to canned_sessions()
//   ECHO $1, $2, ...    (extended flow only) returns its parameters, typed as declared or as text
// Anything else fails with 42703 at the statement's position in the query string. Simple queries are
// split at every ';' (no quoting): enough for a fixture.
#pragma once

#include <future>
#include <latch>
#include <memory>

#include "pgwire/query_handler.h"

namespace sluice::pgwire::testing {

// Holds `SELECT wait` until the test opens it, so tests see a query in flight without sleeping.
struct gate {
  std::latch entered{1};
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
};

std::shared_ptr<session_factory> canned_sessions(std::shared_ptr<gate> slow_query_gate = nullptr);

}  // namespace sluice::pgwire::testing
