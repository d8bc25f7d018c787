// pgwire/engine_unavailable.h — the session factory `sluice serve` uses until the SQL engine is
// wired in: connections start normally (so clients and health checks see a real Postgres
// endpoint), and every statement fails with SQLSTATE 0A000 rather than returning anything made up.
#pragma once

#include <memory>

#include "pgwire/query_handler.h"

namespace sluice::pgwire {

inline constexpr const char* engine_unavailable_message = "the SQL engine is not available yet";

std::shared_ptr<session_factory> engine_unavailable_sessions();

}  // namespace sluice::pgwire
