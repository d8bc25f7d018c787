// storage/log_config.h — the per-topic settings the log obeys, under Kafka's
// own topic-config names. A topic stores only its overrides; the effective
// config is the overrides resolved over the server-wide defaults.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace sluice::storage {

inline constexpr std::int64_t no_limit = std::numeric_limits<std::int64_t>::max();

struct log_config {
  std::int64_t segment_bytes = 1073741824;      // segment.bytes: roll when the active segment reaches this
  std::int64_t segment_ms = 604800000;          // segment.ms: roll when the active segment is this old
  std::int64_t retention_bytes = -1;            // retention.bytes: -1 keeps any size
  std::int64_t retention_ms = 604800000;        // retention.ms: -1 keeps forever
  std::int64_t flush_messages = no_limit;       // flush.messages: fdatasync after this many records
  std::int64_t flush_ms = 1000;                 // flush.ms: fdatasync at least this often
  std::int64_t max_message_bytes = 1048588;     // max.message.bytes: largest batch accepted
  std::int64_t index_interval_bytes = 4096;     // index.interval.bytes: log bytes between index entries
  std::int64_t segment_index_bytes = 10485760;  // segment.index.bytes: roll when the offset index is this big
  std::string cleanup_policy = "delete";        // cleanup.policy: delete, compact, or compact,delete
  double min_cleanable_dirty_ratio = 0.5;       // min.cleanable.dirty.ratio: clean when this share is dirty
  std::int64_t delete_retention_ms =
      86400000;  // delete.retention.ms: tombstones outlive their first clean by this
  std::int64_t min_compaction_lag_ms = 0;         // min.compaction.lag.ms: records younger are not compacted
  std::int64_t max_compaction_lag_ms = no_limit;  // max.compaction.lag.ms: dirty records older force a clean

  // cleanup.policy names compact: the cleaner keeps the latest record per key.
  bool compacts() const;
  // cleanup.policy names delete: retention.ms / retention.bytes delete old segments.
  bool deletes() const;
};

// Topic-level overrides, by Kafka config name.
using config_overrides = std::map<std::string, std::string>;

// What DescribeConfigs shows for one name.
struct config_entry_info {
  std::string name;
  std::string value;
  bool is_default;  // not overridden by the topic
};

// Every topic config name Sluice understands, in a stable order.
const std::vector<std::string>& topic_config_names();

// Applies `overrides` on top of `defaults`; rejects unknown names and bad
// values with invalid_config, naming both.
result<log_config> resolve_config(const log_config& defaults, const config_overrides& overrides);

// The effective value of every topic config, for describing a topic.
std::vector<config_entry_info> describe_config(const log_config& defaults, const config_overrides& overrides);

}  // namespace sluice::storage
