// engine/topic_writer.h — how the SQL engine writes to topics (sinks, dead letters, late events, its
// catalog): records become a v2 batch per partition, appended through the same partition_log path a
// Kafka Produce takes, so fetches waiting on the topic wake at once. Keys pick partitions as
// Kafka's Java client does (murmur2), so keyed consumers and compacted topics see what they expect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sluice::storage {
class log_manager;
}

namespace sluice::engine {

struct output_record {
  std::optional<std::string> key;    // nullopt: no key (partitions round robin)
  std::optional<std::string> value;  // nullopt: a tombstone
  std::int64_t timestamp_ms = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Milliseconds since the epoch, the timestamp the engine gives records it writes.
std::int64_t wall_clock_ms();

// Kafka's default partitioner for keyed records: murmur2(key) made positive, modulo the count.
std::int32_t partition_for_key(std::string_view key, std::int32_t partitions);
std::uint32_t murmur2(std::string_view data);

class topic_writer {
 public:
  // The topic is created with `partitions` partitions and no config overrides on the first write
  // if it does not exist.
  topic_writer(storage::log_manager& logs, std::string topic, std::int32_t partitions = 1);

  // Appends the records, one batch per partition, in order within each partition.
  result<void> write(const std::vector<output_record>& records);
  // The partition write() would give `record` (keyed: by its key; unkeyed: the next in turn).
  result<std::int32_t> partition_of(const output_record& record);
  // Appends `records` to one partition in order, as one batch or, past the topic's max.message.bytes,
  // as several.
  result<void> append(std::int32_t partition, const std::vector<const output_record*>& records);
  const std::string& topic() const { return topic_; }

 private:
  result<std::int32_t> partition_count();

  storage::log_manager& logs_;
  std::string topic_;
  std::int32_t create_partitions_;
  std::uint32_t next_unkeyed_ = 0;
};

}  // namespace sluice::engine
