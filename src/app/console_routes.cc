// app/console_routes.cc — serves the embedded console. index.html is `no-cache` (it names the current
// hashed assets, so a new binary must be seen at once); files under /assets/ carry a content hash in
// their names and are immutable; anything else (favicon) is revalidated like index.html.
#include "app/console_routes.h"

#include <string>

#include "app/console_assets.h"
#include "http/server.h"

namespace sluice::app {
namespace {

const console_asset* find_asset(std::string_view path) {
  for (const auto& a : console_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

// True when Accept-Encoding lists gzip without refusing it (q=0). Good enough for browsers.
bool accepts_gzip(const http::request& req) {
  auto accept = req.header("Accept-Encoding");
  if (!accept) return false;
  auto at = accept->find("gzip");
  if (at == std::string::npos) return false;
  auto end = accept->find(',', at);
  auto item = accept->substr(at, end == std::string::npos ? std::string::npos : end - at);
  return item.find("q=0") == std::string::npos || item.find("q=0.") != std::string::npos;
}

}  // namespace

http::response console_file(const http::request& req, std::string_view path) {
  const console_asset* asset = find_asset(path);
  if (!asset) return http::error_response(404, "no such console file: " + std::string(path));
  http::response res{200, std::string(asset->content_type), {}, {}};
  bool immutable = path.starts_with("/assets/");
  res.headers.emplace_back("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (!asset->gzip_body.empty()) {
    res.headers.emplace_back("Vary", "Accept-Encoding");
    if (accepts_gzip(req)) {
      res.headers.emplace_back("Content-Encoding", "gzip");
      res.body = std::string(asset->gzip_body);
      return res;
    }
  }
  res.body = std::string(asset->body);
  return res;
}

void add_console_routes(http::server& server) {
  auto serve_path = [](const http::request& req) -> http::handler_result {
    return console_file(req, req.path);
  };
  server.route("GET", "/", [](const http::request& req) -> http::handler_result {
    return console_file(req, "/index.html");
  });
  server.route("GET", "/assets/*", serve_path);
  // The build's top-level files (index.html, favicon.svg), each at its own path.
  for (const auto& a : console_assets()) {
    if (!a.path.starts_with("/assets/")) server.route("GET", std::string(a.path), serve_path);
  }
}

}  // namespace sluice::app
