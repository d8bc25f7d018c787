// model/record_validation.h — the checks Kafka makes on a produced batch's
// records, beyond its framing and CRC: every record parses, the records
// section holds exactly records_count of them with offset deltas 0, 1, 2 …,
// and last_offset_delta is records_count − 1. Compressed batches are
// decompressed (bounded) to be checked, and stored as they came.
#pragma once

#include "base/bytes.h"
#include "base/result.h"
#include "model/record_batch.h"

namespace sluice::model {

// REQUIRES: `batch` passed validate_batch. Fails with invalid_record. `require_keys` (a compacted
// topic) also refuses a record without a key, with Kafka's message for it.
result<void> validate_records(const batch_header& header, bytes_view batch, bool require_keys = false);

}  // namespace sluice::model
