// app/console_routes.h — the web console over HTTP: `/` (index.html), `/assets/*` (Vite's hashed
// files, cached forever) and the build's other top-level files (favicon), from the table embedded
// in the binary (app/console_assets.h). The console is a single page with hash routes, so no other
// path needs it; unknown paths stay 404.
#pragma once

#include <string_view>

namespace sluice::http {
class server;
struct response;
struct request;
}  // namespace sluice::http

namespace sluice::app {

void add_console_routes(http::server& server);

// The answer for one console path (exposed for tests): the file with its content type and caching,
// gzip-encoded when the request accepts it, or a 404.
http::response console_file(const http::request& req, std::string_view path);

}  // namespace sluice::app
