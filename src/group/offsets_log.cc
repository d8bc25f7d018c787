#include "group/offsets_log.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>

#include "base/crc32c.h"
#include "kafka/protocol/wire.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "storage/record_reader.h"

namespace sluice::group {
namespace {

constexpr const char* offsets_segment_bytes = "104857600";  // Kafka's offsets.topic.segment.bytes

constexpr std::int16_t offset_key_version = 1;    // Kafka's OffsetCommitKey
constexpr std::int16_t metadata_key_version = 2;  // Kafka's GroupMetadataKey
constexpr std::int16_t offset_value_version = 3;  // Kafka's OffsetCommitValue v3
constexpr std::int16_t metadata_value_version = 0;

std::vector<std::byte> finish(kafka::writer& w) { return w.take_bytes(); }

std::string_view as_chars(const std::vector<std::byte>& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

result<committed_offset> decode_offset_value(bytes_view value) {
  kafka::reader r(value);
  auto version = r.read_int16();
  if (!version) return tl::unexpected(version.error());
  if (*version != offset_value_version)
    return fail(errc::corruption, "offsets record: unknown value version " + std::to_string(*version));
  committed_offset out;
  auto offset = r.read_int64();
  auto epoch = offset ? r.read_int32() : result<std::int32_t>(tl::unexpected(offset.error()));
  auto metadata = epoch ? r.read_string(false) : result<std::string>(tl::unexpected(epoch.error()));
  auto timestamp = metadata ? r.read_int64() : result<std::int64_t>(tl::unexpected(metadata.error()));
  if (!timestamp) return tl::unexpected(timestamp.error());
  return committed_offset{
      .offset = *offset, .leader_epoch = *epoch, .metadata = *metadata, .commit_timestamp = *timestamp};
}

result<group_metadata> decode_metadata_value(bytes_view value) {
  kafka::reader r(value);
  auto version = r.read_int16();
  if (!version) return tl::unexpected(version.error());
  if (*version != metadata_value_version)
    return fail(errc::corruption, "offsets record: unknown group value version " + std::to_string(*version));
  auto type = r.read_string(false);
  auto generation = type ? r.read_int32() : result<std::int32_t>(tl::unexpected(type.error()));
  auto name = generation ? r.read_string(false) : result<std::string>(tl::unexpected(generation.error()));
  if (!name) return tl::unexpected(name.error());
  return group_metadata{.protocol_type = *type, .generation = *generation, .protocol_name = *name};
}

}  // namespace

std::vector<std::byte> encode_offset_key(const std::string& group, const topic_partition& tp) {
  kafka::writer w;
  w.write_int16(offset_key_version);
  w.write_string(group, false);
  w.write_string(tp.topic, false);
  w.write_int32(tp.partition);
  return finish(w);
}

std::vector<std::byte> encode_offset_value(const committed_offset& offset) {
  kafka::writer w;
  w.write_int16(offset_value_version);
  w.write_int64(offset.offset);
  w.write_int32(offset.leader_epoch);
  w.write_string(offset.metadata, false);
  w.write_int64(offset.commit_timestamp);
  return finish(w);
}

std::vector<std::byte> encode_metadata_key(const std::string& group) {
  kafka::writer w;
  w.write_int16(metadata_key_version);
  w.write_string(group, false);
  return finish(w);
}

std::vector<std::byte> encode_metadata_value(const group_metadata& meta) {
  kafka::writer w;
  w.write_int16(metadata_value_version);
  w.write_string(meta.protocol_type, false);
  w.write_int32(meta.generation);
  w.write_string(meta.protocol_name, false);
  return finish(w);
}

result<std::optional<offsets_record>> decode_offsets_record(bytes_view key, std::optional<bytes_view> value) {
  kafka::reader r(key);
  auto version = r.read_int16();
  if (!version) return tl::unexpected(version.error());
  if (*version != offset_key_version && *version != metadata_key_version) return std::nullopt;
  auto group = r.read_string(false);
  if (!group) return tl::unexpected(group.error());
  offsets_record out{.group = std::move(*group), .partition = {}, .offset = {}, .metadata = {}};
  if (*version == metadata_key_version) {
    if (value) {
      auto meta = decode_metadata_value(*value);
      if (!meta) return tl::unexpected(meta.error());
      out.metadata = std::move(*meta);
    }
    return out;
  }
  auto topic = r.read_string(false);
  auto partition = topic ? r.read_int32() : result<std::int32_t>(tl::unexpected(topic.error()));
  if (!partition) return tl::unexpected(partition.error());
  out.partition = topic_partition{.topic = std::move(*topic), .partition = *partition};
  if (value) {
    auto offset = decode_offset_value(*value);
    if (!offset) return tl::unexpected(offset.error());
    out.offset = std::move(*offset);
  }
  return out;
}

result<std::unique_ptr<offsets_log>> offsets_log::open(storage::log_manager& logs, std::int32_t partitions) {
  std::unique_ptr<offsets_log> out(new offsets_log(logs));
  auto existing = logs.describe_topic(offsets_topic);
  if (!existing) {
    // Compacted, as Kafka's: startup replays the live groups' latest records, not their history.
    // The cleaner leaves the active segment alone, so it rolls at Kafka's offsets.topic.segment.bytes.
    auto created = logs.create_topic(
        offsets_topic, partitions, {{"cleanup.policy", "compact"}, {"segment.bytes", offsets_segment_bytes}});
    if (!created && created.error().code != errc::already_exists) return tl::unexpected(created.error());
    existing = logs.describe_topic(offsets_topic);
    if (!existing) return fail(errc::not_found, std::string(offsets_topic) + " vanished after creation");
  } else if (!existing->overrides.contains("cleanup.policy")) {
    // Created before compaction existed (with retention.ms=-1): switch it to compact, keeping any
    // other override an operator set.
    auto overrides = existing->overrides;
    overrides["cleanup.policy"] = "compact";
    overrides.try_emplace("segment.bytes", offsets_segment_bytes);
    auto altered = logs.alter_topic_config(offsets_topic, overrides);
    if (!altered) return tl::unexpected(altered.error());
  }
  out->partitions_ = existing->partitions;
  return out;
}

result<void> offsets_log::replay(const std::function<void(const offsets_record&)>& visit) const {
  for (std::int32_t p = 0; p < partitions_; ++p) {
    auto log = logs_.partition(offsets_topic, p);
    if (!log)
      return fail(errc::not_found, std::string(offsets_topic) + " lost partition " + std::to_string(p));
    auto replayed = replay_partition(*log, visit);
    if (!replayed) return replayed;
  }
  return {};
}

result<void> offsets_log::replay_partition(const storage::partition_log& log,
                                           const std::function<void(const offsets_record&)>& visit) const {
  std::int64_t offset = log.log_start_offset();
  while (offset < log.end_offset()) {
    auto next = storage::read_records(log, offset, 1 << 20, [&](const model::record_view& rec) {
      if (!rec.key) return true;
      auto decoded = decode_offsets_record(*rec.key, rec.value);
      if (!decoded) {
        // Not ours (a client produced to the topic): skip it, as Kafka would fail to load it loudly.
        spdlog::warn("{}: skipping undecodable record at offset {}: {}", offsets_topic, rec.offset,
                     decoded.error().describe());
      } else if (*decoded) {
        visit(**decoded);
      }
      return true;
    });
    if (!next) return tl::unexpected(next.error());
    if (*next <= offset) break;
    offset = *next;
  }
  return {};
}

result<void> offsets_log::write_offsets(
    const std::string& group,
    const std::vector<std::pair<topic_partition, std::optional<committed_offset>>>& offsets) {
  std::vector<record> records;
  for (const auto& [tp, offset] : offsets) {
    records.emplace_back(encode_offset_key(group, tp),
                         offset ? std::optional(encode_offset_value(*offset)) : std::nullopt);
  }
  return append(group, records);
}

result<void> offsets_log::write_metadata(const std::string& group,
                                         const std::optional<group_metadata>& meta) {
  return append(group, {{encode_metadata_key(group),
                         meta ? std::optional(encode_metadata_value(*meta)) : std::nullopt}});
}

result<void> offsets_log::append(const std::string& group, const std::vector<record>& records) {
  if (records.empty()) return {};
  std::vector<std::byte> name(reinterpret_cast<const std::byte*>(group.data()),
                              reinterpret_cast<const std::byte*>(group.data()) + group.size());
  auto p = static_cast<std::int32_t>(crc32c::value(name) % static_cast<std::uint32_t>(partitions_));
  auto log = logs_.partition(offsets_topic, p);
  if (!log)
    return fail(errc::not_found, std::string(offsets_topic) + " has no partition " + std::to_string(p));
  model::record_batch_builder builder;
  auto now = now_ms();
  for (const auto& [key, value] : records)
    builder.add(as_chars(key), value ? std::optional(as_chars(*value)) : std::nullopt, now);
  auto batch = builder.build();
  auto appended = log->append(batch);
  if (!appended) return tl::unexpected(appended.error());
  return log->flush(appended->last_offset + 1);
}

}  // namespace sluice::group
