// app/console_api_topics.cc — GET /api/topics, /api/topics/{name} and the message browser
// /api/topics/{name}/messages, over storage::log_manager (docs/http-api.md, "Topics").
//
// The browser has two directions: from an offset or a timestamp it answers the oldest matching
// records first; otherwise the newest first. Either way partitions are merged in time order and
// each partition's records stay in offset order.
#include <fmt/format.h>

#include <algorithm>

#include "app/console_api_internal.h"
#include "app/console_api_records.h"
#include "app/server_runtime.h"
#include "base/json_string.h"
#include "storage/log_manager.h"

namespace sluice::app::console {
namespace {

bool internal_topic(const std::string& name) { return name.starts_with("__"); }

http::response list_topics(const storage::log_manager& logs) {
  std::string out = "{\"topics\":[";
  bool first = true;
  for (const auto& topic : logs.list_topics()) {
    std::int64_t records = 0;
    std::uint64_t bytes = 0;
    for (std::int32_t p = 0; p < topic.partitions; ++p) {
      auto log = logs.partition(topic.name, p);
      if (!log) continue;
      auto stats = log->stats();
      records += stats.end_offset - stats.log_start_offset;
      bytes += stats.size_bytes;
    }
    out += first ? "{\"name\":" : ",{\"name\":";
    first = false;
    append_json_string(out, topic.name);
    out += fmt::format(",\"partitions\":{},\"records\":{},\"bytes\":{},\"internal\":{}}}", topic.partitions,
                       records, bytes, internal_topic(topic.name));
  }
  return http::json_response(200, out + "]}");
}

http::response describe_topic(const storage::log_manager& logs, const std::string& name) {
  auto topic = logs.describe_topic(name);
  if (!topic) return unknown_topic(name);
  std::string out = "{\"name\":";
  append_json_string(out, name);
  out += fmt::format(",\"internal\":{},\"configs\":{{", internal_topic(name));
  bool first = true;
  for (const auto& entry : storage::describe_config(logs.options().defaults, topic->overrides)) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, entry.name);
    out += ':';
    append_json_string(out, entry.value);
  }
  out += "},\"partitions\":[";
  for (std::int32_t p = 0; p < topic->partitions; ++p) {
    auto log = logs.partition(name, p);
    if (!log) continue;
    auto stats = log->stats();
    out += fmt::format(
        "{}{{\"partition\":{},\"log_start_offset\":{},\"end_offset\":{},\"bytes\":{},\"segments\":{}}}",
        p ? "," : "", p, stats.log_start_offset, stats.end_offset, stats.size_bytes, stats.segments);
  }
  return http::json_response(200, out + "]}");
}

struct browse_request {
  std::optional<std::int64_t> partition, offset, timestamp;
  record_filter filter;
  std::size_t limit = default_limit;
  std::int64_t scan_limit = default_scan_limit;
};

result<browse_request> parse_browse(const http::request& req) {
  browse_request b;
  auto partition = int_param(req, "partition", 0, INT32_MAX);
  auto offset = int_param(req, "offset", 0, INT64_MAX);
  auto timestamp = int_param(req, "timestamp", 0, INT64_MAX);
  auto limit = int_param(req, "limit", 1, max_limit);
  auto scan_limit = int_param(req, "scan_limit", 1, max_scan_limit);
  for (const auto* r : {&partition, &offset, &timestamp, &limit, &scan_limit})
    if (!*r) return tl::unexpected(r->error());
  if (*offset && *timestamp) return fail(errc::invalid_argument, "give offset or timestamp, not both");
  b.partition = *partition;
  b.offset = *offset;
  b.timestamp = *timestamp;
  b.filter.key = req.query_param("key");
  b.limit = static_cast<std::size_t>(limit->value_or(default_limit));
  b.scan_limit = scan_limit->value_or(default_scan_limit);
  return b;
}

// One partition's part of the answer, in offset order.
result<std::vector<found_record>> browse_partition(const storage::partition_log& log,
                                                   const std::string& topic, std::int32_t partition,
                                                   const browse_request& b, byte_budget& budget) {
  std::optional<std::int64_t> from = b.offset;
  if (b.timestamp) {
    auto found = log.offset_for_timestamp(*b.timestamp);
    if (!found) return tl::unexpected(found.error());
    if (!*found) return std::vector<found_record>{};
    from = **found;
  }
  if (from) return scan_forward(log, topic, partition, *from, b.filter, {b.limit, b.scan_limit}, budget);
  if (b.filter.key) return scan_latest(log, topic, partition, b.filter, {b.limit, b.scan_limit}, budget);
  // The newest `limit` offsets, widened (up to scan_limit) while compaction gaps leave fewer records.
  auto limit = static_cast<std::int64_t>(b.limit);
  for (std::int64_t window = limit;; window = std::min(window * 4, b.scan_limit)) {
    auto found = scan_latest(log, topic, partition, b.filter, {b.limit, window}, budget);
    bool whole_log = window >= log.end_offset() - log.log_start_offset();
    if (!found || found->size() >= b.limit || window >= b.scan_limit || whole_log || budget.exhausted)
      return found;
    refund(budget, *found);
  }
}

http::response browse(const storage::log_manager& logs, const std::string& name, const http::request& req) {
  auto topic = logs.describe_topic(name);
  if (!topic) return unknown_topic(name);
  auto b = parse_browse(req);
  if (!b) return bad_request(b.error().message);
  if (b->partition && *b->partition >= topic->partitions)
    return unknown_topic(fmt::format("{} partition {}", name, *b->partition));
  byte_budget budget{max_answer_payload_bytes};
  std::vector<std::vector<found_record>> parts;
  for (std::int32_t p = 0; p < topic->partitions; ++p) {
    if (b->partition && *b->partition != p) continue;
    auto log = logs.partition(name, p);
    if (!log) continue;
    auto records = browse_partition(*log, name, p, *b, budget);
    if (!records) return http::error_response(500, records.error().describe());
    parts.push_back(std::move(*records));
  }
  bool forward = b->offset || b->timestamp;
  auto merged = forward ? merge_oldest_first(std::move(parts), b->limit)
                        : merge_newest_first(std::move(parts), b->limit);
  std::string out = "{\"messages\":[";
  for (std::size_t i = 0; i < merged.size(); ++i) {
    if (i) out += ',';
    append_record_json(out, merged[i], false);
  }
  return http::json_response(200, out + "]}");
}

}  // namespace

http::handler_result topics_route(const services& s, const http::request& req, const std::string& rest) {
  if (rest.empty()) return list_topics(s.logs);
  std::string name = rest.substr(1);
  if (name.ends_with("/messages")) return browse(s.logs, name.substr(0, name.size() - 9), req);
  if (name.find('/') != std::string::npos) return http::error_response(404, "no such endpoint: " + req.path);
  return describe_topic(s.logs, name);
}

}  // namespace sluice::app::console
