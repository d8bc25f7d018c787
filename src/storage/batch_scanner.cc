#include "storage/batch_scanner.h"

#include <algorithm>
#include <string>

namespace sluice::storage {

result<bool> batch_scanner::ensure(std::size_t n) {
  if (position_ + n > end_) return false;
  if (position_ >= buffer_start_ && position_ + n <= buffer_start_ + buffer_.size()) return true;
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max(n, chunk_), end_ - position_));
  buffer_.resize(want);
  buffer_start_ = position_;
  SLUICE_ASSIGN_OR_RETURN(auto got, file_.read_at(buffer_, position_));
  buffer_.resize(got);
  return got >= n;
}

bytes_view batch_scanner::buffered(std::size_t n) const {
  return bytes_view(buffer_).subspan(static_cast<std::size_t>(position_ - buffer_start_), n);
}

result<std::optional<scanned_batch>> batch_scanner::next() {
  if (position_ >= end_) return std::nullopt;
  auto at = " at position " + std::to_string(position_);
  SLUICE_ASSIGN_OR_RETURN(bool have_header, ensure(model::batch_header_size));
  if (!have_header) return fail(errc::corruption, "truncated batch header" + at);
  SLUICE_ASSIGN_OR_RETURN(auto header, model::decode_header(buffered(model::batch_header_size)));
  if (header.batch_length < static_cast<std::int32_t>(model::batch_header_size - model::batch_log_overhead))
    return fail(errc::corruption, "batch length " + std::to_string(header.batch_length) + " too small" + at);
  SLUICE_ASSIGN_OR_RETURN(bool have_batch, ensure(header.size_bytes()));
  if (!have_batch) return fail(errc::corruption, "truncated batch" + at);
  auto bytes = buffered(header.size_bytes());
  if (verify_crc_) {
    auto valid = model::validate_batch(bytes);
    if (!valid) return fail(errc::corruption, valid.error().message + at);
  }
  scanned_batch batch{header, position_, bytes};
  position_ += header.size_bytes();
  return batch;
}

}  // namespace sluice::storage
