// app/console_api_internal.h — what the console API's files share: query-parameter parsing with the
// API's bounds, the error answers, and one entry point per section (topics, groups, trace).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "http/server.h"

namespace sluice::app {
struct services;
class periodic_feed;
}  // namespace sluice::app

namespace sluice::app::console {

inline constexpr std::int64_t default_limit = 50;
inline constexpr std::int64_t max_limit = 1000;
inline constexpr std::int64_t default_scan_limit = 100000;
inline constexpr std::int64_t max_scan_limit = 10000000;
// Payload bytes one answer may carry (about; JSON escaping and base64 add to it).
inline constexpr std::size_t max_answer_payload_bytes = 32 << 20;

// An integer parameter in [min, max]; nullopt when absent; invalid_argument (naming it) otherwise.
result<std::optional<std::int64_t>> int_param(const http::request& req, const std::string& name,
                                              std::int64_t min, std::int64_t max);

http::response bad_request(const std::string& message);
http::response unknown_topic(const std::string& topic);
http::response unknown_group(const std::string& group_id);

// GET /api/topics, /api/topics/{name}, /api/topics/{name}/messages; `rest` is the path after
// "/api/topics" ("" or "/name...").
http::handler_result topics_route(const services& s, const http::request& req, const std::string& rest);

// GET /api/groups, /api/groups/{id}, /api/groups/{id}/stream.
http::handler_result groups_route(const services& s, const std::shared_ptr<periodic_feed>& streams,
                                  const http::request& req, const std::string& rest);
// The feed behind /api/groups/{id}/stream; its thread stops when the last owner lets go.
std::shared_ptr<periodic_feed> make_group_streams(const services& s);

// GET /api/trace.
http::response trace(const services& s, const http::request& req);

}  // namespace sluice::app::console
