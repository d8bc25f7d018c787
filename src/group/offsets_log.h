// group/offsets_log.h — committed offsets and group metadata, stored in the internal topic
// `__consumer_offsets` (like Kafka's), and replayed into memory at startup.
//
// Records are keyed like Kafka's: key version 1 = (group, topic, partition) → an offset commit, key
// version 2 = (group) → the group's metadata. The latest record for a key wins; a null value deletes
// the key. A group's records all go to one partition (CRC-32C of the group id modulo the partition
// count), so their order in the log is the order they took effect. Each write is one record batch,
// appended and then flushed (fdatasync) before the commit is acknowledged. The topic is compacted
// (cleanup.policy=compact, storage/log_cleaner.h): superseded commits and, after
// delete.retention.ms, deletions are dropped from sealed segments, so startup replays roughly the
// live groups' latest records plus the active segments. Replay follows offsets across the gaps
// compaction leaves. The byte layout is in docs/consumer-groups.md.
//
// Thread-safe (partition_log serializes appends).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "group/group.h"
#include "storage/log_manager.h"

namespace sluice::group {

inline constexpr const char* offsets_topic = "__consumer_offsets";

// One decoded record of the offsets topic.
struct offsets_record {
  std::string group;
  std::optional<topic_partition> partition;  // set: an offset commit; unset: group metadata
  std::optional<committed_offset> offset;    // the commit, or nullopt for a deletion
  std::optional<group_metadata> metadata;    // the metadata, or nullopt for a deletion
};

// The record codec (pure; unit-tested).
std::vector<std::byte> encode_offset_key(const std::string& group, const topic_partition& tp);
std::vector<std::byte> encode_offset_value(const committed_offset& offset);
std::vector<std::byte> encode_metadata_key(const std::string& group);
std::vector<std::byte> encode_metadata_value(const group_metadata& meta);
// nullopt for a record this version does not know (skipped, as Kafka skips unknown key versions).
result<std::optional<offsets_record>> decode_offsets_record(bytes_view key, std::optional<bytes_view> value);

class offsets_log : public group_store {
 public:
  // Creates the topic with `partitions` partitions if it does not exist.
  static result<std::unique_ptr<offsets_log>> open(storage::log_manager& logs, std::int32_t partitions);

  // Calls `visit` for every record, partition by partition, in log order.
  result<void> replay(const std::function<void(const offsets_record&)>& visit) const;

  result<void> write_offsets(
      const std::string& group,
      const std::vector<std::pair<topic_partition, std::optional<committed_offset>>>& offsets) override;
  result<void> write_metadata(const std::string& group, const std::optional<group_metadata>& meta) override;

 private:
  explicit offsets_log(storage::log_manager& logs) : logs_(logs) {}
  using record = std::pair<std::vector<std::byte>, std::optional<std::vector<std::byte>>>;
  result<void> append(const std::string& group, const std::vector<record>& records);
  result<void> replay_partition(const storage::partition_log& log,
                                const std::function<void(const offsets_record&)>& visit) const;

  storage::log_manager& logs_;
  std::int32_t partitions_ = 1;
};

}  // namespace sluice::group
