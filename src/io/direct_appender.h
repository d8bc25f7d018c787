// io/direct_appender.h — appends to a file without going through the page cache.
//
// A buffered write copies every byte into the page cache and makes the kernel find a page for it;
// on a virtual machine that hands freed memory back to its host, that page is often one the host
// must back again, and a gigabyte of appends then costs seconds of CPU. O_DIRECT moves the bytes from
// our buffer to the disk instead, but only in whole aligned blocks. So the appender stages each
// append after the file's last partial block (kept in memory), writes the blocks, zero-padding the
// last one, and truncates the file back to its true length; the next append writes that block again.
// Invariants: the file's length is size(); staged_ holds its bytes from the last block boundary.
// Readers of the file must not read while append() runs (a buffered read of the block being
// rewritten could cache it stale); the owner serializes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/result.h"

namespace sluice::io {

class file;

class direct_appender {
 public:
  // `f` must outlive the appender; `size` is its current length.
  static result<direct_appender> open(file& f, std::uint64_t size);

  result<void> append(bytes_view bytes);
  // After the file was truncated to `size` by someone else: re-reads its last partial block.
  result<void> reset(std::uint64_t size);
  std::uint64_t size() const { return size_; }

 private:
  struct aligned_free {
    void operator()(std::byte* p) const;
  };
  // The most one write carries: a multiple of direct_io_alignment.
  static constexpr std::size_t max_write = std::size_t{256} << 10;

  explicit direct_appender(file& f) : file_(&f) {}
  // REQUIRES: staged_ + bytes.size() <= max_write.
  result<void> append_piece(bytes_view bytes);

  file* file_;
  std::uint64_t size_ = 0;
  std::unique_ptr<std::byte, aligned_free> buffer_;  // max_write bytes, direct_io_alignment-aligned
  std::size_t staged_ = 0;  // bytes of the last partial block at the front of buffer_
};

}  // namespace sluice::io
