// model/record_filter.h — drops records from a v2 batch, as Kafka's MemoryRecords.filterTo does for
// the log cleaner.
//
// The retained records keep their offsets: the rewritten batch has the original base offset and
// last offset delta (so the producer's last sequence, base_sequence + last_offset_delta, survives)
// with fewer records whose offset deltas skip. Producer id, epoch, base sequence, partition leader
// epoch and attributes (codec, timestamp type, transactional) are kept; the records are re-encoded,
// compressed with the batch's own codec, and the CRC recomputed. Control batches pass unchanged.
#pragma once

#include <functional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "model/record_batch.h"

namespace sluice::model {

enum class filter_outcome {
  unchanged,  // every record kept: store the original bytes
  rewritten,  // some kept: `bytes` is the new batch
  emptied,    // none kept, but the caller wants the header: `bytes` is a batch of no records
  removed,    // none kept: the batch disappears
};

struct filtered_batch {
  filter_outcome outcome;
  std::vector<std::byte> bytes;  // set for rewritten and emptied
};

// Filters one whole, valid batch: `keep` decides each record. When no record is kept and
// `keep_empty_header` is set (the batch is its producer's last), the result is an empty batch
// that still carries the producer id, epoch, sequence range and offset range.
result<filtered_batch> filter_batch(bytes_view batch, const std::function<bool(const record_view&)>& keep,
                                    bool keep_empty_header);

}  // namespace sluice::model
