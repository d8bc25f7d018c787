#include "io/direct_appender.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "io/file.h"

namespace sluice::io {
namespace {

std::size_t round_up(std::size_t n) {
  return (n + direct_io_alignment - 1) / direct_io_alignment * direct_io_alignment;
}

}  // namespace

void direct_appender::aligned_free::operator()(std::byte* p) const { std::free(p); }

result<direct_appender> direct_appender::open(file& f, std::uint64_t size) {
  direct_appender out(f);
  SLUICE_RETURN_IF_ERROR(out.reset(size));
  return out;
}

result<void> direct_appender::reset(std::uint64_t size) {
  if (!buffer_) {
    void* p = std::aligned_alloc(direct_io_alignment, max_write);
    if (!p) throw std::bad_alloc();
    buffer_.reset(static_cast<std::byte*>(p));
  }
  size_ = size;
  staged_ = size % direct_io_alignment;
  if (staged_ == 0) return {};
  SLUICE_ASSIGN_OR_RETURN(std::size_t got, file_->read_at({buffer_.get(), staged_}, size - staged_));
  if (got != staged_) return fail(errc::corruption, "the file is shorter than its size");
  return {};
}

result<void> direct_appender::append(bytes_view bytes) {
  // In pieces of at most max_write bytes, so the staging buffer stays small however large the append.
  std::uint64_t start = size_;
  while (!bytes.empty()) {
    std::size_t n = std::min(max_write - staged_, bytes.size());
    if (auto written = append_piece(bytes.first(n)); !written) {
      (void)file_->truncate(start);  // all or nothing: the next append starts where this one did
      (void)reset(start);
      return written;
    }
    bytes = bytes.subspan(n);
  }
  return {};
}

result<void> direct_appender::append_piece(bytes_view bytes) {
  std::size_t total = staged_ + bytes.size();
  std::size_t padded = round_up(total);
  std::memcpy(buffer_.get() + staged_, bytes.data(), bytes.size());
  std::memset(buffer_.get() + total, 0, padded - total);
  SLUICE_RETURN_IF_ERROR(file_->write_direct_at({buffer_.get(), padded}, size_ - staged_));
  std::uint64_t new_size = size_ + bytes.size();
  if (padded != total) SLUICE_RETURN_IF_ERROR(file_->truncate(new_size));  // the padding's zeros
  size_ = new_size;
  staged_ = total % direct_io_alignment;
  if (staged_ > 0) std::memmove(buffer_.get(), buffer_.get() + (total - staged_), staged_);
  return {};
}

}  // namespace sluice::io
