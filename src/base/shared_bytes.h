// base/shared_bytes.h — a byte buffer with shared ownership, allocated without zeroing.
//
// What a request frame is read into: the socket read fills every byte, so zeroing them first would
// only cost a pass over the memory, and sharing lets a decoded request point into the frame instead
// of copying out of it (a Produce's record batches are appended from where they arrived).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

#include "base/bytes.h"

namespace sluice {

struct shared_bytes {
  std::shared_ptr<std::byte[]> owner;
  std::size_t size = 0;

  // `n` bytes of unspecified content.
  static shared_bytes allocate(std::size_t n) { return {std::make_shared_for_overwrite<std::byte[]>(n), n}; }
  static shared_bytes copy_of(bytes_view bytes) {
    auto out = allocate(bytes.size());
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  std::byte* data() const { return owner.get(); }
  mutable_bytes span() const { return {owner.get(), size}; }
};

}  // namespace sluice
