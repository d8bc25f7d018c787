// storage/partition_log.h — one partition: an append-only, crash-safe
// sequence of record batches, split into segments by base offset.
//
// Offsets: [log_start_offset, end_offset) are readable; durable_offset ≤
// end_offset marks what has been fdatasync'd. The partition directory holds
// the segments and `partition.properties` (the log start offset set by
// delete-records or retention).
//
// Durability: append() writes to the page cache and then applies the topic's
// policy — flush.messages=N syncs once N records are unsynced, waiting for
// the sync before returning; flush.ms is driven by flush_if_due(). Syncs are
// group commits: concurrent appenders waiting for durability share one
// fdatasync.
//
// Rolling and the recovery point: a roll only creates the next segment; the old
// one is sealed (synced, its indexes written) by a job handed to the seal
// executor, off the append lock, as Kafka does. Each finished seal, oldest
// first, persists `recovery-point`: every segment wholly below it is durable
// and trusted after a crash; the ones from it on are scanned, a torn tail is
// cut, and the segments after a torn one are dropped (nothing in them was
// acknowledged as durable: flush() syncs every segment still waiting for its
// seal along with the active one). Without an executor (tests) the seal runs
// inline in roll().
//
// Idempotence: the log keeps each idempotent producer's last five batches (producer_state). A
// retried batch is not appended again; append() answers with the original offsets and
// `duplicate` set. The table is snapshotted at every roll and clean close, and rebuilt after a
// crash from the snapshot plus the batch headers after it.
//
// Compaction: under cleanup.policy=compact, clean() drops superseded records
// from sealed segments (storage/log_cleaner.h); offsets stay, gaps appear, and
// reads continue at the next surviving batch. `cleaner.properties` lists the
// segments cleaned so far; only they may have gaps.
//
// Concurrency: appends are serialized internally; reads, lookups and
// flushes may run from any thread at the same time as appends. clean() runs
// one pass at a time and holds the state lock only to swap a segment. Two
// locks: the append lock serializes writers (append, roll, close) and is held
// across the write to the file, which can block in the kernel for
// milliseconds; the state lock guards the segment list, offsets and config
// and is never held across that write, so readers — fetches on the event
// loops — never wait for the disk behind an append.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "io/file.h"
#include "storage/log_cleaner.h"
#include "storage/log_config.h"
#include "storage/producer_state.h"
#include "storage/segment.h"
#include "storage/traffic.h"

namespace sluice::storage {

struct append_result {
  std::int64_t base_offset;
  std::int64_t last_offset;
  std::size_t batches;
  std::size_t records;
  bool duplicate = false;  // a retried idempotent batch: these are the original's offsets
};

struct read_result {
  std::vector<std::byte> batches;  // whole, CRC-checked batches; the first may start before the asked offset
  std::int64_t log_start_offset;
  std::int64_t end_offset;
};

struct clean_stats {
  std::size_t segments_cleaned = 0;    // cleanable segments the pass covered
  std::size_t segments_rewritten = 0;  // of which something was dropped
  std::size_t records_dropped = 0;
  std::uint64_t bytes_before = 0;  // of the rewritten segments
  std::uint64_t bytes_after = 0;
};

struct log_stats {
  std::int64_t log_start_offset;
  std::int64_t end_offset;
  std::int64_t durable_offset;
  std::uint64_t size_bytes;
  std::size_t segments;
  std::uint64_t syncs;           // fdatasync calls made for durability
  std::uint64_t batches_synced;  // batches those syncs made durable
};

class partition_log {
 public:
  // Opens (creating if needed) the log in `dir`. `clean` says the previous
  // run shut down cleanly, so the active segment need not be scanned.
  static result<std::unique_ptr<partition_log>> open(io::file_system& fs, std::string dir, log_config config,
                                                     bool clean);
  ~partition_log();
  partition_log(const partition_log&) = delete;
  partition_log& operator=(const partition_log&) = delete;

  // Validates one or more back-to-back v2 batches (framing, CRC, and every
  // record, as Kafka does: model::validate_records), assigns their offsets in
  // place and appends them without re-encoding. All or nothing: a batch that
  // fails validation rejects the whole call and the log is unchanged.
  // Batches of idempotent producers are checked against producer_state first:
  // out_of_order_sequence or invalid_producer_epoch refuse the call, and a
  // single retried batch returns its original offsets with `duplicate` set.
  result<append_result> append(mutable_bytes batches);

