// storage/log_cleaner.h — compaction (cleanup.policy=compact), as Kafka's LogCleaner: for each key
// only the record with the highest offset survives; the others are dropped from sealed segments.
//
// One cleaning pass over a partition (partition_log::clean drives it):
//   1. plan: the cleanable segments are the sealed ones, oldest first, up to the first whose newest
//      record is younger than min.compaction.lag.ms. Those never cleaned are dirty; the pass runs
//      when dirty / cleanable bytes ≥ min.cleanable.dirty.ratio, when a dirty segment is older than
//      max.compaction.lag.ms, or when a cleaned segment holds tombstones past delete.retention.ms.
//   2. offset_map: key digest → latest offset, scanned from the first dirty segment to the log end
//      (the active segment included, so "latest" means over the whole log). The map is bounded; a
//      full map ends the scan at a segment boundary and only segments below it are cleaned.
//   3. the cleanable segments below the map's end, in groups of adjacent ones that fit one segment,
//      are rewritten (model::filter_batch) into `<base>.log.cleaned` and swapped in
//      (partition_log_cleaning.cc; the file protocol is in docs/storage-format.md). Offsets never
//      change: dropped records leave gaps.
//
// Tombstones (null values) stay until delete.retention.ms after their segment was first cleaned;
// keyless records (possible only from before the topic compacted) are dropped, as Kafka does.
// Control batches are kept whole, and an idempotent producer's last batch keeps its header even
// with no records left, so producer state still rebuilds from the log.
//
// Invariant: any prefix of a pass's swaps leaves a log whose latest record per key is unchanged, so
// a crash between segments is harmless.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "io/file.h"
#include "storage/log_config.h"
#include "storage/segment.h"

namespace sluice::storage {

// 128 bits of a record key: Kafka's OffsetMap keys by an MD5 digest rather than the key itself.
struct key_digest {
  std::uint64_t high;
  std::uint64_t low;
  bool operator==(const key_digest&) const = default;
};
key_digest digest_of(bytes_view key);

// Key digest → offset of the key's latest record in the scanned range. Holds at most
// `max_entries` keys; a full map refuses new keys (updates of known keys still succeed).
class offset_map {
 public:
  explicit offset_map(std::size_t max_entries) : max_entries_(max_entries) {}
  // False when the key is new and the map is full.
  bool put(const key_digest& key, std::int64_t offset);
  std::optional<std::int64_t> latest(const key_digest& key) const;
  std::size_t size() const { return offsets_.size(); }

 private:
  struct digest_hash {
    std::size_t operator()(const key_digest& d) const { return static_cast<std::size_t>(d.low); }
  };
  std::size_t max_entries_;
  std::unordered_map<key_digest, std::int64_t, digest_hash> offsets_;
};

// What the partition remembers of a cleaned segment (in `cleaner.properties`, by base offset).
struct cleaned_segment {
  std::int64_t first_cleaned_ms;  // when it was first cleaned: tombstones age from here
  bool has_tombstones;            // tombstones were kept at the last cleaning
  bool operator==(const cleaned_segment&) const = default;
};
using cleaned_segments = std::map<std::int64_t, cleaned_segment>;

inline constexpr const char* cleaner_state_file = "cleaner.properties";
result<cleaned_segments> load_cleaned_segments(io::file_system& fs, const std::string& dir);
result<void> save_cleaned_segments(io::file_system& fs, const std::string& dir,
                                   const cleaned_segments& state);

struct cleaner_options {
  std::size_t max_map_entries = std::size_t{1} << 20;  // ~40 MiB of map per pass
};

// A sealed segment with what planning needs of it.
struct cleanable_segment {
  std::shared_ptr<segment> seg;
  std::int64_t max_timestamp;
};

// Step 1: whether `cleanable` (oldest first, already limited by min.compaction.lag.ms) needs a
// pass now.
bool needs_cleaning(const log_config& config, const std::vector<cleanable_segment>& cleanable,
                    const cleaned_segments& state, std::int64_t now_ms);

// Step 2: scans `segments` (oldest first; the last may be active) from `from` up to `end_offset`
// into `map`. Returns the offset below which the map is complete: `end_offset`, or the base of the
// segment in which the map filled.
result<std::int64_t> build_offset_map(const std::vector<std::shared_ptr<segment>>& segments,
                                      std::int64_t from, std::int64_t end_offset, offset_map& map);

// Step 3: adjacent cleanable segments are rewritten together into one (Kafka's
// groupSegmentsBySize), so segments that compaction shrank do not pile up: a group's segments
// together hold at most `max_bytes` before cleaning and span fewer than 2^31 offsets.
std::vector<std::vector<std::shared_ptr<segment>>> group_segments(
    const std::vector<std::shared_ptr<segment>>& segments, std::int64_t max_bytes);

// What to drop and what to keep.
struct segment_filter {
  const offset_map* map;
  // Base offsets of the segments whose tombstones are past delete.retention.ms.
  const std::set<std::int64_t>* expired_tombstones;
  // Idempotent producer id → base offset of its last batch in the log.
  const std::unordered_map<std::int64_t, std::int64_t>* last_batch_of_producer;
};

struct cleaned_file {
  bool changed;         // false: one segment with nothing dropped; the file was removed
  bool has_tombstones;  // tombstones remain in the cleaned data
  std::uint64_t bytes;  // size of the cleaned data
  std::size_t records_dropped;
};

// Writes the retained batches of the sealed segments `group` (adjacent, oldest first) to `path`
// and syncs it.
result<cleaned_file> write_cleaned_segment(io::file_system& fs,
                                           const std::vector<std::shared_ptr<segment>>& group,
                                           const segment_filter& filter, const std::string& path);

}  // namespace sluice::storage
