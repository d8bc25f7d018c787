// app/http_api.cc — the SQL engine over HTTP: statements in, JSON rows out, and a view's changes as
// Server-Sent Events for dashboards and services that react to them.
//
//   POST /api/sql                      body: SQL text, or {"sql": "…"}; → the last statement's result
//   GET  /api/views/{name}[?limit=N]   → the view's rows
//   GET  /api/views/{name}/changes     → SSE: "snapshot" (all rows), then "changes" per batch
//
// Results are {"columns":[{"name","type"}…],"rows":[{column: value}…],"command":"SELECT 2"}; errors
// {"error","code" (SQLSTATE),"position"} with 400 (404 for an unknown view, 500 for internal errors).
#include <fmt/format.h>
#include <simdjson.h>

#include "app/sql_endpoints.h"
#include "base/json_string.h"
#include "engine/engine.h"
#include "http/server.h"
#include "stream/json_sink.h"

namespace sluice::app {
namespace {

std::string columns_json(const sql::schema& columns) {
  std::string out = "[";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ',';
    out += "{\"name\":";
    append_json_string(out, columns[i].name);
    out += ",\"type\":";
    append_json_string(out, sql::type_name(columns[i].type));
    out += '}';
  }
  return out + "]";
}

std::string rows_json(const stream::json_sink_encoder& encoder, const std::vector<sql::row>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    out += encoder.row_json(rows[i]);
  }
  return out + "]";
}

std::string result_json(const sql::query_result& r) {
  stream::json_sink_encoder encoder(r.columns, {});
  std::string out =
      "{\"columns\":" + columns_json(r.columns) + ",\"rows\":" + rows_json(encoder, r.rows) + ",\"command\":";
  append_json_string(out, r.tag);
  return out + "}";
}

http::response error_json(const sql::sql_error& e) {
  int status = e.code == sql::sqlstate::internal_error ? 500 : 400;
  std::string body = "{\"error\":";
  append_json_string(body, e.message);
  body += ",\"code\":";
  append_json_string(body, e.code);
  if (e.position >= 0) body += fmt::format(",\"position\":{}", e.position + 1);
  return http::json_response(status, body + "}");
}

// The SQL of a request body: the text itself, or the "sql" member of a JSON object.
std::optional<std::string> sql_of(const std::string& body) {
  std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || body[first] != '{') return body;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  auto doc = parser.parse(padded);
  if (doc.error()) return std::nullopt;
  std::string_view sql;
  if (doc["sql"].get(sql)) return std::nullopt;
  return std::string(sql);
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

http::handler_result post_sql(engine::engine& e, const http::request& req) {
  auto sql = sql_of(req.body);
  if (!sql)
    return http::error_response(400, "the body must be SQL text or a JSON object with an \"sql\" string");
  auto result = e.open_session()->execute(*sql);
  if (!result) return error_json(result.error());
  return http::json_response(200, result_json(*result));
}

http::handler_result get_view(engine::engine& e, const http::request& req, const std::string& name) {
  std::string sql = "SELECT * FROM " + quote_identifier(name);
  if (auto limit = req.query_param("limit")) {
    if (limit->empty() || limit->find_first_not_of("0123456789") != std::string::npos) {
      return http::error_response(400, "limit must be a non-negative integer");
    }
    sql += " LIMIT " + *limit;
  }
  auto result = e.open_session()->execute(sql);
  if (!result) {
    if (result.error().code == sql::sqlstate::undefined_table)
      return http::error_response(404, result.error().message, result.error().code);
    return error_json(result.error());
  }
  return http::json_response(200, result_json(*result));
}

std::string changes_json(const stream::json_sink_encoder& encoder, const sql::change_batch& batch) {
  std::string out = "[";
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i) out += ',';
    out += fmt::format("{{\"weight\":{},\"row\":{}}}", batch[i].weight, encoder.row_json(batch[i].values));
  }
  return out + "]";
}

http::handler_result watch_view(engine::engine& e, const std::string& name) {
  auto columns = e.view_columns(name);
  if (!columns) return http::error_response(404, columns.error().message, columns.error().code);
  return http::stream_starter([&e, name, columns = *columns](std::shared_ptr<http::event_stream> events) {
    auto encoder = std::make_shared<stream::json_sink_encoder>(columns, std::vector<int>{});
    // The engine holds the subscription weakly: the stream belongs to its connection, which the HTTP
    // server tears down (with its event loop) before the engine goes.
    std::weak_ptr<http::event_stream> weak = events;
    auto rows = e.subscribe_view(name, [weak, encoder](const sql::change_batch& batch) {
      auto stream = weak.lock();
      if (!stream || stream->closed()) return false;
      stream->push("changes", changes_json(*encoder, batch));
      return true;
    });
    if (!rows) {
      events->push("error", "{\"error\":\"the view was dropped\"}");
      return;
    }
    events->push("snapshot", rows_json(*encoder, *rows));
  });
}

}  // namespace

void add_sql_routes(http::server& server, engine::engine& e) {
  server.route("POST", "/api/sql", [&e](const http::request& req) { return post_sql(e, req); });
  server.route("GET", "/api/views/*", [&e](const http::request& req) -> http::handler_result {
    std::string rest = req.path.substr(std::string("/api/views/").size());
    if (rest.ends_with("/changes")) return watch_view(e, rest.substr(0, rest.size() - 8));
    if (rest.find('/') != std::string::npos)
      return http::error_response(404, "no such endpoint: " + req.path);
    return get_view(e, req, rest);
  });
}

}  // namespace sluice::app
