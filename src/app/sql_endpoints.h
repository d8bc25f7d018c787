// app/sql_endpoints.h — the SQL engine behind the Postgres wire protocol and the HTTP API: adapters
// from pgwire's session interface and from HTTP routes to engine sessions. Wiring only.
#pragma once

#include <memory>

namespace sluice::engine {
class engine;
}
namespace sluice::pgwire {
class session_factory;
}
namespace sluice::http {
class server;
}

namespace sluice::app {

std::shared_ptr<pgwire::session_factory> engine_sessions(engine::engine& e);

// POST /api/sql, GET /api/views/{name}, GET /api/views/{name}/changes (Server-Sent Events).
void add_sql_routes(http::server& server, engine::engine& e);

}  // namespace sluice::app
