// group/kafka_api.h — the Kafka group APIs over the group coordinator: each function takes the
// decoded request and the version it came in, and produces the response to encode at that version.
// JoinGroup and SyncGroup answer through `done`, later, once the rebalance gets there (from an io
// thread or a timer); `done` is called exactly once. The rest answer at once.
// FindCoordinator lives with the broker (it answers the broker's own address).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "group/coordinator.h"
#include "kafka/protocol/generated/all.h"

namespace sluice::group {

struct request_info {
  std::int16_t version = 0;
  std::string client_id;
};

void handle_join_group(group_coordinator& groups, kafka::join_group_request request, const request_info& info,
                       std::function<void(kafka::join_group_response)> done);
void handle_sync_group(group_coordinator& groups, kafka::sync_group_request request, const request_info& info,
                       std::function<void(kafka::sync_group_response)> done);
kafka::heartbeat_response handle_heartbeat(group_coordinator& groups, const kafka::heartbeat_request& request,
                                           std::int16_t version);
kafka::leave_group_response handle_leave_group(group_coordinator& groups,
                                               const kafka::leave_group_request& request,
                                               std::int16_t version);
kafka::offset_commit_response handle_offset_commit(group_coordinator& groups,
                                                   const kafka::offset_commit_request& request,
                                                   std::int16_t version);
kafka::offset_fetch_response handle_offset_fetch(group_coordinator& groups,
                                                 const kafka::offset_fetch_request& request,
                                                 std::int16_t version);
kafka::offset_delete_response handle_offset_delete(group_coordinator& groups,
                                                   const kafka::offset_delete_request& request,
                                                   std::int16_t version);
kafka::list_groups_response handle_list_groups(group_coordinator& groups,
                                               const kafka::list_groups_request& request,
                                               std::int16_t version);
kafka::describe_groups_response handle_describe_groups(group_coordinator& groups,
                                                       const kafka::describe_groups_request& request,
                                                       std::int16_t version);
kafka::delete_groups_response handle_delete_groups(group_coordinator& groups,
                                                   const kafka::delete_groups_request& request,
                                                   std::int16_t version);

}  // namespace sluice::group
