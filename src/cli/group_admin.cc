#include "cli/group_admin.h"

#include <algorithm>
#include <map>

#include "cli/topic_admin.h"

namespace sluice::cli {
namespace {

using delete_group_handle = std::unique_ptr<rd_kafka_DeleteGroup_t, rdkafka_deleter>;
using list_offsets_handle = std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, rdkafka_deleter>;
using alter_offsets_handle = std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t, rdkafka_deleter>;

std::string quoted(const std::string& group) { return "group '" + group + "'"; }

error group_error(rd_kafka_resp_err_t code, const char* message, const std::string& group) {
  if (code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) return error{errc::not_found, "no " + quoted(group)};
  if (code == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP)
    return error{errc::io_error, quoted(group) + " has active members"};
  auto e = kafka_error(code, quoted(group));
  if (message != nullptr && *message != '\0' && e.message.find(message) == std::string::npos)
    e.message += std::string(" (") + message + ")";
  return e;
}

// The one group in a DeleteGroups/ListConsumerGroupOffsets/AlterConsumerGroupOffsets result, or its error.
result<const rd_kafka_group_result_t*> one_group(const rd_kafka_group_result_t* const* groups,
                                                 std::size_t count, const std::string& group) {
  if (count != 1)
    return fail(errc::io_error, "expected one group in the broker's answer, got " + std::to_string(count));
  if (const auto* e = rd_kafka_group_result_error(groups[0]); e != nullptr)
    return tl::unexpected(group_error(rd_kafka_error_code(e), rd_kafka_error_string(e), group));
  return groups[0];
}

std::vector<topic_partition> partitions_of(const rd_kafka_topic_partition_list_t* list) {
  std::vector<topic_partition> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i)
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  std::sort(out.begin(), out.end());
  return out;
}

group_member to_member(const rd_kafka_MemberDescription_t* m) {
  group_member out;
  out.member_id = rd_kafka_MemberDescription_consumer_id(m);
  out.client_id = rd_kafka_MemberDescription_client_id(m);
  if (const char* host = rd_kafka_MemberDescription_host(m); host != nullptr) out.host = host;
  if (const char* id = rd_kafka_MemberDescription_group_instance_id(m); id != nullptr) out.instance_id = id;
  if (const auto* a = rd_kafka_MemberDescription_assignment(m); a != nullptr)
    out.assignment = partitions_of(rd_kafka_MemberAssignment_partitions(a));
  return out;
}

}  // namespace

result<std::vector<group_listing>> list_groups(rd_kafka_t* client, const client_options& options) {
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  rd_kafka_ListConsumerGroups(client, o, q);
                                                }));
  const auto* listed = rd_kafka_event_ListConsumerGroups_result(event.get());
  std::size_t count = 0;
  const auto* const* errors = rd_kafka_ListConsumerGroups_result_errors(listed, &count);
  if (count > 0)
    return fail(kafka_error(rd_kafka_error_code(errors[0]), "").code,
                std::string("listing groups: ") + rd_kafka_error_string(errors[0]));
  const auto* const* valid = rd_kafka_ListConsumerGroups_result_valid(listed, &count);
  std::vector<group_listing> out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back({rd_kafka_ConsumerGroupListing_group_id(valid[i]),
                   rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i]))});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

result<group_description> describe_group(rd_kafka_t* client, const client_options& options,
                                         const std::string& group) {
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  const char* id = group.c_str();
                                                  rd_kafka_DescribeConsumerGroups(client, &id, 1, o, q);
                                                }));
  std::size_t count = 0;
  const auto* const* groups = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(event.get()), &count);
  if (count != 1)
    return fail(errc::io_error, "expected one group in the broker's answer, got " + std::to_string(count));
  const auto* g = groups[0];
  if (const auto* e = rd_kafka_ConsumerGroupDescription_error(g); e != nullptr)
    return tl::unexpected(group_error(rd_kafka_error_code(e), rd_kafka_error_string(e), group));
  auto state = rd_kafka_ConsumerGroupDescription_state(g);
  if (state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD) return fail(errc::not_found, "no " + quoted(group));
  group_description out;
  out.id = group;
  out.state = rd_kafka_consumer_group_state_name(state);
  if (const char* p = rd_kafka_ConsumerGroupDescription_partition_assignor(g); p != nullptr) out.protocol = p;
  for (std::size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(g); ++i)
    out.members.push_back(to_member(rd_kafka_ConsumerGroupDescription_member(g, i)));
  std::sort(out.members.begin(), out.members.end(),
            [](const auto& a, const auto& b) { return a.member_id < b.member_id; });
  return out;
}

