// storage/time_index.h — the sparse timestamp → offset map of one segment,
// Kafka's `.timeindex` format: 12-byte entries of
//   timestamp       int64  BE   the largest record timestamp so far in the segment
//   relative_offset uint32 BE   base offset of the batch where that max was reached
// non-decreasing in timestamp, increasing in offset. Like the offset index it
// is derived data, rebuilt from the log when missing or damaged.
//
// Not thread-safe: the owning segment serializes access.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "io/file.h"

namespace sluice::storage {

class time_index {
 public:
  static constexpr std::size_t entry_size = 12;

  struct entry {
    std::int64_t timestamp;
    std::int64_t offset;
  };

  explicit time_index(std::int64_t base_offset) : base_offset_(base_offset) {}

  // Adds an entry when `timestamp` exceeds the last one's (else a no-op).
  void maybe_append(std::int64_t timestamp, std::int64_t offset);
  // The last entry whose timestamp is below `timestamp`: every record before
  // its offset is older than `timestamp`. nullopt when there is none.
  std::optional<entry> last_before(std::int64_t timestamp) const;
  // Drops entries for offsets at or after `offset`.
  void truncate_to_offset(std::int64_t offset);
  std::optional<entry> last() const;

  static result<time_index> load(const io::file& f, std::int64_t base_offset, std::int64_t next_offset);
  result<void> write_pending(io::file& f);

 private:
  std::int64_t base_offset_;
  std::vector<entry> entries_;
  std::size_t persisted_ = 0;
  bool rewrite_ = false;
};

}  // namespace sluice::storage
