#include "engine/topic_writer.h"

#include <chrono>
#include <map>

#include "model/record_batch_builder.h"
#include "storage/log_manager.h"

namespace sluice::engine {

std::uint32_t murmur2(std::string_view data) {
  // Kafka's org.apache.kafka.common.utils.Utils.murmur2, byte for byte.
  constexpr std::uint32_t seed = 0x9747b28c;
  constexpr std::uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  auto length = static_cast<std::uint32_t>(data.size());
  std::uint32_t h = seed ^ length;
  std::size_t quads = data.size() / 4;
  auto byte = [&data](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(data[i]));
  };
  for (std::size_t i = 0; i < quads; ++i) {
    std::size_t at = i * 4;
    std::uint32_t k = byte(at) | byte(at + 1) << 8 | byte(at + 2) << 16 | byte(at + 3) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  std::size_t tail = quads * 4;
  switch (data.size() % 4) {
    case 3:
      h ^= byte(tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= byte(tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= byte(tail);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int32_t partition_for_key(std::string_view key, std::int32_t partitions) {
  return static_cast<std::int32_t>((murmur2(key) & 0x7fffffff) % static_cast<std::uint32_t>(partitions));
}

topic_writer::topic_writer(storage::log_manager& logs, std::string topic, std::int32_t partitions)
    : logs_(logs), topic_(std::move(topic)), create_partitions_(partitions) {}

result<std::int32_t> topic_writer::partition_count() {
  if (auto existing = logs_.describe_topic(topic_)) return existing->partitions;
  auto created = logs_.create_topic(topic_, create_partitions_, {});
  if (!created && created.error().code != errc::already_exists) return tl::unexpected(created.error());
  auto existing = logs_.describe_topic(topic_);
  if (!existing) return fail(errc::not_found, "topic " + topic_ + " vanished after creation");
  return existing->partitions;
}

result<std::int32_t> topic_writer::partition_of(const output_record& record) {
  SLUICE_ASSIGN_OR_RETURN(std::int32_t partitions, partition_count());
  if (record.key) return partition_for_key(*record.key, partitions);
  return static_cast<std::int32_t>(next_unkeyed_++ % static_cast<std::uint32_t>(partitions));
}

result<void> topic_writer::write(const std::vector<output_record>& records) {
  std::map<std::int32_t, std::vector<const output_record*>> by_partition;
  for (const auto& record : records) {
    SLUICE_ASSIGN_OR_RETURN(std::int32_t p, partition_of(record));
    by_partition[p].push_back(&record);
  }
  for (const auto& [p, in_partition] : by_partition) SLUICE_RETURN_IF_ERROR(append(p, in_partition));
  return {};
}

result<void> topic_writer::append(std::int32_t partition, const std::vector<const output_record*>& records) {
  if (records.empty()) return {};
  model::record_batch_builder builder;
  for (const output_record* record : records) {
    std::vector<model::record_batch_builder::header> headers;
    for (const auto& [k, v] : record->headers) headers.push_back({k, v});
    std::optional<std::string_view> key, value;
    if (record->key) key = *record->key;
    if (record->value) value = *record->value;
    builder.add(key, value, record->timestamp_ms, headers);
  }
  auto log = logs_.partition(topic_, partition);
  if (!log)
    return fail(errc::not_found, "topic " + topic_ + " has no partition " + std::to_string(partition));
  auto batch = builder.build();
  SLUICE_RETURN_IF_ERROR(log->append(batch));
  return {};
}

}  // namespace sluice::engine
