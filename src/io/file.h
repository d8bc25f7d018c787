// io/file.h — the file layer every on-disk format goes through.
//
// Storage never calls the operating system directly: it holds a file_system,
// so tests can swap in fault_injection_file_system to fill the disk or drop
// data that was never synced. A file is safe to read from many threads at
// once; writes to one file are serialized by its owner.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace sluice::io {

// What write_direct_at asks of its buffer, offset and length: a page, which covers every logical
// block size a disk reports.
inline constexpr std::size_t direct_io_alignment = 4096;

class file {
 public:
  virtual ~file() = default;

  // Reads up to dst.size() bytes at `offset`; fewer only at end of file.
  virtual result<std::size_t> read_at(mutable_bytes dst, std::uint64_t offset) const = 0;
  // Writes all of `src` at `offset`, or fails (no_space when the disk is full).
  // A failed write may leave a partial tail that the caller truncates away.
  virtual result<void> write_at(bytes_view src, std::uint64_t offset) = 0;
  // As write_at, but from `src` to the disk without passing through the page cache (O_DIRECT), where
  // the file system allows it: no copy, and no page cache memory taken. REQUIRES: src.data(),
  // src.size() and offset are multiples of direct_io_alignment. Files that cannot do it write_at.
  virtual result<void> write_direct_at(bytes_view src, std::uint64_t offset) { return write_at(src, offset); }
  // Makes written data durable (fdatasync).
  virtual result<void> sync() = 0;
  // Starts writing [offset, offset + length) to the disk without waiting for it (Linux
  // sync_file_range), so a later sync() finds little left to write. Durability still needs sync().
  // A hint: files that cannot do it, and file systems in tests, do nothing.
  virtual result<void> start_writeback(std::uint64_t /*offset*/, std::uint64_t /*length*/) { return {}; }
  virtual result<void> truncate(std::uint64_t size) = 0;
  virtual result<std::uint64_t> size() const = 0;
  // The descriptor for zero-copy sends (sendfile), or -1 when there is none.
  virtual int native_handle() const = 0;
};

enum class open_mode {
  read_only,         // must exist
  read_write,        // created when missing
  create_exclusive,  // must not exist
};

class file_system {
 public:
  virtual ~file_system() = default;

  virtual result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) = 0;
  virtual result<void> remove(const std::string& path) = 0;
  virtual result<void> remove_all(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual result<void> rename(const std::string& from, const std::string& to) = 0;
  virtual result<void> create_directories(const std::string& path) = 0;
  // Makes the directory's entries (creates, renames, removes) durable.
  virtual result<void> sync_directory(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual result<std::vector<std::string>> list(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;

  // The real file system.
  static file_system& posix();
};

// Writes `contents` to `path` so that after a crash the file holds either
// its old contents or the new ones: write a temporary, sync, rename, sync
// the directory.
result<void> write_file_atomically(file_system& fs, const std::string& path, bytes_view contents);

// Reads a whole (small) file.
result<std::vector<std::byte>> read_whole_file(file_system& fs, const std::string& path);

}  // namespace sluice::io
