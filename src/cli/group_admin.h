// cli/group_admin.h — consumer group administration over the Kafka Admin API: list, describe (members
// and their assignments), committed offsets (read and alter), delete. Works against any Kafka broker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/kafka_client.h"

namespace sluice::cli {

struct topic_partition {
  std::string topic;
  std::int32_t partition = 0;

  friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

struct group_listing {
  std::string id;
  std::string state;  // Stable, Empty, PreparingRebalance, ... (librdkafka's names)
};

struct group_member {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::optional<std::string> instance_id;   // static members only
  std::vector<topic_partition> assignment;  // sorted
};

struct group_description {
  std::string id;
  std::string state;
  std::string protocol;  // the assignor, e.g. range; empty unless the group is Stable
  std::vector<group_member> members;
};

struct committed_offset {
  topic_partition where;
  std::int64_t offset = -1;  // -1: nothing committed
};

// One partition in `sluice group describe`: lag = log end - committed.
struct partition_lag {
  topic_partition where;
  std::optional<std::int64_t> committed;  // nullopt: assigned but nothing committed
  std::optional<std::int64_t> log_end;    // nullopt: the topic is no longer in the broker's metadata

  std::optional<std::int64_t> lag() const {
    if (!committed || !log_end) return std::nullopt;
    return *log_end - *committed;
  }
};

// Every consumer group the broker lists, sorted by id.
result<std::vector<group_listing>> list_groups(rd_kafka_t* client, const client_options& options);

// The group's state and members; not_found ("no group 'G'") when the broker does not know it, which it
// reports as the state Dead.
result<group_description> describe_group(rd_kafka_t* client, const client_options& options,
                                         const std::string& group);

// The group's committed offsets for every partition it has committed, sorted.
result<std::vector<committed_offset>> list_group_offsets(rd_kafka_t* client, const client_options& options,
                                                         const std::string& group);

// Commits `offsets` for the group as an admin (outside any generation); brokers accept that only while
// the group has no members. Fails on the first partition the broker refused.
result<void> alter_group_offsets(rd_kafka_t* client, const client_options& options, const std::string& group,
                                 const std::vector<committed_offset>& offsets);

// Every partition the group has committed or its members are assigned, sorted, with its committed offset
// and log end offset (high watermark).
result<std::vector<partition_lag>> group_lag(rd_kafka_t* client, const client_options& options,
                                             const group_description& group);

// Deletes the group and its committed offsets; the broker refuses a group with members.
result<void> delete_group(rd_kafka_t* client, const client_options& options, const std::string& group);

}  // namespace sluice::cli
