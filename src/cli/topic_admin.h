// cli/topic_admin.h — topic administration over the Kafka Admin API and metadata: create, list,
// describe (partitions, watermarks, configs), alter configs, delete. Works against any Kafka broker.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/kafka_client.h"

namespace sluice::cli {

struct partition_info {
  std::int32_t id = 0;
  std::int32_t leader = -1;
  std::int64_t low = -1;   // log start offset
  std::int64_t high = -1;  // high watermark
};

struct config_entry {
  std::string name;
  std::optional<std::string> value;  // nullopt: sensitive or unset
  std::string source;                // e.g. DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG
  bool is_override = false;          // set on the topic itself
  bool read_only = false;
};

result<void> create_topic(rd_kafka_t* client, const client_options& options, const std::string& name,
                          int partitions, int replication_factor, const std::vector<property>& configs);

// The partition count of `name`, creating the topic with `partitions` (replication factor 1) and
// `configs` when the broker does not list it, then waiting up to options.timeout for it to show up in
// metadata. The lookup asks for all topics: asking for one by name could auto-create it with the
// broker's default partitions. A failed create (it raced with another, or the broker does not serve
// CreateTopics) only matters when the topic never appears; the error then carries its reason.
result<std::int32_t> ensure_topic(rd_kafka_t* client, const client_options& options, const std::string& name,
                                  int partitions, const std::vector<property>& configs);

result<void> delete_topic(rd_kafka_t* client, const client_options& options, const std::string& name);

// Every topic the broker lists, sorted by name.
result<std::vector<std::string>> list_topics(rd_kafka_t* client, const client_options& options);

// The topic's partitions, by id, with their leaders and watermarks.
result<std::vector<partition_info>> describe_partitions(rd_kafka_t* client, const client_options& options,
                                                        const std::string& name);

// The first offset at or after `ms` (ms since the epoch) in each of `partitions` of `topic`, by
// ListOffsets with a timestamp; negative where no record is that recent. `what` names the flag in errors.
result<std::map<std::int32_t, std::int64_t>> offsets_for_time(rd_kafka_t* client,
                                                              const client_options& options,
                                                              const std::string& topic,
                                                              const std::vector<std::int32_t>& partitions,
                                                              std::int64_t ms, const std::string& what);

// The topic's configs, sorted by name.
result<std::vector<config_entry>> describe_configs(rd_kafka_t* client, const client_options& options,
                                                   const std::string& name);

// Sets `set` and removes `remove` from the topic's overrides, keeping the others. librdkafka 2.0 has
// no IncrementalAlterConfigs, so this reads the overrides and writes the merged set with
// AlterConfigs: an alter by someone else between the two requests is overwritten.
result<void> alter_configs(rd_kafka_t* client, const client_options& options, const std::string& name,
                           const std::vector<property>& set, const std::vector<std::string>& remove);

}  // namespace sluice::cli
