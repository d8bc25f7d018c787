// app/metrics_routes.h — the server's numbers over HTTP:
//
//   GET /metrics               → Prometheus text format 0.0.4: every family of the default registry,
//                                including the server's scrape-time collectors (docs/metrics.md)
//   GET /api/overview          → the server at a glance as JSON (docs/http-api.md, Overview)
//   GET /api/overview/stream   → SSE: an `overview` event with the same object every second
//
// Rates are deltas of the records/bytes totals between samples taken once a second by one thread the
// routes own; it stops when the HTTP server drops the routes.
#pragma once

namespace sluice::http {
class server;
}

namespace sluice::app {

struct services;

void add_metrics_routes(http::server& server, const services& s);

}  // namespace sluice::app
