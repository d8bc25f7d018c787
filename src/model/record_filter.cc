#include "model/record_filter.h"

#include <algorithm>

#include "model/compression.h"
#include "model/varint.h"

namespace sluice::model {
namespace {

void append_nullable(std::vector<std::byte>& out, std::optional<bytes_view> b) {
  if (!b) {
    append_varlong(out, -1);
    return;
  }
  append_varlong(out, static_cast<std::int64_t>(b->size()));
  out.insert(out.end(), b->begin(), b->end());
}

// One record in v2 form, its deltas taken from the batch's base offset and timestamp.
void encode_record(std::vector<std::byte>& out, const record_view& r, std::int64_t base_offset,
                   std::int64_t base_timestamp) {
  std::vector<std::byte> body;
  body.push_back(std::byte{0});  // record attributes, unused in v2
  append_varlong(body, r.timestamp - base_timestamp);
  append_varlong(body, r.offset - base_offset);
  append_nullable(body, r.key);
  append_nullable(body, r.value);
  append_varlong(body, static_cast<std::int64_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    append_nullable(body, bytes_view(reinterpret_cast<const std::byte*>(h.key.data()), h.key.size()));
    append_nullable(body, h.value);
  }
  append_varlong(out, static_cast<std::int64_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

// A batch of `records` (the encoded, possibly compressed section) under `original`'s identity.
std::vector<std::byte> assemble(const batch_header& original, std::int16_t attributes,
                                std::int64_t base_timestamp, std::int64_t max_timestamp, std::int32_t count,
                                bytes_view records) {
  std::vector<std::byte> out(batch_header_size + records.size());
  std::byte* p = out.data();
  store_be<std::int64_t>(p + 0, original.base_offset);
  store_be<std::int32_t>(p + 8, static_cast<std::int32_t>(out.size() - batch_log_overhead));
  store_be<std::int32_t>(p + 12, original.partition_leader_epoch);
  store_be<std::int8_t>(p + 16, current_magic);
  store_be<std::int16_t>(p + 21, attributes);
  store_be<std::int32_t>(p + 23, original.last_offset_delta);
  store_be<std::int64_t>(p + 27, base_timestamp);
  store_be<std::int64_t>(p + 35, max_timestamp);
  store_be<std::int64_t>(p + 43, original.producer_id);
  store_be<std::int16_t>(p + 51, original.producer_epoch);
  store_be<std::int32_t>(p + 53, original.base_sequence);
  store_be<std::int32_t>(p + 57, count);
  std::copy(records.begin(), records.end(), p + batch_header_size);
  store_be<std::uint32_t>(p + batch_crc_offset, compute_crc(out));
  return out;
}

// Kafka's writeEmptyHeader: no records, uncompressed, stamped with the batch's max timestamp.
std::vector<std::byte> empty_batch(const batch_header& h) {
  auto attributes = static_cast<std::int16_t>(h.attributes & ~0x07);
  return assemble(h, attributes, h.max_timestamp, h.max_timestamp, 0, {});
}

result<std::vector<std::byte>> rewrite(const batch_header& h, const std::vector<record_view>& kept) {
  std::int64_t base_timestamp = kept.front().timestamp;
  std::int64_t max_timestamp = -1;
  std::vector<std::byte> records;
  for (const auto& r : kept) {
    encode_record(records, r, h.base_offset, base_timestamp);
    max_timestamp = std::max(max_timestamp, r.timestamp);
  }
  // Under LogAppendTime the batch's max timestamp is every record's timestamp.
  if (h.log_append_time()) max_timestamp = h.max_timestamp;
  if (h.codec() != compression::none) {
    SLUICE_ASSIGN_OR_RETURN(records, compress(h.codec(), records));
  }
  return assemble(h, h.attributes, base_timestamp, max_timestamp, static_cast<std::int32_t>(kept.size()),
                  records);
}

}  // namespace

result<filtered_batch> filter_batch(bytes_view batch, const std::function<bool(const record_view&)>& keep,
                                    bool keep_empty_header) {
  SLUICE_ASSIGN_OR_RETURN(auto h, validate_batch(batch));
  if (h.is_control()) return filtered_batch{filter_outcome::unchanged, {}};
  auto payload = batch.subspan(batch_header_size);
  std::vector<std::byte> decompressed;
  if (h.codec() != compression::none) {
    SLUICE_ASSIGN_OR_RETURN(decompressed, decompress(h.codec(), payload));
    payload = decompressed;
  }
  // Keys, values and header names point into `payload`, which outlives `kept`.
  std::vector<record_view> kept;
  SLUICE_RETURN_IF_ERROR(for_each_record(h, payload, [&](const record_view& r) {
    if (keep(r)) kept.push_back(r);
    return true;
  }));
  if (kept.size() == static_cast<std::size_t>(h.records_count))
    return filtered_batch{filter_outcome::unchanged, {}};
  if (kept.empty()) {
    if (!keep_empty_header) return filtered_batch{filter_outcome::removed, {}};
    return filtered_batch{filter_outcome::emptied, empty_batch(h)};
  }
  SLUICE_ASSIGN_OR_RETURN(auto rewritten, rewrite(h, kept));
  return filtered_batch{filter_outcome::rewritten, std::move(rewritten)};
}

}  // namespace sluice::model