  // Batches from the one holding `offset`, up to `max_bytes` (at least one
  // whole batch), not past `max_offset`. offset_out_of_range outside
  // [log_start_offset, end_offset].
  result<read_result> read(std::int64_t offset, std::size_t max_bytes,
                           std::int64_t max_offset = INT64_MAX) const;

  // The first offset whose record timestamp is ≥ `timestamp`; nullopt if none.
  result<std::optional<std::int64_t>> offset_for_timestamp(std::int64_t timestamp) const;

  // Makes everything below `offset` durable (group commit).
  result<void> flush(std::int64_t offset);
  result<void> flush() { return flush(end_offset()); }
  // Syncs if data has been waiting longer than flush.ms.
  result<void> flush_if_due(std::chrono::steady_clock::time_point now);

  // Rolls an aged active segment and deletes whole segments beyond
  // retention.ms / retention.bytes. Returns how many segments were deleted.
  result<std::size_t> enforce_retention(std::int64_t now_ms);
  // Under cleanup.policy=compact, one cleaning pass if the log needs one (or always when `force`).
  // Stale `now_ms` values are fine: it ages tombstones and min/max.compaction.lag.ms.
  result<clean_stats> clean(std::int64_t now_ms, bool force = false, const cleaner_options& options = {});
  // Moves the log start to `offset` (≤ end), deleting segments wholly below it.
  result<void> delete_records_before(std::int64_t offset);

  // Calls `fn` after every successful append, on the appending thread, once the new batches are
  // readable — how long-polling fetches wake without polling. `fn` must be quick and must not call
  // back into this log; once unsubscribe_appends(id) returns, it is never called again.
  std::uint64_t subscribe_appends(std::function<void()> fn);
  void unsubscribe_appends(std::uint64_t id);

  void set_config(const log_config& config);
  log_config config() const;

  // Syncs everything, finishes pending seals and persists indexes; the log accepts no more appends.
  result<void> close();

  // Where seals of rolled segments run (a thread the log_manager owns); set before the first
  // append, like set_traffic. Unset, roll() seals inline.
  using seal_executor = std::function<void(std::function<void()>)>;
  void set_seal_executor(seal_executor executor) { seal_executor_ = std::move(executor); }
  // Rolled segments whose seal has not finished.
  std::size_t seals_pending() const;
  // Forgets the seals not started (waiting for a running one): the partition is going away — its
  // topic deleted, or the log destroyed without close(), as a crash would.
  void drop_pending_seals();

  std::int64_t log_start_offset() const;
  std::int64_t end_offset() const;
  std::int64_t durable_offset() const;
  log_stats stats() const;
  // The idempotent producer's entry, if the log knows it (for tests and tools).
  std::optional<producer_entry> producer(std::int64_t producer_id) const;
  const std::string& dir() const { return dir_; }
  // The topic's traffic counters: append() counts into the in counters, Fetch into the out ones. Set by
  // the log_manager before the log is shared; unset (tests), nothing is counted.
  void set_traffic(topic_traffic traffic) { traffic_ = std::move(traffic); }
  const topic_traffic& traffic() const { return traffic_; }

 private:
  partition_log(io::file_system& fs, std::string dir, log_config config);

