#include "storage/offset_index.h"

#include <algorithm>

#include "base/assert.h"
#include "base/bytes.h"

namespace sluice::storage {

void offset_index::append(std::int64_t offset, std::uint32_t position) {
  SLUICE_ASSERT(entries_.empty() || (offset > last().offset && position > last().position),
                "offset index entries must increase");
  entries_.push_back({offset, position});
}

offset_index::entry offset_index::lookup(std::int64_t offset) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](std::int64_t o, const entry& e) { return o < e.offset; });
  return it == entries_.begin() ? entry{base_offset_, 0} : *std::prev(it);
}

void offset_index::truncate_to_position(std::uint32_t position) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), position,
                             [](const entry& e, std::uint32_t p) { return e.position < p; });
  entries_.erase(it, entries_.end());
  if (entries_.size() < persisted_) rewrite_ = true;
}

result<offset_index> offset_index::load(const io::file& f, std::int64_t base_offset, std::uint64_t log_size) {
  SLUICE_ASSIGN_OR_RETURN(auto size, f.size());
  if (size % entry_size != 0) return fail(errc::corruption, "offset index size is not a multiple of 8");
  std::vector<std::byte> raw(size);
  SLUICE_ASSIGN_OR_RETURN(auto n, f.read_at(raw, 0));
  if (n != size) return fail(errc::corruption, "offset index shorter than its size");
  offset_index index(base_offset);
  for (std::size_t at = 0; at < size; at += entry_size) {
    auto relative = load_be<std::uint32_t>(raw.data() + at);
    auto position = load_be<std::uint32_t>(raw.data() + at + 4);
    entry e{base_offset + relative, position};
    bool ordered = index.empty() || (e.offset > index.last().offset && e.position > index.last().position);
    if (!ordered || position >= log_size)
      return fail(errc::corruption,
                  "offset index entry " + std::to_string(at / entry_size) + " out of order or range");
    index.entries_.push_back(e);
  }
  index.persisted_ = index.entries_.size();
  return index;
}

result<void> offset_index::write_pending(io::file& f) {
  if (rewrite_) {
    SLUICE_RETURN_IF_ERROR(f.truncate(0));
    persisted_ = 0;
    rewrite_ = false;
  }
  if (persisted_ == entries_.size()) return {};
  std::vector<std::byte> raw((entries_.size() - persisted_) * entry_size);
  for (std::size_t i = persisted_; i < entries_.size(); ++i) {
    std::byte* p = raw.data() + (i - persisted_) * entry_size;
    store_be<std::uint32_t>(p, static_cast<std::uint32_t>(entries_[i].offset - base_offset_));
    store_be<std::uint32_t>(p + 4, entries_[i].position);
  }
  SLUICE_RETURN_IF_ERROR(f.write_at(raw, persisted_ * entry_size));
  persisted_ = entries_.size();
  return {};
}

}  // namespace sluice::storage
