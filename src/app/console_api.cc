// app/console_api.cc — registers the console API's routes and holds what its sections share:
// parameter parsing and the error answers (codes named as Kafka names them).
#include "app/console_api.h"

#include <fmt/format.h>

#include <charconv>

#include "app/console_api_internal.h"
#include "app/server_runtime.h"

namespace sluice::app {
namespace console {

result<std::optional<std::int64_t>> int_param(const http::request& req, const std::string& name,
                                              std::int64_t min, std::int64_t max) {
  auto text = req.query_param(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size() || value < min || value > max)
    return fail(errc::invalid_argument,
                fmt::format("{} must be an integer from {} to {}, got '{}'", name, min, max, *text));
  return value;
}

http::response bad_request(const std::string& message) {
  return http::error_response(400, message, "INVALID_REQUEST");
}

http::response unknown_topic(const std::string& topic) {
  return http::error_response(404, "unknown topic or partition: " + topic, "UNKNOWN_TOPIC_OR_PARTITION");
}

http::response unknown_group(const std::string& group_id) {
  return http::error_response(404, "unknown consumer group: " + group_id, "GROUP_ID_NOT_FOUND");
}

}  // namespace console

void add_console_api_routes(http::server& server, const services& s) {
  const services* svc = &s;
  auto topics = [svc](const http::request& req) -> http::handler_result {
    return console::topics_route(*svc, req, req.path.substr(std::string("/api/topics").size()));
  };
  server.route("GET", "/api/topics", topics);
  server.route("GET", "/api/topics/*", topics);
  // The routes own the ticker: it stops when the server drops its routes, before the services go.
  auto streams = console::make_group_streams(s);
  auto groups = [svc, streams](const http::request& req) -> http::handler_result {
    return console::groups_route(*svc, streams, req, req.path.substr(std::string("/api/groups").size()));
  };
  server.route("GET", "/api/groups", groups);
  server.route("GET", "/api/groups/*", groups);
  server.route("GET", "/api/trace",
               [svc](const http::request& req) -> http::handler_result { return console::trace(*svc, req); });
}

}  // namespace sluice::app
