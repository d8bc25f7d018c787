// storage/record_reader.h — records (not batches) out of a partition log, for in-process readers:
// the group coordinator's offsets replay and the SQL engine's sources read the log this way,
// without a network hop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "base/result.h"
#include "model/record_batch.h"
#include "storage/partition_log.h"

namespace sluice::storage {

// Calls `visit` for each record at or after `offset`, in offset order, reading about `max_bytes`
// of batches (at least one). Compressed batches are decompressed; control batches (transaction
// markers) are skipped. Stops early when visit returns false — then the result is the offset after
// the last record visited. Otherwise returns the offset to continue from: past every batch read,
// which may skip offsets no record holds (compaction gaps). Equal to `offset` at the log end.
// offset_out_of_range when `offset` is outside [log start, end]: the caller decides where to go.
result<std::int64_t> read_records(const partition_log& log, std::int64_t offset, std::size_t max_bytes,
                                  const std::function<bool(const model::record_view&)>& visit);

}  // namespace sluice::storage
