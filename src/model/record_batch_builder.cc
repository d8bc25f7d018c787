#include "model/record_batch_builder.h"

#include "model/varint.h"

namespace sluice::model {
namespace {

void append_nullable(std::vector<std::byte>& out, std::optional<std::string_view> s) {
  if (!s) {
    append_varlong(out, -1);
    return;
  }
  append_varlong(out, static_cast<std::int64_t>(s->size()));
  auto* p = reinterpret_cast<const std::byte*>(s->data());
  out.insert(out.end(), p, p + s->size());
}

}  // namespace

record_batch_builder& record_batch_builder::add(std::optional<std::string_view> key,
                                                std::optional<std::string_view> value, std::int64_t timestamp,
                                                const std::vector<header>& headers) {
  if (count_ == 0) base_timestamp_ = timestamp;
  max_timestamp_ = std::max(max_timestamp_, timestamp);
  std::vector<std::byte> body;
  body.push_back(std::byte{0});  // record attributes, unused
  append_varlong(body, timestamp - base_timestamp_);
  append_varlong(body, count_);
  append_nullable(body, key);
  append_nullable(body, value);
  append_varlong(body, static_cast<std::int64_t>(headers.size()));
  for (const auto& h : headers) {
    append_nullable(body, h.key);
    append_nullable(body, h.value);
  }
  append_varlong(records_, static_cast<std::int64_t>(body.size()));
  records_.insert(records_.end(), body.begin(), body.end());
  ++count_;
  return *this;
}

std::vector<std::byte> record_batch_builder::build() const {
  std::vector<std::byte> out(batch_header_size + records_.size());
  std::byte* p = out.data();
  store_be<std::int64_t>(p + 0, 0);
  store_be<std::int32_t>(p + 8, static_cast<std::int32_t>(out.size() - batch_log_overhead));
  store_be<std::int32_t>(p + 12, -1);
  store_be<std::int8_t>(p + 16, current_magic);
  store_be<std::int16_t>(p + 21, 0);
  store_be<std::int32_t>(p + 23, count_ > 0 ? count_ - 1 : 0);
  store_be<std::int64_t>(p + 27, base_timestamp_);
  store_be<std::int64_t>(p + 35, max_timestamp_);
  store_be<std::int64_t>(p + 43, producer_.producer_id);
  store_be<std::int16_t>(p + 51, producer_.producer_epoch);
  store_be<std::int32_t>(p + 53, producer_.base_sequence);
  store_be<std::int32_t>(p + 57, count_);
  std::copy(records_.begin(), records_.end(), p + batch_header_size);
  store_be<std::uint32_t>(p + batch_crc_offset, compute_crc(out));
  return out;
}

}  // namespace sluice::model
