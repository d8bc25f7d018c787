// storage/batch_scanner.h — walks the record batches of a log file.
//
// next() separates three outcomes: a batch, the clean end of the range, and
// bytes that are not a valid batch (torn, misframed, or — when asked to
// verify — failing their CRC). Recovery truncates at the last; readers
// report it. Memory is one chunk plus the largest batch seen.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "io/file.h"
#include "model/record_batch.h"

namespace sluice::storage {

struct scanned_batch {
  model::batch_header header;
  std::uint64_t position;  // where the batch starts in the file
  bytes_view bytes;        // the whole batch; valid until the next call to next()
};

class batch_scanner {
 public:
  static constexpr std::size_t default_chunk = 256 * 1024;

  batch_scanner(const io::file& f, std::uint64_t start, std::uint64_t end, bool verify_crc,
                std::size_t chunk = default_chunk)
      : file_(f), position_(start), end_(end), verify_crc_(verify_crc), chunk_(chunk) {}

  // A batch; nullopt at the clean end; corruption (with the reason) when the
  // bytes at position() are not a whole valid batch; io_error on read failure.
  result<std::optional<scanned_batch>> next();

  // Start of the batch next() will return.
  std::uint64_t position() const { return position_; }

 private:
  // Makes [position_, position_ + n) available in buffer_; false if the file
  // range ends first.
  result<bool> ensure(std::size_t n);
  bytes_view buffered(std::size_t n) const;

  const io::file& file_;
  std::uint64_t position_;
  std::uint64_t end_;
  bool verify_crc_;
  std::size_t chunk_;
  std::vector<std::byte> buffer_;
  std::uint64_t buffer_start_ = 0;  // file position of buffer_[0]
};

}  // namespace sluice::storage
