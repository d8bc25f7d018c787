// OffsetCommit, OffsetFetch and OffsetDelete: translate between the wire and group.h.
#include <chrono>

#include "group/kafka_api.h"

namespace sluice::group {
namespace {

std::int16_t code(kafka::error_code e) { return static_cast<std::int16_t>(e); }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool partition_exists(group_coordinator& groups, const std::string& topic, std::int32_t partition) {
  return groups.logs() == nullptr || groups.logs()->partition(topic, partition) != nullptr;
}

// The committed offsets of `topics` (all of the group's when null), in the shape both OffsetFetch
// layouts share.
struct fetched {
  std::string topic;
  std::vector<std::pair<std::int32_t, std::optional<committed_offset>>> partitions;
};

template <typename Topic>
std::vector<fetched> fetch(group_coordinator& groups, const std::string& group_id,
                           const std::optional<std::vector<Topic>>& topics) {
  auto g = groups.find(group_id);
  std::vector<fetched> out;
  if (!topics) {
    if (!g) return out;
    for (const auto& [tp, offset] : g->all_committed()) {
      if (out.empty() || out.back().topic != tp.topic) out.push_back({.topic = tp.topic, .partitions = {}});
      out.back().partitions.emplace_back(tp.partition, offset);
    }
    return out;
  }
  for (const auto& t : *topics) {
    fetched f{.topic = t.name, .partitions = {}};
    for (auto p : t.partition_indexes)
      f.partitions.emplace_back(p, g ? g->committed({.topic = t.name, .partition = p}) : std::nullopt);
    out.push_back(std::move(f));
  }
  return out;
}

template <typename Partition>
Partition to_partition(std::int32_t index, const std::optional<committed_offset>& offset) {
  Partition p;
  p.partition_index = index;
  p.committed_offset = offset ? offset->offset : -1;
  p.committed_leader_epoch = offset ? offset->leader_epoch : -1;
  p.metadata = offset ? offset->metadata : std::string();
  p.error_code = 0;
  return p;
}

}  // namespace

kafka::offset_commit_response handle_offset_commit(group_coordinator& groups,
                                                   const kafka::offset_commit_request& request,
                                                   std::int16_t version) {
  kafka::offset_commit_response out;
  std::vector<std::pair<topic_partition, committed_offset>> offsets;
  // Per-partition errors first (unknown partition, metadata too large); the rest share the group's answer.
  std::vector<std::vector<kafka::error_code>> errors;
  for (const auto& t : request.topics) {
    auto& topic_errors = errors.emplace_back();
    for (const auto& p : t.partitions) {
      auto e = kafka::error_code::none;
      auto metadata = p.committed_metadata.value_or("");
      if (!partition_exists(groups, t.name, p.partition_index))
        e = kafka::error_code::unknown_topic_or_partition;
      else if (metadata.size() > 4096)
        e = kafka::error_code::offset_metadata_too_large;
      topic_errors.push_back(e);
      if (e != kafka::error_code::none) continue;
      offsets.emplace_back(
          topic_partition{.topic = t.name, .partition = p.partition_index},
          committed_offset{
              .offset = p.committed_offset,
              .leader_epoch = version >= 6 ? p.committed_leader_epoch : -1,
              .metadata = std::move(metadata),
              .commit_timestamp = version == 1 && p.commit_timestamp >= 0 ? p.commit_timestamp : now_ms()});
    }
  }
  auto group_error = kafka::error_code::invalid_group_id;
  if (!request.group_id.empty()) {
    // v0 has no generation: a commit outside any generation.
    auto generation = version >= 1 ? request.generation_id_or_member_epoch : -1;
    auto g = generation < 0 ? groups.get_or_create(request.group_id) : groups.find(request.group_id);
    group_error = !g ? kafka::error_code::unknown_member_id
                     : g->commit(generation, request.member_id, request.group_instance_id, offsets);
  }
  for (std::size_t i = 0; i < request.topics.size(); ++i) {
    kafka::offset_commit_response::offset_commit_response_topic topic{.name = request.topics[i].name,
                                                                      .partitions = {}};
    for (std::size_t j = 0; j < request.topics[i].partitions.size(); ++j) {
      auto e = errors[i][j] != kafka::error_code::none ? errors[i][j] : group_error;
      topic.partitions.push_back(
          {.partition_index = request.topics[i].partitions[j].partition_index, .error_code = code(e)});
    }
    out.topics.push_back(std::move(topic));
  }
  return out;
}

// v0-7 fetch one group; v8+ a batch of groups. A partition without a commit answers offset -1.
kafka::offset_fetch_response handle_offset_fetch(group_coordinator& groups,
                                                 const kafka::offset_fetch_request& request,
                                                 std::int16_t version) {
  using response = kafka::offset_fetch_response;
  response out;
  if (version < 8) {
    if (request.group_id.empty() && version >= 2) out.error_code = code(kafka::error_code::invalid_group_id);
    for (auto& f : fetch(groups, request.group_id, request.topics)) {
      response::offset_fetch_response_topic topic{.name = f.topic, .partitions = {}};
      for (const auto& [p, offset] : f.partitions)
        topic.partitions.push_back(to_partition<response::offset_fetch_response_partition>(p, offset));
      out.topics.push_back(std::move(topic));
    }
    return out;
  }
  for (const auto& g : request.groups) {
    response::offset_fetch_response_group group_out{.group_id = g.group_id, .topics = {}, .error_code = 0};
    if (g.group_id.empty()) group_out.error_code = code(kafka::error_code::invalid_group_id);
    for (auto& f : fetch(groups, g.group_id, g.topics)) {
      response::offset_fetch_response_topics topic{.name = f.topic, .partitions = {}};
      for (const auto& [p, offset] : f.partitions)
        topic.partitions.push_back(to_partition<response::offset_fetch_response_partitions>(p, offset));
      group_out.topics.push_back(std::move(topic));
    }
    out.groups.push_back(std::move(group_out));
  }
  return out;
}

kafka::offset_delete_response handle_offset_delete(group_coordinator& groups,
                                                   const kafka::offset_delete_request& request,
                                                   std::int16_t) {
  kafka::offset_delete_response out;
  auto g = groups.find(request.group_id);
  if (!g) {
    out.error_code = code(kafka::error_code::group_id_not_found);
    return out;
  }
  std::vector<topic_partition> partitions;
  for (const auto& t : request.topics)
    for (const auto& p : t.partitions)
      partitions.push_back({.topic = t.name, .partition = p.partition_index});
  auto errors = g->delete_offsets(partitions);
  std::size_t i = 0;
  for (const auto& t : request.topics) {
    kafka::offset_delete_response::offset_delete_response_topic topic{.name = t.name, .partitions = {}};
    for (const auto& p : t.partitions)
      topic.partitions.push_back({.partition_index = p.partition_index, .error_code = code(errors[i++])});
    out.topics.push_back(std::move(topic));
  }
  return out;
}

}  // namespace sluice::group
