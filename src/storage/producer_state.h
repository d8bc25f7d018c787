// storage/producer_state.h — what a partition remembers of its idempotent producers, as Kafka's
// ProducerStateManager does: per producer id, the epoch and the sequence ranges and offsets of the
// last five batches. A retried batch that matches one of them is a duplicate (acknowledged with its
// original offsets, not appended again); a batch that does not continue the sequence is refused.
//
// Invariant: the table after the batch at offset O equals the table rebuilt by replaying every batch
// header up to O. Recovery relies on it: load the snapshot written at the last roll or clean close,
// then replay the headers after the snapshot's offset.
//
// Concurrency: none of its own; partition_log uses it under its append lock.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "model/record_batch.h"

namespace sluice::storage {

inline constexpr std::size_t producer_batches_kept = 5;  // Kafka's max.in.flight limit for idempotence
inline constexpr std::int64_t no_producer_id = -1;

struct producer_batch {
  std::int32_t first_sequence;
  std::int32_t last_sequence;
  std::int64_t first_offset;
  std::int64_t last_offset;
};

struct producer_entry {
  std::int16_t epoch = -1;
  std::deque<producer_batch> batches;  // oldest first, at most producer_batches_kept
  std::int64_t last_timestamp = -1;    // max timestamp of its latest batch, for expiry
};

// The last sequence number of a batch, wrapping after INT32_MAX as Kafka's sequences do.
std::int32_t last_sequence_of(const model::batch_header& h);

class producer_state {
 public:
  // Checks a batch (offsets not yet assigned) against the table. Returns the original batch when
  // `h` repeats one of the producer's retained batches, nullopt when `h` may be appended, and
  // out_of_order_sequence / invalid_producer_epoch when it must be refused. Batches without a
  // producer id always pass.
  result<std::optional<producer_batch>> check(const model::batch_header& h) const;

  // Records an appended batch (its offsets assigned). Batches without a producer id are ignored.
  void record(const model::batch_header& h);

  // Forgets producers whose latest batch is older than `max_idle_ms` (producer.id.expiration.ms).
  void expire(std::int64_t now_ms, std::int64_t max_idle_ms);

  const producer_entry* find(std::int64_t producer_id) const;
  // Producer id → base offset of its latest batch (the one compaction must not erase).
  std::unordered_map<std::int64_t, std::int64_t> last_batch_offsets() const;
  std::size_t size() const { return producers_.size(); }

  // Snapshot encoding: the table as of log offset `offset`, CRC-32C protected.
  std::vector<std::byte> encode(std::int64_t offset) const;
  struct decoded;
  // Fails with corruption on a damaged or unknown snapshot.
  static result<decoded> decode(bytes_view snapshot);

 private:
  std::unordered_map<std::int64_t, producer_entry> producers_;
};

struct producer_state::decoded {
  producer_state state;
  std::int64_t offset;  // the state covers every batch below this offset
};

}  // namespace sluice::storage
