// app/pipelines_api.cc — the engine's dataflows as JSON for the console's pipeline graph:
// GET /api/pipelines and its live form GET /api/pipelines/stream (docs/http-api.md), and the
// engine's metrics.
#include <fmt/format.h>

#include <initializer_list>
#include <utility>

#include "app/periodic_feed.h"
#include "app/server_runtime.h"
#include "base/json_string.h"
#include "engine/engine.h"
#include "http/server.h"

namespace sluice::app {
namespace {

// "name":"value" pairs, comma-separated, as JSON (the object's braces are the caller's).
void append_string_fields(std::string& out,
                          std::initializer_list<std::pair<const char*, const std::string&>> fields) {
  bool first = true;
  for (const auto& [name, value] : fields) {
    out += fmt::format("{}\"{}\":", first ? "" : ",", name);
    append_json_string(out, value);
    first = false;
  }
}

// Microseconds of event time → milliseconds since the epoch; null before any watermark.
std::string watermark_json(std::int64_t micros) {
  if (micros == INT64_MIN) return "null";
  return std::to_string(micros / 1000);
}

std::string source_json(const engine::pipeline_graph::source& s, std::int64_t now_ms) {
  std::string out = "{";
  append_string_fields(out, {{"name", s.name}, {"kind", s.kind}, {"topic", s.topic}, {"format", s.format}});
  std::string delay = s.watermark == INT64_MIN ? "null" : std::to_string(now_ms - s.watermark / 1000);
  out += fmt::format(
      ",\"watermark\":{},\"watermark_delay_ms\":{},\"records_in\":{},\"late_events\":{},\"dead_letters\":{}}"
      "}",
      watermark_json(s.watermark), delay, s.records_in, s.late_events, s.dead_letters);
  return out;
}

std::string node_json(const engine::pipeline_graph::node& n) {
  std::string out = fmt::format("{{\"id\":{},", n.id);
  append_string_fields(out, {{"kind", n.kind}, {"detail", n.detail}});
  out += fmt::format(",\"inputs\":[{}],\"rows_in\":{},\"rows_out\":{},\"watermark\":{}}}",
                     fmt::join(n.inputs, ","), n.rows_in, n.rows_out, watermark_json(n.watermark));
  return out;
}

std::string view_json(const engine::pipeline_graph::view& v) {
  std::string out = "{";
  append_string_fields(out, {{"name", v.name}, {"sql", v.sql}});
  out += ",\"inputs\":[";
  for (std::size_t i = 0; i < v.inputs.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, v.inputs[i]);
  }
  out += fmt::format("],\"rows\":{},\"state_bytes\":{},\"operators\":[", v.rows, v.state_bytes);
  for (std::size_t i = 0; i < v.operators.size(); ++i) out += (i ? "," : "") + node_json(v.operators[i]);
  return out + "]}";
}

std::string sink_json(const engine::pipeline_graph::sink& s) {
  std::string out = "{";
  append_string_fields(out, {{"name", s.name}, {"view", s.view}, {"topic", s.topic}, {"format", s.format}});
  return out + fmt::format(",\"records_out\":{}}}", s.records_out);
}

template <typename T, typename F>
std::string array_json(const std::vector<T>& items, F&& fn) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + fn(items[i]);
  return out + "]";
}

std::string pipelines_json(engine::engine& e) {
  engine::pipeline_graph g = e.describe_pipelines();
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string lag = g.last_checkpoint_ms ? std::to_string(now_ms - g.last_checkpoint_ms) : "null";
  return fmt::format(
      "{{\"sources\":{},\"views\":{},\"sinks\":{},\"checkpoint\":{{\"last\":{},\"lag_ms\":{},"
      "\"last_duration_seconds\":{},\"taken\":{},\"failures\":{},\"restored_from\":{}}}}}",
      array_json(g.sources, [now_ms](const auto& s) { return source_json(s, now_ms); }),
      array_json(g.views, view_json), array_json(g.sinks, sink_json), g.last_checkpoint, lag,
      g.last_checkpoint_seconds, g.checkpoints, g.checkpoint_failures, g.restored_from);
}

}  // namespace

void add_pipelines_routes(http::server& server, const services& s) {
  engine::engine& e = s.engine;
  auto feed = std::make_shared<periodic_feed>(std::chrono::seconds(1), [&e](const std::string&) {
    return std::make_pair(std::string("pipelines"), pipelines_json(e));
  });
  server.route("GET", "/api/pipelines", [&e](const http::request&) -> http::handler_result {
    return http::json_response(200, pipelines_json(e));
  });
  server.route("GET", "/api/pipelines/stream", [feed](const http::request&) -> http::handler_result {
    std::weak_ptr<periodic_feed> weak = feed;
    return http::stream_starter([weak](const std::shared_ptr<http::event_stream>& events) {
      if (auto f = weak.lock()) f->watch(events);
    });
  });
}

}  // namespace sluice::app
