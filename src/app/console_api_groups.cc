// app/console_api_groups.cc — GET /api/groups, /api/groups/{id} and the SSE /api/groups/{id}/stream
// over the group coordinator (docs/http-api.md, "Consumer groups").
//
// Members' assignments are decoded when the group speaks the consumer protocol (protocol type
// "consumer"); other protocols' assignments are opaque and listed empty. Lag is per committed
// partition: end offset − committed offset.
//
// The stream: a periodic_feed pushes a `group` event to every watcher each second.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "app/console_api_internal.h"
#include "app/periodic_feed.h"
#include "app/server_runtime.h"
#include "base/json_string.h"
#include "group/coordinator.h"
#include "kafka/protocol/generated/consumer_protocol_assignment.h"
#include "kafka/protocol/wire.h"

namespace sluice::app::console {
namespace {

constexpr auto stream_interval = std::chrono::seconds(1);

// The consumer protocol's assignment: an int16 version, then the versioned body. Empty when absent
// or not decodable (a rebalance in progress, or another protocol).
using assignment_list = std::vector<kafka::consumer_protocol_assignment::topic_partition>;

assignment_list assigned(const group::bytes& assignment) {
  if (assignment.empty()) return {};
  kafka::reader r{bytes_view(assignment)};
  auto version = r.read_int16();
  if (!version || *version < 0) return {};
  kafka::consumer_protocol_assignment decoded;
  auto std_version = std::min<std::int16_t>(*version, kafka::consumer_protocol_assignment::max_version);
  if (!decoded.decode(r, std_version)) return {};
  std::sort(decoded.assigned_partitions.begin(), decoded.assigned_partitions.end(),
            [](const auto& a, const auto& b) { return a.topic < b.topic; });
  return decoded.assigned_partitions;
}

void append_member(std::string& out, const group::member_summary& m, bool consumer) {
  out += "{\"member_id\":";
  append_json_string(out, m.member_id);
  out += ",\"group_instance_id\":";
  if (m.instance_id) {
    append_json_string(out, *m.instance_id);
  } else {
    out += "null";
  }
  out += ",\"client_id\":";
  append_json_string(out, m.client_id);
  // The broker does not pass connections' peer addresses to the coordinator (yet).
  out += ",\"client_host\":\"\",\"assignments\":[";
  bool first = true;
  auto assignments = consumer ? assigned(m.assignment) : assignment_list{};
  for (auto& tp : assignments) {
    std::sort(tp.partitions.begin(), tp.partitions.end());
    out += first ? "{\"topic\":" : ",{\"topic\":";
    first = false;
    append_json_string(out, tp.topic);
    out += fmt::format(",\"partitions\":[{}]}}", fmt::join(tp.partitions, ","));
  }
  out += "]}";
}

std::int64_t total_lag(const std::vector<group::partition_lag>& lags) {
  std::int64_t total = 0;
  for (const auto& l : lags) total += l.lag;
  return total;
}

void append_header(std::string& out, const std::string& id, const group::group_summary& summary) {
  out += "{\"group_id\":";
  append_json_string(out, id);
  out += ",\"state\":";
  append_json_string(out, group::state_name(summary.state));
  out += ",\"protocol_type\":";
  append_json_string(out, summary.protocol_type);
  out += ",\"protocol\":";
  append_json_string(out, summary.protocol_name);
}

http::response list_groups(const group::group_coordinator& groups) {
  std::string out = "{\"groups\":[";
  bool first = true;
  for (const auto& g : groups.list()) {
    if (!first) out += ',';
    first = false;
    auto summary = g->describe();
    append_header(out, g->id(), summary);
    out +=
        fmt::format(",\"members\":{},\"lag\":{}}}", summary.members.size(), total_lag(groups.lag(g->id())));
  }
  return http::json_response(200, out + "]}");
}

// The group's JSON, or nullopt when there is no such group.
std::optional<std::string> group_json(const group::group_coordinator& groups, const std::string& id) {
  auto g = groups.find(id);
  if (!g) return std::nullopt;
  auto summary = g->describe();
  std::string out;
  append_header(out, id, summary);
  out += fmt::format(",\"generation\":{},\"members\":[", summary.generation);
  bool consumer = summary.protocol_type == "consumer";
  for (std::size_t i = 0; i < summary.members.size(); ++i) {
    if (i) out += ',';
    append_member(out, summary.members[i], consumer);
  }
  out += "],\"offsets\":[";
  auto lags = groups.lag(id);
  for (std::size_t i = 0; i < lags.size(); ++i) {
    if (i) out += ',';
    out += "{\"topic\":";
    append_json_string(out, lags[i].partition.topic);
    out += fmt::format(",\"partition\":{},\"committed\":{},\"end_offset\":{},\"lag\":{}}}",
                       lags[i].partition.partition, lags[i].committed, lags[i].end_offset, lags[i].lag);
  }
  out += fmt::format("],\"lag\":{}}}", total_lag(lags));
  return out;
}

std::string unknown_group_json(const std::string& id) { return unknown_group(id).body; }

}  // namespace

// A group that disappears (deleted, or expired) is reported, and watched on in case it returns.
std::shared_ptr<periodic_feed> make_group_streams(const services& s) {
  const group::group_coordinator& groups = s.groups;
  return std::make_shared<periodic_feed>(stream_interval, [&groups](const std::string& group_id) {
    if (auto json = group_json(groups, group_id))
      return std::make_pair(std::string("group"), std::move(*json));
    return std::make_pair(std::string("error"), unknown_group_json(group_id));
  });
}

http::handler_result groups_route(const services& s, const std::shared_ptr<periodic_feed>& streams,
                                  const http::request& req, const std::string& rest) {
  if (rest.empty()) return list_groups(s.groups);
  std::string id = rest.substr(1);
  bool stream = id.ends_with("/stream");
  if (stream) id.resize(id.size() - 7);
  // Group ids may hold '/': everything between the prefix and an ending "/stream" is the id.
  if (id.empty()) return http::error_response(404, "no such endpoint: " + req.path);
  if (!stream) {
    auto json = group_json(s.groups, id);
    if (!json) return unknown_group(id);
    return http::json_response(200, *json);
  }
  if (!s.groups.find(id)) return unknown_group(id);
  std::weak_ptr<periodic_feed> weak = streams;
  return http::stream_starter([weak, id](std::shared_ptr<http::event_stream> events) {
    if (auto ticker = weak.lock()) ticker->watch(events, id);
  });
}

}  // namespace sluice::app::console
