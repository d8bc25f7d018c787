// cli/offset_reset.h — planning `sluice group reset-offsets`: where each partition of a topic moves a
// group's committed offset to (earliest, latest, an offset, or a point in time), and the rule that
// offsets are only reset while the group has no members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/group_admin.h"
#include "cli/topic_admin.h"

namespace sluice::cli {

struct reset_target {
  enum class kind { earliest, latest, offset, datetime };
  kind to = kind::earliest;
  std::int64_t value = 0;  // the offset (offset) or ms since the epoch (datetime)
};

struct reset_step {
  std::int32_t partition = 0;
  std::optional<std::int64_t> current;  // the committed offset; nullopt: none
  std::int64_t next = 0;                // the offset to commit
};

// The offset `target` means in partition `p` (its low and high watermarks). An offset outside
// [low, high] is moved to the nearer end, as Kafka's tool does. For datetime, `at_time` is the first
// offset at or after the time (ListOffsets by timestamp), negative when there is none: then the log end.
std::int64_t resolve_target(const reset_target& target, const partition_info& p, std::int64_t at_time);

// Fails (naming the state and member count) unless the group exists and has no members: brokers
// refuse admin commits to a group with members, and a running consumer would overwrite them anyway.
result<void> require_no_members(rd_kafka_t* client, const client_options& options, const std::string& group);

// One step per partition of `topic` (or only `partitions`, which must exist), sorted by partition.
result<std::vector<reset_step>> plan_reset(rd_kafka_t* client, const client_options& options,
                                           const std::string& group, const std::string& topic,
                                           const std::vector<std::int32_t>& partitions,
                                           const reset_target& target);

}  // namespace sluice::cli
