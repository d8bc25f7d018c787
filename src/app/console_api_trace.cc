// app/console_api_trace.cc — GET /api/trace: one key (or one header value) followed through the
// system: the records that carry it in every non-internal topic, newest first, and the rows of every
// materialized view whose key equals it (docs/http-api.md, "Trace").
//
// Views are reached only through the engine's public surface: SHOW MATERIALIZED VIEWS, DESCRIBE (whose
// "primary key" row names the key columns the planner derived) and a pull query comparing the key
// columns' text to K; a view without key columns matches on any column. A view whose query fails is
// left out (it may have been dropped meanwhile).
#include <fmt/format.h>

#include "app/console_api_internal.h"
#include "app/console_api_records.h"
#include "app/server_runtime.h"
#include "base/json_string.h"
#include "engine/engine.h"
#include "storage/log_manager.h"
#include "stream/json_sink.h"

namespace sluice::app::console {
namespace {

constexpr std::int64_t default_trace_limit = 100;
constexpr std::int64_t max_view_rows = 100;  // per view

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// DESCRIBE's rows are (column, type), then ("primary key", "a, b") when the view has key columns.
std::vector<std::string> key_columns(engine::engine_session& session, const std::string& view,
                                     const sql::schema& columns) {
  auto described = session.execute("DESCRIBE " + quote_identifier(view));
  if (!described || described->rows.size() != columns.size() + 1) return {};
  const auto& last = described->rows.back();
  if (last.size() != 2 || last[0].is_null() || last[1].is_null() || last[0].to_text() != "primary key")
    return {};
  std::vector<std::string> out;
  std::string names = last[1].to_text();
  for (std::size_t pos = 0; pos <= names.size();) {
    std::size_t comma = names.find(", ", pos);
    if (comma == std::string::npos) comma = names.size();
    out.push_back(names.substr(pos, comma - pos));
    pos = comma + 2;
  }
  return out;
}

std::string columns_json(const sql::schema& columns) {
  std::string out = "[";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    out += i ? ",{\"name\":" : "{\"name\":";
    append_json_string(out, columns[i].name);
    out += ",\"type\":";
    append_json_string(out, sql::type_name(columns[i].type));
    out += '}';
  }
  return out + "]";
}

// {"view","columns","rows"} for a view with rows keyed by `key`, else nothing.
std::optional<std::string> view_rows(engine::engine& e, engine::engine_session& session,
                                     const std::string& view, const std::string& key) {
  auto columns = e.view_columns(view);
  if (!columns || columns->empty()) return std::nullopt;
  auto keys = key_columns(session, view, *columns);
  if (keys.empty())
    for (const auto& c : *columns) keys.push_back(c.name);
  std::string where;
  for (const auto& k : keys)
    where += (where.empty() ? "" : " OR ") +
             fmt::format("CAST({} AS text) = {}", quote_identifier(k), quote_literal(key));
  auto found = session.execute(
      fmt::format("SELECT * FROM {} WHERE {} LIMIT {}", quote_identifier(view), where, max_view_rows));
  if (!found || found->rows.empty()) return std::nullopt;
  stream::json_sink_encoder encoder(found->columns, {});
  std::string out = "{\"view\":";
  append_json_string(out, view);
  out += ",\"columns\":" + columns_json(found->columns) + ",\"rows\":[";
  for (std::size_t i = 0; i < found->rows.size(); ++i)
    out += (i ? "," : "") + encoder.row_json(found->rows[i]);
  return out + "]}";
}

std::string views_json(engine::engine& e, const std::string& key) {
  std::string out = "[";
  // libpg_query reads C strings: a key with a NUL byte cannot be a SQL literal.
  if (key.find('\0') != std::string::npos) return out + "]";
  auto session = e.open_session();
  auto views = session->execute("SHOW MATERIALIZED VIEWS");
  if (!views) return out + "]";
  bool first = true;
  for (const auto& row : views->rows) {
    if (row.empty() || row[0].is_null()) continue;
    auto json = view_rows(e, *session, row[0].to_text(), key);
    if (!json) continue;
    out += (first ? "" : ",") + *json;
    first = false;
  }
  return out + "]";
}

result<std::vector<found_record>> trace_records(const storage::log_manager& logs, const record_filter& filter,
                                                scan_bounds bounds) {
  byte_budget budget{max_answer_payload_bytes};
  std::vector<std::vector<found_record>> parts;
  for (const auto& topic : logs.list_topics()) {
    if (topic.name.starts_with("__")) continue;
    for (std::int32_t p = 0; p < topic.partitions; ++p) {
      auto log = logs.partition(topic.name, p);
      if (!log) continue;
      auto found = scan_latest(*log, topic.name, p, filter, bounds, budget);
      if (!found) return tl::unexpected(found.error());
      if (!found->empty()) parts.push_back(std::move(*found));
    }
  }
  return merge_newest_first(std::move(parts), bounds.limit);
}

}  // namespace

http::response trace(const services& s, const http::request& req) {
  record_filter filter;
  filter.key = req.query_param("key");
  auto header = req.query_param("header");
  auto value = req.query_param("value");
  if (filter.key.has_value() == header.has_value() || header.has_value() != value.has_value())
    return bad_request("give key=K, or header=NAME and value=V");
  if (header) filter.header.emplace(*header, *value);
  auto limit = int_param(req, "limit", 1, max_limit);
  if (!limit) return bad_request(limit.error().message);
  auto scan_limit = int_param(req, "scan_limit", 1, max_scan_limit);
  if (!scan_limit) return bad_request(scan_limit.error().message);
  scan_bounds bounds{static_cast<std::size_t>(limit->value_or(default_trace_limit)),
                     scan_limit->value_or(default_scan_limit)};
  auto records = trace_records(s.logs, filter, bounds);
  if (!records) return http::error_response(500, records.error().describe());
  std::string out = "{\"records\":[";
  for (std::size_t i = 0; i < records->size(); ++i) {
    if (i) out += ',';
    append_record_json(out, (*records)[i], true);
  }
  out += "],\"views\":";
  out += filter.key ? views_json(s.engine, *filter.key) : "[]";
  return http::json_response(200, out + "}");
}

}  // namespace sluice::app::console
