// storage/segment.h — one segment of a partition log: `<base>.log` holding
// record batches back to back, plus its `<base>.index` and `<base>.timeindex`
// (base offset as 20 digits, as Kafka names them).
//
// Lifecycle: created empty or opened from disk → appended to while active →
// sealed (final index entries written and synced) after the log rolls, in the
// background (storage/partition_log.h) → read until removed by retention, or
// replaced whole by a cleaned copy (compaction, storage/log_cleaner.h). Only
// the active segment is written.
//
// Writeback: each few MiB appended, the disk is started writing them
// (start_writeback, on the log manager's background thread: the call can wait
// for the disk's queue), so a sync never has seconds' worth of data to write.
//
// Offsets: batches follow each other without overlap. A segment of a fresh
// log is contiguous (each batch starts where its predecessor ended); one the
// cleaner rewrote may skip offsets, and only such a segment is told
// allow_gaps(). A batch starting below its predecessor's end is corruption
// either way.
//
// Concurrency: one writer at a time (the partition log's append lock); any
// number of readers concurrently. Readers see bytes up to size(), which is
// published after each write completes. Indexes of sealed segments load
// lazily on first use and are rebuilt from the log if missing or damaged.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "io/file.h"
#include "model/record_batch.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace sluice::storage {

// What recovering a segment found.
struct recovery_report {
  std::size_t batches = 0;
  std::uint64_t truncated_bytes = 0;
  std::string reason;  // why the tail was cut, when it was
};

class segment {
 public:
  static result<std::shared_ptr<segment>> create(io::file_system& fs, const std::string& dir,
                                                 std::int64_t base_offset);
  // A sealed segment from a previous run: nothing is read until needed.
  // `next_offset` is the base offset of the segment after it.
  static result<std::shared_ptr<segment>> open_sealed(io::file_system& fs, const std::string& dir,
                                                      std::int64_t base_offset, std::int64_t next_offset);
  // The active segment from a previous run. After a clean shutdown, trusts
  // its indexes and reads only the batches after the last index entry;
  // otherwise scans the whole segment, truncates a torn or corrupt tail and
  // rebuilds both indexes.
  // `gaps` as allow_gaps(): the segment was cleaned.
  static result<std::shared_ptr<segment>> open_active(io::file_system& fs, const std::string& dir,
                                                      std::int64_t base_offset, bool clean,
                                                      recovery_report* report, bool gaps = false);

  // A cleaned segment swapped in under `base_offset` (its .log is already in place, its old index
  // files removed): indexes are rebuilt on first use, gaps between batches allowed.
  static result<std::shared_ptr<segment>> open_cleaned(io::file_system& fs, const std::string& dir,
                                                       std::int64_t base_offset, std::int64_t next_offset);

  // Offsets may skip between batches from now on (the segment was, or is about to be, cleaned).
  // REQUIRES: called before the first read.
  void allow_gaps() { gaps_allowed_.store(true, std::memory_order_release); }
  bool gaps_allowed() const { return gaps_allowed_.load(std::memory_order_acquire); }
  // Loads (or rebuilds) the indexes now, so later reads never touch the index files.
  result<void> load_indexes() const;

  std::int64_t base_offset() const { return base_offset_; }
  std::int64_t next_offset() const { return next_offset_.load(std::memory_order_acquire); }
  std::uint64_t size() const { return size_.load(std::memory_order_acquire); }
  bool empty() const { return size() == 0; }
  // Largest record timestamp in the segment, -1 when unknown.
  result<std::int64_t> max_timestamp() const;
  // Timestamp of the first batch, or -1 when empty (segment.ms ages from it).
  std::int64_t first_timestamp() const { return first_timestamp_.load(std::memory_order_acquire); }
  std::size_t offset_index_bytes() const;

  // --- writer side (REQUIRES: the partition's append lock; seal() and persist_indexes() may instead
  // run on any one thread once the segment is no longer appended to) ---

