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

void direct_appender::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return;
  std::size_t capacity = std::max(round_up(bytes), 2 * capacity_);
  void* p = std::aligned_alloc(direct_io_alignment, capacity);
  if (!p) throw std::bad_alloc();
  std::unique_ptr<std::byte, aligned_free> grown(static_cast<std::byte*>(p));
  if (staged_ > 0) std::memcpy(grown.get(), buffer_.get(), staged_);
  buffer_ = std::move(grown);
  capacity_ = capacity;
}

result<void> direct_appender::reset(std::uint64_t size) {
  size_ = size;
  staged_ = 0;  // nothing of the old block is worth keeping
  reserve(direct_io_alignment);
  staged_ = size % direct_io_alignment;
  if (staged_ == 0) return {};
  SLUICE_ASSIGN_OR_RETURN(std::size_t got, file_->read_at({buffer_.get(), staged_}, size - staged_));
  if (got != staged_) return fail(errc::corruption, "the file is shorter than its size");
  return {};
}

result<void> direct_appender::append(bytes_view bytes) {
  if (bytes.empty()) return {};
  std::size_t total = staged_ + bytes.size();
  std::size_t padded = round_up(total);
  reserve(padded);
  std::memcpy(buffer_.get() + staged_, bytes.data(), bytes.size());
  std::memset(buffer_.get() + total, 0, padded - total);
  std::uint64_t block_start = size_ - staged_;
  auto written = file_->write_direct_at({buffer_.get(), padded}, block_start);
  std::uint64_t new_size = size_ + bytes.size();
  if (!written) {
    (void)file_->truncate(size_);  // a partial tail: the next append starts where this one did
    return written;
  }
  if (padded != total) SLUICE_RETURN_IF_ERROR(file_->truncate(new_size));  // the padding's zeros
  size_ = new_size;
  staged_ = total % direct_io_alignment;
  if (staged_ > 0) std::memmove(buffer_.get(), buffer_.get() + (total - staged_), staged_);
  return {};
}

}  // namespace sluice::io