result<std::vector<committed_offset>> list_group_offsets(rd_kafka_t* client, const client_options& options,
                                                         const std::string& group) {
  // No partitions: every partition the group has committed.
  list_offsets_handle request(rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = request.get();
                                                  rd_kafka_ListConsumerGroupOffsets(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  const auto* const* groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &count);
  SLUICE_ASSIGN_OR_RETURN(const auto* g, one_group(groups, count, group));
  const auto* list = rd_kafka_group_result_partitions(g);
  std::vector<committed_offset> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    const auto& p = list->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return tl::unexpected(kafka_error(
          p.err, "committed offset of " + std::string(p.topic) + "[" + std::to_string(p.partition) + "]"));
    if (p.offset >= 0) out.push_back({{p.topic, p.partition}, p.offset});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.where < b.where; });
  return out;
}

result<void> alter_group_offsets(rd_kafka_t* client, const client_options& options, const std::string& group,
                                 const std::vector<committed_offset>& offsets) {
  partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& o : offsets)
    rd_kafka_topic_partition_list_add(list.get(), o.where.topic.c_str(), o.where.partition)->offset =
        o.offset;
  alter_offsets_handle request(rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get()));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = request.get();
                                                  rd_kafka_AlterConsumerGroupOffsets(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  const auto* const* groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(event.get()), &count);
  SLUICE_ASSIGN_OR_RETURN(const auto* g, one_group(groups, count, group));
  const auto* done = rd_kafka_group_result_partitions(g);
  for (int i = 0; done != nullptr && i < done->cnt; ++i) {
    const auto& p = done->elems[i];
    if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    return tl::unexpected(kafka_error(p.err, "committing the offset of " + std::string(p.topic) + "[" +
                                                 std::to_string(p.partition) + "] for " + quoted(group)));
  }
  return {};
}

result<std::vector<partition_lag>> group_lag(rd_kafka_t* client, const client_options& options,
                                             const group_description& group) {
  std::map<topic_partition, partition_lag> rows;
  SLUICE_ASSIGN_OR_RETURN(auto committed, list_group_offsets(client, options, group.id));
  for (const auto& c : committed) rows[c.where] = {c.where, c.offset, std::nullopt};
  for (const auto& m : group.members)
    for (const auto& tp : m.assignment) rows.try_emplace(tp, partition_lag{tp, std::nullopt, std::nullopt});
  std::map<std::string, std::vector<partition_info>> topics;
  for (const auto& [tp, row] : rows) {
    if (topics.count(tp.topic) != 0) continue;
    auto described = describe_partitions(client, options, tp.topic);
    if (!described && described.error().code != errc::not_found) return tl::unexpected(described.error());
    topics[tp.topic] = described ? std::move(*described) : std::vector<partition_info>{};
  }
  std::vector<partition_lag> out;
  for (auto& [tp, row] : rows) {
    for (const auto& p : topics[tp.topic])
      if (p.id == tp.partition) row.log_end = p.high;
    out.push_back(row);
  }
  return out;
}

result<void> delete_group(rd_kafka_t* client, const client_options& options, const std::string& group) {
  delete_group_handle request(rd_kafka_DeleteGroup_new(group.c_str()));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_DELETEGROUPS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = request.get();
                                                  rd_kafka_DeleteGroups(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  const auto* const* groups =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event.get()), &count);
  SLUICE_RETURN_IF_ERROR(one_group(groups, count, group));
  return {};
}

}  // namespace sluice::cli
