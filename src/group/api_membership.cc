// JoinGroup, SyncGroup, Heartbeat and LeaveGroup: translate between the wire and group.h.
#include "group/kafka_api.h"

namespace sluice::group {
namespace {

std::int16_t code(kafka::error_code e) { return static_cast<std::int16_t>(e); }

kafka::join_group_response to_response(join_result r, std::int16_t version) {
  kafka::join_group_response out;
  out.error_code = code(r.error);
  out.generation_id = r.generation;
  out.member_id = std::move(r.member_id);
  out.leader = std::move(r.leader);
  bool ok = r.error == kafka::error_code::none;
  if (ok) out.protocol_type = std::move(r.protocol_type);
  // Nullable from v7: an error carries no protocol.
  out.protocol_name = ok || version < 7 ? std::optional(std::move(r.protocol_name)) : std::nullopt;
  for (auto& m : r.members)
    out.members.push_back({.member_id = std::move(m.member_id),
                           .group_instance_id = std::move(m.instance_id),
                           .metadata = std::move(m.metadata)});
  return out;
}

}  // namespace

void handle_join_group(group_coordinator& groups, kafka::join_group_request request, const request_info& info,
                       std::function<void(kafka::join_group_response)> done) {
  auto version = info.version;
  if (request.group_id.empty()) {
    return done(to_response(join_error(kafka::error_code::invalid_group_id, request.member_id), version));
  }
  join_request join{
      .member_id = std::move(request.member_id),
      .instance_id = std::move(request.group_instance_id),
      .client_id = info.client_id,
      .session_timeout_ms = request.session_timeout_ms,
      .rebalance_timeout_ms = version >= 1 ? request.rebalance_timeout_ms : request.session_timeout_ms,
      .protocol_type = std::move(request.protocol_type),
      .protocols = {},
      .require_known_member_id = version >= 4};
  for (auto& p : request.protocols)
    join.protocols.push_back({.name = std::move(p.name), .metadata = std::move(p.metadata)});
  groups.get_or_create(request.group_id)
      ->join(std::move(join),
             [done = std::move(done), version](join_result r) { done(to_response(std::move(r), version)); });
}

void handle_sync_group(group_coordinator& groups, kafka::sync_group_request request, const request_info& info,
                       std::function<void(kafka::sync_group_response)> done) {
  auto reply = [done, version = info.version](sync_result r) {
    kafka::sync_group_response out;
    out.error_code = code(r.error);
    if (r.error == kafka::error_code::none && version >= 5) {
      out.protocol_type = std::move(r.protocol_type);
      out.protocol_name = std::move(r.protocol_name);
    }
    out.assignment = std::move(r.assignment);
    done(std::move(out));
  };
  auto g = groups.find(request.group_id);
  if (request.group_id.empty()) return reply(sync_error(kafka::error_code::invalid_group_id));
  if (!g) return reply(sync_error(kafka::error_code::unknown_member_id));
  sync_request sync{.generation = request.generation_id,
                    .member_id = std::move(request.member_id),
                    .instance_id = std::move(request.group_instance_id),
                    .protocol_type = std::move(request.protocol_type),
                    .protocol_name = std::move(request.protocol_name),
                    .assignments = {}};
  for (auto& a : request.assignments)
    sync.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  g->sync(std::move(sync), std::move(reply));
}

kafka::heartbeat_response handle_heartbeat(group_coordinator& groups, const kafka::heartbeat_request& request,
                                           std::int16_t) {
  kafka::heartbeat_response out;
  auto g = groups.find(request.group_id);
  auto error = request.group_id.empty() ? kafka::error_code::invalid_group_id
               : !g                     ? kafka::error_code::unknown_member_id
                    : g->heartbeat(request.generation_id, request.member_id, request.group_instance_id);
  out.error_code = code(error);
  return out;
}

// v0-2 name one member at the top level; v3+ a batch of identities, each answered on its own.
kafka::leave_group_response handle_leave_group(group_coordinator& groups,
                                               const kafka::leave_group_request& request,
                                               std::int16_t version) {
  kafka::leave_group_response out;
  std::vector<member_identity> who;
  if (version < 3) {
    who.push_back({.member_id = request.member_id, .instance_id = std::nullopt});
  } else {
    for (const auto& m : request.members)
      who.push_back({.member_id = m.member_id, .instance_id = m.group_instance_id});
  }
  auto g = groups.find(request.group_id);
  std::vector<kafka::error_code> errors(who.size(), kafka::error_code::unknown_member_id);
  if (g) errors = g->leave(who);
  if (version < 3) {
    out.error_code = code(errors.empty() ? kafka::error_code::none : errors.front());
    return out;
  }
  for (std::size_t i = 0; i < who.size(); ++i)
    out.members.push_back({.member_id = who[i].member_id,
                           .group_instance_id = who[i].instance_id,
                           .error_code = code(errors[i])});
  return out;
}

}  // namespace sluice::group
