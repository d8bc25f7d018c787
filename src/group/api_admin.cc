// ListGroups, DescribeGroups and DeleteGroups: translate between the wire and the coordinator.
#include <algorithm>
#include <cctype>

#include "group/kafka_api.h"

namespace sluice::group {
namespace {

std::int16_t code(kafka::error_code e) { return static_cast<std::int16_t>(e); }

bool listed(const std::vector<std::string>& filter, std::string_view value) {
  return filter.empty() || std::any_of(filter.begin(), filter.end(), [&](const std::string& f) {
           return std::equal(f.begin(), f.end(), value.begin(), value.end(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
         });
}

}  // namespace

kafka::list_groups_response handle_list_groups(group_coordinator& groups,
                                               const kafka::list_groups_request& request,
                                               std::int16_t version) {
  kafka::list_groups_response out;
  for (const auto& g : groups.list()) {
    auto summary = g->describe();
    auto state = state_name(summary.state);
    if (version >= 4 && !listed(request.states_filter, state)) continue;
    if (version >= 5 && !listed(request.types_filter, "classic")) continue;
    out.groups.push_back({.group_id = g->id(),
                          .protocol_type = summary.protocol_type,
                          .group_state = std::string(state),
                          .group_type = "classic"});
  }
  return out;
}

// Kafka's summary: protocol, member metadata and assignments only while Stable; an unknown group is
// described as Dead, without an error.
kafka::describe_groups_response handle_describe_groups(group_coordinator& groups,
                                                       const kafka::describe_groups_request& request,
                                                       std::int16_t) {
  kafka::describe_groups_response out;
  for (const auto& id : request.groups) {
    kafka::describe_groups_response::described_group d;
    d.group_id = id;
    auto g = groups.find(id);
    if (id.empty()) d.error_code = code(kafka::error_code::invalid_group_id);
    auto summary = g ? g->describe() : group_summary{};
    d.group_state = std::string(state_name(summary.state));
    d.protocol_type = summary.protocol_type;
    bool stable = summary.state == group_state::stable;
    if (stable) d.protocol_data = summary.protocol_name;
    if (request.include_authorized_operations) d.authorized_operations = 0;
    for (auto& m : summary.members) {
      d.members.push_back({.member_id = std::move(m.member_id),
                           .group_instance_id = std::move(m.instance_id),
                           .client_id = std::move(m.client_id),
                           .client_host = "",
                           .member_metadata = stable ? std::move(m.metadata) : bytes{},
                           .member_assignment = stable ? std::move(m.assignment) : bytes{}});
    }
    out.groups.push_back(std::move(d));
  }
  return out;
}

kafka::delete_groups_response handle_delete_groups(group_coordinator& groups,
                                                   const kafka::delete_groups_request& request,
                                                   std::int16_t) {
  kafka::delete_groups_response out;
  for (const auto& id : request.groups_names)
    out.results.push_back({.group_id = id, .error_code = code(groups.remove(id))});
  return out;
}

}  // namespace sluice::group
