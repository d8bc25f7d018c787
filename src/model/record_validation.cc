#include "model/record_validation.h"

#include <string>

#include "model/compression.h"

namespace sluice::model {

result<void> validate_records(const batch_header& header, bytes_view batch, bool require_keys) {
  // Transaction markers come from the broker, never from producers.
  if (header.is_control()) return fail(errc::invalid_record, "producers cannot send control batches");
  if (header.records_count == 0) return fail(errc::invalid_record, "record batch with no records");
  if (header.last_offset_delta != header.records_count - 1)
    return fail(errc::invalid_record, "last offset delta " + std::to_string(header.last_offset_delta) +
                                          " does not match " + std::to_string(header.records_count) +
                                          " records");
  auto records = batch.subspan(batch_header_size);
  std::vector<std::byte> decompressed;
  if (header.codec() != compression::none) {
    SLUICE_ASSIGN_OR_RETURN(decompressed, decompress(header.codec(), records));
    records = decompressed;
  }
  std::int64_t expected_delta = 0;
  std::string problem;
  SLUICE_RETURN_IF_ERROR(for_each_record(header, records, [&](const record_view& r) {
    if (r.offset - header.base_offset != expected_delta)
      problem = "record " + std::to_string(expected_delta) + " has offset delta " +
                std::to_string(r.offset - header.base_offset);
    else if (require_keys && !r.key)
      problem = "Compacted topic cannot accept message without key";
    ++expected_delta;
    return problem.empty();
  }));
  if (!problem.empty()) return fail(errc::invalid_record, problem);
  return {};
}

}  // namespace sluice::model