  result<void> load_segments(bool clean);
  // Finishes swaps a crash interrupted and drops half-written cleaned files; returns the bases
  // of the segments swapped in.
  result<std::vector<std::int64_t>> recover_interrupted_swaps();
  // Rewrites adjacent segments into one and swaps it in.
  result<void> clean_group(const std::vector<std::shared_ptr<segment>>& group, const segment_filter& filter,
                           std::int64_t now_ms, clean_stats& stats);
  // Records the segment as cleaned and, when its data changed, replaces it with the cleaned file;
  // false when retention removed it meanwhile.
  result<bool> swap_in_cleaned(const std::vector<std::shared_ptr<segment>>& group, std::int64_t now_ms,
                               const cleaned_file& cleaned);
  // Removes the files of the segments after `base` that a committed swap's data covers.
  result<void> remove_covered_segments(std::int64_t base, std::int64_t covered_end);
  std::string cleaned_path(std::int64_t base, const char* suffix) const;
  result<void> persist_log_start(std::int64_t offset);
  // Loads the producer snapshot and replays the batch headers after it.
  result<void> load_producer_state();
  // REQUIRES: mu_ held.
  result<std::optional<producer_batch>> check_producers(
      const std::vector<model::batch_header>& headers) const;
  result<void> snapshot_producers();
  // REQUIRES: append_mu_ and mu_ held.
  result<void> roll_if_needed(std::size_t incoming_bytes, std::int64_t incoming_last_offset);
  // REQUIRES: append_mu_ and mu_ held.
  result<void> roll();
  // Removes the segments after bases[keep], whose predecessor a crash cut short (loading).
  result<void> drop_segments_after(std::vector<std::int64_t>& bases, std::size_t keep);
  // Seals the pending segments now, oldest first (close()).
  result<void> finish_pending_seals();
  // Drops the pending seal of a segment about to be removed, waiting for it if it is running.
  void forget_pending_seal(const segment* s);
  struct seal_state;
  // A seal job: seals the segment of entry `id` unless the entry is gone (closed, removed, sealed).
  static void run_seal(io::file_system& fs, const std::string& dir, seal_state& st, std::uint64_t id);
  std::shared_ptr<segment> active() const { return segments_.back(); }
  std::vector<std::shared_ptr<segment>> snapshot_segments() const;
  result<void> remove_front_segments(std::size_t count);
  result<std::size_t> delete_segments_by_retention(std::int64_t now_ms);
  void notify_appended();

  io::file_system& fs_;
  std::string dir_;
  topic_traffic traffic_;

  // The append lock: serializes appends, rolls and close(), and is held across the write to the
  // active segment. Taken before mu_.
  std::mutex append_mu_;
  mutable std::mutex mu_;  // the state lock: guards the fields below, never held across a log write
  log_config config_;
  std::vector<std::shared_ptr<segment>> segments_;  // by base offset; the last is active
  std::int64_t log_start_offset_ = 0;
  std::int64_t unflushed_records_ = 0;
  std::uint64_t batches_appended_ = 0;
  bool closed_ = false;
  producer_state producers_;
  cleaned_segments cleaned_;  // segments compacted at least once, by base offset

  std::mutex clean_mu_;  // one cleaning pass at a time; taken before mu_ (never with append_mu_)

  // Group commit state, guarded by flush_mu_ (never held with mu_ waiting).
  mutable std::mutex flush_mu_;
  std::condition_variable flush_done_;
  std::condition_variable waiter_arrived_;
  bool syncing_ = false;
  std::vector<std::int64_t> waiting_for_;  // the offset each thread inside flush() waits for
  int expected_waiters_ = 1;               // appenders active at the last sync; they tend to come back
  std::chrono::steady_clock::duration last_sync_duration_{};
  std::int64_t durable_offset_ = 0;
  std::uint64_t batches_durable_ = 0;
  std::chrono::steady_clock::time_point last_flush_;
  std::uint64_t syncs_ = 0;
  std::uint64_t batches_synced_ = 0;

  // Rolled segments not sealed yet, oldest first; shared with the seal jobs, which may outlive the
  // log (they do nothing once their entry is gone). Lock order: mu_, then seals_->mu.
  struct pending_seal {
    std::uint64_t id;  // what the job looks for: a segment's address may be reused once it is removed
    std::shared_ptr<segment> seg;
    std::vector<std::byte> producer_snapshot;  // the producer state at the roll
    bool running = false;
  };
  struct seal_state {
    std::mutex mu;
    std::condition_variable idle;  // a job stopped running
    std::vector<pending_seal> pending;
    std::uint64_t next_id = 0;
  };
  std::shared_ptr<seal_state> seals_ = std::make_shared<seal_state>();
  seal_executor seal_executor_;

  std::mutex listeners_mu_;  // guards the append listeners; held while they run
  std::vector<std::pair<std::uint64_t, std::function<void()>>> listeners_;
  std::uint64_t next_listener_id_ = 0;
};

}  // namespace sluice::storage
