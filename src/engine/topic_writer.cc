#include "engine/topic_writer.h"

#include <algorithm>
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

namespace {

// An upper bound on a record's bytes in a v2 batch: its fields and five varints of at most 5 bytes.
std::size_t record_bytes(const output_record& r) {
  std::size_t n = 32 + (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& [k, v] : r.headers) n += 10 + k.size() + v.size();
  return n;
}

}  // namespace

result<void> topic_writer::append(std::int32_t partition, const std::vector<const output_record*>& records) {
  if (records.empty()) return {};
  auto log = logs_.partition(topic_, partition);
  if (!log)
    return fail(errc::not_found, "topic " + topic_ + " has no partition " + std::to_string(partition));
  // As many batches as the topic's max.message.bytes needs (an INSERT of many rows, a large sink
  // output); a single record over it still fails, as a producer's would.
  constexpr std::size_t batch_header_bytes = 61;
  auto limit = static_cast<std::size_t>(std::max<std::int64_t>(log->config().max_message_bytes, 0));
  limit = limit > batch_header_bytes ? limit - batch_header_bytes : 0;
  std::size_t at = 0;
  while (at < records.size()) {
    model::record_batch_builder builder;
    std::size_t bytes = 0;
    for (; at < records.size(); ++at) {
      const output_record* record = records[at];
      std::size_t size = record_bytes(*record);
      if (builder.record_count() > 0 && bytes + size > limit) break;
      bytes += size;
      std::vector<model::record_batch_builder::header> headers;
      for (const auto& [k, v] : record->headers) headers.push_back({k, v});
      std::optional<std::string_view> key, value;
      if (record->key) key = *record->key;
      if (record->value) value = *record->value;
      builder.add(key, value, record->timestamp_ms, headers);
    }
    auto batch = builder.build();
    SLUICE_RETURN_IF_ERROR(log->append(batch));
  }
  return {};
}

}  // namespace sluice::engine
