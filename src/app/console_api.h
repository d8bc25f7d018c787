// app/console_api.h — the console's JSON API over the data plane (docs/http-api.md): topics and their
// messages, consumer groups (with a live SSE stream), and tracing a key through topics and views.
//
//   GET /api/topics                      GET /api/groups                GET /api/trace?key=K
//   GET /api/topics/{name}               GET /api/groups/{id}           GET /api/trace?header=N&value=V
//   GET /api/topics/{name}/messages      GET /api/groups/{id}/stream
//
// Read-only: it reads the logs, the group coordinator and the engine's views, and changes nothing.
#pragma once

namespace sluice::http {
class server;
}

namespace sluice::app {

struct services;

// Registers the routes above. `s` outlives the server's routes; the group streams' ticker thread
// belongs to the routes and stops when the server drops them.
void add_console_api_routes(http::server& server, const services& s);

}  // namespace sluice::app