  // Appends already-validated batches whose offsets were assigned. On
  // failure the file is cut back to its previous size and nothing changes.
  result<void> append(bytes_view batches, const std::vector<model::batch_header>& headers,
                      std::int64_t index_interval_bytes);
  result<void> sync() const;  // fdatasync of the log file
  // Starts the disk writing what was appended since the last call, once that is at least
  // writeback_chunk_bytes, without waiting for the write. Any thread; it may wait for the disk's
  // request queue, so appenders hand it to a background thread once claim_writeback() says so
  // (true once per start_writeback: a busy disk does not pile up calls).
  bool claim_writeback();
  result<void> start_writeback();
  static constexpr std::uint64_t writeback_chunk_bytes = 4 << 20;
  // Adds the final time-index entry and makes both indexes durable.
  result<void> seal();
  // Writes index entries not yet in their files (clean shutdown).
  result<void> persist_indexes();
  result<void> remove_files();

  // --- reader side (any thread) ---

  // Whole batches starting with the one that holds `offset`, up to
  // `max_bytes` (the first batch is returned whole even if larger), stopping
  // before `max_offset` and at `end_position`. Corruption when the first
  // batch fails its CRC; later bad batches end the read early.
  result<std::vector<std::byte>> read(std::int64_t offset, std::size_t max_bytes, std::int64_t max_offset,
                                      std::uint64_t end_position) const;
  // Calls `visit` with the header of every batch that ends at or after `offset`, in order, up to the
  // segment's size when called. Corrupt bytes end the walk with corruption.
  result<void> for_each_header(std::int64_t offset,
                               const std::function<void(const model::batch_header&)>& visit) const;
  // Offset of the first record with timestamp ≥ `timestamp`, or nullopt.
  // Records below `min_offset` are not considered.
  result<std::optional<std::int64_t>> offset_for_timestamp(std::int64_t timestamp,
                                                           std::int64_t min_offset) const;

  std::string log_path() const;

 private:
  segment(io::file_system& fs, std::string dir, std::int64_t base_offset, std::unique_ptr<io::file> log);

  std::string path_with(const char* extension) const;
  // REQUIRES: index_mu_ held.
  result<void> ensure_indexes_loaded() const;
  result<void> rebuild_indexes(recovery_report* report, bool truncate_tail) const;
  result<void> load_indexes_or_rebuild() const;
  result<void> scan_tail_after_last_index_entry() const;
  result<void> read_first_timestamp() const;
  void note_batch(const model::batch_header& h, std::uint64_t position, std::int64_t index_interval) const;
  // Whether a batch at `base` may follow a predecessor that ended before `expected`.
  bool follows(std::int64_t base, std::int64_t expected) const {
    return base == expected || (base > expected && gaps_allowed());
  }

  io::file_system& fs_;
  std::string dir_;
  std::int64_t base_offset_;
  std::unique_ptr<io::file> log_;
  mutable std::atomic<std::int64_t> next_offset_;  // mutable: recovery runs inside lazy loads
  mutable std::atomic<std::uint64_t> size_{0};
  mutable std::atomic<std::int64_t> first_timestamp_{-1};
  std::atomic<std::uint64_t> writeback_from_{0};  // where the next start_writeback begins
  std::atomic<bool> writeback_claimed_{false};
  std::atomic<bool> gaps_allowed_{false};
  bool rebuild_on_load_ = false;  // no index files yet (a freshly swapped-in cleaned segment)

  mutable std::mutex index_mu_;  // guards everything below
  mutable bool indexes_loaded_ = false;
  mutable offset_index offset_index_;
  mutable time_index time_index_;
  mutable std::int64_t max_timestamp_ = -1;
  mutable std::int64_t bytes_since_index_entry_ = 0;
  mutable std::int64_t last_batch_base_ = -1;
};

}  // namespace sluice::storage
