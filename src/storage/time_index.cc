#include "storage/time_index.h"

#include <algorithm>

#include "base/bytes.h"

namespace sluice::storage {

void time_index::maybe_append(std::int64_t timestamp, std::int64_t offset) {
  if (!entries_.empty() && (timestamp <= entries_.back().timestamp || offset <= entries_.back().offset))
    return;
  entries_.push_back({timestamp, offset});
}

std::optional<time_index::entry> time_index::last_before(std::int64_t timestamp) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const entry& e, std::int64_t t) { return e.timestamp < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

void time_index::truncate_to_offset(std::int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const entry& e, std::int64_t o) { return e.offset < o; });
  entries_.erase(it, entries_.end());
  if (entries_.size() < persisted_) rewrite_ = true;
}

std::optional<time_index::entry> time_index::last() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

result<time_index> time_index::load(const io::file& f, std::int64_t base_offset, std::int64_t next_offset) {
  SLUICE_ASSIGN_OR_RETURN(auto size, f.size());
  if (size % entry_size != 0) return fail(errc::corruption, "time index size is not a multiple of 12");
  std::vector<std::byte> raw(size);
  SLUICE_ASSIGN_OR_RETURN(auto n, f.read_at(raw, 0));
  if (n != size) return fail(errc::corruption, "time index shorter than its size");
  time_index index(base_offset);
  for (std::size_t at = 0; at < size; at += entry_size) {
    entry e{load_be<std::int64_t>(raw.data() + at),
            base_offset + load_be<std::uint32_t>(raw.data() + at + 8)};
    bool ordered = index.entries_.empty() ||
                   (e.timestamp > index.entries_.back().timestamp && e.offset > index.entries_.back().offset);
    if (!ordered || e.offset >= next_offset)
      return fail(errc::corruption,
                  "time index entry " + std::to_string(at / entry_size) + " out of order or range");
    index.entries_.push_back(e);
  }
  index.persisted_ = index.entries_.size();
  return index;
}

result<void> time_index::write_pending(io::file& f) {
  if (rewrite_) {
    SLUICE_RETURN_IF_ERROR(f.truncate(0));
    persisted_ = 0;
    rewrite_ = false;
  }
  if (persisted_ == entries_.size()) return {};
  std::vector<std::byte> raw((entries_.size() - persisted_) * entry_size);
  for (std::size_t i = persisted_; i < entries_.size(); ++i) {
    std::byte* p = raw.data() + (i - persisted_) * entry_size;
    store_be<std::int64_t>(p, entries_[i].timestamp);
    store_be<std::uint32_t>(p + 8, static_cast<std::uint32_t>(entries_[i].offset - base_offset_));
  }
  SLUICE_RETURN_IF_ERROR(f.write_at(raw, persisted_ * entry_size));
  persisted_ = entries_.size();
  return {};
}

}  // namespace sluice::storage
