// storage/offset_index.h — the sparse offset → file position map of one
// segment, Kafka's `.index` format: 8-byte entries of
//   relative_offset uint32 BE   base offset of a batch − the segment's base offset
//   position        uint32 BE   where that batch starts in the .log file
// strictly increasing in both fields. An index is derived data: when its file
// is missing or fails the sanity check it is rebuilt from the log.
//
// Not thread-safe: the owning segment serializes access.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "io/file.h"

namespace sluice::storage {

class offset_index {
 public:
  static constexpr std::size_t entry_size = 8;

  struct entry {
    std::int64_t offset;
    std::uint32_t position;
  };

  explicit offset_index(std::int64_t base_offset) : base_offset_(base_offset) {}

  // REQUIRES: offset and position greater than the last entry's.
  void append(std::int64_t offset, std::uint32_t position);
  // The last entry whose offset is at most `offset`; {base offset, 0} if none.
  entry lookup(std::int64_t offset) const;
  // Drops entries at or after `position` (the log was truncated there).
  void truncate_to_position(std::uint32_t position);
  std::size_t size_bytes() const { return entries_.size() * entry_size; }
  bool empty() const { return entries_.empty(); }
  const entry& last() const { return entries_.back(); }

  // Reads and sanity-checks an index file written for a log of `log_size`
  // bytes; corruption when any entry is out of order or out of range.
  static result<offset_index> load(const io::file& f, std::int64_t base_offset, std::uint64_t log_size);
  // Appends the entries not yet in the file; rewrites it if it was truncated.
  result<void> write_pending(io::file& f);

 private:
  std::int64_t base_offset_;
  std::vector<entry> entries_;
  std::size_t persisted_ = 0;  // entries already in the file
  bool rewrite_ = false;       // the file holds entries we dropped
};

}  // namespace sluice::storage
