#include "model/record_batch.h"

#include <string>

#include "base/crc32c.h"
#include "model/varint.h"

namespace sluice::model {

result<batch_header> decode_header(bytes_view b) {
  if (b.size() < batch_header_size)
    return fail(errc::corrupt_batch,
                "record batch of " + std::to_string(b.size()) + " bytes is shorter than its 61-byte header");
  const std::byte* p = b.data();
  return batch_header{
      .base_offset = load_be<std::int64_t>(p + 0),
      .batch_length = load_be<std::int32_t>(p + 8),
      .partition_leader_epoch = load_be<std::int32_t>(p + 12),
      .magic = load_be<std::int8_t>(p + 16),
      .crc = load_be<std::uint32_t>(p + 17),
      .attributes = load_be<std::int16_t>(p + 21),
      .last_offset_delta = load_be<std::int32_t>(p + 23),
      .base_timestamp = load_be<std::int64_t>(p + 27),
      .max_timestamp = load_be<std::int64_t>(p + 35),
      .producer_id = load_be<std::int64_t>(p + 43),
      .producer_epoch = load_be<std::int16_t>(p + 51),
      .base_sequence = load_be<std::int32_t>(p + 53),
      .records_count = load_be<std::int32_t>(p + 57),
  };
}

std::uint32_t compute_crc(bytes_view batch) { return crc32c::value(batch.subspan(batch_crc_covered_from)); }

result<batch_header> validate_batch(bytes_view batch) {
  SLUICE_ASSIGN_OR_RETURN(auto h, decode_header(batch));
  if (h.magic != current_magic)
    return fail(errc::corrupt_batch,
                "record batch magic " + std::to_string(h.magic) + " (only v2 is stored)");
  if (h.batch_length < 0 || h.size_bytes() != batch.size())
    return fail(errc::corrupt_batch, "record batch length " + std::to_string(h.batch_length) +
                                         " does not match the " + std::to_string(batch.size()) +
                                         " bytes given");
  if (compute_crc(batch) != h.crc) return fail(errc::corrupt_batch, "record batch CRC-32C mismatch");
  if (h.last_offset_delta < 0 || h.records_count < 0)
    return fail(errc::invalid_record, "record batch with negative record count or offset delta");
  if (h.codec() > compression::zstd)
    return fail(errc::invalid_record,
                "record batch with unknown compression codec " + std::to_string(h.attributes & 0x07));
  return h;
}

result<std::vector<bytes_view>> split_batches(bytes_view bytes, batch_check check) {
  std::vector<bytes_view> batches;
  while (!bytes.empty()) {
    SLUICE_ASSIGN_OR_RETURN(auto h, decode_header(bytes));
    if (h.batch_length < 0 || h.size_bytes() > bytes.size())
      return fail(errc::corrupt_batch,
                  "record batch length " + std::to_string(h.batch_length) + " runs past the end of the data");
    auto batch = bytes.first(h.size_bytes());
    if (check == batch_check::full) SLUICE_RETURN_IF_ERROR(validate_batch(batch));
    batches.push_back(batch);
    bytes = bytes.subspan(batch.size());
  }
  return batches;
}

void set_base_offset(mutable_bytes batch, std::int64_t base_offset) {
  store_be<std::int64_t>(batch.data(), base_offset);
}

namespace {

// A cursor over a records section; every read is bounds-checked.
class record_reader {
 public:
  explicit record_reader(bytes_view b) : p_(b.data()), end_(b.data() + b.size()) {}

  bool at_end() const { return p_ == end_; }
  std::optional<std::int64_t> varlong() { return read_varlong(&p_, end_); }

  std::optional<std::int8_t> int8() {
    if (p_ >= end_) return std::nullopt;
    return static_cast<std::int8_t>(*p_++);
  }

  // A varint length followed by that many bytes; length -1 means null.
  // Returns false when malformed; `out` is nullopt for null.
  bool nullable_bytes(std::optional<bytes_view>& out) {
    auto len = varlong();
    if (!len || *len < -1 || *len > end_ - p_) return false;
    if (*len == -1) {
      out.reset();
      return true;
    }
    out = bytes_view(p_, static_cast<std::size_t>(*len));
    p_ += *len;
    return true;
  }

  const std::byte* position() const { return p_; }
  void seek(const std::byte* p) { p_ = p; }

 private:
  const std::byte* p_;
  const std::byte* end_;
};

error malformed(const std::string& what, std::int32_t index) {
  return error{errc::invalid_record, "record " + std::to_string(index) + ": " + what};
}

result<void> read_headers(record_reader& r, record_view& rec, std::int32_t index) {
  auto count = r.varlong();
  if (!count || *count < 0) return tl::unexpected(malformed("bad header count", index));
  rec.headers.clear();
  for (std::int64_t i = 0; i < *count; ++i) {
    std::optional<bytes_view> key, value;
    if (!r.nullable_bytes(key) || !key) return tl::unexpected(malformed("bad header key", index));
    if (!r.nullable_bytes(value)) return tl::unexpected(malformed("bad header value", index));
    rec.headers.push_back({std::string_view(reinterpret_cast<const char*>(key->data()), key->size()), value});
  }
  return {};
}

std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

result<void> for_each_record(const batch_header& header, bytes_view records,
                             const std::function<bool(const record_view&)>& visit) {
  record_reader r(records);
  record_view rec;
  for (std::int32_t i = 0; i < header.records_count; ++i) {
    auto length = r.varlong();
    if (!length || *length < 0 || *length > static_cast<std::int64_t>(records.size()))
      return tl::unexpected(malformed("bad length", i));
    const std::byte* record_end = r.position() + *length;
    if (record_end > records.data() + records.size()) return tl::unexpected(malformed("truncated", i));
    record_reader body(bytes_view(r.position(), static_cast<std::size_t>(*length)));
    auto attributes = body.int8();
    auto timestamp_delta = body.varlong();
    auto offset_delta = body.varlong();
    if (!attributes || !timestamp_delta || !offset_delta) return tl::unexpected(malformed("truncated", i));
    if (!body.nullable_bytes(rec.key) || !body.nullable_bytes(rec.value))
      return tl::unexpected(malformed("bad key or value", i));
    SLUICE_RETURN_IF_ERROR(read_headers(body, rec, i));
    if (!body.at_end()) return tl::unexpected(malformed("length does not match its fields", i));
    // Deltas come from the client: add as Java does, wrapping, and leave range checks to validation.
    rec.offset = wrapping_add(header.base_offset, *offset_delta);
    rec.timestamp = wrapping_add(header.base_timestamp, *timestamp_delta);
    r.seek(record_end);
    if (!visit(rec)) return {};
  }
  if (!r.at_end()) return fail(errc::invalid_record, "bytes after the last record of the batch");
  return {};
}

}  // namespace sluice::model
